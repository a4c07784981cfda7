// EPCIS event hash IDs (CBV §8.9) per second, under both profiles, against a
// baseline in the same run: SHA-256 of the event's JSON as it came (no
// canonicalisation) — what hashing costs when nothing is normalised. The corpus
// is every event of GS1's EPCIS 2.0 examples and the reference vectors in
// ../shared/standards, each copied with its own eventTime so no two are equal.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentEvents, type EpcisEvent, eventHashId, type JsonLdContext } from '@tradetwin/core/epcis/index';
import { startWorker } from './workers.js';

export interface EpcisHashFigures {
  events: number;
  distinctSourceEvents: number;
  /** One thread. */
  cbv20EventsPerSec: number;
  cbv21EventsPerSec: number;
  /** Per second of the hashing thread's own CPU: what one core does when nothing else runs on it. */
  cbv20EventsPerCpuSecond: number;
  cbv21EventsPerCpuSecond: number;
  baselineEventsPerCpuSecond: number;
  /** One worker thread per core, each hashing its share (CBV 2.0): what a node that hashes in parallel gets. */
  cbv20AllCoresEventsPerSec: number;
  workers: number;
  /** SHA-256 over JSON.stringify(event): no canonical form (the lower bound of hashing). */
  baselineEventsPerSec: number;
}

const STANDARDS = fileURLToPath(new URL('../../shared/standards/', import.meta.url));

function sourceEvents(): { event: EpcisEvent; context: JsonLdContext | undefined }[] {
  const out: { event: EpcisEvent; context: JsonLdContext | undefined }[] = [];
  for (const dir of ['epcis/examples', 'eventhash']) {
    for (const f of readdirSync(join(STANDARDS, dir)).filter((n) => n.endsWith('.jsonld'))) {
      const { events, context } = documentEvents(JSON.parse(readFileSync(join(STANDARDS, dir, f), 'utf8')));
      for (const event of events) out.push({ event, context });
    }
  }
  return out;
}

/** Events per wall second, and per second of this thread's CPU (robust to a machine shared with other work). */
function rate(n: number, run: () => void): { wall: number; cpu: number } {
  const c0 = process.threadCpuUsage();
  const t = performance.now();
  run();
  const wallS = (performance.now() - t) / 1000;
  const c1 = process.threadCpuUsage(c0);
  return { wall: Math.round(n / wallS), cpu: Math.round(n / ((c1.user + c1.system) / 1e6)) };
}

/** `events` copies of the source events, the i-th dated `offset + i` seconds into 2026 (so all distinct). */
export function buildCorpus(events: number, offset = 0): { event: EpcisEvent; context: JsonLdContext | undefined }[] {
  const sources = sourceEvents();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: events }, (_, i) => {
    const s = sources[(offset + i) % sources.length]!;
    return { event: { ...s.event, eventTime: new Date(t0 + (offset + i) * 1000).toISOString() }, context: s.context };
  });
}

async function allCores(events: number, workers: number): Promise<number> {
  const share = Math.ceil(events / workers);
  const threads = Array.from({ length: workers }, (_, w) =>
    startWorker('./epcis-hash-worker.ts', { job: { events: share, offset: w * share } }),
  );
  const next = <T>(t: (typeof threads)[number]) =>
    new Promise<T>((resolve, reject) => {
      t.once('message', resolve);
      t.once('error', reject);
    });
  try {
    await Promise.all(threads.map((t) => next<'ready'>(t)));
    const reports = threads.map((t) => next<{ events: number; wallMs: number }>(t));
    const start = performance.now();
    for (const t of threads) t.postMessage('go');
    const done = await Promise.all(reports);
    const wallMs = performance.now() - start;
    return Math.round(done.reduce((a, r) => a + r.events, 0) / (wallMs / 1000));
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

export async function runEpcisHashBench(opts: { events: number; log: (s: string) => void }): Promise<EpcisHashFigures> {
  const sources = sourceEvents();
  const corpus = buildCorpus(opts.events);
  // Warm-up: JIT both profiles' code paths before timing.
  for (const c of corpus.slice(0, 10_000)) {
    eventHashId(c.event, c.context, '2.0');
    eventHashId(c.event, c.context, '2.1');
  }
  const ids = new Set<string>();
  const v20 = rate(corpus.length, () => {
    for (const c of corpus) ids.add(eventHashId(c.event, c.context, '2.0'));
  });
  const v21 = rate(corpus.length, () => {
    for (const c of corpus) eventHashId(c.event, c.context, '2.1');
  });
  const base = rate(corpus.length, () => {
    for (const c of corpus) createHash('sha256').update(JSON.stringify(c.event)).digest('hex');
  });
  const [cbv20EventsPerSec, cbv21EventsPerSec, baselineEventsPerSec] = [v20.wall, v21.wall, base.wall];
  if (ids.size !== corpus.length) throw new Error(`hash IDs collided: ${ids.size} distinct of ${corpus.length}`);
  const workers = availableParallelism();
  const cbv20AllCoresEventsPerSec = await allCores(corpus.length, workers);
  opts.log(
    `  ${corpus.length.toLocaleString('en-US')} events (${sources.length} distinct sources): CBV 2.0 ${cbv20EventsPerSec.toLocaleString('en-US')}/s, ` +
      `CBV 2.1 ${cbv21EventsPerSec.toLocaleString('en-US')}/s on one thread (per CPU-second ${v20.cpu.toLocaleString('en-US')} / ${v21.cpu.toLocaleString('en-US')}); CBV 2.0 ${cbv20AllCoresEventsPerSec.toLocaleString('en-US')}/s on ${workers} threads; ` +
      `baseline (SHA-256 of raw JSON) ${baselineEventsPerSec.toLocaleString('en-US')}/s`,
  );
  return {
    events: corpus.length,
    distinctSourceEvents: sources.length,
    cbv20EventsPerSec,
    cbv21EventsPerSec,
    cbv20EventsPerCpuSecond: v20.cpu,
    cbv21EventsPerCpuSecond: v21.cpu,
    baselineEventsPerCpuSecond: base.cpu,
    cbv20AllCoresEventsPerSec,
    workers,
    baselineEventsPerSec,
  };
}
