// The node's HTTP API (OpenAPI 3.1 description in ./openapi.ts). Every error
// leaves through http/errors.ts: domain errors are mapped to RFC 7807 problems
// there, anything else is a 500 problem with no internals leaked.
import { jsonObjectBody } from './json-body.js';
import { Hono } from 'hono';
import { bytesToHex, type Hex } from 'viem';
import type { DeviceDetailJson, DeviceJson, DeviceReadingsJson, ReadingJson } from '@tradetwin/core/wire/devices';
import type {
  AnchorJson,
  ConsistencyProofJson,
  InclusionProofJson,
  LeafJson,
  DisplayJson,
  PinnedChainJson,
  SignedHeadJson,
  StatusJson,
} from '@tradetwin/core/wire/status';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodeTelemetryLeaf } from './telemetry-view.js';
import { DEFAULT_HTTP_INGEST, type HttpIngestOptions, ingestRoutes } from '../ingest/http.js';
import { bodyLimits, DEFAULT_API_BODY_BYTES, routeBodyLimits } from './body-limit.js';
import { DEFAULT_CAPTURE_LIMITS } from '../epcis/capture.js';
import type { Ingestor } from '../ingest/pipeline.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore } from '../storage/types.js';
import { openApiDocument } from './openapi.js';
import { httpErrorHandler } from '../http/errors.js';
import { HttpProblem, intParam, problemResponse } from '../http/problem.js';
import { buildProofBundle, type ChainLocation } from '../proof/bundle.js';
import { ChainDirectory } from '../chain/directory.js';
import { type ShipmentDeps, shipmentRoutes } from './shipments.js';
import { type LiveFeed, liveStream } from '../http/dashboard/live.js';
import { seriesRoutes } from '../http/dashboard/series.js';
import { webRoutes } from '../http/dashboard/static.js';
import { type EpcisRepository, epcisRoutes } from '../epcis/index.js';
import type { EpcisSubscriptions } from '../epcis/subscriptions/service.js';
import { type TagRouteDeps, tagRoutes } from '../tags/index.js';
import { authenticate } from '../access/http.js';
import { corsPolicy, securityHeaders } from '../access/headers.js';
import { accessRoutes } from '../access/routes.js';
import type { AccessService } from '../access/service.js';
import { type DossierRouteDeps, dossierRoutes } from '../claims/dossier/routes.js';
import { alertRoutes } from '../alerts/routes.js';
import type { AlertService } from '../alerts/service.js';
import type { DcsaRepository } from '../dcsa/repository.js';
import { DCSA_TNT_BASE, dcsaRoutes } from '../dcsa/routes.js';
import type { DcsaSubscriptions } from '../dcsa/subscriptions.js';
import type { NodeTlog } from '../tlog/index.js';
import { tlogRoutes } from '../tlog/routes.js';
import { commandRoutes } from '../commands/routes.js';
import { type SharingApiDeps, sharingRoutes } from '../peer/api.js';
import { governanceRoutes } from '../governance/routes.js';
import type { GovernanceService } from '../governance/service.js';
import { type GeofenceRouteDeps, geofenceRoutes } from '../shipments/geofence-routes.js';
import { documentRoutes } from '../documents/routes.js';
import type { DocumentService } from '../documents/service.js';
import type { CommandService } from '../commands/service.js';

/** Writes to the ledger on behalf of the node's organisation (admin routes). */
export interface DeviceAdmin {
  register(d: {
    deviceId: string;
    keyType: 1 | 2;
    publicKey: Uint8Array;
    metadataHash?: `0x${string}`;
  }): Promise<{ txHash: string }>;
  revoke(deviceId: string, effectiveAtMs?: number): Promise<{ txHash: string }>;
}

export interface ApiDeps {
  store: NodeStore;
  log: TransparencyLog;
  ingestor: Ingestor;
  chain: ChainLocation & { rpcUrl: string; memberRegistry: `0x${string}`; nodeAddress: string; nodeDirectory?: `0x${string}` };
  devices: DeviceAdmin;
  /** Who may call what (access/): the admin token, accounts, sessions, API credentials. */
  access: AccessService;
  /** Telemetry over HTTP: body limit, envelopes per request, slice size (default DEFAULT_HTTP_INGEST). */
  ingestHttp?: HttpIngestOptions;
  /** Largest body of any other route but EPCIS capture (which has its own), bytes (default 4 MiB). */
  maxApiBodyBytes?: number;
  /** Origins allowed cross-origin requests (TRADETWIN_CORS_ORIGINS); none: CORS stays closed. */
  corsOrigins?: readonly string[];
  /** Session cookies are Secure even on http requests (TLS ends at a proxy). */
  secureCookies?: boolean;
  /** Shipments, excursions, policies, payouts and evidence (absent: those routes are not served). */
  shipments?: Omit<ShipmentDeps, 'store' | 'log'>;
  /** Claim dossiers of shipments' payouts and excursions (absent: not served). */
  dossiers?: DossierRouteDeps;
  /** The EPCIS 2.0 repository (GS1 REST binding under /epcis). */
  epcis?: EpcisRepository;
  /** Named queries and subscriptions of that repository (/epcis/queries). */
  epcisSubscriptions?: EpcisSubscriptions;
  /** Anti-counterfeit tags: issue (tags:issue), verify (public; tags:scan scans count), sightings (tags:read). */
  tags?: TagRouteDeps;
  /** How the dashboard shows times by default (config.display); reported in the status. */
  display?: DisplayJson;
  /** Alerts: the history and subscriptions (/api/v1/alerts). */
  alerts?: AlertService;
  /** DCSA Track & Trace 3.0 events (/dcsa/tnt/v3; absent: not served). */
  dcsa?: DcsaRepository;
  /** DCSA webhook subscriptions (/dcsa/tnt/v3/event-subscriptions; absent: not served). */
  dcsaSubscriptions?: DcsaSubscriptions;
  /** Signed actuator commands (/api/v1/commands). */
  commands?: CommandService;
  /** Sharing between organisations: grants and the verified mirror (absent: /api/v1/sharing is not served). */
  sharing?: SharingApiDeps;
  /** Consortium governance: proposals and votes (/api/v1/governance; absent: not served). */
  governance?: GovernanceService;
  /** The node-wide and per-shipment geofence sets (/api/v1/geofences, /api/v1/shipments/{id}/geofences). */
  geofences?: GeofenceRouteDeps;
  /** Shipment documents, logged and shared by grant (/api/v1/shipments/{id}/documents; absent: not served). */
  documents?: DocumentService;
  /** Called for a status snapshot (anchoring, transports). */
  status?: () => Promise<Record<string, unknown>>;
  /** The dashboard (packages/web): the live feed its pages follow, and its build (default packages/web/dist). Absent: not served. */
  web?: { live: LiveFeed; distDir?: string };
  /** C2SP tiled log and witness (tlog/routes.ts), served at the root; proof bundles carry its cosigned checkpoints. */
  tlog?: NodeTlog;
}

export function createApp(deps: ApiDeps): Hono {
  const { store, log, ingestor } = deps;
  const app = new Hono();

  app.onError(httpErrorHandler('api'));
  app.notFound((c) => problemResponse(c, new HttpProblem(404, 'not_found', `no route ${c.req.method} ${c.req.path}`)));

  // Every response: security headers; CORS only for listed origins; then who is asking and may they.
  app.use('*', securityHeaders({ chainRpcUrl: deps.chain.rpcUrl }));
  app.use('*', corsPolicy(deps.corsOrigins ?? []));
  // Bodies are bounded as they stream in, before anyone (the access check included) could buffer them.
  const ingestHttp = deps.ingestHttp ?? DEFAULT_HTTP_INGEST;
  app.use(
    '*',
    bodyLimits(
      routeBodyLimits({
        telemetryBytes: ingestHttp.maxBodyBytes,
        epcisCaptureBytes: DEFAULT_CAPTURE_LIMITS.maxBytes,
        defaultBytes: deps.maxApiBodyBytes ?? DEFAULT_API_BODY_BYTES,
      }),
      (path) => {
        if (path === '/api/v1/telemetry') ingestor.counters.reject('too_large');
      },
    ),
  );
  app.use('*', authenticate(deps.access));

  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.route('/api/v1', accessRoutes(deps.access, { secureCookies: deps.secureCookies }));

  // The chain this node is pinned to: the verify page checks bundles against it, never against a link's choice.
  app.get('/api/v1/chain', (c) =>
    c.json({
      chainId: deps.chain.chainId,
      rpcUrl: deps.chain.rpcUrl,
      memberRegistry: deps.chain.memberRegistry,
      deviceRegistry: deps.chain.deviceRegistry,
      logAnchor: deps.chain.logAnchor,
      logPublisher: deps.chain.nodeAddress as Hex,
    } satisfies PinnedChainJson),
  );

  app.route('/api/v1/telemetry', ingestRoutes(ingestor, ingestHttp));

  app.get('/api/v1/status', async (c) => {
    const head = await store.latestHead();
    const anchor = await store.latestConfirmedAnchor();
    return c.json({
      node: { address: deps.chain.nodeAddress as Hex, store: store.kind },
      chain: {
        chainId: deps.chain.chainId,
        rpcUrl: deps.chain.rpcUrl,
        memberRegistry: deps.chain.memberRegistry,
        deviceRegistry: deps.chain.deviceRegistry,
        logAnchor: deps.chain.logAnchor,
        ...(deps.chain.nodeDirectory ? { nodeDirectory: deps.chain.nodeDirectory } : {}),
      },
      log: { size: log.size, latestSignedHead: head ? headJson(head) : null },
      anchor: anchor
        ? {
            size: anchor.size,
            root: bytesToHex(anchor.root),
            txHash: anchor.txHash as Hex | null,
            blockNumber: anchor.blockNumber,
          }
        : null,
      ingest: { ...ingestor.counters.snapshot() },
      display: deps.display ?? { timeZone: 'UTC', locale: null },
      ...(deps.status ? await deps.status() : {}),
    } satisfies StatusJson);
  });

  app.get('/api/v1/metrics', (c) => c.json(ingestor.counters.snapshot()));

  app.get('/api/v1/log/head', async (c) => {
    const head = await store.latestHead();
    if (!head) throw new HttpProblem(404, 'no_head', 'the log has no signed tree head yet');
    return c.json(headJson(head));
  });

  app.get('/api/v1/log/heads', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 100);
    return c.json((await store.heads(Math.min(limit, 10_000))).map(headJson));
  });

  app.get('/api/v1/log/leaves/:index', async (c) => {
    const index = intParam(c.req.param('index'), 'index');
    const leaf = index < log.size ? await store.leaf(index) : null;
    if (!leaf) throw new HttpProblem(404, 'no_such_leaf', `leaf ${index} is not in the log (size ${log.size})`);
    const rec = decodeLeaf(leaf.data);
    return c.json({
      index,
      hash: bytesToHex(leaf.hash),
      kind: rec.kind,
      receivedAt: rec.receivedAt,
      data: Buffer.from(leaf.data).toString('base64'),
      telemetry: rec.kind === 'telemetry' ? decodeTelemetryLeaf(leaf.data) : undefined,
    } satisfies LeafJson);
  });

  app.get('/api/v1/log/proof/inclusion', async (c) => {
    const index = intParam(c.req.query('index'), 'index');
    const size = intParam(c.req.query('size'), 'size', log.size);
    if (size > log.size || index >= size) {
      throw new HttpProblem(400, 'bad_range', `leaf ${index} is not in a tree of size ${size} (log size ${log.size})`);
    }
    const path = await log.inclusionProof(index, size);
    return c.json({
      index,
      treeSize: size,
      root: bytesToHex(await log.root(size)),
      path: path.map((p) => bytesToHex(p)),
    } satisfies InclusionProofJson);
  });

  app.get('/api/v1/log/proof/consistency', async (c) => {
    const from = intParam(c.req.query('from'), 'from');
    const to = intParam(c.req.query('to'), 'to', log.size);
    if (to > log.size || from > to) throw new HttpProblem(400, 'bad_range', `no consistency proof from ${from} to ${to}`);
    const path = await log.consistencyProof(from, to);
    return c.json({
      from,
      to,
      fromRoot: bytesToHex(await log.root(from)),
      toRoot: bytesToHex(await log.root(to)),
      path: path.map((p) => bytesToHex(p)),
    } satisfies ConsistencyProofJson);
  });

  app.get('/api/v1/readings/:id/bundle', async (c) => c.json(await buildProofBundle(c.req.param('id'), deps)));

  app.get('/api/v1/anchors', async (c) => {
    const rows = await store.anchors();
    return c.json(
      rows.map(
        (a): AnchorJson => ({
          size: a.size,
          root: bytesToHex(a.root),
          timestamp: a.timestamp,
          status: a.status,
          txHash: a.txHash as Hex | null,
          blockNumber: a.blockNumber,
          attempts: a.attempts,
          lastError: a.lastError,
        }),
      ),
    );
  });

  app.get('/api/v1/devices', async (c) => {
    const states = new Map((await store.deviceStates()).map((s) => [s.deviceId, s]));
    return c.json((await store.devices()).map((d) => deviceJson(d, states.get(d.deviceId))));
  });

  app.get('/api/v1/devices/:id', async (c) => {
    const id = c.req.param('id');
    const d = await store.device(id);
    if (!d) throw new HttpProblem(404, 'unknown_device', `device ${id} is not registered with this node`);
    const state = (await store.deviceStates()).find((s) => s.deviceId === id);
    return c.json({ ...deviceJson(d, state), sequenceGaps: await store.gaps(id) } satisfies DeviceDetailJson);
  });

  app.get('/api/v1/devices/:id/readings', async (c) => {
    const id = c.req.param('id');
    const from = intParam(c.req.query('from'), 'from', 0);
    const to = intParam(c.req.query('to'), 'to', Number.MAX_SAFE_INTEGER);
    const limit = Math.min(intParam(c.req.query('limit'), 'limit', 1000), 100_000);
    const rows = await store.telemetry({ deviceId: id, from, to, limit });
    const readings: ReadingJson[] = [];
    for (const row of rows) {
      const leaf = await store.leaf(row.index);
      if (!leaf) continue;
      const tel = decodeTelemetryLeaf(leaf.data);
      tel.readings.forEach((r, pos) => {
        if (r.t >= from && r.t <= to) readings.push({ id: `${row.index}:${pos}`, seq: row.seq, ...r });
      });
    }
    return c.json({ deviceId: id, readings: readings.slice(0, limit) } satisfies DeviceReadingsJson);
  });

  if (deps.shipments) {
    const names = deps.shipments.names ?? new ChainDirectory(deps.shipments.clients, deps.chain.memberRegistry);
    app.route('/api/v1', shipmentRoutes({ ...deps.shipments, store, log, names }));
  }
  if (deps.dossiers) app.route('/api/v1', dossierRoutes(deps.dossiers));
  if (deps.alerts) app.route('/api/v1', alertRoutes(deps.alerts));
  if (deps.dcsa) app.route(DCSA_TNT_BASE, dcsaRoutes(deps.dcsa, deps.dcsaSubscriptions));
  if (deps.commands) app.route('/api/v1', commandRoutes(deps.commands));
  if (deps.sharing) app.route('/api/v1', sharingRoutes(deps.sharing));
  if (deps.governance) app.route('/api/v1', governanceRoutes(deps.governance));
  if (deps.geofences) app.route('/api/v1', geofenceRoutes(deps.geofences));
  if (deps.documents) app.route('/api/v1', documentRoutes(deps.documents));

  // Chart series for the dashboard: readings downsampled min/max per time bucket.
  app.route('/api/v1', seriesRoutes({ store }));
  if (deps.web) app.get('/api/v1/events/stream', liveStream(deps.web.live));
  if (deps.tags) app.route('/api/v1', tagRoutes(deps.tags));
  if (deps.epcis) {
    app.route(
      '/epcis',
      epcisRoutes({
        repo: deps.epcis,
        store,
        log,
        chain: { chainId: deps.chain.chainId, logAnchor: deps.chain.logAnchor },
        subscriptions: deps.epcisSubscriptions,
      }),
    );
  }

  // Admin (devices:admin, checked by the access middleware): the node's organisation registers and revokes its devices on chain.
  const admin = new Hono();
  admin.post('/devices', async (c) => {
    const body = await jsonObjectBody(c.req);
    const deviceId = body.deviceId;
    const keyType = body.keyType;
    const publicKey = body.publicKey;
    if (typeof deviceId !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(deviceId)) {
      throw new HttpProblem(400, 'bad_device_id', 'deviceId must be 1-64 characters of [A-Za-z0-9._:-]');
    }
    if (keyType !== 1 && keyType !== 2) throw new HttpProblem(400, 'bad_key_type', 'keyType must be 1 (P-256) or 2 (Ed25519)');
    if (typeof publicKey !== 'string' || !/^0x[0-9a-fA-F]+$/.test(publicKey)) {
      throw new HttpProblem(400, 'bad_public_key', 'publicKey must be 0x-hex');
    }
    const metadataHash = typeof body.metadataHash === 'string' ? (body.metadataHash as `0x${string}`) : undefined;
    const res = await deps.devices.register({
      deviceId,
      keyType,
      publicKey: Buffer.from(publicKey.slice(2), 'hex'),
      metadataHash,
    });
    return c.json({ deviceId, ...res }, 201);
  });
  admin.post('/devices/:id/revoke', async (c) => {
    const body = await jsonObjectBody(c.req, true);
    const at = body.effectiveAt;
    if (at !== undefined && (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0)) {
      throw new HttpProblem(400, 'bad_time', 'effectiveAt must be ms since epoch');
    }
    return c.json({ deviceId: c.req.param('id'), ...(await deps.devices.revoke(c.req.param('id'), at as number | undefined)) });
  });
  app.route('/api/v1/admin', admin);

  if (deps.tlog) app.route('/', tlogRoutes(deps.tlog));

  // The dashboard and the public /verify page: index.html for the app's paths, hashed assets.
  if (deps.web) app.route('/', webRoutes({ distDir: deps.web.distDir }));

  return app;
}

function headJson(h: {
  size: number;
  root: Uint8Array;
  timestamp: number;
  signature: Uint8Array;
  signer: string;
}): SignedHeadJson {
  return {
    size: h.size,
    root: bytesToHex(h.root),
    timestamp: h.timestamp,
    signature: bytesToHex(h.signature),
    signer: h.signer as Hex,
  };
}

function deviceJson(
  d: {
    deviceId: string;
    keyType: 1 | 2;
    publicKey: Uint8Array;
    ownerOrg: number;
    registeredAt: number;
    revokedAt: number | null;
  },
  s?: { lastSeq: number; lastSeenAt: number | null; gaps: number },
): DeviceJson {
  return {
    deviceId: d.deviceId,
    keyType: d.keyType === 1 ? 'ES256' : 'EdDSA',
    publicKey: bytesToHex(d.publicKey),
    ownerOrg: d.ownerOrg,
    registeredAt: d.registeredAt,
    revokedAt: d.revokedAt,
    status: d.revokedAt === null ? 'active' : 'revoked',
    lastSeq: s?.lastSeq ?? 0,
    lastSeenAt: s?.lastSeenAt ?? null,
    gaps: s?.gaps ?? 0,
  };
}
