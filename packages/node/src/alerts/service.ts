// Alerts: raised from what the node's watchers see, kept as a history, and
// delivered to subscribers by webhook or e-mail — the delivery worker over the
// rows of storage/alerts.ts (the shared outbox worker, webhook/delivery-worker.ts, also delivering the DCSA subscriptions), modelled on the EPCIS subscription webhooks
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
import { DeliveryWorker } from '../webhook/delivery-worker.js';
import { type WebhookPolicy, webhookFetch } from '../webhook/destination.js';
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
  /** Where webhooks may go (default: public addresses only; webhook/destination.ts). */
  webhooks?: WebhookPolicy;
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
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly webhooks: WebhookPolicy;
  private readonly mailer: Transporter | null;
  /** The shared outbox worker (webhook/delivery-worker.ts) over this store's deliveries. */
  private readonly worker: DeliveryWorker<AlertDeliveryRow>;

  constructor(
    readonly store: AlertStore,
    private readonly opts: AlertServiceOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.worker = new DeliveryWorker(store, (d, ctrl) => this.send(d, ctrl), {
      retryBaseMs: opts.retryBaseMs,
      retryMaxMs: opts.retryMaxMs,
      pollMs: opts.pollMs,
      now: this.now,
      label: '[alerts]',
    });
    this.webhooks = opts.webhooks ?? { allowPrivateNetworks: false };
    this.fetch = opts.fetch ?? webhookFetch(this.webhooks);
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
    this.worker.start();
    return this;
  }

  /** Stop: abort attempts in flight (they stay pending, sent again after a restart). */
  async close(): Promise<void> {
    await this.worker.close();
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
    const input = parseSubscription(body, { emailEnabled: this.emailEnabled, webhooks: this.webhooks });
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
    this.worker.kick();
  }

  /** One attempt of a delivery (the worker records the outcome). */
  private async send(d: AlertDeliveryRow, ctrl: AbortController): Promise<string | null | undefined> {
    const [alert, sub] = await Promise.all([this.store.alert(d.alertId), this.store.subscription(d.subscriptionId)]);
    if (!alert) return `alert ${d.alertId} is missing`;
    if (!sub) return undefined; // unsubscribed meanwhile: its pending deliveries went with it
    return d.channel === 'webhook' ? this.postWebhook(alert, sub, d, ctrl) : this.sendEmail(alert, d);
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
