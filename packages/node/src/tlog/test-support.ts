// A node's C2SP side alone, for tests and benchmarks: real storage (SQLite in a temp
// dir), a real TransparencyLog, the witness and its loop, served over real HTTP.
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { ed25519 } from '@noble/curves/ed25519.js';
import { generatePrivateKey } from 'viem/accounts';
import type { NewAlert } from '../alerts/kinds.js';
import { httpErrorHandler } from '../http/errors.js';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { openStorage } from '../storage/index.js';
import type { Storage } from '../storage/types.js';
import { tempDataDir } from '../test-support/node-fixture.js';
import { logIdentity } from './identity.js';
import { type NodeTlog, startTlog } from './index.js';
import type { PeerLog } from './peers.js';
import { tlogRoutes } from './routes.js';

export interface LogSide {
  name: string;
  url: string;
  storage: Storage;
  log: TransparencyLog;
  tlog: NodeTlog;
  alerts: NewAlert[];
  peer(): PeerLog;
  append(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLogSide(
  name: string,
  opts: { pushIntervalMs?: number; pollIntervalMs?: number } = {},
): Promise<LogSide> {
  const dir = tempDataDir(`tt-tlog-${name}-`);
  const storage = await openStorage({ dataDir: dir, store: { kind: 'sqlite' } });
  const log = await TransparencyLog.open(storage.log, headSignerFromKey(generatePrivateKey()));
  const alerts: NewAlert[] = [];
  const identity = logIdentity(`tradetwin.test/${name}`, ed25519.utils.randomSecretKey());
  const tlog = startTlog({
    log,
    store: storage.witness,
    identity,
    raise: (a) => alerts.push(a),
    pushIntervalMs: opts.pushIntervalMs ?? 50,
    pollIntervalMs: opts.pollIntervalMs ?? 0,
  });
  const app = new Hono();
  app.onError(httpErrorHandler('api'));
  app.route('/', tlogRoutes(tlog));
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let counter = 0;
  return {
    name,
    url,
    storage,
    log,
    tlog,
    alerts,
    peer: () => ({ orgId: null, endpoint: url, origin: identity.origin, checkpointKey: identity.publicKey }),
    append: async (n) => {
      await log.append(Array.from({ length: n }, () => ({ data: new TextEncoder().encode(`${name} entry ${counter++}`) })));
    },
    stop: async () => {
      await tlog.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every side witnesses every other. */
export function meshPeers(sides: LogSide[]): void {
  for (const s of sides) s.tlog.peers.set(sides.filter((o) => o !== s).map((o) => o.peer()));
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
