// A real node for end-to-end tests: embedded anvil, SQLite, HTTP and MQTT on
// free ports, in a throw-away data dir. Nothing is mocked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex } from 'viem';
import { type DeviceKey, generateDeviceKey, type KeyType } from '@tradetwin/core/device/keys';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import { loadConfig, type NodeConfig } from '../config.js';
import { type RunningNode, startNode } from '../node.js';
import { e2eDriver, freshPostgresDatabase } from '../storage/test-support.js';

export interface TestNode {
  node: RunningNode;
  dataDir: string;
  /** Register a device on chain through the admin API. */
  register(key: DeviceKey): Promise<Response>;
  /** POST COSE messages: one as application/cose, several as a CBOR sequence. */
  post(messages: Uint8Array[], contentType?: string): Promise<Response>;
  stop(): Promise<void>;
  /** Stop and delete the data dir. */
  dispose(): Promise<void>;
}

export function tempDataDir(prefix = 'tt-node-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestNode(opts: { dataDir?: string; configure?: (c: NodeConfig) => void } = {}): Promise<TestNode> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const config = loadConfig(dataDir, {});
  config.http.port = 0;
  config.mqtt = { mode: 'embedded', host: '127.0.0.1', port: 0 };
  config.ingest.verifyWorkers = 1;
  config.anchor = { everyMs: 200, pollMs: 50 };
  // The tests' webhook receivers listen on 127.0.0.1 (webhook/destination.test.ts checks the default refusal).
  config.webhooks = { allowPrivateNetworks: true };
  // CI's second pass (TRADETWIN_TEST_STORE=postgres) runs the same end-to-end tests on a fresh
  // PostgreSQL database per node; a restarted node (opts.dataDir given) keeps its database.
  const pgDb = e2eDriver() === 'postgres' ? await postgresFor(dataDir) : null;
  if (pgDb) config.store = { kind: 'postgres', url: pgDb.url };
  opts.configure?.(config);
  const node = await startNode(config);
  let stopped = false;
  const stop = async () => {
    if (!stopped) await node.stop();
    stopped = true;
  };
  return {
    node,
    dataDir,
    register: (key) =>
      fetch(`${node.httpUrl}/api/v1/admin/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${node.adminToken}` },
        body: JSON.stringify({ deviceId: key.deviceId, keyType: key.keyType, publicKey: bytesToHex(key.publicKey) }),
      }),
    post: (messages, contentType) =>
      fetch(`${node.httpUrl}/api/v1/telemetry`, {
        method: 'POST',
        headers: { 'content-type': contentType ?? (messages.length === 1 ? 'application/cose' : 'application/cbor-seq') },
        body: Buffer.concat(messages),
      }),
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (pgDb) {
        postgresByDataDir.delete(dataDir);
        await pgDb.drop();
      }
    },
  };
}

const postgresByDataDir = new Map<string, { url: string; drop(): Promise<void> }>();

/** The PostgreSQL database a test node on `dataDir` uses (undefined on SQLite). */
export function testDatabaseUrl(dataDir: string): string | undefined {
  return postgresByDataDir.get(dataDir)?.url;
}

/**
 * The `tradetwin start` flags for a node process on `dataDir` in the driver end-to-end tests run on:
 * on PostgreSQL the data dir's database (created on first use, shared with startTestNode on it).
 */
export async function nodeStoreArgs(dataDir: string): Promise<string[]> {
  if (e2eDriver() !== 'postgres') return [];
  return ['--database-url', (await postgresFor(dataDir)).url];
}

/** The CLI flags that point a command at the store of the test node on `dataDir` (none on SQLite: node.db is in it). */
export function storeArgs(dataDir: string): string[] {
  const url = testDatabaseUrl(dataDir);
  return url ? ['--database-url', url] : [];
}

/** Drops the PostgreSQL database of a data dir made by copyTestDatabase (nothing on SQLite). */
export async function dropTestDatabase(dataDir: string): Promise<void> {
  const db = postgresByDataDir.get(dataDir);
  postgresByDataDir.delete(dataDir);
  await db?.drop();
}

/**
 * On PostgreSQL, gives `copyDir` (a copy of `dataDir`) its own copy of that node's database, as
 * copying the data dir copies node.db on SQLite. The node must be stopped.
 */
export async function copyTestDatabase(dataDir: string, copyDir: string): Promise<void> {
  const source = postgresByDataDir.get(dataDir);
  if (!source) return;
  const copy = await freshPostgresDatabase('tt_e2e', new URL(source.url).pathname.slice(1));
  postgresByDataDir.set(copyDir, copy);
}
/** One database per data dir, so a test that restarts a node on its data dir finds its data again. */
async function postgresFor(dataDir: string): Promise<{ url: string; drop(): Promise<void> }> {
  let db = postgresByDataDir.get(dataDir);
  if (!db) {
    db = await freshPostgresDatabase('tt_e2e');
    postgresByDataDir.set(dataDir, db);
  }
  return db;
}

export function deviceKey(deviceId: string, keyType: KeyType = 1): DeviceKey {
  return { deviceId, ...generateDeviceKey(keyType) };
}

/** A signed envelope of `n` temperature readings ending at `at`. */
export function envelope(key: DeviceKey, seq: number, opts: { at?: number; n?: number; readings?: Reading[] } = {}): Uint8Array {
  const at = opts.at ?? Date.now();
  const n = opts.n ?? 1;
  const r: Reading[] =
    opts.readings ?? Array.from({ length: n }, (_, i) => ({ t: at - (n - 1 - i) * 1000, k: 'temp', v: 4 + (i % 7) / 10 }));
  return signTelemetry({ dev: key.deviceId, seq, ts: at, r }, key);
}
