// CPU per leaf of SqliteStore.append, as the ingest path calls it: group commits
// of single-reading telemetry leaves from 20 devices, synchronous=FULL, on disk.
//   node --import tsx packages/node/src/store/sqlite.bench.ts [batch] [batches]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { LeafInput } from './types.js';

const BATCH = Number(process.argv[2] ?? 500);
const BATCHES = Number(process.argv[3] ?? 200);
const DEVICES = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function batches(startIdx: number): LeafInput[][] {
  const seqs = new Array(DEVICES).fill(0);
  let n = startIdx;
  return Array.from({ length: BATCHES }, () =>
    Array.from({ length: BATCH }, () => {
      const d = n % DEVICES;
      const seq = ++seqs[d];
      const data = new Uint8Array(150).map((_, i) => (i * 31 + n) & 0xff);
      const t = 1_764_000_000_000 + n * 10;
      n++;
      return {
        data,
        hash: new Uint8Array(createHash('sha256').update(data).digest()),
        telemetry: {
          deviceId: `bench-${String(d).padStart(4, '0')}`,
          seq,
          signedAt: t,
          firstAt: t,
          lastAt: t,
          readings: 1,
          receivedAt: t + 5,
        },
      };
    }),
  );
}

for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'tt-sqlite-bench-'));
  const store = new SqliteStore({ path: join(dir, 'node.db') });
  // Diagnostics: BENCH_PRAGMA="cache_size=-65536;wal_autocheckpoint=10000"
  for (const sql of (process.env.BENCH_SQL ?? '').split(';').filter(Boolean)) store.unsafeDatabase().exec(sql);
  for (const p of (process.env.BENCH_PRAGMA ?? '').split(';').filter(Boolean)) store.unsafeDatabase().exec(`PRAGMA ${p}`);
  try {
    const work = batches(0);
    let tile = 0;
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    for (const leaves of work) {
      const size = await store.size();
      const tiles = [];
      while ((tile + 1) * 256 <= size + leaves.length) tiles.push({ index: tile++, hash: leaves[0]!.hash });
      const deviceSeqs = new Map<string, { seq: number; seenAt: number }>();
      for (const l of leaves) deviceSeqs.set(l.telemetry!.deviceId, { seq: l.telemetry!.seq, seenAt: l.telemetry!.receivedAt });
      await store.append({ leaves, tiles, deviceSeqs, gaps: [] });
    }
    const ms = performance.now() - t0;
    const cpu = process.threadCpuUsage(cpu0);
    const n = BATCH * BATCHES;
    console.log(
      `batch ${BATCH}: ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU per leaf (user ${(cpu.user / n).toFixed(2)}, system ${(cpu.system / n).toFixed(2)}), ${((ms * 1000) / n).toFixed(2)} µs wall per leaf`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
