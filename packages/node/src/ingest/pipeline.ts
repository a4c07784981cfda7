// The ingest pipeline: verified device messages are checked against device
// status, sequence and clocks, then group-committed into the log. A message is
// acknowledged (its submit() call resolves, with "accepted" for it) only after
// the store commit that holds it has returned, so an acknowledged reading
// survives a crash.
import type { VerifiedMessage } from '@tradetwin/core/telemetry/envelope';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { DeviceRecord } from '../storage/device-cache.js';
import type { TelemetryRow } from '../storage/telemetry-index.js';
import { telemetryRowOf } from './telemetry-follower.js';
import { IngestCounters, type RejectReason, REJECT_REASONS } from './reasons.js';
import { DeviceLookupGate, type LookupBudget } from './admission.js';

/** A telemetry log leaf, encoded and hashed: what TransparencyLog.append would otherwise compute. */
export interface LogLeaf {
  /** core's encodeLeaf({ kind: 'telemetry', receivedAt, body: the envelope }). */
  data: Uint8Array;
  /** SHA-256(0x00 ‖ data). */
  hash: Uint8Array;
}

/** What signature verification (on worker threads) reports for one message. */
export type VerifyOutcome =
  | { ok: true; msg: VerifiedMessage; leaf?: LogLeaf }
  | { ok: false; reason: RejectReason; detail: string; deviceId?: string };

/** What a verified envelope says: core's definition, the one openTelemetry returns. */
export type { VerifiedMessage };

export interface MessageVerifier {
  verify(messages: Uint8Array[]): Promise<VerifyOutcome[]>;
  /**
   * verify, and also build each verified message's log leaf with this receipt time where the
   * verification runs (worker threads), so the main thread neither encodes nor hashes leaves.
   */
  verifyForLog?(messages: Uint8Array[], receivedAt: number): Promise<VerifyOutcome[]>;
}

/** Where ingest learns device keys and status (the chain, cached locally). */
export interface DeviceDirectory {
  get(deviceId: string): DeviceRecord | undefined;
  /**
   * Ask the ledger for a device not (yet) in the cache: undefined when it is not registered;
   * rejects when the ledger cannot be asked (then the message gets a retryable chain_unavailable).
   */
  lookup(deviceId: string): Promise<DeviceRecord | undefined>;
}

/** The refusals a sender should retry (the same bytes can be accepted later). */
export const RETRYABLE_REASONS: ReadonlySet<RejectReason> = new Set(['store_unavailable', 'chain_unavailable']);

export interface IngestLimits {
  /** Largest accepted COSE message, bytes. */
  maxMessageBytes: number;
  /** How far in the future a timestamp may lie (device clock ahead of ours), ms. */
  maxClockSkewMs: number;
  /** Oldest accepted reading (store-and-forward from a ship at sea), ms. */
  maxAgeMs: number;
}

export const DEFAULT_LIMITS: IngestLimits = {
  maxMessageBytes: 64 * 1024,
  maxClockSkewMs: 5 * 60_000,
  maxAgeMs: 45 * 24 * 3600_000,
};

export interface IngestOptions {
  log: TransparencyLog;
  verifier: MessageVerifier;
  devices: DeviceDirectory;
  /** Last accepted sequence number per device, as stored. */
  lastSeqs: Map<string, number>;
  limits?: Partial<IngestLimits>;
  /** Group commit: flush after this many messages, or this many ms after the first pending one. */
  batchMaxMessages?: number;
  batchMaxDelayMs?: number;
  now?: () => number;
  /** Called after each commit (live views, rules, anchoring triggers). */
  onCommit?: (c: CommittedBatch) => void;
  /** Bounds ledger lookups of unknown devices per request and per source (admission.ts; default bounds when absent). */
  lookupGate?: DeviceLookupGate;
  /** Seconds a sender refused with chain_unavailable should wait (default 5). */
  chainRetryAfterSeconds?: () => number;
}

/** What one group commit added to the log, for the node's own listeners. */
export interface CommittedBatch {
  firstIndex: number;
  size: number;
  accepted: AcceptedMessage[];
  /** The COSE envelopes as committed, parallel to `accepted` (listeners need not read them back). */
  envelopes: Uint8Array[];
  /** The telemetry index rows of these leaves, parallel to `accepted` (handed to the telemetry follower). */
  rows: TelemetryRow[];
}

export interface AcceptedMessage extends VerifiedMessage {
  status: 'accepted';
  index: number;
  /** Set when this message skipped sequence numbers. */
  gap?: { afterSeq: number; beforeSeq: number };
}

export interface RejectedMessage {
  status: 'rejected';
  reason: RejectReason;
  detail: string;
  /** Set for retryable refusals that know when to try again. */
  retryAfterSeconds?: number;
}

export type IngestResult = AcceptedMessage | RejectedMessage;

/** One submit() call's results: filled in as its messages are refused or committed, resolved once when complete. */
interface Submission {
  results: IngestResult[];
  /** Messages still waiting for a commit. */
  waiting: number;
  resolve: (results: IngestResult[]) => void;
}

interface Pending {
  bytes: Uint8Array;
  msg: VerifiedMessage;
  leaf: LogLeaf | undefined;
  gap: { afterSeq: number; beforeSeq: number } | undefined;
  receivedAt: number;
  /** Where the outcome goes: one promise per submit() call, not one per message. */
  submission: Submission;
  slot: number;
}

export class Ingestor {
  readonly counters = new IngestCounters();
  readonly limits: IngestLimits;
  readonly lookupGate: DeviceLookupGate;
  /** Last durably committed seq per device. */
  private readonly committed: Map<string, number>;
  /** Last seq admitted (committed or queued) per device: the replay check uses this. */
  private readonly reserved: Map<string, number>;
  /** The last commit failed: whether it landed is learnt before the next one (TransparencyLog.resync). */
  private unsure = false;
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly batchMax: number;
  private readonly batchDelay: number;

  constructor(private readonly opts: IngestOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.committed = new Map(opts.lastSeqs);
    this.reserved = new Map(opts.lastSeqs);
    this.now = opts.now ?? Date.now;
    this.batchMax = opts.batchMaxMessages ?? 5000;
    this.batchDelay = opts.batchMaxDelayMs ?? 2;
    this.lookupGate = opts.lookupGate ?? new DeviceLookupGate({}, this.now);
  }

  /**
   * Ingest device messages; results come back in the same order. With `deviceId` (the device an
   * MQTT topic names), a message signed by any other device is refused as topic_mismatch. `source` (client
   * address, MQTT client id) and `budget` (shared by a request's slices) bound ledger lookups (admission.ts).
   */
  async submit(
    messages: Uint8Array[],
    opts: { deviceId?: string; source?: string; budget?: LookupBudget } = {},
  ): Promise<IngestResult[]> {
    const submission: Submission = { results: new Array(messages.length), waiting: 0, resolve: () => {} };
    const { results } = submission;
    const toVerify: number[] = [];
    messages.forEach((m, i) => {
      if (m.length > this.limits.maxMessageBytes) {
        results[i] = this.refuse('too_large', `${m.length} bytes > limit ${this.limits.maxMessageBytes}`);
      } else toVerify.push(i);
    });
    // Received now: the leaf (which records this time) is built while the signature is checked.
    const receivedAt = this.now();
    const verifier = this.opts.verifier;
    const verify = (ms: Uint8Array[]) => (verifier.verifyForLog ? verifier.verifyForLog(ms, receivedAt) : verifier.verify(ms));
    let outcomes = await verify(toVerify.map((i) => messages[i]!));
    // Devices the cache did not know yet: ask the ledger once, then verify again.
    const unknown = new Set<string>();
    outcomes.forEach((o) => {
      if (!o.ok && o.reason === 'unknown_device' && o.deviceId) unknown.add(o.deviceId);
    });
    let notLookedUp: Map<string, string> | undefined;
    // Ids the ledger could not be asked about: "unknown" would be a guess, so the sender retries.
    let unreachable: Map<string, string> | undefined;
    if (unknown.size > 0) {
      const budget = opts.budget ?? this.lookupGate.forRequest(opts.source);
      const looked = await budget.lookup(this.opts.devices, unknown);
      notLookedUp = looked.skipped;
      unreachable = looked.unreachable;
      if (looked.found) outcomes = await verify(toVerify.map((i) => messages[i]!));
    }
    const done = new Promise<IngestResult[]>((resolve) => {
      submission.resolve = resolve;
    });
    toVerify.forEach((msgIndex, j) => {
      const o = outcomes[j]!;
      if (!o.ok) {
        if (o.reason === 'unknown_device' && o.deviceId && unreachable?.has(o.deviceId)) {
          results[msgIndex] = {
            ...this.refuse(
              'chain_unavailable',
              `device ${o.deviceId} is not cached and the ledger is unreachable: ${unreachable.get(o.deviceId)}`,
            ),
            retryAfterSeconds: this.opts.chainRetryAfterSeconds?.() ?? 5,
          };
        } else {
          const why = o.deviceId !== undefined ? notLookedUp?.get(o.deviceId) : undefined;
          results[msgIndex] = this.refuse(o.reason, why && o.reason === 'unknown_device' ? `${o.detail}; ${why}` : o.detail);
        }
      } else if (opts.deviceId !== undefined && o.msg.deviceId !== opts.deviceId) {
        results[msgIndex] = this.refuse(
          'topic_mismatch',
          `envelope of device ${o.msg.deviceId} published on the topic of device ${opts.deviceId}`,
        );
      } else {
        const refused = this.admit(messages[msgIndex]!, o.msg, o.leaf, receivedAt, submission, msgIndex);
        if (refused) results[msgIndex] = refused;
      }
    });
    return submission.waiting === 0 ? results : done;
  }

  private refuse(reason: RejectReason, detail: string): RejectedMessage {
    this.counters.reject(reason);
    return { status: 'rejected', reason, detail: detail || REJECT_REASONS[reason] };
  }

  /** Status, clock and sequence checks; then queue for the next group commit (null), or the refusal. */
  private admit(
    bytes: Uint8Array,
    msg: VerifiedMessage,
    leaf: LogLeaf | undefined,
    receivedAt: number,
    submission: Submission,
    slot: number,
  ): RejectedMessage | null {
    const device = this.opts.devices.get(msg.deviceId);
    if (!device) return this.refuse('unknown_device', `device ${msg.deviceId} is not registered`);
    const latest = Math.max(msg.lastAt, msg.signedAt);
    const earliest = Math.min(msg.firstAt, msg.signedAt);
    if (device.revokedAt !== null && latest >= device.revokedAt) {
      return this.refuse('revoked_device', `device ${msg.deviceId} revoked at ${new Date(device.revokedAt).toISOString()}`);
    }
    if (latest > receivedAt + this.limits.maxClockSkewMs) {
      return this.refuse('clock_skew', `timestamp ${new Date(latest).toISOString()} is ahead of the node clock`);
    }
    if (earliest < receivedAt - this.limits.maxAgeMs) {
      return this.refuse('too_old', `timestamp ${new Date(earliest).toISOString()} is older than the store-and-forward limit`);
    }
    const last = this.reserved.get(msg.deviceId) ?? 0;
    if (msg.seq <= last) {
      return this.refuse('replay', `seq ${msg.seq} ≤ last accepted ${last} for ${msg.deviceId}`);
    }
    // Reserve the sequence number now so a duplicate in the same batch is refused.
    this.reserved.set(msg.deviceId, msg.seq);
    const gap = msg.seq > last + 1 ? { afterSeq: last, beforeSeq: msg.seq } : undefined;
    this.pending.push({ bytes, msg, leaf, gap, receivedAt, submission, slot });
    submission.waiting++;
    this.schedule();
    return null;
  }

  private schedule(): void {
    if (this.pending.length >= this.batchMax) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.batchDelay);
    }
  }

  /** Commit everything pending (the next flush waits for the previous one). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.commitPending());
    return this.flushing;
  }

  private async commitPending(): Promise<void> {
    let batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (this.unsure) {
      // The last commit failed mid-way: learn first whether it landed, so none of its messages is stored twice.
      try {
        for (const range of await this.opts.log.resync()) await this.learnLanded(range);
        this.unsure = false;
      } catch (err) {
        this.restoreSeqs(batch);
        const detail = `store failed: ${err instanceof Error ? err.message : String(err)}`;
        for (const p of batch) settle(p, this.refuse('store_unavailable', detail));
        return;
      }
      batch = batch.filter((p) => {
        const last = this.committed.get(p.msg.deviceId) ?? 0;
        if (p.msg.seq > last) return true;
        settle(p, this.refuse('replay', `seq ${p.msg.seq} ≤ last accepted ${last} for ${p.msg.deviceId}`));
        return false;
      });
      if (batch.length === 0) return;
    }
    const entries = batch.map(
      (p) => p.leaf ?? { data: encodeLeaf({ kind: 'telemetry', receivedAt: p.receivedAt, body: p.bytes }) },
    );
    let firstIndex: number;
    let size: number;
    try {
      ({ firstIndex, size } = await this.opts.log.append(entries));
    } catch (err) {
      // Nothing was stored (or, when the database went away during COMMIT, maybe it was: the next
      // commit finds out first): release the reserved sequence numbers so a retry is accepted.
      this.unsure = true;
      this.restoreSeqs(batch);
      const detail = `store failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const p of batch) settle(p, this.refuse('store_unavailable', detail));
      return;
    }
    const accepted: AcceptedMessage[] = batch.map((p, i) => ({
      status: 'accepted',
      index: firstIndex + i,
      ...p.msg,
      ...(p.gap ? { gap: p.gap } : {}),
    }));
    for (const p of batch) this.committed.set(p.msg.deviceId, Math.max(p.msg.seq, this.committed.get(p.msg.deviceId) ?? 0));
    this.counters.accepted += batch.length;
    this.counters.gaps += accepted.filter((a) => a.gap).length;
    for (const a of accepted) this.counters.readings += a.readings;
    batch.forEach((p, i) => {
      settle(p, accepted[i]!);
    });
    const rows: TelemetryRow[] = batch.map((p, i) => ({
      index: firstIndex + i,
      deviceId: p.msg.deviceId,
      seq: p.msg.seq,
      signedAt: p.msg.signedAt,
      firstAt: p.msg.firstAt,
      lastAt: p.msg.lastAt,
      readings: p.msg.readings,
      receivedAt: p.receivedAt,
    }));
    this.opts.onCommit?.({ firstIndex, size, accepted, envelopes: batch.map((p) => p.bytes), rows });
  }

  /** Telemetry leaves whose commit was reported failed but landed: their seqs count as accepted. */
  private async learnLanded(range: { from: number; to: number }): Promise<void> {
    for (const leaf of await this.opts.log.store.leaves(range.from, range.to)) {
      const row = telemetryRowOf(leaf);
      if (!row) continue;
      this.committed.set(row.deviceId, Math.max(row.seq, this.committed.get(row.deviceId) ?? 0));
      this.reserved.set(row.deviceId, Math.max(row.seq, this.reserved.get(row.deviceId) ?? 0));
    }
  }

  private restoreSeqs(batch: Pending[]): void {
    // Back to what is durably committed, or still queued for the next commit.
    for (const id of new Set(batch.map((p) => p.msg.deviceId))) {
      const queued = this.pending.filter((p) => p.msg.deviceId === id).map((p) => p.msg.seq);
      this.reserved.set(id, Math.max(this.committed.get(id) ?? 0, ...queued));
    }
  }
}

/** A queued message's outcome into its submission's results; the submission resolves with its last one. */
function settle(p: Pending, r: IngestResult): void {
  const s = p.submission;
  s.results[p.slot] = r;
  if (--s.waiting === 0) s.resolve(s.results);
}
