// Alerts: raised from what the node's watchers see, kept as a history, and
// delivered to subscribers by webhook or e-mail — the delivery worker over the
// rows of storage/alerts.ts, modelled on the EPCIS subscription webhooks
// (epcis/subscriptions/service.ts).
//
// Raising an alert writes it and one delivery per subscriber that may see it
// (alerts/audience.ts, the owner's scopes as they are now) in one transaction,
// under a dedupe key: an occurrence seen twice (a replay, a restart) is one alert
// with one set of deliveries. The worker sends each pending delivery — the webhook
// POST signed (TradeTwin-Signature) and carrying the delivery id (Idempotency-Key);
// the e-mail through the configured SMTP relay with the delivery id as its
// Message-ID — and marks it delivered on a 2xx / the relay's acceptance. Anything
// else (or no answer within timeoutMs) counts the attempt, keeps the error and
// retries later, backing off exponentially. Each delivery is attempted on its own,
// so a slow receiver delays only itself. After a restart the pending rows are sent
// again: nothing is lost, and a delivery whose acknowledgement was lost comes again
// with the same key (the receiver drops it).
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Principal } from '../access/service.js';
import type { AlertDeliveryRow, AlertRow, AlertStore, AlertSubscriptionRow } from '../storage/alerts.js';
import { maySee, subscriptionMatches } from './audience.js';
import { AlertError } from './errors.js';
import type { NewAlert } from './kinds.js';
import { ALERT_SIGNATURE_HEADER, alertEmail, alertPayload, IDEMPOTENCY_HEADER, signBody } from './payload.js';
import { parseSubscription } from './subscription-input.js';

export interface SmtpRelay {
  /** smtp://user:pass@host:port or smtps://… (TRADETWIN_SMTP_URL). */
  url: string;
  /** The From address (TRADETWIN_SMTP_FROM). */
  from: string;
}

export interface AlertServiceOptions {
  /** The node's account address, named in every payload. */
  node: string;
  /** What an owner may do now (AccessService.scopesOf); null: nothing (revoked, disabled). */
  scopesOf: (owner: { kind: Principal['kind']; name: string }) => Promise<ReadonlySet<string> | null>;
  /** Whether a shipment exists (a subscription to an unknown one is refused). */
  shipmentExists: (id: string) => Promise<boolean>;
  smtp?: SmtpRelay;
  /** One attempt's deadline (default 10 s). */
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt up to retryMaxMs (defaults 1 s, 5 min), ±20 % jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Safety-net wake-up of the worker (default 1 s); a raise wakes it at once. */
  pollMs?: number;
  /** Told of every alert raised (the dashboard's live feed). */
  onRaised?: (a: AlertRow) => void;
  now?: () => number;
  fetch?: typeof fetch;
}

/** A subscription as the API shows it: never its secret (shown once, when made). */
export interface SubscriptionView {
  id: string;
  shipmentId: string | null;
  kinds: string[] | null;
  channel: AlertSubscriptionRow['channel'];
  url?: string;
  email?: string;
  createdAt: string;
}

/** An alert as the API shows it, with the deliveries the caller may see (its own; all for access:admin). */
export interface AlertView {
  seq: number;
  id: string;
  kind: string;
  severity: AlertRow['severity'];
  shipmentId: string | null;
  title: string;
  detail: Record<string, unknown>;
  occurredAt: string;
  raisedAt: string;
  deliveries?: {
    id: string;
    subscriptionId: string;
    channel: string;
    status: AlertDeliveryRow['status'];
    attempts: number;
    nextAttemptAt: string | null;
    lastError: string | null;
    deliveredAt: string | null;
  }[];
}

const iso = (t: number) => new Date(t).toISOString();
const ownerOf = (p: Principal) => ({ ownerKind: p.kind, ownerName: p.name });
const owns = (p: Principal, s: AlertSubscriptionRow) =>
  (s.ownerKind === p.kind && s.ownerName === p.name) || p.scopes.has('access:admin');

export class AlertService {
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly mailer: Transporter | null;
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
    readonly store: AlertStore,
    private readonly opts: AlertServiceOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 300_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.now = opts.now ?? Date.now;
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.mailer = opts.smtp
      ? nodemailer.createTransport({
          url: opts.smtp.url,
          connectionTimeout: this.timeoutMs,
          greetingTimeout: this.timeoutMs,
          socketTimeout: this.timeoutMs,
        })
      : null;
  }

  get emailEnabled(): boolean {
    return this.mailer !== null;
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
    this.mailer?.close();
  }

  // ------------------------------------------------------------ raising

  /** Records the alert and its deliveries; null when this occurrence was raised before. */
  async raise(n: NewAlert): Promise<AlertRow | null> {
    const now = this.now();
    const alert: AlertRow = { ...n, seq: 0, id: randomUUID(), raisedAt: now };
    const deliveries: AlertDeliveryRow[] = [];
    const scopes = new Map<string, ReadonlySet<string> | null>();
    for (const s of await this.store.subscriptions()) {
      if (!subscriptionMatches(s, alert)) continue;
      const key = `${s.ownerKind}\u0000${s.ownerName}`;
      if (!scopes.has(key)) scopes.set(key, await this.opts.scopesOf({ kind: s.ownerKind, name: s.ownerName }));
      const granted = scopes.get(key);
      // Not the owner's to see (or the owner no longer exists): not delivered, not even queued.
      if (!granted || !maySee(granted, alert)) continue;
      deliveries.push({
        id: randomUUID(),
        alertId: alert.id,
        subscriptionId: s.id,
        channel: s.channel,
        target: s.target,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
      });
    }
    if (!(await this.store.raise(alert, deliveries))) return null;
    const stored = (await this.store.alert(alert.id)) ?? alert;
    this.opts.onRaised?.(stored);
    if (deliveries.length > 0) this.kick();
    return stored;
  }

  // ------------------------------------------------------------ the API's operations

  async subscribe(p: Principal, body: unknown): Promise<{ subscription: SubscriptionView; secret: string | null }> {
    const input = parseSubscription(body, { emailEnabled: this.emailEnabled });
    if (input.shipmentId !== null) {
      if (!maySee(p.scopes, { shipmentId: input.shipmentId }))
        throw new AlertError(
          'shipment_not_visible',
          `you may not read shipment ${input.shipmentId}, so you cannot subscribe to its alerts`,
        );
      if (!(await this.opts.shipmentExists(input.shipmentId)))
        throw new AlertError('bad_subscription', `shipmentId: no shipment ${input.shipmentId}`, 'shipmentId');
    }
    const row: AlertSubscriptionRow = { id: randomUUID(), ...ownerOf(p), ...input, createdAt: this.now() };
    await this.store.insertSubscription(row);
    return { subscription: subscriptionView(row), secret: row.secret };
  }

  /** The caller's subscriptions (every one for access:admin). */
  async subscriptions(p: Principal): Promise<SubscriptionView[]> {
    return (await this.store.subscriptions()).filter((s) => owns(p, s)).map(subscriptionView);
  }

  async unsubscribe(p: Principal, id: string): Promise<void> {
    const s = await this.store.subscription(id);
    if (!s || !owns(p, s)) throw new AlertError('no_such_subscription', `no alert subscription ${id} of yours`);
    // An attempt in flight finishes; its outcome finds the row gone and changes nothing.
    await this.store.deleteSubscription(id);
  }

  /** The history the caller may see, newest first: at most `limit` alerts with seq < before; `next` pages on. */
  async history(p: Principal, limit: number, before?: number): Promise<{ alerts: AlertView[]; next: number | null }> {
    const out: AlertView[] = [];
    let cursor = before;
    // Alerts the caller may not see are skipped: read on until the page is full or the history ends.
    for (;;) {
      const page = await this.store.alerts(limit * 2, cursor);
      for (const a of page) {
        if (!maySee(p.scopes, a)) continue;
        out.push(alertView(a));
        if (out.length === limit) return { alerts: out, next: a.seq };
      }
      if (page.length < limit * 2) return { alerts: out, next: null };
      cursor = page[page.length - 1]!.seq;
    }
  }

  /** One alert with the deliveries of the caller's subscriptions (all of them for access:admin). */
  async alert(p: Principal, id: string): Promise<AlertView> {
    const a = await this.store.alert(id);
    if (!a || !maySee(p.scopes, a)) throw new AlertError('no_such_alert', `no alert ${id}`);
    const subs = new Map((await this.store.subscriptions()).map((s) => [s.id, s]));
    const deliveries = (await this.store.deliveries(id)).filter((d) => {
      const s = subs.get(d.subscriptionId);
      return p.scopes.has('access:admin') || (s !== undefined && owns(p, s));
    });
    return {
      ...alertView(a),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        subscriptionId: d.subscriptionId,
        channel: d.channel,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
        lastError: d.lastError,
        deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
      })),
    };
  }

  /** For /status: deliveries waiting (a growing number means a receiver or the relay is down). */
  async status(): Promise<{ pendingDeliveries: number; email: boolean }> {
    return { pendingDeliveries: await this.store.pendingCount(), email: this.emailEnabled };
  }

  // ------------------------------------------------------------ the worker

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
        console.error('[alerts]', err instanceof Error ? err.message : err);
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
    for (const d of await this.store.due(now, 100)) {
      if (this.closed) return;
      if (!this.inFlight.has(d.id) && !this.settled.has(d.id)) this.attempt(d);
    }
    const next = await this.store.nextDue();
    // In-flight deliveries are still pending (due): their outcome kicks the worker, the poll is the safety net.
    this.wakeIn(next === null || next <= now ? this.pollMs : Math.min(next - now, this.pollMs * 30));
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private attempt(d: AlertDeliveryRow): void {
    if (this.closed) return;
    const ctrl = new AbortController();
    this.inFlight.set(d.id, ctrl);
    const run = (async () => {
      let error: string | null = null;
      try {
        const [alert, sub] = await Promise.all([this.store.alert(d.alertId), this.store.subscription(d.subscriptionId)]);
        if (!alert) error = `alert ${d.alertId} is missing`;
        else if (!sub)
          return; // unsubscribed meanwhile: its pending deliveries went with it
        else error = d.channel === 'webhook' ? await this.postWebhook(alert, sub, d, ctrl) : await this.sendEmail(alert, d);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      // Still in flight until the outcome is stored: a tick meanwhile must not send it again.
      try {
        if (this.closed) return;
        if (error === null) await this.store.delivered(d.id, this.now());
        else await this.store.failed(d.id, this.now() + this.backoff(d.attempts + 1), error);
      } catch (err) {
        // Not recorded (the store unavailable): it stays pending and is sent again, with the same key.
        console.error(`[alerts] delivery ${d.id} not recorded:`, err instanceof Error ? err.message : err);
      } finally {
        this.settled.add(d.id);
        this.inFlight.delete(d.id);
      }
      this.kick();
    })();
    this.track(run);
  }

  /** Null when the receiver acknowledged (2xx), else why not. */
  private async postWebhook(
    a: AlertRow,
    s: AlertSubscriptionRow,
    d: AlertDeliveryRow,
    ctrl: AbortController,
  ): Promise<string | null> {
    const body = JSON.stringify(alertPayload(a, d, this.opts.node));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [IDEMPOTENCY_HEADER]: d.id,
      'user-agent': 'TradeTwin-Alerts/1',
    };
    if (s.secret !== null) headers[ALERT_SIGNATURE_HEADER] = signBody(s.secret, body);
    const timer = setTimeout(() => ctrl.abort(new Error('timeout')), this.timeoutMs);
    try {
      const res = await this.fetch(d.target, { method: 'POST', headers, body, signal: ctrl.signal, redirect: 'manual' });
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status <= 299 ? null : `HTTP ${res.status}`;
    } catch (err) {
      const reason = ctrl.signal.reason instanceof Error ? ctrl.signal.reason.message : null;
      if (reason === 'timeout') return `no answer within ${this.timeoutMs} ms`;
      return reason ?? (err instanceof Error ? `${err.message}${err.cause ? `: ${String(err.cause)}` : ''}` : String(err));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Null when the relay accepted the message, else why not. */
  private async sendEmail(a: AlertRow, d: AlertDeliveryRow): Promise<string | null> {
    if (!this.mailer || !this.opts.smtp) return 'no SMTP relay is configured (TRADETWIN_SMTP_URL)';
    const { subject, text } = alertEmail(a, this.opts.node);
    try {
      await this.mailer.sendMail({
        from: this.opts.smtp.from,
        to: d.target,
        subject,
        text,
        // The same id on every retry: a mail client shows a repeat (a lost acceptance) once.
        messageId: `<${d.id}@tradetwin.alerts>`,
        headers: { 'X-TradeTwin-Alert-Id': a.id, 'X-TradeTwin-Alert-Kind': a.kind },
      });
      return null;
    } catch (err) {
      const e = err as Error & { code?: string };
      return `SMTP relay: ${e.code ? `${e.code} ` : ''}${e.message}`;
    }
  }
}

function subscriptionView(s: AlertSubscriptionRow): SubscriptionView {
  return {
    id: s.id,
    shipmentId: s.shipmentId,
    kinds: s.kinds,
    channel: s.channel,
    ...(s.channel === 'webhook' ? { url: s.target } : { email: s.target }),
    createdAt: iso(s.createdAt),
  };
}

function alertView(a: AlertRow): AlertView {
  return {
    seq: a.seq,
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    shipmentId: a.shipmentId,
    title: a.title,
    detail: a.detail,
    occurredAt: iso(a.occurredAt),
    raisedAt: iso(a.raisedAt),
  };
}
