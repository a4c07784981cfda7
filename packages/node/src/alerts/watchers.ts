// The alerts nobody reports by event: a device that went quiet, anchoring that
// stopped confirming. Checked on a timer against the store; each occurrence is
// raised once (its dedupe key), however many checks see it.
import type { AnchorRecord } from '../storage/anchor-outbox.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { DeviceState } from '../storage/telemetry-index.js';
import { anchoringStalledAlert, deviceSilentAlert, type NewAlert } from './kinds.js';

export interface WatcherSources {
  shipments: ShipmentStore;
  deviceStates(): Promise<DeviceState[]>;
  anchors(status: 'pending' | 'sent' | 'requeued'): Promise<AnchorRecord[]>;
}

export interface WatcherOptions {
  /** A device attached to a shipment under way that sent nothing for this long is silent (0: off). */
  deviceSilentMs: number;
  /** A head waiting in the anchoring outbox this long means anchoring stalled (0: off). */
  anchoringStalledMs: number;
  /** How often to look (default: a quarter of the shorter limit, between 1 s and 60 s). */
  checkMs?: number;
}

/** What the checks see now, as alerts to raise (pure over the sources). */
export async function silentAndStalled(src: WatcherSources, opts: WatcherOptions, now: number): Promise<NewAlert[]> {
  const out: NewAlert[] = [];
  if (opts.deviceSilentMs > 0) {
    const seen = new Map((await src.deviceStates()).map((s) => [s.deviceId, s.lastSeenAt]));
    for (const s of await src.shipments.shipments()) {
      // Only shipments under way: after the planned arrival a quiet logger is expected.
      const arrival = s.legs[s.legs.length - 1]?.plannedArrival ?? 0;
      if (now >= arrival) continue;
      for (const a of s.devices) {
        if (now < a.from || (a.to !== undefined && now >= a.to)) continue;
        const last = Math.max(seen.get(a.deviceId) ?? a.from, a.from);
        const alert = deviceSilentAlert({ deviceId: a.deviceId, lastSeenAt: last, shipmentId: s.id }, opts.deviceSilentMs, now);
        if (alert) out.push(alert);
      }
    }
  }
  if (opts.anchoringStalledMs > 0) {
    const waiting = [...(await src.anchors('pending')), ...(await src.anchors('sent')), ...(await src.anchors('requeued'))];
    const oldest = waiting.sort((x, y) => x.enqueuedAt - y.enqueuedAt || x.size - y.size)[0];
    const alert = anchoringStalledAlert(
      oldest
        ? { size: oldest.size, enqueuedAt: oldest.enqueuedAt, attempts: oldest.attempts, lastError: oldest.lastError }
        : null,
      opts.anchoringStalledMs,
      now,
    );
    if (alert) out.push(alert);
  }
  return out;
}

/** Runs the checks on a timer and hands what they find to `raise`. */
export class AlertWatchers {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly src: WatcherSources,
    private readonly opts: WatcherOptions,
    private readonly raise: (a: NewAlert) => Promise<unknown>,
    private readonly now: () => number = Date.now,
  ) {}

  start(): this {
    const limits = [this.opts.deviceSilentMs, this.opts.anchoringStalledMs].filter((m) => m > 0);
    if (limits.length === 0) return this;
    const every = this.opts.checkMs ?? Math.min(60_000, Math.max(1000, Math.min(...limits) / 4));
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.check());
    }, every);
    this.timer.unref();
    return this;
  }

  /** One check now (tests; the timer calls it too). */
  async check(): Promise<void> {
    if (this.stopped) return;
    try {
      for (const a of await silentAndStalled(this.src, this.opts, this.now())) await this.raise(a);
    } catch (err) {
      console.error('[alerts] watchers:', err instanceof Error ? err.message : err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}
