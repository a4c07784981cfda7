// The ingest MessageVerifier: opens device envelopes with core's
// openTelemetry, signature checks through OpenSSL, on worker threads.
//
// Where the work happens: workers decode, verify and (verifyForLog) encode and
// hash each accepted envelope's log leaf; the main thread only packs bytes and
// routes results, so it stays free for HTTP/MQTT, the checks that need shared
// state (device status, seq order) and the group commit.
// Messages from all concurrent verify() calls share one queue, handed out in
// chunks of up to `chunkSize`, each chunk one packed ArrayBuffer transferred to
// a worker with a free slot (two chunks per worker at a time); results come
// back packed (verified messages as columns) and are delivered in order.
// Measured with verifier.bench.ts. Workers cache device keys; a message from a device a worker has no
// key for comes back as { needKey } and is resent with the key from `keys`
// (or "not registered", which is not cached: the ingest pipeline asks the
// ledger and verifies again). Device keys are immutable on chain per device
// id, so cached keys never go stale; forget() exists for a reset directory.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DevicePublicKey } from '@tradetwin/core/device/keys';
import type { MessageVerifier, VerifyOutcome } from './pipeline.js';
import {
  importDeviceKey,
  type KeyGrant,
  MAX_LEAF_PREFIX,
  type NodeDeviceKey,
  NUMBERS_PER_MESSAGE,
  openWithNodeCrypto,
  sha256Range,
  type VerifyRequest,
  type VerifyResponse,
  WORKER_MARK,
  type WorkerCommand,
  writeTelemetryLeaf,
} from './verify-worker.js';

export interface VerifierOptions {
  /** Worker threads; 0 verifies on the main thread. Default: available cores. */
  workers?: number;
  /** The registered key of a device (the ingest DeviceDirectory's get), or undefined. */
  keys: (deviceId: string) => DevicePublicKey | undefined;
  /** Most messages per worker round trip. */
  chunkSize?: number;
}

export interface Verifier extends MessageVerifier {
  readonly workers: number;
  /** Drop cached keys (one device, or all). */
  forget(deviceId?: string): void;
  /** Terminate the workers; pending verifications are rejected. */
  close(): Promise<void>;
}

export const DEFAULT_CHUNK_SIZE = 256;
/** Chunks a worker holds at once: one being verified, one waiting. */
const CHUNKS_IN_FLIGHT = 2;

export function createVerifier(opts: VerifierOptions): Verifier {
  const workers = opts.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be an integer ≥ 0, got ${workers}`);
  return workers === 0
    ? new MainThreadVerifier(opts.keys)
    : new WorkerPoolVerifier(workers, opts.keys, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
}

function sameKey(a: DevicePublicKey, b: DevicePublicKey): boolean {
  if (a.keyType !== b.keyType || a.publicKey.length !== b.publicKey.length) return false;
  for (let i = 0; i < a.publicKey.length; i++) if (a.publicKey[i] !== b.publicKey[i]) return false;
  return true;
}

/** workers = 0: the same checks on the main thread, yielding to the event loop between slices. */
class MainThreadVerifier implements Verifier {
  readonly workers = 0;
  private readonly cache = new Map<string, NodeDeviceKey>();
  private closed = false;

  constructor(private readonly keys: (deviceId: string) => DevicePublicKey | undefined) {}

  private lookup = (deviceId: string): NodeDeviceKey | undefined => {
    const registered = this.keys(deviceId);
    if (!registered) return undefined;
    const cached = this.cache.get(deviceId);
    if (cached && sameKey(cached, registered)) return cached;
    const imported = importDeviceKey(registered);
    this.cache.set(deviceId, imported);
    return imported;
  };

  async verify(messages: Uint8Array[]): Promise<VerifyOutcome[]> {
    const out: VerifyOutcome[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      if (this.closed) throw new Error('verifier is closed');
      if (i > 0 && i % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      out[i] = openWithNodeCrypto(messages[i]!, this.lookup);
    }
    return out;
  }

  async verifyForLog(messages: Uint8Array[], receivedAt: number): Promise<VerifyOutcome[]> {
    const out = await this.verify(messages);
    out.forEach((o, i) => {
      if (!o.ok) return;
      const body = messages[i]!;
      const buf = new Uint8Array(MAX_LEAF_PREFIX + body.length);
      const end = writeTelemetryLeaf(buf, 0, receivedAt, body);
      o.leaf = { data: buf.subarray(1, end), hash: new Uint8Array(sha256Range(buf, 0, end)) };
    });
    return out;
  }

  forget(deviceId?: string): void {
    if (deviceId === undefined) this.cache.clear();
    else this.cache.delete(deviceId);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** One verify() call: its outcomes fill in as chunks return. */
interface Call {
  outcomes: VerifyOutcome[];
  remaining: number;
  resolve: (o: VerifyOutcome[]) => void;
  reject: (err: Error) => void;
}

interface Task {
  bytes: Uint8Array;
  call: Call;
  index: number;
  /** Receipt time for the log leaf the worker is to build; NaN for none (plain verify). */
  receivedAt: number;
}

interface Chunk {
  tasks: Task[];
  /** Set on a resend with keys: a second needKey is then impossible and means a bug. */
  withKeys: boolean;
}

interface PoolWorker {
  worker: Worker;
  /** Chunks sent and not yet answered. */
  chunks: Map<number, Chunk>;
}

/** The worker entry next to this file: .ts under tsx (the worker must load tsx itself), .js once built. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? './verify-worker.ts' : './verify-worker.js', import.meta.url);
  // tsx by absolute URL: the CLI registers tsx through its API, so there is no --import to inherit, and cwd may be anywhere.
  return { url, execArgv: ts ? ['--import', import.meta.resolve('tsx')] : [] };
}

class WorkerPoolVerifier implements Verifier {
  private readonly pool: PoolWorker[] = [];
  /** Messages waiting for a worker slot, from `head` on. */
  private queue: Task[] = [];
  private head = 0;
  private pumpScheduled = false;
  private nextChunkId = 1;
  private closed = false;

  constructor(
    readonly workers: number,
    private readonly keys: (deviceId: string) => DevicePublicKey | undefined,
    private readonly chunkSize: number,
  ) {
    for (let i = 0; i < workers; i++) this.pool.push(this.spawn());
  }

  private spawn(): PoolWorker {
    const { url, execArgv } = workerEntry();
    const worker = new Worker(url, { execArgv, workerData: { role: WORKER_MARK } });
    const pw: PoolWorker = { worker, chunks: new Map() };
    worker.on('message', (res: VerifyResponse) => this.onResponse(pw, res));
    worker.on('error', (err) => this.onWorkerLost(pw, err));
    worker.on('exit', (code) => this.onWorkerLost(pw, new Error(`verify worker exited with code ${code}`)));
    // Idle workers must not keep the process alive.
    worker.unref();
    return pw;
  }

  verify(messages: Uint8Array[]): Promise<VerifyOutcome[]> {
    return this.enqueue(messages, Number.NaN);
  }

  verifyForLog(messages: Uint8Array[], receivedAt: number): Promise<VerifyOutcome[]> {
    return this.enqueue(messages, receivedAt);
  }

  private enqueue(messages: Uint8Array[], receivedAt: number): Promise<VerifyOutcome[]> {
    if (this.closed) return Promise.reject(new Error('verifier is closed'));
    if (messages.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const call: Call = { outcomes: new Array(messages.length), remaining: messages.length, resolve, reject };
      messages.forEach((bytes, index) => {
        this.queue.push({ bytes, call, index, receivedAt });
      });
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        // Once per event-loop turn: concurrent single-message calls (MQTT, HTTP) share chunks.
        setImmediate(() => {
          this.pumpScheduled = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Hand queued messages to workers with a free slot. Each worker holds at most
   * CHUNKS_IN_FLIGHT chunks, so it always has the next one while its last result
   * travels back, and a worker slowed by other load takes less of a big batch.
   */
  private pump(): void {
    while (this.head < this.queue.length && !this.closed) {
      let free = 0;
      for (const w of this.pool) free += Math.max(0, CHUNKS_IN_FLIGHT - w.chunks.size);
      if (free === 0) break;
      const pw = this.pool.reduce((a, b) => (b.chunks.size < a.chunks.size ? b : a));
      const waiting = this.queue.length - this.head;
      // Small batches are split across the free slots; large ones go in full chunks.
      const n = Math.min(this.chunkSize, Math.ceil(waiting / free));
      const tasks = this.queue.slice(this.head, this.head + n);
      this.head += n;
      this.send(pw, tasks, []);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private send(pw: PoolWorker, tasks: Task[], keys: KeyGrant[]): void {
    let total = 0;
    for (const t of tasks) total += t.bytes.length;
    const data = new Uint8Array(total);
    const ends = new Uint32Array(tasks.length);
    let receivedAt: Float64Array | undefined;
    let at = 0;
    tasks.forEach((t, i) => {
      data.set(t.bytes, at);
      at += t.bytes.length;
      ends[i] = at;
      if (!Number.isNaN(t.receivedAt)) {
        receivedAt ??= new Float64Array(tasks.length).fill(Number.NaN);
        receivedAt[i] = t.receivedAt;
      }
    });
    const id = this.nextChunkId++;
    pw.chunks.set(id, { tasks, withKeys: keys.length > 0 });
    if (pw.chunks.size === 1) pw.worker.ref();
    const req: VerifyRequest = { id, data: data.buffer, ends, keys, ...(receivedAt ? { receivedAt } : {}) };
    const transfer: ArrayBuffer[] = [data.buffer, ends.buffer];
    if (receivedAt) transfer.push(receivedAt.buffer as ArrayBuffer);
    pw.worker.postMessage(req, transfer);
  }

  private onResponse(pw: PoolWorker, res: VerifyResponse): void {
    const chunk = pw.chunks.get(res.id);
    if (!chunk) return;
    pw.chunks.delete(res.id);
    if (pw.chunks.size === 0) pw.worker.unref();
    const resend: Task[] = [];
    const needed = new Set<string>();
    for (const [i, o] of res.exceptions) {
      const task = chunk.tasks[i]!;
      if ('needKey' in o) {
        resend.push(task);
        needed.add(o.needKey);
      } else deliver(task, o);
    }
    const nums = res.numbers;
    // Leaves stay views into the transferred buffers: no copy on this thread.
    const leaves = res.leaves ? new Uint8Array(res.leaves) : null;
    const hashes = res.leafHashes ? new Uint8Array(res.leafHashes) : null;
    chunk.tasks.forEach((task, i) => {
      const deviceId = res.deviceIds[i]!;
      if (deviceId === '') return;
      const at = i * NUMBERS_PER_MESSAGE;
      const outcome: VerifyOutcome = {
        ok: true,
        msg: {
          deviceId,
          seq: nums[at]!,
          signedAt: nums[at + 1]!,
          firstAt: nums[at + 2]!,
          lastAt: nums[at + 3]!,
          readings: nums[at + 4]!,
        },
      };
      if (leaves && hashes && !Number.isNaN(task.receivedAt)) {
        outcome.leaf = {
          data: leaves.subarray(res.leafStarts![i]!, res.leafEnds![i]!),
          hash: hashes.subarray(32 * i, 32 * i + 32),
        };
      }
      deliver(task, outcome);
    });
    if (resend.length === 0) {
      this.pump();
      return;
    }
    if (chunk.withKeys) {
      // A resend carried every key its messages asked for: asking again is a protocol bug.
      for (const t of resend) t.call.reject(new Error('verify worker asked twice for the same device key'));
      return;
    }
    let grants: KeyGrant[];
    try {
      grants = [...needed].map((deviceId) => {
        const key = this.keys(deviceId);
        return key ? [deviceId, key.keyType, key.publicKey] : [deviceId, 0, null];
      });
    } catch (err) {
      // The directory failed: those calls fail, the verifier goes on.
      for (const t of resend)
        t.call.reject(new Error(`device key lookup failed: ${err instanceof Error ? err.message : String(err)}`));
      this.pump();
      return;
    }
    // The same worker, so that its cache learns the keys.
    this.send(pw, resend, grants);
    this.pump();
  }

  private onWorkerLost(pw: PoolWorker, err: Error): void {
    const at = this.pool.indexOf(pw);
    if (at < 0) return;
    for (const chunk of pw.chunks.values()) {
      for (const t of chunk.tasks) t.call.reject(new Error(`verify worker failed: ${err.message}`));
    }
    pw.chunks.clear();
    if (this.closed) return;
    // Replace the worker so that later calls still have the full pool.
    this.pool[at] = this.spawn();
    this.pump();
  }

  forget(deviceId?: string): void {
    const cmd: WorkerCommand = { forget: deviceId ?? null };
    for (const pw of this.pool) pw.worker.postMessage(cmd);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool.splice(0);
    for (const pw of pool) {
      for (const chunk of pw.chunks.values()) for (const t of chunk.tasks) t.call.reject(new Error('verifier is closed'));
      pw.chunks.clear();
    }
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.call.reject(new Error('verifier is closed'));
    this.queue = [];
    this.head = 0;
    await Promise.all(pool.map((pw) => pw.worker.terminate()));
  }
}

function deliver(task: Task, outcome: VerifyOutcome): void {
  const call = task.call;
  call.outcomes[task.index] = outcome;
  if (--call.remaining === 0) call.resolve(call.outcomes);
}
