// OpenAPI 3.1 path items for tagRoutes, to merge into the node's document
// (api/openapi.ts): `paths: { ...existing, ...tagOpenApiPaths('/api/v1') }`.
// Keys are the Hono route paths with ":name" written "{name}", as the node's
// route-coverage test spells them. Schemas are inline (no components needed
// beyond the node's #/components/responses/Problem).

const problem = { $ref: '#/components/responses/Problem' };
const json = (description: string, schema: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema } },
});
const str = { type: 'string' };
const nullable = (schema: Record<string, unknown>) => ({ oneOf: [schema, { type: 'null' }] });
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' };
const iso = { type: 'string', format: 'date-time' };

const issuedTag = {
  type: 'object',
  required: ['uri', 'item', 'epc', 'issuer', 'signature', 'qrSvg'],
  properties: {
    uri: { type: 'string', description: 'The tag: GS1 Digital Link + ?iss={issuer}&sig={base64url 65-byte EIP-191 signature}' },
    item: { type: 'string', description: 'Constrained canonical Digital Link of the item (what is signed)' },
    epc: { type: 'string', description: 'EPC URN of the item' },
    issuer: address,
    signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$' },
    issuerOrg: { type: 'object', properties: { orgId: { type: 'integer' }, name: str } },
    qrSvg: { type: 'string', description: 'The tag URI as an SVG QR code (error correction M)' },
  },
};

const sightingRef = {
  type: 'object',
  properties: { id: { type: 'integer' }, at: iso, lat: nullable({ type: 'number' }), lon: nullable({ type: 'number' }) },
};

const verification = {
  type: 'object',
  required: ['verdict', 'uri', 'item', 'epc', 'issuer', 'reasons', 'history', 'sighting'],
  properties: {
    verdict: { enum: ['genuine', 'unknown', 'suspected_clone'] },
    uri: str,
    item: str,
    epc: str,
    issuer: {
      type: 'object',
      properties: {
        address,
        orgId: nullable({ type: 'integer' }),
        name: nullable(str),
        active: nullable({ type: 'boolean' }),
        roles: nullable({ type: 'integer' }),
      },
    },
    reasons: {
      type: 'array',
      description: 'Every check in order: signature, issuer, history, lifecycle, travel',
      items: {
        type: 'object',
        required: ['code', 'result', 'detail'],
        properties: {
          code: {
            enum: [
              'signature_valid',
              'signature_invalid',
              'issuer_member',
              'issuer_not_member',
              'issuer_suspended',
              'issuer_lacks_role',
              'history_found',
              'no_history',
              'in_circulation',
              'scanned_after_sale',
              'scanned_after_decommissioning',
              'scanned_after_destruction',
              'scanned_after_consumption',
              'item_flagged',
              'travel_plausible',
              'travel_not_checked',
              'impossible_travel',
              'clone_seen_before',
            ],
          },
          result: { enum: ['pass', 'fail', 'warn'] },
          detail: str,
          event: { type: 'object', description: 'The history entry behind a lifecycle finding' },
          sightings: {
            type: 'array',
            items: sightingRef,
            minItems: 2,
            maxItems: 2,
            description: 'The two sightings that cannot both be this item',
          },
          distanceKm: { type: 'number' },
          hours: { type: 'number' },
          speedKmh: { type: 'number' },
          recovered: nullable(address),
        },
      },
    },
    history: {
      type: 'array',
      description: "The item's EPCIS events, oldest first (each at its leaf in the node's transparency log)",
      items: {
        type: 'object',
        properties: {
          eventID: str,
          eventHashId: str,
          leafIndex: { type: 'integer' },
          type: str,
          action: nullable(str),
          bizStep: nullable(str),
          disposition: nullable(str),
          eventTime: iso,
          readPoint: nullable(str),
          bizLocation: nullable(str),
          roles: { type: 'array', items: str },
          erroneous: { type: 'boolean' },
        },
      },
    },
    sighting: sightingRef,
  },
};

const sighting = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    item: str,
    epc: str,
    at: iso,
    lat: nullable({ type: 'number' }),
    lon: nullable({ type: 'number' }),
    by: nullable(str),
    issuer: address,
    signatureValid: { type: 'boolean' },
    verdict: { enum: ['genuine', 'unknown', 'suspected_clone'] },
    reasons: { type: 'array', items: str },
    conflictWith: nullable({ type: 'integer' }),
    recordedAt: iso,
  },
};

export function tagOpenApiPaths(prefix = '/api/v1'): Record<string, Record<string, unknown>> {
  const q = (name: string, description: string, schema: Record<string, unknown> = str, required = false) => ({
    name,
    in: 'query',
    required,
    description,
    schema,
  });
  return {
    [`${prefix}/tags`]: {
      post: {
        summary: "Issue a brand-signed tag for one item with the node's account (anti-counterfeit, S6)",
        description:
          'Name the item one way: {"epc": "urn:epc:id:sgtin:…"}, {"uri": "https://…/01/{GTIN}/21/{serial}"} or {"gtin", "serial"}; ' +
          'optional "base": the brand resolver the tag points to (default https://id.gs1.org). The node account must be an active member ' +
          'with the brand role (409 brand_not_member otherwise).',
        security: [{ adminToken: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          '201': json('The tag, with its QR code', issuedTag),
          '400': problem,
          '401': problem,
          '409': problem,
          '501': problem,
          '503': problem,
        },
      },
    },
    [`${prefix}/tags/verify`]: {
      get: {
        summary: 'Verify a scanned tag: genuine, unknown or suspected clone, with reasons and history; the scan is recorded',
        parameters: [
          q('uri', 'The scanned tag URI (percent-encoded)', str, true),
          q('lat', 'Where it was scanned: latitude, degrees (with lon)', { type: 'number', minimum: -90, maximum: 90 }),
          q('lon', 'Longitude, degrees (with lat)', { type: 'number', minimum: -180, maximum: 180 }),
          q('at', 'When it was scanned: ms since the epoch or RFC 3339 (default now)'),
          q('by', 'Who scanned (an app or device id, ≤ 128 characters)'),
        ],
        responses: { '200': json('The verification', verification), '400': problem, '503': problem },
      },
    },
    [`${prefix}/tags/{uri}/sightings`]: {
      get: {
        summary: 'The recorded scans of an item, latest first',
        security: [{ adminToken: [] }],
        parameters: [
          {
            name: 'uri',
            in: 'path',
            required: true,
            description: 'A tag, Digital Link or EPC URN, percent-encoded as one segment',
            schema: str,
          },
          q('limit', 'At most this many (default 1000, max 10000)', { type: 'integer', minimum: 0 }),
        ],
        responses: {
          '200': json('Sightings', {
            type: 'object',
            properties: { item: str, epc: str, sightings: { type: 'array', items: sighting } },
          }),
          '400': problem,
          '401': problem,
        },
      },
    },
  };
}
