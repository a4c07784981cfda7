// OpenAPI 3.1 path items for epcisRoutes, to merge into the node's document
// (api/openapi.ts): `paths: { ...existing, ...epcisOpenApiPaths('/epcis') }`.
// Keys are the Hono route paths with ":name" written "{name}", as the node's
// route-coverage test spells them. The normative description of the EPCIS
// resources is GS1's EPCIS 2.0 REST binding (openapi.yaml); these entries name
// each route, its parameters and its outcomes, and the TradeTwin additions.
import { queriesOpenApiPaths } from './subscriptions/openapi.js';

import { MAX_URI_LENGTH } from './protocol.js';

import { json, paging, pathParam, problem, queryParam } from '../api/openapi-parts.js';

const PAGING = paging('Events (or members)');
const EVENT_QUERY_DOC =
  'EPCIS 2.0 SimpleEventQuery parameters in the URI query string (query-schema.json): eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, ' +
  'EQ_bizStep, EQ_disposition, EQ_persistentDisposition_set/unset, EQ_/WD_readPoint, EQ_/WD_bizLocation, EQ_transformationID, MATCH_epc, ' +
  'MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass, ' +
  'EQ_/GT_/GE_/LT_/LE_quantity, EQ_eventID, EXISTS_errorDeclaration, GE_/LT_errorDeclarationTime, EQ_errorReason, EQ_correctiveEventID, ' +
  'EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>, EXISTS_sensorElementList, GE_/LT_time, GE_/LT_startTime, GE_/LT_endTime, ' +
  'EQ_type, EQ_deviceID, EQ_dataProcessingMethod, EQ_microorganism, EQ_chemicalSubstance, EQ_bizRules, EQ_stringValue, EQ_booleanValue, ' +
  'EQ_hexBinaryValue, EQ_uriValue, GE_/LT_/GT_/LE_percRank, EQ_value_<uom>, GE_/LT_/GT_/LE_{value,minValue,maxValue,meanValue,sDev,percValue}_<uom>, ' +
  'orderBy (eventTime|recordTime), orderDirection, eventCountLimit (needs orderBy; caps the events over all pages, perPage one page; ' +
  'excludes maxEventCount), maxEventCount (413 QueryTooLargeException when more match). ' +
  'User extension fields and ILMD (field names as CURIEs, prefix:name): EQ_/GT_/GE_/LT_/LE_/EXISTS_<field>, …_ILMD_<field>, …_INNER_<field>, ' +
  '…_INNER_ILMD_<field>, …_ERROR_DECLARATION_<field>, EQ_[INNER_]readPoint_<field>, EQ_[INNER_]bizLocation_<field>; values compare as numbers, ' +
  'date-times or dates when both sides are, else as text. Master data: HASATTR_<readPoint|bizLocation|bizStep|disposition>=<attribute>, ' +
  'EQ_ATTR_<field>_<attribute>=<value>, WD_readPoint / WD_bizLocation (with master-data descendants). Several values: pipe-delimited. ' +
  'CBV values bare or as URIs; EPCs as EPC URNs or GS1 Digital Links; sensor filters hold for one sensorReport. Malformed or unsupported ' +
  'parameters: 400 QueryParameterException naming the parameter.';
/** Response headers that shape events: GS1-EPC-Format (identifier form) and GS1-CBV-XML-Format (XML only). */
const FORMAT_HEADERS = [
  {
    name: 'GS1-EPC-Format',
    in: 'header',
    required: false,
    description:
      'Identifier form in the events returned: Always_GS1_Digital_Link, Always_EPC_URN (where the GS1 Company Prefix is known from captured ' +
      'EPC URNs, else as captured), Never_Translates (as captured) or No_Preference (as captured); without the header Always_GS1_Digital_Link (the binding default). Echoed in the response; ' +
      'another value: 406.',
    schema: { type: 'string', enum: ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] },
  },
  {
    name: 'GS1-CBV-XML-Format',
    in: 'header',
    required: false,
    description: 'Only shapes XML responses; checked (406 outside the enum) and echoed.',
    schema: { type: 'string', enum: ['No_Preference', 'Always_Web_URI', 'Always_URN', 'Never_Translates'] },
  },
];
// The XML binding: EPCIS 2.0 XML documents, valid against GS1's XSD (core/epcis/xml/schema).
const XML = {
  schema: { type: 'string', description: 'EPCIS 2.0 XML (GS1 EPCglobal-epcis-2_0.xsd / EPCglobal-epcis-query-2_0.xsd)' },
};
/** What capture takes: EPCIS 2.0 JSON(-LD) or XML. */
const CAPTURE_BODY = {
  required: true,
  content: {
    'application/json': { schema: { type: 'object' } },
    'application/ld+json': { schema: { type: 'object' } },
    'application/xml': XML,
    'text/xml': XML,
  },
};
const queryDocument = {
  description:
    'An EPCISQueryDocument (JSON, or XML with Accept: application/xml); a Link header (rel="next") when more events match',
  content: { 'application/json': { schema: { type: 'object' } }, 'application/xml': XML, 'text/xml': XML },
};
const eventsQuery = (summary: string, params: Record<string, unknown>[] = []) => ({
  get: {
    summary,
    description: EVENT_QUERY_DOC,
    parameters: [...params, ...PAGING, ...FORMAT_HEADERS],
    responses: { '200': queryDocument, '400': problem, '404': problem, '406': problem, '413': problem },
  },
});
const collection = json('A Collection ({ "@context", "type": "Collection", "member": [...] })');
const discovery = (allow: string) => ({
  options: {
    summary: `Discovery: Allow: ${allow}, GS1-EPCIS-Version / -Min / -Max, GS1-CBV-Version / -Min / -Max`,
    responses: { '204': { description: 'Capabilities in headers' } },
  },
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options'] as const;
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * What every operation shares, added once: an operationId (epcis + method + path, e.g.
 * epcisGetEventsByEventIDProof), OPTIONS discovery on every path (the routes answer it
 * everywhere), and the 4xx every request can meet: 400 (malformed GS1 header), 406
 * (Accept, version or format headers not servable), 414 (URI over the advertised length).
 */
function complete(paths: Record<string, Record<string, unknown>>, prefix: string): Record<string, Record<string, unknown>> {
  for (const [path, item] of Object.entries(paths)) {
    const present = METHODS.filter((m) => item[m]);
    if (!item.options) Object.assign(item, discovery(['OPTIONS', ...present.map((m) => m.toUpperCase())].join(', ')));
    const name =
      path
        .slice(prefix.length)
        .split('/')
        .filter(Boolean)
        .map((seg) => (seg.startsWith('{') ? `By${cap(seg.slice(1, -1))}` : cap(seg)))
        .join('') || 'Root';
    for (const m of METHODS) {
      const op = item[m] as { operationId?: string; responses?: Record<string, unknown> } | undefined;
      if (!op) continue;
      op.operationId ??= `epcis${cap(m)}${name}`;
      op.responses = { ...op.responses };
      for (const status of ['400', '406', '414']) op.responses[status] ??= problem;
    }
  }
  return paths;
}

export function epcisOpenApiPaths(prefix = '/epcis'): Record<string, Record<string, unknown>> {
  return complete(routePaths(prefix), prefix);
}

function routePaths(prefix: string): Record<string, Record<string, unknown>> {
  const p = (path: string) => `${prefix}${path}`;
  const vocab = (path: string, name: string, what: string) => ({
    [p(path)]: { get: { summary: `Known ${what}s`, parameters: PAGING, responses: { '200': collection, '400': problem } } },
    [p(`${path}/{${name}}`)]: {
      get: {
        summary: `Sub-resources of a ${what}`,
        parameters: [pathParam(name, `The ${what} (percent-encoded)`)],
        responses: { '200': collection, '404': problem },
      },
    },
    [p(`${path}/{${name}}/events`)]: eventsQuery(`Events with this ${what}`, [pathParam(name, `The ${what} (percent-encoded)`)]),
  });
  return {
    [p('')]: {
      get: {
        summary:
          'EPCIS 2.0 repository: the top-level resources (queries, capture, events, eventTypes, epcs, bizSteps, bizLocations, readPoints, dispositions)',
        description: `Also at ${prefix}/. Every request URI is limited to ${MAX_URI_LENGTH} bytes (414 beyond).`,
        responses: { '200': collection },
      },
      ...discovery('OPTIONS, GET'),
    },
    [p('/capture')]: {
      post: {
        summary: 'Capture an EPCISDocument (or EPCISQueryDocument) asynchronously',
        description:
          'Validated (GS1 JSON schema + capture rules), then each event is appended to the transparency log as a leaf of kind "epcis" ' +
          '(body CBOR [eventHashId, canonicalJsonBytes, salt]) and indexed. GS1-Capture-Error-Behaviour: rollback (default: any fault refuses the ' +
          'whole document with a 4xx problem, nothing stored) or proceed (good events stored, faults listed in the capture job). ' +
          'Limits in GS1-EPCIS-Capture-Limit (events) and GS1-EPCIS-Capture-File-Size-Limit (bytes), enforced with 413. ' +
          'Faults found on receipt (schema, semantics, master data) answer 400; a duplicate eventID (or a second error declaration) is a ' +
          'capture fault shown in the capture job (success false; nothing stored under rollback), never a 409 here. Master data in ' +
          'epcisHeader.epcisMasterData.vocabularyList is stored per vocabulary element when the job stores.',
        parameters: [
          {
            name: 'GS1-Capture-Error-Behaviour',
            in: 'header',
            required: false,
            schema: { type: 'string', enum: ['rollback', 'proceed'] },
          },
          { name: 'GS1-EPCIS-Version', in: 'header', required: false, schema: { type: 'string' } },
        ],
        requestBody: CAPTURE_BODY,
        responses: {
          '202': { description: 'Capture job created; its URL in the Location header' },
          '400': problem,
          '406': problem,
          '413': problem,
          '415': problem,
        },
      },
      get: {
        summary: 'Capture jobs',
        parameters: PAGING,
        responses: { '200': json('Capture jobs', { type: 'array', items: { type: 'object' } }), '400': problem },
      },
      ...discovery('OPTIONS, POST, GET'),
    },
    [p('/capture/{id}')]: {
      get: {
        summary: 'A capture job: running, success, captureErrorBehaviour, errors (RFC 7807), eventCount, capturedCount, leaves',
        parameters: [pathParam('id', 'Capture job id')],
        responses: { '200': json('The capture job'), '404': problem },
      },
    },
    [p('/events')]: {
      ...eventsQuery('Query events (SimpleEventQuery)'),
      post: {
        summary: 'Capture one event synchronously (a duplicate eventID: 409)',
        parameters: FORMAT_HEADERS.slice(0, 1),
        // In XML: an EPCISDocument holding exactly one event.
        requestBody: CAPTURE_BODY,
        responses: {
          '201': json('The stored event (Location: its URL)'),
          '400': problem,
          '409': problem,
          '413': problem,
          '415': problem,
        },
      },
      ...discovery('OPTIONS, GET, POST'),
    },
    [p('/events/{eventID}')]: {
      get: {
        summary: 'An event and its error declarations (EPCISQueryDocument)',
        parameters: [pathParam('eventID', 'The eventID, percent-encoded'), ...FORMAT_HEADERS],
        responses: { '200': queryDocument, '404': problem, '406': problem },
      },
    },
    [p('/events/{eventID}/proof')]: {
      get: {
        summary: 'Proof that the event is in the transparency log (TradeTwin)',
        description:
          "The event's leaf, its CBV 2.0 hash ID, an RFC 9162 inclusion proof to the newest tree head anchored on chain (or, before any anchor " +
          'covers it, the newest signed head: anchor null), the signed head, and the anchoring transaction.',
        parameters: [pathParam('eventID', 'The eventID, percent-encoded')],
        responses: { '200': json('EventProof'), '404': problem },
      },
    },
    [p('/eventTypes')]: { get: { summary: 'Event types', responses: { '200': collection } } },
    [p('/eventTypes/{eventType}')]: {
      get: {
        summary: 'Sub-resources of an event type',
        parameters: [pathParam('eventType', 'ObjectEvent, AggregationEvent, …')],
        responses: { '200': collection, '404': problem },
      },
    },
    [p('/eventTypes/{eventType}/events')]: eventsQuery('Events of a type', [
      pathParam('eventType', 'ObjectEvent, AggregationEvent, …'),
    ]),
    [p('/epcs')]: {
      get: {
        summary: 'Known EPCs (as indexed: GS1 Digital Links where a GS1 key converts)',
        parameters: PAGING,
        responses: { '200': collection, '400': problem },
      },
    },
    [p('/epcs/{epc}')]: {
      get: {
        summary: 'Sub-resources of an EPC',
        parameters: [pathParam('epc', 'EPC URN or GS1 Digital Link, percent-encoded')],
        responses: { '200': collection, '404': problem },
      },
    },
    [p('/epcs/{epc}/events')]: eventsQuery('Events naming an EPC (any role) or EPC class', [
      pathParam('epc', 'EPC URN or GS1 Digital Link, percent-encoded'),
    ]),
    ...vocab('/bizSteps', 'bizStep', 'business step'),
    ...vocab('/dispositions', 'disposition', 'disposition'),
    ...vocab('/readPoints', 'readPoint', 'read point'),
    ...vocab('/bizLocations', 'bizLocation', 'business location'),
    ...queriesOpenApiPaths(p),
    [p('/nextPageToken/{token}')]: {
      delete: {
        summary: 'Release a nextPageToken: a later query with it answers 400 (code page_token_released)',
        parameters: [pathParam('token', 'The nextPageToken, percent-encoded')],
        responses: { '204': { description: 'Token released' }, '404': problem },
      },
    },
    [p('/trace/{epc}')]: {
      get: {
        summary: 'Trace an EPC, lot or container backward or forward through the EPC graph (TradeTwin)',
        description:
          'backward: every input, container, location, lot and party a product came from; forward: every product, lot, pallet, shipment, ' +
          'location and party it reached — through Object, Aggregation, Transformation, Transaction and Association events, time-aware, ' +
          'skipping events declared erroneous. Each hop cites its event (eventID, CBV hash ID, leaf index); proofs=true adds an inclusion ' +
          'proof per cited event to one tree head.',
        parameters: [
          pathParam('epc', 'EPC URN, EPC class or GS1 Digital Link, percent-encoded'),
          queryParam('direction', 'backward (default) or forward', { type: 'string', enum: ['backward', 'forward'] }),
          queryParam('proofs', 'Add an EventProof per cited event', { type: 'boolean' }),
        ],
        responses: { '200': json('TraceResult'), '400': problem, '404': problem },
      },
    },
  };
}
