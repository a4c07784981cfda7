// The load generator, on its own worker thread (its own event loop, apart from
// the node's): each connection streams its pre-signed requests from its corpus
// file and POSTs them one after another (application/cbor-seq) over a
// keep-alive connection, recording send → ack time and the highest leaf index
// acknowledged. A warm-up part runs first; the timed part starts on 'go'.
import { closeSync, openSync, readSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { RECORD_HEADER } from './sign-worker.js';

export interface LoadJob {
  url: string;
  files: string[];
  warmupRequests: number[];
  timedRequests: number[];
}

/** Fields per request record in LoadDone.records. */
export const REC = {
  sentAt: 0,
  ackAt: 1,
  messages: 2,
  readings: 3,
  accepted: 4,
  acceptedReadings: 5,
  maxIndex: 6,
  conn: 7,
} as const;
export const REC_FIELDS = 8;

export type LoadMessage =
  | { type: 'warm'; records: Float64Array; rejections: Record<string, number>; sample: string | null }
  | {
      type: 'done';
      records: Float64Array;
      rejections: Record<string, number>;
      sample: string | null;
      cpuMs: number;
      wallMs: number;
    }
  | { type: 'error'; message: string };

interface IngestResponse {
  accepted: number;
  rejected: number;
  results: ({ status: 'accepted'; index: number; readings: number } | { status: 'rejected'; reason: string; detail: string })[];
}

const now = () => performance.timeOrigin + performance.now();

function post(agent: Agent, url: URL, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/api/v1/telemetry',
        method: 'POST',
        headers: { 'content-type': 'application/cbor-seq', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

class Recorder {
  records: number[] = [];
  rejections: Record<string, number> = {};
  sample: string | null = null;
  take(): Float64Array {
    const out = Float64Array.from(this.records);
    this.records = [];
    return out;
  }
}

async function runConnection(
  agent: Agent,
  url: URL,
  conn: number,
  fd: number,
  pos: { at: number },
  requests: number,
  rec: Recorder,
): Promise<void> {
  const hdr = Buffer.alloc(RECORD_HEADER);
  for (let i = 0; i < requests; i++) {
    readSync(fd, hdr, 0, RECORD_HEADER, pos.at);
    const len = hdr.readUInt32LE(0);
    const messages = hdr.readUInt32LE(4);
    const readings = hdr.readUInt32LE(8);
    const body = Buffer.allocUnsafe(len);
    readSync(fd, body, 0, len, pos.at + RECORD_HEADER);
    pos.at += RECORD_HEADER + len;
    const sentAt = now();
    const res = await post(agent, url, body);
    const ackAt = now();
    if (res.status !== 200) throw new Error(`POST /api/v1/telemetry answered ${res.status}: ${res.text.slice(0, 500)}`);
    const json = JSON.parse(res.text) as IngestResponse;
    let maxIndex = -1;
    let acceptedReadings = 0;
    for (const r of json.results) {
      if (r.status === 'accepted') {
        if (r.index > maxIndex) maxIndex = r.index;
        acceptedReadings += r.readings;
      } else {
        rec.rejections[r.reason] = (rec.rejections[r.reason] ?? 0) + 1;
        rec.sample ??= `${r.reason}: ${r.detail}`;
      }
    }
    rec.records.push(sentAt, ackAt, messages, readings, json.accepted, acceptedReadings, maxIndex, conn);
  }
}

async function main(job: LoadJob, port: NonNullable<typeof parentPort>): Promise<void> {
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.files.length });
  const fds = job.files.map((f) => openSync(f, 'r'));
  const pos = job.files.map(() => ({ at: 0 }));
  const rec = new Recorder();
  try {
    await Promise.all(fds.map((fd, c) => runConnection(agent, url, c, fd, pos[c]!, job.warmupRequests[c]!, rec)));
    port.postMessage({ type: 'warm', records: rec.take(), rejections: rec.rejections, sample: rec.sample } satisfies LoadMessage);
    rec.rejections = {};
    rec.sample = null;
    await new Promise<void>((resolve) => port.once('message', () => resolve()));
    const cpu0 = process.threadCpuUsage();
    const t0 = performance.now();
    await Promise.all(fds.map((fd, c) => runConnection(agent, url, c, fd, pos[c]!, job.timedRequests[c]!, rec)));
    const cpu = process.threadCpuUsage(cpu0);
    port.postMessage({
      type: 'done',
      records: rec.take(),
      rejections: rec.rejections,
      sample: rec.sample,
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - t0,
    } satisfies LoadMessage);
  } finally {
    for (const fd of fds) closeSync(fd);
    agent.destroy();
  }
}

if (parentPort && (workerData as { role?: string } | null)?.role === 'bench-load') {
  const port = parentPort;
  main((workerData as { job: LoadJob }).job, port).catch((err: unknown) => {
    port.postMessage({
      type: 'error',
      message: err instanceof Error ? (err.stack ?? err.message) : String(err),
    } satisfies LoadMessage);
  });
}
