// One thread of the verification ceiling (./ceiling.ts): verifies pre-built
// ES256 Sig_structures with the node's own primitive (verifyWithNodeCrypto:
// DER conversion + OpenSSL, keys imported once) in a loop, no decoding, no I/O,
// no messaging, for a fixed time after 'go'; reports the count and its CPU.
import { parentPort, workerData } from 'node:worker_threads';
import type { DevicePublicKey } from '@tradetwin/core/device/keys';
import { importDeviceKey, type NodeDeviceKey, verifyWithNodeCrypto } from '../packages/node/src/ingest/verify-worker.js';

export interface CeilingSample {
  key: DevicePublicKey;
  tbs: Uint8Array;
  signature: Uint8Array;
}

export interface CeilingJob {
  samples: CeilingSample[];
  /** Warm-up before 'ready' (JIT, OpenSSL key setup), ms. */
  warmupMs: number;
  durationMs: number;
}

export interface CeilingReport {
  verifies: number;
  wallMs: number;
  cpuMs: number;
}

function loop(keys: NodeDeviceKey[], job: CeilingJob, ms: number): { verifies: number; wallMs: number } {
  const t0 = performance.now();
  let n = 0;
  // Check the clock every 64 verifications (one costs ~50–100 µs): negligible overhead.
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 64; i++) {
      const s = job.samples[n % job.samples.length]!;
      if (!verifyWithNodeCrypto(keys[n % keys.length]!, s.tbs, s.signature)) throw new Error('a ceiling sample did not verify');
      n++;
    }
  }
  return { verifies: n, wallMs: performance.now() - t0 };
}

if (parentPort && (workerData as { role?: string } | null)?.role === 'bench-ceiling') {
  const port = parentPort;
  const job = (workerData as { job: CeilingJob }).job;
  // One imported key per sample, as a node worker's cache holds one per device.
  const keys = job.samples.map((s) => importDeviceKey(s.key));
  loop(keys, job, job.warmupMs);
  port.postMessage('ready');
  port.once('message', () => {
    const cpu0 = process.threadCpuUsage();
    const r = loop(keys, job, job.durationMs);
    const cpu = process.threadCpuUsage(cpu0);
    port.postMessage({ ...r, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies CeilingReport);
  });
}
