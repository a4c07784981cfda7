// OpenAPI 3.1 description of the node's HTTP API, served at /openapi.json.
// A test walks the Hono routes and checks each is described here.
import { epcisOpenApiPaths } from '../epcis/openapi.js';
import { tagOpenApiPaths } from '../tags/openapi.js';
import { dossierOpenApiPaths } from '../claims/dossier/openapi.js';
import { alertOpenApiPaths } from '../alerts/openapi.js';
import { sharingOpenApiPaths } from '../peer/openapi.js';
import { dcsaOpenApiPaths, dcsaOpenApiSchemas } from '../dcsa/openapi.js';
import { commandOpenApiPaths } from '../commands/openapi.js';
import { governanceOpenApiPaths } from '../governance/openapi.js';
import { geofenceOpenApiPaths } from '../shipments/geofence-openapi.js';
import { documentOpenApiPaths } from '../documents/openapi.js';
import { accessOpenApiPaths, applySecurity, securitySchemes } from '../access/openapi.js';

const problem = { $ref: '#/components/responses/Problem' };
const hex = { type: 'string', pattern: '^0x[0-9a-fA-F]*$' };
const intQuery = (name: string, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'integer', minimum: 0 },
});

export function openApiDocument() {
  return finish(baseDocument());
}

function baseDocument() {
  return {
    openapi: '3.1.0',
    servers: [{ url: '/', description: 'this node (the origin that served this document)' }],
    info: {
      title: 'TradeTwin node API',
      version: '1.0.0',
      description:
        'A member node: signed device telemetry in, an RFC 9162 transparency log, tree heads anchored on an EVM chain, proofs out. Errors are RFC 7807 problem details.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    paths: {
      ...accessOpenApiPaths('/api/v1'),
      ...epcisOpenApiPaths('/epcis'),
      ...tagOpenApiPaths('/api/v1'),
      ...dossierOpenApiPaths('/api/v1'),
      ...alertOpenApiPaths('/api/v1'),
      ...dcsaOpenApiPaths('/dcsa/tnt/v3'),
      ...commandOpenApiPaths('/api/v1'),
      ...sharingOpenApiPaths('/api/v1'),
      ...governanceOpenApiPaths('/api/v1'),
      ...geofenceOpenApiPaths('/api/v1'),
      ...documentOpenApiPaths('/api/v1'),
      '/api/v1/telemetry': {
        post: {
          summary: 'Ingest device messages (COSE_Sign1)',
          description:
            'One message as application/cose, or many as an RFC 8742 CBOR sequence (application/cbor-seq). Answered only after accepted messages are durably committed. ' +
            'Every answer advertises the limits in TradeTwin-Ingest-Max-Envelopes and TradeTwin-Ingest-Max-Body-Bytes; a request over either is a 413, cut off while it streams in. ' +
            'A reading of a device the node has not cached while the ledger is unreachable is a retryable 503 chain_unavailable with Retry-After.',
          requestBody: {
            required: true,
            content: {
              'application/cose': { schema: { type: 'string', format: 'binary' } },
              'application/cbor-seq': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            '200': {
              description: 'Per-message results of a CBOR sequence',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestBatchResult' } } },
            },
            '201': {
              description: 'The single message was accepted',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/IngestResult' } } },
            },
            '400': problem,
            '409': problem,
            '413': problem,
            '415': problem,
            '422': problem,
            '503': problem,
          },
        },
      },
      '/api/v1/status': {
        get: {
          summary: 'Node, chain, log and anchoring status',
          responses: { '200': { description: 'Status', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/api/v1/metrics': {
        get: {
          summary: 'Ingest counters, rejections by reason',
          responses: {
            '200': {
              description: 'Counters',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Counters' } } },
            },
          },
        },
      },
      '/api/v1/log/head': {
        get: {
          summary: 'Latest signed tree head',
          responses: {
            '200': {
              description: 'Head',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/SignedTreeHead' } } },
            },
            '404': problem,
          },
        },
      },
      '/api/v1/log/heads': {
        get: {
          summary: 'Signed tree heads, newest first',
          parameters: [intQuery('limit', 'at most this many (default 100)')],
          responses: {
            '200': {
              description: 'Heads',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/SignedTreeHead' } } },
              },
            },
            '400': problem,
          },
        },
      },
      '/api/v1/log/leaves/{index}': {
        get: {
          summary: 'One log leaf and its decoded record',
          parameters: [{ name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
          responses: {
            '200': { description: 'Leaf', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
            '404': problem,
          },
        },
      },
      '/api/v1/log/proof/inclusion': {
        get: {
          summary: 'RFC 9162 inclusion proof',
          parameters: [intQuery('index', 'leaf index', true), intQuery('size', 'tree size (default: current)')],
          responses: {
            '200': {
              description: 'Proof',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/InclusionProof' } } },
            },
            '400': problem,
          },
        },
      },
      '/api/v1/log/proof/consistency': {
        get: {
          summary: 'RFC 9162 consistency proof between two tree sizes',
          parameters: [intQuery('from', 'first tree size', true), intQuery('to', 'second tree size (default: current)')],
          responses: {
            '200': {
              description: 'Proof',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ConsistencyProof' } } },
            },
            '400': problem,
          },
        },
      },
      '/api/v1/readings/{id}/bundle': {
        get: {
          summary: 'Proof bundle of one reading (verify it with `tradetwin verify`, or in the browser)',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: '<leafIndex>:<position>',
              schema: { type: 'string', pattern: '^\\d+:\\d+$' },
            },
          ],
          responses: {
            '200': {
              description: 'Bundle',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ProofBundle' } } },
            },
            '400': problem,
            '404': problem,
          },
        },
      },
      '/api/v1/anchors': {
        get: {
          summary: 'The anchoring outbox: heads and their on-chain status',
          responses: {
            '200': {
              description: 'Anchors',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
            },
          },
        },
      },
      '/api/v1/devices': {
        get: {
          summary: 'Devices known to this node, with last sequence and gaps',
          responses: {
            '200': {
              description: 'Devices',
              content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Device' } } } },
            },
          },
        },
      },
      '/api/v1/devices/{id}': {
        get: {
          summary: 'One device with its sequence gaps',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'Device',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Device' } } },
            },
            '404': problem,
          },
        },
      },
      '/api/v1/devices/{id}/readings': {
        get: {
          summary: 'Readings of one device in a time window (ms since epoch)',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            intQuery('from', 'earliest reading time, ms'),
            intQuery('to', 'latest reading time, ms'),
            intQuery('limit', 'at most this many readings (default 1000, max 100000)'),
          ],
          responses: {
            '200': { description: 'Readings with their ids', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
          },
        },
      },
      '/api/v1/devices/{id}/series': {
        get: {
          summary: "A device's readings as chart columns, downsampled: per time bucket the lowest and the highest reading",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'kinds',
              in: 'query',
              required: false,
              description: 'comma-separated reading kinds (default temp,rh; pos gives a track)',
              schema: { type: 'string' },
            },
            intQuery('from', 'earliest reading time, ms'),
            intQuery('to', 'latest reading time, ms'),
            intQuery('buckets', 'time buckets (1-10000, default 1000): at most 2 readings each'),
          ],
          responses: {
            '200': {
              description: 'Per kind: total, and columns t, v, id (reading ids); track: t, lat, lon, id',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            '400': problem,
            '413': problem,
          },
        },
      },
      '/api/v1/events/stream': {
        get: {
          summary: 'Live updates (Server-Sent Events): ingest commits (coalesced), anchored heads, excursions, payouts',
          description:
            'Events `ingest`, `anchor`, `excursion`, `payout`; each data line is {id, kind, at, data}. Send Last-Event-ID (or ?since=) to replay what was missed.',
          responses: {
            '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          },
        },
      },
      '/api/v1/admin/devices': {
        post: {
          summary: "Register a device on chain for this node's organisation",
          security: [{ adminToken: [] }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['deviceId', 'keyType', 'publicKey'],
                  properties: { deviceId: { type: 'string' }, keyType: { enum: [1, 2] }, publicKey: hex, metadataHash: hex },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Registered', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
            '401': problem,
            '403': problem,
            '409': problem,
            '503': problem,
          },
        },
      },
      '/api/v1/admin/devices/{id}/revoke': {
        post: {
          summary: 'Revoke a device, effective now or back-dated',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', properties: { effectiveAt: { type: 'integer', description: 'ms since epoch' } } },
              },
            },
          },
          responses: {
            '200': { description: 'Revoked', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
            '401': problem,
            '404': problem,
            '409': problem,
            '503': problem,
          },
        },
      },
      '/api/v1/shipments': {
        get: {
          summary: 'Shipments with their state derived from evidence',
          responses: {
            '200': {
              description: 'Shipments',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/ShipmentState' } } },
              },
            },
          },
        },
        post: {
          summary: 'Create a shipment twin (parties, goods, legs, attached devices, condition rules)',
          security: [{ adminToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Shipment' } } } },
          responses: {
            '201': {
              description: 'Created',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ShipmentState' } } },
            },
            '400': problem,
            '401': problem,
            '409': problem,
          },
        },
      },
      '/api/v1/shipments/{id}': {
        get: {
          summary: "A shipment's state: latest readings, excursions, policies, payouts",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'State',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ShipmentState' } } },
            },
            '404': problem,
          },
        },
      },
      '/api/v1/shipments/{id}/excursions': {
        get: {
          summary: 'Excursions the condition rules derive from the log (replayable by anyone)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'Excursions',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
            },
            '404': problem,
          },
        },
      },
      '/api/v1/shipments/{id}/location-events': {
        get: {
          summary:
            'Location events the location rules derive from the signed GPS fixes (geofence entry/exit with the zone and UN/LOCODE, corridor deviations, unscheduled stops), each naming the fixes that prove it',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'Location events: by rule, device, then start',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
            },
            '404': problem,
          },
        },
      },
      '/api/v1/shipments/{id}/policies': {
        post: {
          summary: 'Link an on-chain ParametricCover policy to the shipment (its excursions are then claimed)',
          security: [{ adminToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['cover', 'policyId'],
                  properties: { cover: hex, policyId: { type: 'integer' } },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Linked', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
            '401': problem,
            '404': problem,
          },
        },
      },
      '/api/v1/shipments/{id}/epcis': {
        get: {
          summary:
            "The shipment's telemetry as EPCIS 2.0 ObjectEvents with sensorElementList (per-window min/max/mean, alarms), each naming its readings' ids (proof bundles)",
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            intQuery('windowMinutes', 'window length (default 60)'),
          ],
          responses: {
            '200': { description: 'EPCISDocument', content: { 'application/ld+json': { schema: { type: 'object' } } } },
            '400': problem,
            '404': problem,
          },
        },
      },
      '/api/v1/policies': {
        get: {
          summary:
            'Policies linked to shipments, with their state (`money`: sum insured and premium with the token symbol and decimals; `holderOrg`: the holder by name)',
          responses: {
            '200': {
              description: 'Policies',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
            },
          },
        },
      },
      '/api/v1/payouts': {
        get: {
          summary:
            'Claims paid on chain: amount (raw token units; `money` adds the symbol, decimals and formatted amount), transaction, attesting oracles (`signerOrgs` names their organisations)',
          responses: {
            '200': {
              description: 'Payouts',
              content: { 'application/json': { schema: { type: 'array', items: { type: 'object' } } } },
            },
          },
        },
      },
      '/api/v1/evidence': {
        get: {
          summary: "A device's envelopes in a time window with inclusion proofs to one anchored head (what oracles re-verify)",
          parameters: [
            { name: 'deviceId', in: 'query', required: true, schema: { type: 'string' } },
            intQuery('from', 'ms since epoch', true),
            intQuery('to', 'ms since epoch', true),
          ],
          responses: {
            '200': { description: 'Evidence package', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': problem,
            '409': problem,
            '413': problem,
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      securitySchemes,
      responses: {
        Problem: {
          description: 'RFC 7807 problem details',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      schemas: {
        ...dcsaOpenApiSchemas(),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
          },
        },
        IngestResult: {
          type: 'object',
          properties: {
            status: { enum: ['accepted', 'rejected'] },
            index: { type: 'integer' },
            deviceId: { type: 'string' },
            seq: { type: 'integer' },
            readings: { type: 'integer' },
            reason: { type: 'string' },
            detail: { type: 'string' },
            gap: { type: 'object', properties: { afterSeq: { type: 'integer' }, beforeSeq: { type: 'integer' } } },
          },
        },
        IngestBatchResult: {
          type: 'object',
          properties: {
            accepted: { type: 'integer' },
            rejected: { type: 'integer' },
            results: { type: 'array', items: { $ref: '#/components/schemas/IngestResult' } },
          },
        },
        Counters: {
          type: 'object',
          properties: {
            accepted: { type: 'integer' },
            readings: { type: 'integer' },
            gaps: { type: 'integer' },
            rejected: { type: 'object', additionalProperties: { type: 'integer' } },
          },
        },
        SignedTreeHead: {
          type: 'object',
          properties: { size: { type: 'integer' }, root: hex, timestamp: { type: 'integer' }, signature: hex, signer: hex },
        },
        InclusionProof: {
          type: 'object',
          properties: {
            index: { type: 'integer' },
            treeSize: { type: 'integer' },
            root: hex,
            path: { type: 'array', items: hex },
          },
        },
        ConsistencyProof: {
          type: 'object',
          properties: {
            from: { type: 'integer' },
            to: { type: 'integer' },
            fromRoot: hex,
            toRoot: hex,
            path: { type: 'array', items: hex },
          },
        },
        Device: {
          type: 'object',
          properties: {
            deviceId: { type: 'string' },
            keyType: { enum: ['ES256', 'EdDSA'] },
            publicKey: hex,
            ownerOrg: { type: 'integer' },
            registeredAt: { type: 'integer' },
            revokedAt: { type: ['integer', 'null'] },
            status: { enum: ['active', 'revoked'] },
            lastSeq: { type: 'integer' },
            lastSeenAt: { type: ['integer', 'null'] },
            gaps: { type: 'integer' },
          },
        },
        Shipment: {
          type: 'object',
          required: ['id', 'goods', 'parties', 'legs', 'devices'],
          properties: {
            id: { type: 'string' },
            goods: {
              type: 'object',
              properties: {
                description: { type: 'string' },
                quantity: { type: 'number' },
                unit: { type: 'string' },
                gtin: { type: 'string' },
              },
            },
            parties: {
              type: 'array',
              items: { type: 'object', properties: { role: { type: 'string' }, name: { type: 'string' }, account: hex } },
            },
            legs: { type: 'array', items: { type: 'object' } },
            devices: {
              type: 'array',
              items: {
                type: 'object',
                properties: { deviceId: { type: 'string' }, from: { type: 'integer' }, to: { type: 'integer' } },
              },
            },
            rules: { type: 'array', items: { type: 'object' } },
            locationRules: {
              type: 'array',
              description: 'Location rules: geofence (circle/polygon zones, UN/LOCODE), corridor, stop',
              items: { type: 'object' },
            },
          },
        },
        ShipmentState: {
          type: 'object',
          properties: {
            shipment: { $ref: '#/components/schemas/Shipment' },
            status: { enum: ['planned', 'in_transit', 'arrived'] },
            latest: { type: 'object' },
            excursions: { type: 'array', items: { type: 'object' } },
            locationEvents: { type: 'array', items: { type: 'object' } },
            breached: { type: 'integer' },
            policies: { type: 'array', items: { type: 'object' } },
            payouts: { type: 'array', items: { type: 'object' } },
          },
        },
        ProofBundle: {
          type: 'object',
          required: ['version', 'readingId', 'envelope', 'device', 'leaf', 'inclusion', 'treeHead', 'anchor'],
          properties: {
            version: { const: 1 },
            readingId: { type: 'string' },
            envelope: { type: 'string', contentEncoding: 'base64' },
            device: {
              type: 'object',
              properties: { id: { type: 'string' }, idHash: hex, keyType: { enum: [1, 2] }, publicKey: hex },
            },
            leaf: {
              type: 'object',
              properties: { index: { type: 'integer' }, data: { type: 'string', contentEncoding: 'base64' }, hash: hex },
            },
            inclusion: { type: 'object', properties: { treeSize: { type: 'integer' }, path: { type: 'array', items: hex } } },
            treeHead: { $ref: '#/components/schemas/SignedTreeHead' },
            anchor: {
              type: ['object', 'null'],
              properties: {
                chainId: { type: 'integer' },
                logAnchor: hex,
                deviceRegistry: hex,
                publisher: hex,
                txHash: hex,
                blockNumber: { type: ['integer', 'null'] },
              },
            },
          },
        },
      },
    },
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
type Op = Record<string, unknown> & {
  operationId?: string;
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
};

/**
 * What every operation must carry for generated clients (and `redocly lint` with the recommended
 * rules, run by a test): its security (access/openapi.ts, from the enforced policy), a unique
 * operationId, a summary, its path parameters, a 415 where it takes JSON, at least one 4xx.
 */
function finish<T extends { paths: Record<string, Record<string, unknown>> }>(doc: T): T {
  const paths = doc.paths as Record<string, Record<string, Op>>;
  applySecurity(paths);
  const used = new Set<string>();
  for (const item of Object.values(paths)) for (const op of Object.values(item)) if (op.operationId) used.add(op.operationId);
  for (const [path, item] of Object.entries(paths)) {
    const itemParams = ((item as { parameters?: { name: string; in: string }[] }).parameters ?? []).filter(
      (p) => p.in === 'path',
    );
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (!op.operationId) {
        let id = operationIdOf(method, path);
        for (let i = 2; used.has(id); i++) id = `${operationIdOf(method, path)}${i}`;
        used.add(id);
        op.operationId = id;
      }
      op.summary ??= op.operationId;
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        const declared = [...itemParams, ...(op.parameters ?? [])].some((p) => p.in === 'path' && p.name === name);
        if (!declared) {
          op.parameters ??= [];
          op.parameters.push({ name: name!, in: 'path', required: true, schema: { type: 'string' } } as never);
        }
      }
      op.responses ??= {};
      const content = Object.keys(op.requestBody?.content ?? {});
      if (content.some((t) => /json/.test(t))) op.responses['415'] ??= problem;
      if (!Object.keys(op.responses).some((code) => /^4/.test(code))) op.responses['400'] = problem;
    }
  }
  return doc;
}

/** e.g. get /api/v1/devices/{id}/readings → getDevicesIdReadings; options /epcis/capture → optionsEpcisCapture. */
function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\//, '/')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
