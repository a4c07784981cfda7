// The delivery worker over a persistent outbox, shared by the alerts and the
// DCSA Track & Trace subscriptions: each pending delivery is attempted on its
// own (a slow receiver delays only itself), marked delivered on success, and
// otherwise counted, its error kept and retried later with exponential back-off
// (±20 % jitter). Ticks never overlap, and a delivery in flight or settled since
// the tick began is not sent again; stopping aborts attempts in flight, which
// stay pending and are sent again after a restart — nothing is lost, and a
// delivery whose acknowledgement was lost comes again with the same id (the
// receiver drops it by its idempotency key).

/** What the worker needs of a delivery row. */
export interface OutboxDelivery {
  id: string;
  attempts: number;
}

/** The outbox's rows (storage/: alerts, dcsa). */
export interface DeliveryOutbox<D extends OutboxDelivery> {
  /** Pending deliveries whose nextAttemptAt ≤ now, earliest first, at most `limit`. */
  due(now: number, limit: number): Promise<D[]>;
  /** The earliest nextAttemptAt of a pending delivery (null: none pending). */
  nextDue(): Promise<number | null>;
  delivered(id: string, now: number): Promise<boolean>;
  failed(id: string, nextAttemptAt: number, error: string): Promise<void>;
}

/**
 * One attempt: null when the receiver acknowledged, the reason when not, undefined when there is
 * nothing to record (the subscription went away meanwhile, its pending deliveries with it).
 */
export type SendDelivery<D> = (d: D, ctrl: AbortController) => Promise<string | null | undefined>;

export interface DeliveryWorkerOptions {
  /** First retry delay; doubles per failed attempt up to retryMaxMs (defaults 1 s, 5 min). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Safety-net wake-up (default 1 s); kick() wakes it at once. */
  pollMs?: number;
  now?: () => number;
  /** Prefix of what it logs, e.g. "[alerts]". */
  label: string;
}

export class DeliveryWorker<D extends OutboxDelivery> {
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly inFlight = new Map<string, AbortController>();
  /**
   * Deliveries whose outcome was stored since the current tick began: the tick's list of due rows may
   * have been read before that outcome committed, and must not send them again.
   */
  private readonly settled = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  private ticking = false;
  private tickAgain = false;
  private started = false;
  private closed = false;

  constructor(
    private readonly outbox: DeliveryOutbox<D>,
    private readonly send: SendDelivery<D>,
    private readonly opts: DeliveryWorkerOptions,
  ) {
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 300_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Start delivering: resume the outbox. */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.kick();
    return this;
  }

  /** Stop: abort attempts in flight (they stay pending, sent again after a restart). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const c of this.inFlight.values()) c.abort(new Error('the node is stopping'));
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Run the worker soon (coalesced). */
  kick(): void {
    if (this.closed || !this.started || this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.runTick();
    });
  }

  private runTick(): void {
    if (this.closed) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    const run = this.tick()
      .catch((err) => {
        // The store unavailable: nothing was lost, the next wake-up tries again.
        console.error(this.opts.label, err instanceof Error ? err.message : err);
        this.wakeIn(this.pollMs);
      })
      .finally(() => {
        this.ticking = false;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
    this.track(run);
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private wakeIn(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.max(0, ms));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    // Ticks never overlap: an outcome stored before this point is in what due() reads.
    this.settled.clear();
    for (const d of await this.outbox.due(now, 100)) {
      if (this.closed) return;
      if (!this.inFlight.has(d.id) && !this.settled.has(d.id)) this.attempt(d);
    }
    const next = await this.outbox.nextDue();
    // In-flight deliveries are still pending (due): their outcome kicks the worker, the poll is the safety net.
    this.wakeIn(next === null || next <= now ? this.pollMs : Math.min(next - now, this.pollMs * 30));
  }

  /** The delay before attempt number `attempts` + 1. */
  backoff(attempts: number): number {
    const base = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private attempt(d: D): void {
    if (this.closed) return;
    const ctrl = new AbortController();
    this.inFlight.set(d.id, ctrl);
    const run = (async () => {
      let outcome: string | null | undefined;
      try {
        outcome = await this.send(d, ctrl);
      } catch (err) {
        outcome = err instanceof Error ? err.message : String(err);
      }
      // Still in flight until the outcome is stored: a tick meanwhile must not send it again.
      try {
        if (this.closed || outcome === undefined) return;
        if (outcome === null) await this.outbox.delivered(d.id, this.now());
        else await this.outbox.failed(d.id, this.now() + this.backoff(d.attempts + 1), outcome);
      } catch (err) {
        // Not recorded (the store unavailable): it stays pending and is sent again, with the same key.
        console.error(`${this.opts.label} delivery ${d.id} not recorded:`, err instanceof Error ? err.message : err);
      } finally {
        this.settled.add(d.id);
        this.inFlight.delete(d.id);
      }
      this.kick();
    })();
    this.track(run);
  }
}
