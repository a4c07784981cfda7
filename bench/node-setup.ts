// A real TradeTwin node for the benchmark: startNode on a fresh temp data dir
// (embedded anvil chain, SQLite store, HTTP API), devices registered through
// the admin API.
import { join } from 'node:path';
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import { loadConfig } from '../packages/node/src/config.js';
import { startNode, type RunningNode } from '../packages/node/src/node.js';
import type { SqliteLogStorage } from '../packages/node/src/storage/sqlite/log.js';
import { childPids } from './machine.js';
import { startWorker } from './workers.js';

export interface BenchNode {
  node: RunningNode;
  signerKey: Hex;
  anvilPid: number | null;
  lines: string[];
  startMs: number;
  /** Set with --bg-checkpoint: stops the checkpoint thread, resolves with its checkpoint count. */
  stopCheckpointer: (() => Promise<number>) | null;
}

export async function startBenchNode(opts: {
  dir: string;
  verifyWorkers: number;
  anchor: { everyMs: number; everyLeaves: number };
  pragmas?: string[];
  bgCheckpointMs?: number | undefined;
  /** A PostgreSQL URL for the node's store (default: SQLite in the data dir). */
  databaseUrl?: string | undefined;
}): Promise<BenchNode> {
  // No TRADETWIN_* environment: the settings are the bench's.
  const cfg = loadConfig(join(opts.dir, 'node'), {});
  if (opts.databaseUrl) cfg.store = { kind: 'postgres', url: opts.databaseUrl };
  cfg.http.port = 0;
  cfg.mqtt = { mode: 'off' };
  cfg.ingest.verifyWorkers = opts.verifyWorkers;
  cfg.anchor = { ...cfg.anchor, everyMs: opts.anchor.everyMs, everyLeaves: opts.anchor.everyLeaves };
  cfg.signerKey = generatePrivateKey();
  const lines: string[] = [];
  const t = performance.now();
  const node = await startNode(cfg, (line) => {
    lines.push(line);
    if (/^(anchor:|stop:)/.test(line)) console.log(`  [node] ${line}`);
  });
  const startMs = performance.now() - t;
  // Diagnostics (--pragma): change the node's SQLite connection at run time, node code untouched.
  for (const p of opts.pragmas ?? []) {
    if (!/^[a-z_]+\s*=\s*[A-Za-z0-9_-]+$/.test(p)) throw new Error(`--pragma: "${p}" is not name=value`);
    sqliteOf(node).unsafeDatabase().exec(`PRAGMA ${p}`);
    console.log(`  [bench] PRAGMA ${p} on the node's store (diagnostic run: not the node's configuration)`);
  }
  let stopCheckpointer: (() => Promise<number>) | null = null;
  if (opts.bgCheckpointMs) {
    sqliteOf(node).unsafeDatabase().exec('PRAGMA wal_autocheckpoint=0');
    const w = startWorker('../packages/node/src/storage/sqlite/wal-checkpoint-worker.ts', {
      role: 'bench-checkpoint',
      path: join(cfg.dataDir, 'node.db'),
      everyMs: opts.bgCheckpointMs,
    });
    stopCheckpointer = () =>
      new Promise((resolve) => {
        w.once('message', (m: { checkpoints: number }) => void w.terminate().then(() => resolve(m.checkpoints)));
        w.postMessage('stop');
      });
    console.log(
      `  [bench] WAL checkpoints on a separate thread every ${opts.bgCheckpointMs} ms, wal_autocheckpoint=0 (diagnostic run)`,
    );
  }
  // anvil runs under the chain watchdog (a grandchild): the node knows its pid.
  const anvilPid = node.embeddedChain?.state().pid || childPids('anvil')[0] || null;
  return { node, signerKey: cfg.signerKey, anvilPid, lines, startMs, stopCheckpointer };
}

/** Register devices through POST /api/v1/admin/devices (each one a DeviceRegistry transaction). */
export async function registerDevices(node: RunningNode, devices: DeviceKey[], concurrency = 8): Promise<number> {
  const t = performance.now();
  let next = 0;
  const one = async () => {
    for (;;) {
      const d = devices[next++];
      if (!d) return;
      const res = await fetch(`${node.httpUrl}/api/v1/admin/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          deviceId: d.deviceId,
          keyType: d.keyType,
          publicKey: `0x${Buffer.from(d.publicKey).toString('hex')}`,
        }),
      });
      if (res.status !== 201) throw new Error(`registering ${d.deviceId}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
  return performance.now() - t;
}

/** The node's SQLite connection, for the diagnostic PRAGMAs (SQLite store only). */
function sqliteOf(node: RunningNode): SqliteLogStorage {
  if (node.storage.kind !== 'sqlite') throw new Error('--pragma and --bg-checkpoint need the SQLite store');
  return node.storage.log as SqliteLogStorage;
}
