// The EPCIS 2.0 XML binding at the node's HTTP boundary: captured XML is
// checked against GS1's XSD and read into the JSON-LD document the JSON capture
// path takes (so both bindings share validate → hash → log → index); query
// results are written as XML EPCISQueryDocuments when the client asks for XML;
// content negotiation answers 406 where a representation cannot be served.
import { EpcisXmlError, epcisXml, parseEpcisXml, XmlNotRepresentableError } from '@tradetwin/core/epcis/xml/index';
import type { Context } from 'hono';
import { EpcisProblem } from './problem.js';
import { queryDocument, queryDocumentText } from './query.js';
import type { StoredEvent } from './types.js';
import { validateEpcisXsd } from './xsd.js';

type Json = Record<string, unknown>;

const VALIDATION = 'epcisException:ValidationException';
const NOT_ACCEPTABLE = 'epcisException:NotAcceptableException';

/** application/xml or text/xml (the binding's XML media types), with any parameters. */
export const isXmlMediaType = (type: string | undefined): boolean =>
  type !== undefined && /^(application|text)\/xml\s*(;|$)/i.test(type.trim());

/** At most this many faults are listed in a problem (libxml2 can report thousands). */
const MAX_LISTED = 50;

/**
 * An XML capture body → the JSON-LD EPCISDocument/EPCISQueryDocument. Text that is
 * not well-formed, declares a DOCTYPE or violates the XSD is refused with 400
 * (each fault with its line); an EPCIS 1.x document with 406, as in JSON.
 */
export function xmlCaptureDocument(text: string): Json {
  // Refused before libxml2 sees the text: no entity is ever declared, so none is expanded.
  if (/<!(DOCTYPE|ENTITY)/i.test(text))
    return refuse(new EpcisXmlError('xml_doctype', doctypeMessage, lineOf(text, /<!(DOCTYPE|ENTITY)/i)));
  const xsd = validateEpcisXsd(text);
  if (!xsd.valid) {
    // An EPCIS 1.x document fails the 2.0 XSD at its root: say why (406, as for JSON) rather than list that.
    if (/urn:epcglobal:epcis(-query)?:xsd:1["']/.test(text) && !/urn:epcglobal:epcis(-query)?:xsd:2["']/.test(text))
      refuse(new EpcisXmlError('epcis_version', 'this is an EPCIS 1.x XML document: this repository speaks EPCIS 2.0'));
    const wellFormed = xsd.errors.every((e) => e.kind === 'schema');
    const code = wellFormed ? 'xsd_violation' : 'xml_not_well_formed';
    const first = xsd.errors[0]!;
    const where = (e: { line: number | null }) => (e.line === null ? '' : `line ${e.line}: `);
    const eventAt = wellFormed ? eventLines(text) : () => undefined;
    throw new EpcisProblem(
      400,
      VALIDATION,
      code,
      wellFormed
        ? `the document does not validate against the EPCIS 2.0 XSD: ${where(first)}${first.message}`
        : `the request body is not well-formed XML: ${where(first)}${first.message}`,
      {
        errors: xsd.errors.slice(0, MAX_LISTED).map((e) => ({
          type: VALIDATION,
          title: wellFormed ? 'XSD violation' : 'Not well-formed XML',
          status: 400,
          code,
          detail: `${where(e)}${e.message}`,
          ...(e.line === null ? {} : { line: e.line }),
          ...(e.path ? { path: e.path } : {}),
          ...(eventAt(e.line) === undefined ? {} : { eventIndex: eventAt(e.line) }),
        })),
      },
    );
  }
  try {
    return parseEpcisXml(text, { wellFormed: true });
  } catch (err) {
    if (err instanceof EpcisXmlError) refuse(err);
    throw err;
  }
}

/** Which event (index in its EventList) a line falls in, from where each event element starts. */
function eventLines(text: string): (line: number | null) => number | undefined {
  const starts: number[] = [];
  const re = /<(ObjectEvent|AggregationEvent|TransactionEvent|TransformationEvent|AssociationEvent)[\s>/]/g;
  let line = 1;
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let i = text.indexOf('\n', from); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    from = m.index;
    starts.push(line);
  }
  return (at) => {
    if (at === null || starts.length === 0 || at < starts[0]!) return undefined;
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1]! <= at) i++;
    return i;
  };
}

const doctypeMessage = 'DOCTYPE and entity declarations are not accepted: EPCIS XML needs none, and entities are never expanded';

function lineOf(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

function refuse(err: EpcisXmlError): never {
  const at = err.line === undefined ? {} : { line: err.line };
  if (err.code === 'epcis_version') throw new EpcisProblem(406, NOT_ACCEPTABLE, 'unsupported_version', err.message, at);
  throw new EpcisProblem(400, VALIDATION, err.code, err.message, at);
}

/** POST /events in XML: an EPCISDocument holding exactly one event (XML has no bare-event root) → that event. */
export function singleXmlEvent(doc: Json): Json {
  const body = doc.epcisBody as Json | undefined;
  const list = (body?.eventList ?? ((body?.queryResults as Json | undefined)?.resultsBody as Json | undefined)?.eventList) as
    | Json[]
    | undefined;
  if (list?.length !== 1) {
    throw new EpcisProblem(
      400,
      VALIDATION,
      'not_one_event',
      `POST /events takes one event: in XML, an EPCISDocument whose EventList holds exactly one event, not ${list?.length ?? 0}`,
    );
  }
  return { '@context': doc['@context'], ...list[0]! };
}

// ------------------------------------------------------------ content negotiation

const JSON_TYPES = ['application/json', 'application/ld+json'];
const XML_TYPES = ['application/xml', 'text/xml'];

interface Range {
  type: string;
  q: number;
}

function ranges(accept: string): Range[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.type !== '' && Number.isFinite(r.q));
}

/** How well a media range matches a type: 3 exact, 2 type/*, 1 * /*, 0 not at all. */
const specificity = (range: string, type: string) =>
  range === type ? 3 : range.endsWith('/*') && type.startsWith(range.slice(0, -1)) ? 2 : range === '*/*' ? 1 : 0;

/** The quality the Accept header gives a type (the most specific matching range decides). */
function quality(rs: Range[], type: string): number {
  let best = { s: 0, q: 0 };
  for (const r of rs) {
    const s = specificity(r.type, type);
    if (s > best.s) best = { s, q: r.q };
  }
  return best.q;
}

/**
 * The media type to answer with, of those offered (server preference in order on
 * ties); 'json' when there is no Accept header. Throws 406 when none is acceptable.
 */
export function negotiate(c: Context, offered: 'json' | 'json+xml'): 'json' | 'xml' {
  const accept = c.req.header('accept');
  if (accept === undefined || accept.trim() === '') return 'json';
  const rs = ranges(accept);
  const json = Math.max(...JSON_TYPES.map((t) => quality(rs, t)));
  const xml = offered === 'json+xml' ? Math.max(...XML_TYPES.map((t) => quality(rs, t))) : 0;
  if (json <= 0 && xml <= 0) {
    throw new EpcisProblem(
      406,
      NOT_ACCEPTABLE,
      'not_acceptable',
      offered === 'json+xml'
        ? `Accept: ${accept} cannot be served: this resource is available as application/json, application/ld+json, application/xml or text/xml`
        : `Accept: ${accept} cannot be served: this resource is available as application/json only`,
    );
  }
  return xml > json ? 'xml' : 'json';
}

/** Paths that answer with an EPCISQueryDocument, and so can answer in XML. */
export const servesEventsAsXml = (path: string): boolean => /\/events(\/[^/]+)?$/.test(path) && !/\/proof$/.test(path);

/** An EPCISQueryDocument of stored events, in the negotiated syntax. */
export function queryDocumentResponse(
  c: Context,
  events: StoredEvent[],
  /** Rewrites each event's JSON first (GS1-EPC-Format translation), in either syntax. */
  translate?: (json: string) => string,
): Response {
  const as = negotiate(c, 'json+xml');
  if (as === 'json') {
    return c.body(queryDocumentText(events, 'SimpleEventQuery', translate), 200, { 'content-type': 'application/json' });
  }
  let xml: string;
  try {
    xml = epcisXml(queryDocument(translate ? events.map((e) => ({ ...e, json: translate(e.json) })) : events));
  } catch (err) {
    if (err instanceof XmlNotRepresentableError) {
      throw new EpcisProblem(
        406,
        NOT_ACCEPTABLE,
        'not_representable_in_xml',
        `these events cannot be served as XML (ask for application/json): ${err.message}`,
      );
    }
    throw err;
  }
  const accept = c.req.header('accept') ?? '';
  const type = /text\/xml/i.test(accept) && !/application\/xml/i.test(accept) ? 'text/xml' : 'application/xml';
  return c.body(xml, 200, { 'content-type': `${type}; charset=utf-8` });
}
