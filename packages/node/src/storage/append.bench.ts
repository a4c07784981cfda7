// CPU per leaf of a group commit as the node makes it: LogStorage.append of
// single-reading telemetry leaves from 20 devices, then the telemetry index's
// batch for them (the follower's write, rows handed over). Main-thread CPU
// only: on PostgreSQL the server's own CPU is not counted (wall time shows it).
//   node --import tsx packages/node/src/storage/append.bench.ts [batch] [batches] [sqlite|postgres]
// postgres: a fresh database on the machine's server (TRADETWIN_TEST_POSTGRES_URL), dropped after.
import { createHash } from 'node:crypto';
import { TelemetryFollower } from '../ingest/telemetry-follower.js';
import { openStorage } from './index.js';
import type { LeafInput } from './log.js';
import type { TelemetryRow } from './telemetry-index.js';
import { type DriverName, freshDriver } from './test-support.js';

const BATCH = Number(process.argv[2] ?? 500);
const BATCHES = Number(process.argv[3] ?? 200);
const DRIVER = (process.argv[4] ?? 'sqlite') as DriverName;
const DEVICES = 20;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function batches(): { leaves: LeafInput[]; rows: Omit<TelemetryRow, 'index'>[] }[] {
  const seqs = new Array(DEVICES).fill(0);
  let n = 0;
  return Array.from({ length: BATCHES }, () => {
    const leaves: LeafInput[] = [];
    const rows: Omit<TelemetryRow, 'index'>[] = [];
    for (let i = 0; i < BATCH; i++) {
      const d = n % DEVICES;
      const seq = ++seqs[d];
      const data = new Uint8Array(150).map((_, j) => (j * 31 + n) & 0xff);
      const t = 1_764_000_000_000 + n * 10;
      n++;
      leaves.push({ data, hash: new Uint8Array(createHash('sha256').update(data).digest()) });
      rows.push({
        deviceId: `bench-${String(d).padStart(4, '0')}`,
        seq,
        signedAt: t,
        firstAt: t,
        lastAt: t,
        readings: 1,
        receivedAt: t + 5,
      });
    }
    return { leaves, rows };
  });
}

for (let round = 0; round < ROUNDS; round++) {
  const fx = await freshDriver(DRIVER);
  const storage = await openStorage({ dataDir: fx.dataDir, store: fx.store });
  try {
    const follower = new TelemetryFollower(storage.log, storage.telemetry);
    await follower.catchUp();
    const work = batches();
    let tile = 0;
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    for (const { leaves, rows } of work) {
      const size = await storage.log.size();
      const tiles = [];
      while ((tile + 1) * 256 <= size + leaves.length) tiles.push({ index: tile++, hash: leaves[0]!.hash });
      const { firstIndex } = await storage.log.append(leaves, tiles);
      await follower.follow(
        firstIndex,
        rows.map((r, i) => ({ ...r, index: firstIndex + i })),
      );
    }
    const ms = performance.now() - t0;
    const cpu = process.threadCpuUsage(cpu0);
    const n = BATCH * BATCHES;
    console.log(
      `${DRIVER} batch ${BATCH}: ${((cpu.user + cpu.system) / n).toFixed(2)} µs CPU per leaf (user ${(cpu.user / n).toFixed(2)}, system ${(cpu.system / n).toFixed(2)}), ${((ms * 1000) / n).toFixed(2)} µs wall per leaf`,
    );
  } finally {
    await storage.close();
    await fx.dispose();
  }
}
