// Which requests need what: one table for the whole HTTP surface, read by the
// access middleware (access/http.ts) and by the OpenAPI document (each
// operation's `security`), so the two cannot drift. Pure.
//
// Public: the dashboard's static files and the /verify page, the proof bundle it
// fetches, the node's pinned chain (/api/v1/chain), public tag verification,
// /api/v1/status, /openapi.json, logging in, and POST /api/v1/telemetry —
// device telemetry is authenticated by each envelope's COSE signature under the
// key in the on-chain DeviceRegistry, not by a caller's credential. Everything
// else needs a principal holding one of the listed scopes; a route this table
// does not know under /api or /epcis needs access:admin (closed by default).
import type { Need, Scope } from './scopes.js';

export type Requirement = { public: true; note: string } | ({ public: false } & Need);

interface Rule {
  methods: readonly string[] | '*';
  path: RegExp;
  need: Requirement | ((m: RegExpExecArray) => Requirement);
}

const open = (note: string): Requirement => ({ public: true, note });
const needs = (...anyOf: Scope[]): Requirement => ({ public: false, anyOf });
const READ = ['GET', 'HEAD'] as const;
const WRITE = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

const RULES: Rule[] = [
  { methods: ['OPTIONS'], path: /^/, need: open('CORS preflight and EPCIS discovery (Allow headers)') },
  { methods: READ, path: /^\/openapi\.json$/, need: open('the API description') },
  // Governance: anyone of the organisation may read; only who may act for it votes.
  { methods: READ, path: /^\/api\/v1\/governance(\/|$)/, need: needs('governance:read') },
  {
    methods: ['POST'],
    path: /^\/api\/v1\/governance\/proposals(\/\d+\/(vote|execute|cancel))?$/,
    need: needs('governance:vote'),
  },
  { methods: READ, path: /^\/api\/v1\/(status|chain)$/, need: open('node status and its pinned chain') },
  { methods: READ, path: /^\/api\/v1\/readings\/[^/]+\/bundle$/, need: open('proof bundles for the public verify page') },
  {
    methods: READ,
    path: /^\/api\/v1\/tags\/verify$/,
    need: open('public tag verification (a member or tags:scan scan also counts)'),
  },
  { methods: ['POST'], path: /^\/api\/v1\/telemetry$/, need: open('each envelope is COSE-signed by a registered device') },
  // C2SP tiled log and witness (tlog/routes.ts): the checkpoint and hash tiles reveal no record (leaves are
  // hashes of signed envelopes); entry bundles hold the records, so they need log:read like the leaves API.
  { methods: READ, path: /^\/checkpoint$/, need: open('the C2SP checkpoint of the log (tlog-tiles)') },
  { methods: READ, path: /^\/tile\/entries\//, need: needs('log:read') },
  { methods: READ, path: /^\/tile\/[0-9]+\//, need: open('C2SP Merkle tree hash tiles (tlog-tiles)') },
  { methods: ['POST'], path: /^\/add-checkpoint$/, need: open('C2SP tlog-witness: the checkpoint is signed by a known log key') },
  {
    methods: READ,
    path: /^\/[0-9a-f]{64}\/checkpoint$/,
    need: open('C2SP tlog-witness monitoring: the latest cosigned checkpoint of a log'),
  },
  { methods: ['POST'], path: /^\/api\/v1\/auth\/(login|logout)$/, need: open('log in; log out a session') },
  { methods: READ, path: /^\/api\/v1\/auth\/session$/, need: open('the session of the caller, if any (401 without)') },

  { methods: '*', path: /^\/api\/v1\/admin(\/|$)/, need: needs('devices:admin') },
  { methods: '*', path: /^\/api\/v1\/access(\/|$)/, need: needs('access:admin') },
  { methods: ['POST'], path: /^\/api\/v1\/tags$/, need: needs('tags:issue') },
  { methods: READ, path: /^\/api\/v1\/tags\/[^/]+\/sightings$/, need: needs('tags:read') },
  { methods: ['POST'], path: /^\/api\/v1\/shipments(\/[^/]+\/policies)?$/, need: needs('shipments:write') },
  // Geofence sets: readable by whoever reads shipments (a shipment's set: that shipment's readers), changed by geofences:write.
  {
    methods: ['POST', 'DELETE'],
    path: /^\/api\/v1\/(shipments\/[^/]+\/)?geofences(\/[^/]+)?$/,
    need: needs('geofences:write'),
  },
  { methods: READ, path: /^\/api\/v1\/geofences$/, need: needs('shipments:read') },
  // Documents: added by documents:write; read (below) by whoever may read the shipment.
  { methods: ['POST'], path: /^\/api\/v1\/shipments\/[^/]+\/documents$/, need: needs('documents:write') },
  // A claim dossier is built (and logged) for whoever may read the shipment it is of.
  {
    methods: ['POST'],
    path: /^\/api\/v1\/shipments\/([^/]+)\/dossiers$/,
    need: (m) => ({ public: false, anyOf: ['shipments:read'], resource: safeDecode(m[1]!) }),
  },
  {
    methods: READ,
    path: /^\/api\/v1\/shipments\/([^/]+)(\/|$)/,
    need: (m) => ({ public: false, anyOf: ['shipments:read'], resource: safeDecode(m[1]!) }),
  },
  { methods: READ, path: /^\/api\/v1\/(shipments|policies|payouts)$/, need: needs('shipments:read') },
  // Alerts: each answer is narrowed to what the caller may read (alerts/audience.ts).
  { methods: READ, path: /^\/api\/v1\/alerts(\/|$)/, need: needs('alerts:read') },
  { methods: ['POST', 'DELETE'], path: /^\/api\/v1\/alerts\/subscriptions(\/[^/]+)?$/, need: needs('alerts:subscribe') },
  // Commands: the signatures decide what is authorised; the credential only lets a caller submit or read.
  { methods: ['POST'], path: /^\/api\/v1\/commands(\/[^/]+\/resend)?$/, need: needs('commands:send') },
  { methods: READ, path: /^\/api\/v1\/commands(\/|$)/, need: needs('commands:read') },
  { methods: READ, path: /^\/api\/v1\//, need: needs('log:read') },

  { methods: ['POST'], path: /^\/epcis\/(capture|events)$/, need: needs('epcis:capture') },
  { methods: READ, path: /^\/epcis\/capture(\/|$)/, need: needs('epcis:capture', 'epcis:read') },
  { methods: WRITE, path: /^\/epcis\/queries(\/|$)/, need: needs('epcis:subscribe') },
  { methods: READ, path: /^\/epcis\/queries(\/|$)/, need: needs('epcis:read', 'epcis:subscribe') },
  { methods: ['DELETE'], path: /^\/epcis\/nextPageToken\//, need: needs('epcis:read') },
  { methods: READ, path: /^\/epcis(\/|$)/, need: needs('epcis:read') },

  // DCSA Track & Trace 3.0: consumers read, publishers (a carrier's system) push.
  { methods: READ, path: /^\/dcsa\/tnt\/v3\/events$/, need: needs('dcsa:read') },
  { methods: ['POST'], path: /^\/dcsa\/tnt\/v3\/events$/, need: needs('dcsa:write') },
  // A consumer that may read events may subscribe to them (each sees its own subscriptions).
  { methods: [...READ, 'POST', 'DELETE'], path: /^\/dcsa\/tnt\/v3\/event-subscriptions(\/[^/]+)?$/, need: needs('dcsa:read') },

  { methods: '*', path: /^\/(api|epcis|dcsa)(\/|$)/, need: needs('access:admin') },
  { methods: READ, path: /^\//, need: open('the dashboard (static files; its data needs a session)') },
  { methods: '*', path: /^/, need: needs('access:admin') },
];

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function requirementFor(method: string, path: string): Requirement {
  for (const r of RULES) {
    if (r.methods !== '*' && !r.methods.includes(method)) continue;
    const m = r.path.exec(path);
    if (m) return typeof r.need === 'function' ? r.need(m) : r.need;
  }
  return needs('access:admin');
}

/** Writes and other state changes: the ones a session cookie alone may not make (CSRF). */
export function changesState(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}
