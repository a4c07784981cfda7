// A real node (startTestNode: embedded anvil, SQLite, HTTP, MQTT) with the
// dashboard mounted the way packages/node should mount it: the node's own API
// (createApp, the same deps startNode passes), plus the series route, the SSE
// stream and the static app. The LiveFeed is fed from the node's own hooks —
// the wiring node.ts should do, applied here from outside (bridgeLive).
import { GovernanceService } from '../governance/service.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../api/app.js';
import type { AnchorEvents } from '../anchor/anchorer.js';
import type { MonitorEvents } from '../shipments/monitor.js';
import { startTestNode, type TestNode } from './node-fixture.js';
import type { NodeConfig } from '../config.js';
import type { RunningNode } from '../node.js';
import { anchorEvent, excursionEvent, ingestEvent, payoutEvent } from '../http/dashboard/live-events.js';
import { LiveFeed, liveStream } from '../http/dashboard/live.js';
import { seriesRoutes } from '../http/dashboard/series.js';
import { webRoutes, WEB_ROOT } from '../http/dashboard/static.js';

export { WEB_ROOT };

/** The web package's own Vite (the node does not depend on it): its CLI script, found from packages/web up. */
function viteCli(): string {
  for (let dir = WEB_ROOT; ; dir = dirname(dir)) {
    const cli = join(dir, 'node_modules', 'vite', 'bin', 'vite.js');
    if (existsSync(cli)) return cli;
    if (dirname(dir) === dir) throw new Error(`vite is not installed for ${WEB_ROOT} (npm install)`);
  }
}

/** `vite build` of packages/web into a fresh temp dir (the checkout's dist/ is left alone). */
export async function buildApp(): Promise<{ distDir: string; ms: number; dispose: () => void }> {
  const distDir = mkdtempSync(join(tmpdir(), 'tt-web-dist-'));
  const t0 = performance.now();
  const args = [viteCli(), 'build', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'];
  const run = spawn(process.execPath, args, { cwd: WEB_ROOT, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  run.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    run.once('error', reject);
    run.once('close', resolve);
  });
  if (code !== 0) throw new Error(`vite build of ${WEB_ROOT} failed (exit ${code}): ${stderr.slice(-2000)}`);
  return { distDir, ms: performance.now() - t0, dispose: () => rmSync(distDir, { recursive: true, force: true }) };
}

export interface WebNode {
  t: TestNode;
  node: RunningNode;
  /** The composed server (API + dashboard + SSE). */
  url: string;
  live: LiveFeed;
  stop(): Promise<void>;
}

export async function startWebNode(opts: { distDir: string; configure?: (c: NodeConfig) => void }): Promise<WebNode> {
  const t = await startTestNode({ configure: opts.configure });
  const node = t.node;
  // Once node.ts feeds its own LiveFeed (see the package README), that one is used; until then, bridgeLive.
  const wired = (node as RunningNode & { live?: LiveFeed }).live;
  const live = wired ?? new LiveFeed({ ingestEveryMs: 200 });
  if (!wired) bridgeLive(node, live);

  const app = createApp({
    store: node.store,
    log: node.log,
    ingestor: node.ingestor,
    chain: { chainId: node.clients.chain.id, rpcUrl: node.rpcUrl, nodeAddress: node.address, ...node.contracts },
    access: node.access,
    // Writes (admin routes) stay on the node's own server; this one serves reads.
    devices: {
      register: () => Promise.reject(new Error('not on this server')),
      revoke: () => Promise.reject(new Error('not on this server')),
    },
    shipments: { shipments: node.shipments, monitor: node.monitor, clients: node.clients, publisher: node.address },
    dossiers: {
      store: node.store,
      log: node.log,
      shipments: node.shipments,
      monitor: node.monitor,
      clients: node.clients,
      chain: { chainId: node.clients.chain.id, ...node.contracts },
      nodeAddress: node.address,
      signer: node.clients.account,
      onIssued: () => node.anchorer.noteAppended(),
    },
    epcis: node.epcis,
    alerts: node.alerts.service,
    governance: new GovernanceService({
      clients: node.clients,
      memberRegistry: node.contracts.memberRegistry,
      ...(node.contracts.governance ? { governance: node.contracts.governance } : {}),
      orgId: node.orgId,
    }),
    sharing: { grants: node.grants, shipments: node.shipments, mirror: node.storage.mirror, replicator: node.replicator },
    dcsa: node.dcsa,
    commands: node.commands,
    geofences: { geofences: node.geofences, shipments: node.shipments, monitor: node.monitor },
    documents: node.documents,
    status: async () => ({
      anchoring: {
        pending: (await node.store.anchors('pending')).length,
        sent: (await node.store.anchors('sent')).length,
        policy: node.anchorer.policy,
      },
    }),
  });
  // --- what packages/node/src/api/app.ts should add (see the report) ---
  app.route('/api/v1', seriesRoutes({ store: node.store }));
  app.get('/api/v1/events/stream', liveStream(live));
  app.route('/', webRoutes({ distDir: opts.distDir }));
  // ---

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    t,
    node,
    url,
    live,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await t.dispose();
    },
  };
}

/**
 * The node.ts wiring, from outside: ingest commits (the ingestor calls monitor.noteCommitted on
 * each), anchors confirmed (the anchorer's onConfirmed), excursions (the monitor's onExcursion),
 * payouts (the claim aggregator's onOutcome).
 */
export function bridgeLive(node: RunningNode, live: LiveFeed): void {
  const monitor = node.monitor as unknown as { noteCommitted: RunningNode['monitor']['noteCommitted']; events: MonitorEvents };
  const noteCommitted = monitor.noteCommitted.bind(node.monitor);
  monitor.noteCommitted = (batch) => {
    noteCommitted(batch);
    live.publish('ingest', ingestEvent(batch));
  };
  const onExcursion = monitor.events.onExcursion;
  monitor.events.onExcursion = (x, s) => {
    onExcursion?.(x, s);
    live.publish('excursion', excursionEvent(x, s));
  };
  const anchorer = node.anchorer as unknown as { events: AnchorEvents };
  const onConfirmed = anchorer.events.onConfirmed;
  anchorer.events.onConfirmed = (a) => {
    onConfirmed?.(a);
    live.publish('anchor', anchorEvent(a));
  };
  const enableClaims = node.enableClaims;
  node.enableClaims = (opts) =>
    enableClaims({
      ...opts,
      onOutcome: (o) => {
        opts.onOutcome?.(o);
        const p = payoutEvent(o);
        if (p) live.publish('payout', p);
      },
    });
}
