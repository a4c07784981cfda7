// DCSA Track & Trace subscriptions: a consumer registers a callback URL and a
// filter (eventTypes and the GET query's references); every event the node
// stores that matches — pushed or derived, newest version — is POSTed to the
// callback as TNT 3.0's own push, {"events": [event]}, so the consumer's POST
// /events endpoint takes it unchanged. Each callback is signed
// (Notification-Signature: sha256=<HMAC-SHA256 of the body under the
// subscription's secret>) and carries Idempotency-Key (the delivery id, the
// same on every retry) and API-Version.
//
// Never lost, never duplicated: events are fanned out to deliveries by a
// follower of the index with its own cursor (`fanout_cursor`), enqueued in the
// same transaction that moves it, one delivery per (subscription, event) by id;
// the outbox is worked by the shared delivery worker (webhook/delivery-worker.ts:
// retries with exponential back-off, resumed after a restart).
//
// TNT 3.0 leaves registration out of scope; the path is TNT 2.2's
// (/event-subscriptions) under the same base.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../access/service.js';
import { IDEMPOTENCY_HEADER, signBody } from '../epcis/subscriptions/signature.js';
import type { DcsaDeliveryRow, DcsaEventRow, DcsaStore, DcsaSubscriptionRow } from '../storage/dcsa.js';
import { DeliveryWorker } from '../webhook/delivery-worker.js';
import { literalDestinationRefusal, type WebhookPolicy, webhookFetch } from '../webhook/destination.js';
import { EVENT_TYPES } from './codes.js';
import { DcsaError } from './errors.js';
import type { DcsaRepository } from './repository.js';
import { TNT_VERSION } from './schema.js';

export const NOTIFICATION_SIGNATURE_HEADER = 'Notification-Signature';
const FANOUT_CURSOR = 'fanout_cursor';

type Filter = DcsaSubscriptionRow['filter'];

/** Whether an indexed event is one the subscription asked for. Pure. */
export function subscriptionMatches(f: Filter, r: DcsaEventRow): boolean {
  if (f.eventTypes && f.eventTypes.length > 0 && !f.eventTypes.includes(r.eventType)) return false;
  if (f.equipmentReference !== undefined && r.equipmentReference !== f.equipmentReference) return false;
  if (f.carrierBookingReference !== undefined && !r.bookingReferences.includes(f.carrierBookingReference)) return false;
  if (f.transportDocumentReference !== undefined && !r.transportDocumentReferences.includes(f.transportDocumentReference))
    return false;
  if (f.shipmentEventTypeCode !== undefined && r.shipmentEventTypeCode !== f.shipmentEventTypeCode) return false;
  if (f.equipmentEventTypeCode !== undefined && r.equipmentEventTypeCode !== f.equipmentEventTypeCode) return false;
  if (f.transportEventTypeCode !== undefined && r.transportEventTypeCode !== f.transportEventTypeCode) return false;
  return true;
}

const FIELDS = new Set([
  'callbackUrl',
  'secret',
  'eventTypes',
  'carrierBookingReference',
  'transportDocumentReference',
  'equipmentReference',
  'shipmentEventTypeCode',
  'equipmentEventTypeCode',
  'transportEventTypeCode',
]);

/** A subscription request body, checked; DcsaError bad_subscription naming the field. */
export function parseSubscription(
  body: Record<string, unknown>,
  webhooks: WebhookPolicy,
): { callbackUrl: string; secret: string; filter: Filter } {
  const bad = (field: string, why: string) => new DcsaError('bad_subscription', `${field} ${why}`, field);
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) throw bad(k, `is not a subscription field (${[...FIELDS].join(', ')})`);
  if (typeof body.callbackUrl !== 'string') throw bad('callbackUrl', 'is required: an http(s) URL');
  let url: URL;
  try {
    url = new URL(body.callbackUrl);
  } catch {
    throw bad('callbackUrl', 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('callbackUrl', 'must be http or https');
  if (url.username || url.password) throw bad('callbackUrl', 'must not carry credentials (the signature authenticates)');
  const refused = literalDestinationRefusal(url, webhooks);
  if (refused) throw bad('callbackUrl', refused.replace(/^webhook destination /, ''));
  let secret: string;
  if (body.secret === undefined) secret = randomBytes(32).toString('base64url');
  else if (typeof body.secret === 'string' && body.secret.length >= 16 && body.secret.length <= 256) secret = body.secret;
  else throw bad('secret', 'must be 16-256 characters (or absent: the node makes one)');
  const filter: Filter = {};
  if (body.eventTypes !== undefined) {
    if (!Array.isArray(body.eventTypes) || body.eventTypes.some((t) => !(EVENT_TYPES as readonly unknown[]).includes(t)))
      throw bad('eventTypes', `must be a list of ${EVENT_TYPES.join(', ')}`);
    filter.eventTypes = body.eventTypes as string[];
  }
  for (const k of [
    'carrierBookingReference',
    'transportDocumentReference',
    'equipmentReference',
    'shipmentEventTypeCode',
    'equipmentEventTypeCode',
    'transportEventTypeCode',
  ] as const) {
    const v = body[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '' || v.length > 100) throw bad(k, 'must be a string of 1-100 characters');
    filter[k] = v;
  }
  return { callbackUrl: url.toString(), secret, filter };
}

export type SubscriptionView = Filter & {
  subscriptionID: string;
  callbackUrl: string;
  createdDateTime: string;
};

const view = (s: DcsaSubscriptionRow): SubscriptionView => ({
  subscriptionID: s.id,
  callbackUrl: s.callbackUrl,
  createdDateTime: new Date(s.createdAt).toISOString(),
  ...s.filter,
});

const owns = (p: Principal, s: DcsaSubscriptionRow) =>
  (s.ownerKind === p.kind && s.ownerName === p.name) || p.scopes.has('access:admin');

export interface DcsaSubscriptionOptions {
  timeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  pollMs?: number;
  now?: () => number;
  /** Where callbacks may go (default: public addresses only; webhook/destination.ts). */
  webhooks?: WebhookPolicy;
  fetch?: typeof fetch;
}

export class DcsaSubscriptions {
  private readonly store: DcsaStore;
  private readonly worker: DeliveryWorker<DcsaDeliveryRow>;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly webhooks: WebhookPolicy;
  private readonly timeoutMs: number;
  private fanQueue: Promise<unknown> = Promise.resolve();
  private unlisten: () => void = () => undefined;
  private closed = false;

  constructor(
    private readonly repo: DcsaRepository,
    opts: DcsaSubscriptionOptions = {},
  ) {
    this.store = repo.index;
    this.now = opts.now ?? Date.now;
    this.webhooks = opts.webhooks ?? { allowPrivateNetworks: false };
    this.fetch = opts.fetch ?? webhookFetch(this.webhooks);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.worker = new DeliveryWorker(this.store, (d, ctrl) => this.send(d, ctrl), {
      retryBaseMs: opts.retryBaseMs,
      retryMaxMs: opts.retryMaxMs,
      pollMs: opts.pollMs,
      now: this.now,
      label: '[dcsa subscriptions]',
    });
  }

  /** Fan out what was indexed while stopped, then follow the index; resume the outbox. */
  async start(): Promise<this> {
    // A fresh fan-out starts after what is indexed now: a subscription gets what comes after it.
    if ((await this.store.meta(FANOUT_CURSOR)) === null) {
      const last = await this.lastRid();
      await this.store.setMeta(FANOUT_CURSOR, String(last));
    }
    this.unlisten = this.repo.onIndexed(() => this.fanOut());
    this.worker.start();
    this.fanOut();
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    await this.fanQueue;
    await this.worker.close();
  }

  /** Resolves when the fan-out noted so far is enqueued (tests). */
  async idle(): Promise<void> {
    for (let q = this.fanQueue; ; q = this.fanQueue) {
      await q;
      if (q === this.fanQueue) return;
    }
  }

  async subscribe(p: Principal, body: Record<string, unknown>): Promise<{ subscription: SubscriptionView; secret: string }> {
    const { callbackUrl, secret, filter } = parseSubscription(body, this.webhooks);
    // Everything fanned out before this moment is not this subscription's: it starts at the cursor.
    await this.idle();
    const row: DcsaSubscriptionRow = {
      id: randomUUID(),
      ownerKind: p.kind,
      ownerName: p.name,
      callbackUrl,
      secret,
      filter,
      createdAt: this.now(),
    };
    await this.store.insertSubscription(row);
    return { subscription: view(row), secret };
  }

  async list(p: Principal): Promise<SubscriptionView[]> {
    return (await this.store.subscriptions()).filter((s) => owns(p, s)).map(view);
  }

  async get(p: Principal, id: string): Promise<SubscriptionView & { deliveries: Omit<DcsaDeliveryRow, 'subscriptionId'>[] }> {
    const s = await this.store.subscription(id);
    if (!s || !owns(p, s)) throw new DcsaError('no_such_subscription', `no subscription ${id}`, 'subscriptionID');
    const deliveries = (await this.store.deliveries(id)).map(({ subscriptionId: _, ...d }) => d);
    return { ...view(s), deliveries };
  }

  async unsubscribe(p: Principal, id: string): Promise<void> {
    const s = await this.store.subscription(id);
    if (!s || !owns(p, s)) throw new DcsaError('no_such_subscription', `no subscription ${id}`, 'subscriptionID');
    await this.store.deleteSubscription(id);
  }

  private async lastRid(): Promise<number> {
    let after = -1;
    for (;;) {
      const rows = await this.store.query({ afterRid: after, limit: 1000 });
      if (rows.length === 0) return after;
      after = rows.at(-1)!.rid;
    }
  }

  /** Enqueue a delivery per matching subscription for every event past the fan-out cursor. */
  private fanOut(): void {
    if (this.closed) return;
    this.fanQueue = this.fanQueue
      .then(async () => {
        for (;;) {
          const after = Number((await this.store.meta(FANOUT_CURSOR)) ?? -1);
          const rows = await this.store.query({ afterRid: after, limit: 500 });
          if (rows.length === 0) return;
          const subs = await this.store.subscriptions();
          const deliveries = rows.flatMap((r) =>
            subs.filter((s) => subscriptionMatches(s.filter, r)).map((s) => ({ subscriptionId: s.id, rid: r.rid })),
          );
          await this.store.enqueue(deliveries, FANOUT_CURSOR, rows.at(-1)!.rid, this.now());
          if (deliveries.length > 0) this.worker.kick();
        }
      })
      .catch((err: unknown) => console.error('[dcsa subscriptions] fan-out:', err instanceof Error ? err.message : err));
  }

  /** One callback: null when the consumer acknowledged (2xx), else why not. */
  private async send(d: DcsaDeliveryRow, ctrl: AbortController): Promise<string | null | undefined> {
    const [s, row] = await Promise.all([this.store.subscription(d.subscriptionId), this.store.event(d.rid)]);
    if (!s) return undefined; // unsubscribed meanwhile: its pending deliveries went with it
    if (!row) return `event at leaf ${d.rid} is missing from the index`;
    const body = `{"events":[${row.json}]}`;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'API-Version': TNT_VERSION,
      [IDEMPOTENCY_HEADER]: d.id,
      [NOTIFICATION_SIGNATURE_HEADER]: signBody(s.secret, body),
      'user-agent': 'TradeTwin-DCSA/1',
    };
    const timer = setTimeout(() => ctrl.abort(new Error('timeout')), this.timeoutMs);
    try {
      const res = await this.fetch(s.callbackUrl, { method: 'POST', headers, body, signal: ctrl.signal, redirect: 'manual' });
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
}
