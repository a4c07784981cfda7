// The machine's P-256 verification ceiling, measured in the same run as
// ingest: one worker thread per core, each verifying ES256 signatures of the
// phase's own corpus (Sig_structures pre-built, keys pre-imported) with the
// node's primitive, all started together for the same fixed time. It is the
// most single-signature ingest could reach on this machine if verification
// were its only work; ingest.single.fractionOfVerifyCeiling is ingest ÷ this.
import { availableParallelism } from 'node:os';
import { decodeSign1, sigStructure } from '@tradetwin/core/cose/sign1';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import type { CeilingJob, CeilingReport, CeilingSample } from './ceiling-worker.js';
import { type Corpus, readRecord } from './corpus.js';
import { cpuSnapshot } from './machine.js';
import { startWorker } from './workers.js';

export interface CeilingRun {
  label: string;
  verifiesPerSec: number;
  /** CPU the ceiling threads got, in cores (≈ workers when the machine is otherwise idle). */
  cores: number;
  /** CPU used meanwhile by other processes on the machine. */
  otherProcessesCores: number | null;
}

/** The signed messages of a corpus's first request on each connection, ready to verify. */
export function ceilingSamples(corpus: Corpus, devices: DeviceKey[]): CeilingSample[] {
  const byId = new Map(devices.map((d) => [d.deviceId, d]));
  const out: CeilingSample[] = [];
  for (const file of corpus.files) {
    for (const msg of readRecord(file, 0)) {
      const env = decodeSign1(msg);
      const d = byId.get(env.kid);
      if (!d) throw new Error(`ceiling: no key for ${env.kid}`);
      out.push({
        key: { keyType: d.keyType, publicKey: d.publicKey },
        tbs: sigStructure(env.protectedBytes, env.payload),
        signature: env.signature,
      });
    }
  }
  return out;
}

export async function measureCeiling(
  label: string,
  samples: CeilingSample[],
  opts: { durationMs: number; workers?: number },
): Promise<CeilingRun> {
  const n = opts.workers ?? availableParallelism();
  const job: CeilingJob = { samples, warmupMs: 300, durationMs: opts.durationMs };
  const workers = Array.from({ length: n }, () => startWorker('./ceiling-worker.ts', { role: 'bench-ceiling', job }));
  try {
    const once = <T>(w: (typeof workers)[number]) =>
      new Promise<T>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    await Promise.all(workers.map((w) => once<'ready'>(w)));
    const before = cpuSnapshot(null);
    const reports = workers.map((w) => once<CeilingReport>(w));
    for (const w of workers) w.postMessage('go');
    const done = await Promise.all(reports);
    const after = cpuSnapshot(null);
    // Each thread ran for the same wall time: the rates add up.
    const verifiesPerSec = done.reduce((s, r) => s + (r.verifies / r.wallMs) * 1000, 0);
    const wall = after.at - before.at;
    const cpuMs = done.reduce((s, r) => s + r.cpuMs, 0);
    const processMs = after.processMs - before.processMs;
    return {
      label,
      verifiesPerSec,
      cores: cpuMs / Math.max(...done.map((r) => r.wallMs)),
      otherProcessesCores:
        after.systemMs !== null && before.systemMs !== null
          ? Math.max(0, (after.systemMs - before.systemMs - processMs) / wall)
          : null,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
