// CPU per message of a verify worker's chunk handler (decode, verify, payload
// checks, leaf encoding and hashing) against the bare verification the bench's
// ceiling runs (verifyWithNodeCrypto on pre-built Sig_structures), on one thread.
//   node --import tsx packages/node/src/ingest/verify-worker.bench.ts [messages]
import { decodeSign1, sigStructure } from '@tradetwin/core/cose/sign1';
import type { DevicePublicKey } from '@tradetwin/core/device/keys';
import { createSimulatedDevice } from '../device/simulator.js';
import { createWorkerVerifier, importDeviceKey, type KeyGrant, verifyWithNodeCrypto } from './verify-worker.js';

const MESSAGES = Number(process.argv[2] ?? 20_000);
const CHUNK = 256;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const T0 = Date.UTC(2026, 0, 1);

const registry = new Map<string, DevicePublicKey>();
const devices = Array.from({ length: 20 }, (_, d) => {
  const device = createSimulatedDevice({
    deviceId: `bench-${String(d).padStart(4, '0')}`,
    keyType: 1,
    kinds: ['temp'],
    startAt: T0,
    intervalMs: 60_000,
    seed: 'bench',
    fastSigning: true,
  });
  registry.set(device.deviceId, device.registration);
  return device;
});
const messages = Array.from({ length: MESSAGES }, (_, i) => devices[i % devices.length]!.nextEnvelope(1));
const chunks: { data: Uint8Array; ends: Uint32Array }[] = [];
for (let i = 0; i < messages.length; i += CHUNK) {
  const part = messages.slice(i, i + CHUNK);
  const data = new Uint8Array(part.reduce((n, m) => n + m.length, 0));
  const ends = new Uint32Array(part.length);
  let at = 0;
  part.forEach((m, j) => {
    data.set(m, at);
    at += m.length;
    ends[j] = at;
  });
  chunks.push({ data, ends });
}
const keys: KeyGrant[] = [...registry].map(([id, k]) => [id, k.keyType, k.publicKey]);

const cpuPerMessage = (fn: () => void): number => {
  const c0 = process.threadCpuUsage();
  fn();
  const c = process.threadCpuUsage(c0);
  return (c.user + c.system) / MESSAGES;
};

// The ceiling's loop: pre-built Sig_structures, imported keys.
const imported = new Map([...registry].map(([id, k]) => [id, importDeviceKey(k)]));
const bare = messages.map((m) => {
  const e = decodeSign1(m);
  return { key: imported.get(e.kid)!, tbs: sigStructure(e.protectedBytes, e.payload), sig: e.signature };
});
const worker = createWorkerVerifier();
const handleAll = () => {
  for (const [i, c] of chunks.entries()) {
    const receivedAt = new Float64Array(c.ends.length).fill(T0 + 1000);
    const res = worker.handle({
      id: i,
      data: c.data.slice().buffer,
      ends: c.ends.slice(),
      keys: i === 0 ? keys : [],
      receivedAt,
    });
    if (res.exceptions.length) throw new Error(JSON.stringify(res.exceptions[0]));
  }
};
const results: { bare: number; handle: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const b = cpuPerMessage(() => {
    for (const s of bare) if (!verifyWithNodeCrypto(s.key, s.tbs, s.sig)) throw new Error('did not verify');
  });
  const h = cpuPerMessage(handleAll);
  results.push({ bare: b, handle: h });
  console.log(
    `round ${r}: bare verify ${b.toFixed(1)} µs, worker handle ${h.toFixed(1)} µs, overhead ${(h - b).toFixed(1)} µs per message`,
  );
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `median: bare ${med(results.map((x) => x.bare)).toFixed(1)} µs, handle ${med(results.map((x) => x.handle)).toFixed(1)} µs, overhead ${med(results.map((x) => x.handle - x.bare)).toFixed(1)} µs`,
);
