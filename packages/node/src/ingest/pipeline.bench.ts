// Main-thread CPU per message of the ingest pipeline after verification:
// admission checks, group commit into the log (SQLite on disk, synchronous=FULL)
// and the acks, for single-reading envelopes from 20 devices in requests of
// 500, 4 in flight. Verification is replaced by ready outcomes (leaves built as
// the workers build them), so only what the node's main thread does is timed.
//   node --import tsx packages/node/src/ingest/pipeline.bench.ts [messages]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { sqliteNodeStore } from '../storage/test-support.js';
import type { DeviceRecord } from '../storage/types.js';
import { type MessageVerifier, Ingestor, type VerifyOutcome } from './pipeline.js';
import { MAX_LEAF_PREFIX, sha256Range, writeTelemetryLeaf } from './verify-worker.js';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const PER_REQUEST = 500;
const IN_FLIGHT = 4;
const DEVICES = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

// A message is its index as 4 bytes (the "envelope" the leaf records); its outcome is looked up by it.
const body = (i: number) => Uint8Array.of(i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, ...new Uint8Array(140));
const indexOf = (m: Uint8Array) => ((m[0]! << 24) | (m[1]! << 16) | (m[2]! << 8) | m[3]!) >>> 0;

class ReadyVerifier implements MessageVerifier {
  constructor(private readonly now: number) {}
  async verify(messages: Uint8Array[]): Promise<VerifyOutcome[]> {
    return this.verifyForLog(messages, Number.NaN);
  }
  async verifyForLog(messages: Uint8Array[], receivedAt: number): Promise<VerifyOutcome[]> {
    // As the pool delivers them: one leaf buffer per chunk, views per message.
    const buf = new Uint8Array(messages.reduce((n, m) => n + MAX_LEAF_PREFIX + m.length, 0));
    const hashes = new Uint8Array(32 * messages.length);
    let at = 0;
    return messages.map((m, j) => {
      const i = indexOf(m);
      const end = writeTelemetryLeaf(buf, at, Number.isNaN(receivedAt) ? this.now : receivedAt, m);
      hashes.set(sha256Range(buf, at, end), 32 * j);
      const leaf = { data: buf.subarray(at + 1, end), hash: hashes.subarray(32 * j, 32 * j + 32) };
      at = end;
      const t = this.now - 1000;
      return {
        ok: true,
        msg: {
          deviceId: `bench-${String(i % DEVICES).padStart(4, '0')}`,
          seq: Math.floor(i / DEVICES) + 1,
          signedAt: t,
          firstAt: t,
          lastAt: t,
          readings: 1,
        },
        leaf,
      };
    });
  }
}

for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'tt-pipeline-bench-'));
  const store = await sqliteNodeStore(join(dir, 'node.db'));
  const log = await TransparencyLog.open(store, headSignerFromKey(KEY));
  const now = Date.now();
  const devices = new Map<string, DeviceRecord>();
  for (let d = 0; d < DEVICES; d++) {
    const id = `bench-${String(d).padStart(4, '0')}`;
    devices.set(id, {
      deviceId: id,
      keyType: 1,
      publicKey: new Uint8Array(65),
      ownerOrg: 1,
      metadataHash: '0x',
      registeredAt: 0,
      revokedAt: null,
    });
  }
  const ingestor = new Ingestor({
    log,
    verifier: new ReadyVerifier(now),
    devices: { get: (id) => devices.get(id), lookup: async (id) => devices.get(id) },
    lastSeqs: new Map(),
  });
  const requests: Uint8Array[][] = [];
  for (let i = 0; i < MESSAGES; i += PER_REQUEST) requests.push(Array.from({ length: PER_REQUEST }, (_, j) => body(i + j)));
  let next = 0;
  let accepted = 0;
  const cpu0 = process.threadCpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) {
        const results = await ingestor.submit(requests[next++]!);
        for (const r of results) if (r.status === 'accepted') accepted++;
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.threadCpuUsage(cpu0);
  if (accepted !== MESSAGES) throw new Error(`${accepted} of ${MESSAGES} accepted`);
  console.log(
    `${((cpu.user + cpu.system) / MESSAGES).toFixed(2)} µs main-thread CPU per message (user ${(cpu.user / MESSAGES).toFixed(2)}, system ${(cpu.system / MESSAGES).toFixed(2)}; leaf building included), ${((ms * 1000) / MESSAGES).toFixed(2)} µs wall`,
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
