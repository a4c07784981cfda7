// Anchoring through a transactional outbox. A checkpoint signs the current
// tree head and writes it to the store's outbox in one step; a sender publishes
// outbox heads to LogAnchor until the chain confirms them. The outbox survives
// restarts and chain outages; before any (re)send the chain is asked whether
// the head is already there, and LogAnchor refuses a size it has seen, so a
// head is never anchored twice. Only the newest pending head is sent: it
// commits every leaf of the older ones, which are marked superseded. While the
// chain fails (down, or refusing the head) the outbox backs off exponentially,
// up to 16 poll intervals, recording each failure in the head's lastError.
//
// A chain can lose blocks it had confirmed (the embedded anvil saves its state
// once a second; an external network can reorganise). On start, after the
// chain restarts and whenever asked (requestReconcile), every head recorded as
// confirmed is checked against the chain's heads: one the chain no longer has
// becomes 'requeued' and is published again, oldest first, before any newer
// head (proof bundles name its size, so it cannot be superseded); one that is
// there in another transaction is re-recorded with the chain's transaction.
import { bytesToHex, type Hex } from 'viem';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { AnchorRecord, NodeStore } from '../storage/types.js';
import { type AnchorDiscrepancy, type ChainAnchor, compareAnchors } from './reconcile.js';

/** The part of the chain the anchorer needs (implemented over viem in chain/). */
export interface AnchorChain {
  /** Send publishHead; resolves with the tx hash once the node accepted the raw transaction. */
  publishHead(head: { size: number; root: Hex; timestamp: number }): Promise<Hex>;
  /** The receipt, or null while the transaction is unknown or not yet mined. */
  receipt(txHash: Hex): Promise<{ status: 'success' | 'reverted'; blockNumber: number } | null>;
  isAnchored(size: number, root: Hex): Promise<boolean>;
  /** Size of this node's latest anchored head (0 if none). */
  latestAnchoredSize(): Promise<number>;
  /** Every head this node's account anchored, as the chain now has them. */
  publishedHeads(): Promise<ChainAnchor[]>;
}

export interface AnchorPolicy {
  /** Checkpoint after this many new leaves… */
  everyLeaves: number;
  /** …or this many ms after the oldest unanchored leaf, whichever comes first. */
  everyMs: number;
  /** Treat a sent transaction as dropped after this long without a receipt. */
  dropAfterMs: number;
  /** Poll cadence of the sender loop. */
  pollMs: number;
}

export const DEFAULT_ANCHOR_POLICY: AnchorPolicy = {
  everyLeaves: 100_000,
  everyMs: 2_000,
  dropAfterMs: 30_000,
  pollMs: 250,
};

export interface AnchorEvents {
  onConfirmed?: (a: AnchorRecord) => void;
  onError?: (err: unknown) => void;
  /** A reconciliation found recorded anchors the chain does not hold as recorded. */
  onDiscrepancies?: (found: AnchorDiscrepancy[]) => void;
}

export class Anchorer {
  readonly policy: AnchorPolicy;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastCheckpointSize = 0;
  private firstUnanchoredAt: number | null = null;
  private sentAt = new Map<number, number>();
  private stopped = false;
  /** Consecutive rounds in which the chain failed, and when the outbox may try again. */
  private failures = 0;
  private retryAt = 0;
  /** Check recorded anchors against the chain at the next round (start, chain restart, rollback seen). */
  private reconcileDue = true;
  /** Result of the last reconciliation that reached the chain. */
  lastReconcile: { at: number; discrepancies: AnchorDiscrepancy[] } | null = null;

  constructor(
    private readonly log: TransparencyLog,
    private readonly store: NodeStore,
    private readonly chain: AnchorChain,
    policy: Partial<AnchorPolicy> = {},
    private readonly events: AnchorEvents = {},
    private readonly now: () => number = Date.now,
  ) {
    this.policy = { ...DEFAULT_ANCHOR_POLICY, ...policy };
  }

  async start(): Promise<void> {
    const latest = await this.store.latestHead();
    this.lastCheckpointSize = latest?.size ?? 0;
    if (this.log.size > this.lastCheckpointSize) this.firstUnanchoredAt = this.now();
    this.stopped = false;
    this.reconcileDue = true;
    this.loop();
  }

  /** Check every recorded anchor against the chain at the next round (the chain restarted or rolled back). */
  requestReconcile(): void {
    this.reconcileDue = true;
    this.retryAt = 0;
    if (!this.stopped) void this.tick().catch((err) => this.events.onError?.(err));
  }

  /** Tell the anchorer the log grew (called by ingest after each commit). */
  noteAppended(): void {
    if (this.firstUnanchoredAt === null) this.firstUnanchoredAt = this.now();
    if (this.log.size - this.lastCheckpointSize >= this.policy.everyLeaves) void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round: checkpoint if due, then drive the outbox. Safe to call at any time. */
  tick(force = false): Promise<void> {
    // A forced tick must not be satisfied by an unforced round already under way
    // (the poll loop's): it would skip the checkpoint that anchorNow() asked for.
    if (this.running && force) return this.running.catch(() => undefined).then(() => this.tick(true));
    if (!this.running) {
      this.running = this.round(force).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /** Checkpoint now and wait until every outbox head is confirmed (tests, shutdown, demo). */
  async anchorNow(timeoutMs = 30_000): Promise<AnchorRecord | null> {
    const deadline = this.now() + timeoutMs;
    await this.tick(true);
    for (;;) {
      await this.tick();
      const open = [
        ...(await this.store.anchors('pending')),
        ...(await this.store.anchors('sent')),
        ...(await this.store.anchors('requeued')),
      ];
      if (open.length === 0) return this.store.latestConfirmedAnchor();
      if (this.now() > deadline) throw new Error(`anchoring did not confirm within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private loop(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((err) => this.events.onError?.(err))
        .finally(() => this.loop());
    }, this.policy.pollMs);
  }

  private async round(force: boolean): Promise<void> {
    await this.checkpoint(force);
    if (!force && this.now() < this.retryAt) return;
    if (this.reconcileDue) {
      try {
        await this.reconcile();
        this.reconcileDue = false;
      } catch (err) {
        // Nothing is sent before the check: a newer head on chain would make a lost older one
        // impossible to re-publish (sizes only grow). The attempt counts against the head in line.
        const next = (await this.store.anchors('requeued'))[0] ?? (await this.store.anchors('pending')).at(-1);
        if (next) await this.store.updateAnchor(next.size, { attempts: next.attempts + 1, lastError: errorText(err) });
        this.chainFailed(err);
        return;
      }
    }
    await this.drive();
  }

  /**
   * Recorded anchors against the chain: missing ones are re-queued, ones found
   * in another transaction re-recorded, sent transactions the chain no longer
   * knows put back to pending (a restarted chain has an empty pool).
   */
  private async reconcile(): Promise<void> {
    const onChain = await this.chain.publishedHeads();
    this.chainAnswered();
    const records = await this.store.anchors();
    const found = compareAnchors(records, onChain);
    for (const d of found) {
      if (d.kind === 'missing' && d.recorded.status === 'confirmed') {
        await this.store.updateAnchor(d.size, { status: 'requeued', lastError: d.detail });
      } else if (d.kind === 'tx_mismatch' && d.onChain) {
        await this.store.updateAnchor(d.size, {
          status: 'confirmed',
          txHash: d.onChain.txHash,
          blockNumber: d.onChain.blockNumber,
          lastError: d.recorded.status === 'requeued' ? 'found on chain again' : null,
        });
      }
    }
    for (const a of await this.store.anchors('sent')) {
      if (a.txHash && (await this.chain.receipt(a.txHash as Hex)) === null) {
        await this.store.updateAnchor(a.size, { status: backTo(a), lastError: `transaction ${a.txHash} unknown to the chain` });
        this.sentAt.delete(a.size);
      }
    }
    this.lastReconcile = { at: this.now(), discrepancies: found };
    if (found.length > 0) this.events.onDiscrepancies?.(found);
  }

  private chainFailed(err: unknown): void {
    this.failures++;
    const backoff = Math.min(this.policy.pollMs * 2 ** Math.min(this.failures - 1, 16), this.policy.pollMs * 16);
    this.retryAt = this.now() + backoff;
    this.events.onError?.(err);
  }

  private chainAnswered(): void {
    this.failures = 0;
    this.retryAt = 0;
  }

  private async checkpoint(force: boolean): Promise<void> {
    const size = this.log.size;
    if (size <= this.lastCheckpointSize) return;
    const due =
      force ||
      size - this.lastCheckpointSize >= this.policy.everyLeaves ||
      (this.firstUnanchoredAt !== null && this.now() - this.firstUnanchoredAt >= this.policy.everyMs);
    if (!due) return;
    const head = await this.log.signHead(this.now());
    await this.store.enqueueAnchor({ size: head.size, root: head.root, timestamp: head.timestamp });
    this.lastCheckpointSize = head.size;
    this.firstUnanchoredAt = this.log.size > head.size ? this.now() : null;
  }

  private async drive(): Promise<void> {
    const sent = await this.store.anchors('sent');
    for (const a of sent) await this.checkSent(a);
    if ((await this.store.anchors('sent')).length > 0) return;
    // Heads the chain lost go first, oldest first: each must be on chain at its own size.
    const [requeued] = await this.store.anchors('requeued');
    if (requeued) return this.send(requeued);
    const pending = await this.store.anchors('pending');
    if (pending.length === 0) return;
    const newest = pending[pending.length - 1]!;
    for (const older of pending.slice(0, -1)) await this.store.updateAnchor(older.size, { status: 'superseded' });
    await this.send(newest);
  }

  private async send(a: AnchorRecord): Promise<void> {
    const root = bytesToHex(a.root);
    try {
      if (await this.chain.isAnchored(a.size, root)) {
        // Already there (sent before a crash, or the chain kept it): record where, never send twice.
        const there = (await this.chain.publishedHeads()).find((h) => h.size === a.size);
        await this.confirm(a, there?.txHash ?? null, there?.blockNumber ?? a.blockNumber ?? 0);
        return;
      }
      if ((await this.chain.latestAnchoredSize()) >= a.size && a.status === 'requeued') {
        // Cannot happen after a rollback (a chain loses a suffix); if it does, say so and keep failing the audit.
        await this.store.updateAnchor(a.size, {
          attempts: a.attempts + 1,
          lastError: 'missing from the chain while a larger head is anchored: cannot be re-published',
        });
        this.chainFailed(new Error(`head ${a.size} cannot be re-published`));
        return;
      }
      if ((await this.chain.latestAnchoredSize()) >= a.size) {
        // A later head of ours is already on chain (restored from a backup?): this one can never land.
        await this.store.updateAnchor(a.size, { status: 'superseded', lastError: 'a larger head is already anchored' });
        return;
      }
      const txHash = await this.chain.publishHead({ size: a.size, root, timestamp: a.timestamp });
      this.sentAt.set(a.size, this.now());
      this.chainAnswered();
      await this.store.updateAnchor(a.size, { status: 'sent', txHash, attempts: a.attempts + 1, lastError: null });
    } catch (err) {
      await this.store.updateAnchor(a.size, { attempts: a.attempts + 1, lastError: errorText(err) });
      this.chainFailed(err);
    }
  }

  private async checkSent(a: AnchorRecord): Promise<void> {
    const root = bytesToHex(a.root);
    try {
      const receipt = a.txHash ? await this.chain.receipt(a.txHash as Hex) : null;
      this.chainAnswered();
      if (receipt?.status === 'success') return this.confirm(a, a.txHash, receipt.blockNumber);
      if (receipt?.status === 'reverted' || receipt === null) {
        // Sent before a restart: give it the full grace period from now rather than
        // declaring it dropped at once (it may still be waiting in the pool).
        if (!this.sentAt.has(a.size)) this.sentAt.set(a.size, this.now());
        const sentAt = this.sentAt.get(a.size)!;
        const dropped = receipt === null && this.now() - sentAt > this.policy.dropAfterMs;
        if (receipt === null && !dropped) return;
        // Reverted or dropped: is the head there anyway? Otherwise queue it again.
        if (await this.chain.isAnchored(a.size, root)) return this.confirm(a, a.txHash, receipt?.blockNumber ?? 0);
        await this.store.updateAnchor(a.size, {
          status: backTo(a),
          lastError: receipt ? `transaction ${a.txHash} reverted` : `transaction ${a.txHash} dropped`,
        });
      }
    } catch (err) {
      await this.store.updateAnchor(a.size, { lastError: errorText(err) });
      this.chainFailed(err);
    }
  }

  private async confirm(a: AnchorRecord, txHash: string | null, blockNumber: number): Promise<void> {
    const confirmedAt = this.now();
    await this.store.updateAnchor(a.size, { status: 'confirmed', txHash, blockNumber, confirmedAt });
    this.sentAt.delete(a.size);
    for (const older of await this.store.anchors('pending')) {
      if (older.size < a.size) await this.store.updateAnchor(older.size, { status: 'superseded' });
    }
    // (Re-queued heads are never superseded: each is re-published at its own size.)
    this.events.onConfirmed?.({ ...a, status: 'confirmed', txHash, blockNumber, confirmedAt });
  }
}

/** Where a head whose transaction failed goes back to: a once-confirmed (re-queued) head keeps its place. */
function backTo(a: AnchorRecord): 'pending' | 'requeued' {
  return a.confirmedAt !== null ? 'requeued' : 'pending';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
