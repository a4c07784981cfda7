// Verifier throughput: single-reading telemetry envelopes from many devices,
// verified with 0, 1 and 2 worker threads, for P-256 and Ed25519.
//   npx node --import tsx packages/node/src/ingest/verifier.bench.ts [messages] [devices]
// Envelopes come from the device simulator (OpenSSL signing for speed): one
// temperature reading each, as a reefer tracker sends them live.
import { performance } from 'node:perf_hooks';
import type { DevicePublicKey, KeyType } from '@tradetwin/core/device/keys';
import { createSimulatedDevice } from '../device/simulator.js';
import { createVerifier } from './verifier.js';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DEVICES = Number(process.argv[3] ?? 500);
const T0 = Date.UTC(2026, 0, 1);

function corpus(keyType: KeyType): { messages: Uint8Array[]; registry: Map<string, DevicePublicKey> } {
  const registry = new Map<string, DevicePublicKey>();
  const devices = Array.from({ length: DEVICES }, (_, d) => {
    const device = createSimulatedDevice({
      deviceId: `bench-${keyType}-${d}`,
      keyType,
      kinds: ['temp'],
      startAt: T0,
      intervalMs: 60_000,
      seed: 'bench',
      fastSigning: true,
    });
    registry.set(device.deviceId, device.registration);
    return device;
  });
  const messages = Array.from({ length: MESSAGES }, (_, i) => devices[i % DEVICES]!.nextEnvelope(1));
  return { messages, registry };
}

async function run(keyType: KeyType, workers: number, messages: Uint8Array[], registry: Map<string, DevicePublicKey>) {
  const verifier = createVerifier({ workers, keys: (id) => registry.get(id) });
  try {
    // Warm up: JIT, worker start, every device key imported into every worker.
    await verifier.verify(messages.slice(0, Math.min(messages.length, DEVICES * Math.max(1, workers) * 2)));
    // Each timed run reports its wall time and the CPU this process got meanwhile
    // (all threads): on a shared machine a slow round shows as CPU < workers.
    const timed = async (work: () => Promise<unknown>) => {
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      await work();
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      return { ms, cores: (cpu.user + cpu.system) / 1000 / ms };
    };
    const oneCall = () =>
      timed(async () => {
        const out = await verifier.verify(messages);
        if (out.some((o) => !o.ok)) throw new Error('a benchmark message failed to verify');
      });
    // Ingest as the HTTP path sees it: many concurrent requests of 100 messages.
    const manyCalls = () =>
      timed(async () => {
        const calls: Promise<unknown>[] = [];
        for (let i = 0; i < messages.length; i += 100) calls.push(verifier.verify(messages.slice(i, i + 100)));
        await Promise.all(calls);
      });
    // The machine may be shared: several rounds, best and median reported.
    const ones: { ms: number; cores: number }[] = [];
    const manys: { ms: number; cores: number }[] = [];
    const elu0 = performance.eventLoopUtilization();
    for (let round = 0; round < ROUNDS; round++) {
      ones.push(await oneCall());
      manys.push(await manyCalls());
    }
    // How busy the main thread was meanwhile (it shares the cores with the workers).
    const mainBusy = Math.round(performance.eventLoopUtilization(elu0).utilization * 100);
    const rate = (ms: number) => Math.round((messages.length / ms) * 1000).toLocaleString('en');
    const stats = (runs: { ms: number; cores: number }[]) => {
      const sorted = [...runs].sort((a, b) => a.ms - b.ms);
      const best = sorted[0]!;
      const median = sorted[Math.floor(sorted.length / 2)]!;
      return `best ${rate(best.ms)} (${best.cores.toFixed(2)} cores), median ${rate(median.ms)} (${median.cores.toFixed(2)} cores) msgs/s`;
    };
    console.log(
      `${keyType === 1 ? 'P-256  ' : 'Ed25519'} workers=${workers}: one call of ${messages.length}: ${stats(ones)}; ` +
        `${messages.length / 100} concurrent calls of 100: ${stats(manys)}; main thread ${mainBusy}% busy`,
    );
  } finally {
    await verifier.close();
  }
}

const ONLY = process.env.BENCH_KEY_TYPE ? [Number(process.env.BENCH_KEY_TYPE) as KeyType] : ([1, 2] as KeyType[]);
const WORKERS = process.env.BENCH_WORKERS ? process.env.BENCH_WORKERS.split(',').map(Number) : [0, 1, 2];
for (const keyType of ONLY) {
  const { messages, registry } = corpus(keyType);
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  console.log(`${messages.length} envelopes from ${DEVICES} devices, ${Math.round(bytes / messages.length)} bytes each`);
  for (const workers of WORKERS) await run(keyType, workers, messages, registry);
}
