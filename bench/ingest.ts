// One sustained durable-ingest phase against the running node: the load
// generator (worker thread) replays a pre-signed corpus over HTTP; figures come
// from its per-request records, the node's anchor outbox and the chain.
import { performance } from 'node:perf_hooks';
import type { RunningNode } from '../packages/node/src/node.js';
import type { AnchorRecord, LogStorage } from '../packages/node/src/storage/types.js';
import type { Corpus } from './corpus.js';
import { gasOfTransactions } from './gas.js';
import { REC, REC_FIELDS, type LoadJob, type LoadMessage } from './load-worker.js';
import { cpuSnapshot, peakRssMb, type CpuSnapshot } from './machine.js';
import { type Summary, sleep, summarize } from './stats.js';
import { MainThreadProfiler } from './profile.js';
import { startWorker } from './workers.js';

export interface PhaseResult {
  name: string;
  readingsPerMessage: number;
  messagesPerRequest: number;
  connections: number;
  timed: { requests: number; messages: number; readings: number; seconds: number };
  warmup: { requests: number; messages: number; readings: number };
  readingsPerSec: number;
  messagesPerSec: number;
  /**
   * Readings per CPU-second the benchmark process (node + load generator) used in the timed part:
   * robust to other processes on a shared machine (× cores = what an idle machine would allow, if CPU-bound).
   */
  readingsPerCpuSecond: number;
  ackLatencyMs: Summary;
  /** ack → confirmed anchored head covering the request's highest leaf, per request of the timed part. */
  anchorLatencyMs: Summary;
  /** Requests whose covering head was not confirmed within the wait. */
  anchorUncovered: number;
  /** Raw ack → anchored latencies (left out of the JSON). */
  anchorLatencySamples: number[];
  rejected: Record<string, number>;
  rejectedSample: string | null;
  anchors: {
    heads: number;
    gas: number;
    gasPerHead: number;
    gasPerReading: number;
    readings: number;
    firstSize: number;
    lastSize: number;
  };
  /** Group commits (store.append, timed by wrapping the store instance: node code unchanged). */
  commits: { count: number; leavesPerCommit: number; appendMs: Summary; appendShareOfWall: number };
  /** Node main thread event-loop utilisation (busy share of wall time; sync SQLite counts as busy). */
  eventLoopUtilization: number;
  cpu: {
    processCores: number;
    nodeMainThreadCores: number;
    loadGeneratorCores: number;
    otherThreadsCores: number;
    anvilCores: number | null;
    /** CPU used by other processes on the machine meanwhile (a shared machine skews every figure). */
    otherProcessesCores: number | null;
  };
  logSizeAfter: number;
  peakRssMbAfter: number;
  wallMs: number;
}

function waitFor<T extends LoadMessage['type']>(
  worker: import('node:worker_threads').Worker,
  type: T,
): Promise<Extract<LoadMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: LoadMessage) => {
      if (m.type === 'error') {
        cleanup();
        reject(new Error(`load generator: ${m.message}`));
      } else if (m.type === type) {
        cleanup();
        resolve(m as Extract<LoadMessage, { type: T }>);
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}

interface Rec {
  sentAt: number;
  ackAt: number;
  messages: number;
  readings: number;
  accepted: number;
  acceptedReadings: number;
  maxIndex: number;
}

function unpack(a: Float64Array): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < a.length; i += REC_FIELDS) {
    out.push({
      sentAt: a[i + REC.sentAt]!,
      ackAt: a[i + REC.ackAt]!,
      messages: a[i + REC.messages]!,
      readings: a[i + REC.readings]!,
      accepted: a[i + REC.accepted]!,
      acceptedReadings: a[i + REC.acceptedReadings]!,
      maxIndex: a[i + REC.maxIndex]!,
    });
  }
  return out;
}

/** Wait until a confirmed head covers leaf `maxIndex` (size > maxIndex). */
async function waitForCoverage(node: RunningNode, maxIndex: number, timeoutMs: number): Promise<AnchorRecord[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const confirmed = await node.store.anchors('confirmed');
    const top = confirmed[confirmed.length - 1];
    if ((top && top.size > maxIndex) || performance.now() > deadline) return confirmed;
    await sleep(20);
  }
}

export async function runIngestPhase(
  b: { node: RunningNode; anvilPid: number | null },
  corpus: Corpus,
  opts: { anchorWaitMs: number; previousAnchoredSize: number; log: (s: string) => void; cpuProfileDir?: string | undefined },
): Promise<PhaseResult> {
  const { node } = b;
  const t0 = performance.now();
  const job: LoadJob = {
    url: node.httpUrl,
    files: corpus.files,
    warmupRequests: corpus.warmupRequests,
    timedRequests: corpus.timedRequests,
  };
  const worker = startWorker('./load-worker.ts', { role: 'bench-load', job });
  // Instrument the store instance's append (wall time and leaves per group commit).
  const store: LogStorage = node.log.store;
  const original = store.append;
  let commitLog: { ms: number; leaves: number }[] = [];
  store.append = async function (this: unknown, ...args: Parameters<LogStorage['append']>) {
    const t = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      commitLog.push({ ms: performance.now() - t, leaves: args[0].length });
    }
  };
  try {
    const warm = await waitFor(worker, 'warm');
    const warmRecs = unpack(warm.records);
    opts.log(`warm-up: ${warmRecs.length} requests acked; timed part starts`);
    const profiler = opts.cpuProfileDir ? new MainThreadProfiler(opts.cpuProfileDir) : null;
    await profiler?.start();
    commitLog = [];
    const elu0 = performance.eventLoopUtilization();
    const before: CpuSnapshot = cpuSnapshot(b.anvilPid);
    const doneP = waitFor(worker, 'done');
    worker.postMessage('go');
    const done = await doneP;
    const after: CpuSnapshot = cpuSnapshot(b.anvilPid);
    const elu = performance.eventLoopUtilization(elu0);
    const commits = commitLog;
    const profile = await profiler?.stop(`main-thread-${corpus.name}`);
    if (profile) opts.log(`main-thread CPU profile written to ${profile}`);
    const recs = unpack(done.records);
    const all = [...warmRecs, ...recs];
    const maxIndex = Math.max(...all.map((r) => r.maxIndex));
    opts.log(`timed part done: ${recs.length} requests; waiting for the head covering leaf ${maxIndex} to be anchored`);
    const confirmed = (await waitForCoverage(node, maxIndex, opts.anchorWaitMs)).sort((x, y) => x.size - y.size);

    const start = Math.min(...recs.map((r) => r.sentAt));
    const end = Math.max(...recs.map((r) => r.ackAt));
    const seconds = (end - start) / 1000;
    const sum = (rs: Rec[], f: (r: Rec) => number) => rs.reduce((n, r) => n + f(r), 0);
    const timedReadings = sum(recs, (r) => r.acceptedReadings);
    const timedMessages = sum(recs, (r) => r.accepted);

    // ack → anchored: the first confirmed head (sizes grow) whose size exceeds the request's highest index.
    const anchorLat: number[] = [];
    let uncovered = 0;
    for (const r of recs) {
      if (r.maxIndex < 0) continue;
      let lo = 0;
      let hi = confirmed.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (confirmed[mid]!.size > r.maxIndex) hi = mid;
        else lo = mid + 1;
      }
      const head = confirmed[lo];
      if (!head || head.confirmedAt === null) uncovered++;
      else anchorLat.push(Math.max(0, head.confirmedAt - r.ackAt));
    }

    // Gas: the heads confirmed for this phase's leaves.
    const phaseHeads = confirmed.filter((a) => a.size > opts.previousAnchoredSize && a.txHash);
    const gas = await gasOfTransactions(
      node.rpcUrl,
      phaseHeads.map((a) => a.txHash!),
    );
    const phaseReadings = sum(all, (r) => r.acceptedReadings);
    const gasTotal = Number(gas.total);

    const wall = after.at - before.at;
    const cores = (ms: number) => ms / wall;
    const processMs = after.processMs - before.processMs;
    const mainMs = after.mainMs - before.mainMs;
    const rejected: Record<string, number> = { ...warm.rejections };
    for (const [k, v] of Object.entries(done.rejections)) rejected[k] = (rejected[k] ?? 0) + v;

    return {
      name: corpus.name,
      readingsPerMessage: corpus.settings.readingsPerMessage,
      messagesPerRequest: corpus.settings.perRequest,
      connections: corpus.files.length,
      timed: { requests: recs.length, messages: timedMessages, readings: timedReadings, seconds },
      warmup: {
        requests: warmRecs.length,
        messages: sum(warmRecs, (r) => r.accepted),
        readings: sum(warmRecs, (r) => r.acceptedReadings),
      },
      readingsPerSec: timedReadings / seconds,
      messagesPerSec: timedMessages / seconds,
      readingsPerCpuSecond: timedReadings / (processMs / 1000),
      ackLatencyMs: summarize(recs.map((r) => r.ackAt - r.sentAt)),
      anchorLatencyMs: summarize(anchorLat),
      anchorUncovered: uncovered,
      anchorLatencySamples: anchorLat,
      rejected,
      rejectedSample: done.sample ?? warm.sample,
      anchors: {
        heads: phaseHeads.length,
        gas: gasTotal,
        gasPerHead: phaseHeads.length ? gasTotal / phaseHeads.length : Number.NaN,
        gasPerReading: phaseReadings ? gasTotal / phaseReadings : Number.NaN,
        readings: phaseReadings,
        firstSize: phaseHeads[0]?.size ?? 0,
        lastSize: phaseHeads[phaseHeads.length - 1]?.size ?? 0,
      },
      commits: {
        count: commits.length,
        leavesPerCommit: commits.length ? commits.reduce((n, c) => n + c.leaves, 0) / commits.length : 0,
        appendMs: summarize(commits.map((c) => c.ms)),
        appendShareOfWall: commits.reduce((n, c) => n + c.ms, 0) / wall,
      },
      eventLoopUtilization: elu.utilization,
      cpu: {
        processCores: cores(processMs),
        nodeMainThreadCores: cores(mainMs),
        loadGeneratorCores: done.cpuMs / wall,
        otherThreadsCores: cores(processMs - mainMs - done.cpuMs),
        anvilCores: after.anvilMs !== null && before.anvilMs !== null ? cores(after.anvilMs - before.anvilMs) : null,
        otherProcessesCores:
          after.systemMs !== null && before.systemMs !== null
            ? Math.max(0, cores(after.systemMs - before.systemMs - processMs - (after.anvilMs ?? 0) + (before.anvilMs ?? 0)))
            : null,
      },
      logSizeAfter: node.log.size,
      peakRssMbAfter: peakRssMb(),
      wallMs: performance.now() - t0,
    };
  } finally {
    store.append = original;
    await worker.terminate();
  }
}
