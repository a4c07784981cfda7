// Named queries and query subscriptions: the delivery worker over their rows
// (storage/subscriptions.ts).
//
// Webhook subscriptions keep a cursor — the last leaf index whose events the
// destination acknowledged. When a subscription is due (stream: a capture went
// past its cursor; schedule: the time came), the worker runs the named query over
// the events after the cursor (≤ batchSize of them, in leaf order), writes the
// EPCISQueryDocument into the outbox as one delivery with an id, and POSTs it,
// signed (GS1-Signature) and carrying the id (Idempotency-Key). A 2xx removes the
// delivery and moves the cursor past it in one transaction; anything else (or no
// answer within timeoutMs) keeps it and retries the same bytes later, backing off
// exponentially. One delivery per subscription at a time keeps order; each
// subscription is sent on its own, so a slow webhook delays only itself. After a
// restart the outbox is resent as stored and new deliveries start at the cursor:
// nothing is lost, and a delivery the receiver got but whose 2xx was lost comes
// again with the same Idempotency-Key (the receiver drops it).
//
// WebSocket subscriptions live as long as their connection: same triggers, same
// documents, cursor in memory, advanced once a document is handed to the socket.
import { randomUUID } from 'node:crypto';
import { EpcisProblem } from '../problem.js';
import { type EventQuery, eventJsonText, parseEventQuery, runEventQuery } from '../query.js';
import type { EpcisRepository } from '../repository.js';
import { isoTime } from '../time.js';
import { CBV_VERSION, EPCIS_CONTEXT, EPCIS_VERSION, type StoredEvent } from '../types.js';
import { badSub, type NamedQueryDefinition, queryPairs, type SubscriptionSpec, type WebhookSpec } from './definition.js';
import { literalDestinationRefusal, type WebhookPolicy, webhookFetch } from '../../webhook/destination.js';
import { nextFire, parseSchedule, type Schedule } from './schedule.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from './signature.js';
import type { DeliveryRow, NamedQueryRow, SubscriptionRow, SubscriptionStore } from '../../storage/subscriptions.js';

export interface SubscriptionOptions {
  /** One delivery attempt's deadline (default 10 s). */
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt up to retryMaxMs (defaults 1 s, 5 min), ±20 % jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Events per delivered document (default 500); more go in the next delivery right after. */
  batchSize?: number;
  /** Safety-net wake-up of the worker (default 1 s); captures wake it at once. */
  pollMs?: number;
  /** A WebSocket whose unsent backlog exceeds this is closed (default 16 MiB). */
  maxSocketBacklog?: number;
  now?: () => number;
  /** Where webhooks may go (default: public addresses only; webhook/destination.ts). */
  webhooks?: WebhookPolicy;
  fetch?: typeof fetch;
}

/** The connection a WebSocket subscription writes to (ws, or anything with the same three calls). */
export interface StreamSink {
  send(text: string): void;
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

interface LiveStream {
  id: string;
  queryName: string;
  spec: SubscriptionSpec;
  cursor: number;
  initialRecordTime: number | null;
  nextFire: number | null;
  /** The last document was a full batch: send the rest at once. */
  more: boolean;
  sink: StreamSink;
}

const SUBSCRIPTION_EXC = 'epcisException:SubscriptionControlsException';

/** An EPCISQueryDocument of subscription results (queryResults names the subscription). */
export function subscriptionDocumentText(
  events: readonly StoredEvent[],
  queryName: string,
  subscriptionID: string,
  creationDate: string,
): string {
  const head = JSON.stringify({ '@context': [EPCIS_CONTEXT], type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate });
  return `${head.slice(0, -1)},"epcisBody":{"queryResults":{"queryName":${JSON.stringify(queryName)},"subscriptionID":${JSON.stringify(
    subscriptionID,
  )},"resultsBody":{"eventList":[${events.map(eventJsonText).join(',')}]}}}}`;
}

export function noSuchQuery(name: string): EpcisProblem {
  return new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'no_such_query', `no named query ${name}`);
}

export class EpcisSubscriptions {
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly maxSocketBacklog: number;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly webhooks: WebhookPolicy;
  private readonly schedules = new Map<string, { schedule: Schedule; fire: number | null }>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly running = new Set<Promise<void>>();
  private readonly live = new Map<string, LiveStream>();
  /** Scheduled subscriptions whose last delivery was a full batch: the rest follows without waiting for the next fire. */
  private readonly continuing = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  /** A tick is running; `tickAgain`: a kick came meanwhile, run once more after it. */
  private ticking = false;
  private tickAgain = false;
  private closed = false;
  private started = false;
  private unlisten: (() => void) | undefined;

  constructor(
    readonly repo: EpcisRepository,
    readonly store: SubscriptionStore,
    opts: SubscriptionOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 300_000;
    this.batchSize = opts.batchSize ?? 500;
    this.pollMs = opts.pollMs ?? 1000;
    this.maxSocketBacklog = opts.maxSocketBacklog ?? 16 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    this.webhooks = opts.webhooks ?? { allowPrivateNetworks: false };
    this.fetch = opts.fetch ?? webhookFetch(this.webhooks);
  }

  /** Start delivering: resume the outbox and wake on every capture. */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.unlisten = this.repo.onIndexed(() => this.kick());
    this.kick();
    return this;
  }

  /** Stop: abort attempts in flight (they stay in the outbox), end WebSocket subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlisten?.();
    clearTimeout(this.timer);
    for (const c of this.inFlight.values()) c.abort(new Error('the node is stopping'));
    for (const l of this.live.values()) l.sink.close(1001, 'the repository is stopping');
    this.live.clear();
    // A tick in flight may start an attempt before it sees `closed`: wait for those too.
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** The newest indexed leaf (−1 when there is no event): events are indexed in leaf order. */
  private async head(): Promise<number> {
    return this.repo.index.lastIndexed();
  }

  // ------------------------------------------------------------ named queries

  async createQuery(def: NamedQueryDefinition): Promise<NamedQueryRow> {
    if (!(await this.store.createQuery(def.name, def.query, this.now())))
      throw new EpcisProblem(
        409,
        'epcisException:ResourceAlreadyExistsException',
        'query_exists',
        `a named query ${def.name} already exists: delete it first to redefine it`,
      );
    return (await this.store.query(def.name))!;
  }

  async query(name: string): Promise<NamedQueryRow> {
    const q = await this.store.query(name);
    if (!q) throw noSuchQuery(name);
    return q;
  }

  /** The named query's parsed SimpleEventQuery, with these request pairs (paging) added. */
  async parsedQuery(name: string, extra: [string, string][] = []) {
    return parseEventQuery([...queryPairs((await this.query(name)).query), ...extra], { forms: this.repo.codec });
  }

  async deleteQuery(name: string): Promise<void> {
    const ids = await this.store.deleteQuery(name);
    if (ids === null) throw noSuchQuery(name);
    for (const id of ids) this.forget(id);
    for (const l of [...this.live.values()])
      if (l.queryName === name) {
        this.live.delete(l.id);
        l.sink.close(1000, 'the named query was deleted');
      }
  }

  // ------------------------------------------------------------ webhook subscriptions

  async subscribe(queryName: string, spec: WebhookSpec): Promise<SubscriptionRow> {
    await this.query(queryName);
    const refused = literalDestinationRefusal(new URL(spec.dest), this.webhooks);
    if (refused) throw badSub('bad_dest', `dest ${refused.replace(/^webhook destination /, '')}`, '/dest');
    const row: SubscriptionRow = {
      id: randomUUID(),
      queryName,
      dest: spec.dest,
      signatureToken: spec.signatureToken,
      stream: spec.stream,
      schedule: spec.scheduleSpec,
      reportIfEmpty: spec.reportIfEmpty,
      initialRecordTime: spec.initialRecordTime,
      // Without initialRecordTime the first delivery starts with what is captured from now on.
      cursor: spec.initialRecordTime !== null ? -1 : await this.head(),
      createdAt: this.now(),
      lastNotifiedAt: null,
    };
    await this.store.insertSubscription(row);
    this.kick();
    return row;
  }

  async subscription(queryName: string, id: string): Promise<SubscriptionRow> {
    const s = await this.store.subscription(id);
    if (!s || s.queryName !== queryName)
      throw new EpcisProblem(
        404,
        'epcisException:NoSuchResourceException',
        'no_such_subscription',
        `no subscription ${id} to named query ${queryName}`,
      );
    return s;
  }

  async unsubscribe(queryName: string, id: string): Promise<void> {
    await this.subscription(queryName, id);
    await this.store.deleteSubscription(id);
    this.forget(id);
  }

  /** A subscription as the API shows it (never its signatureToken). */
  async view(s: SubscriptionRow): Promise<Record<string, unknown>> {
    const d = await this.store.pending(s.id);
    return {
      subscriptionID: s.id,
      queryName: s.queryName,
      dest: s.dest,
      ...(s.stream ? { stream: true } : { schedule: s.schedule }),
      reportIfEmpty: s.reportIfEmpty,
      ...(s.initialRecordTime !== null ? { initialRecordTime: isoTime(s.initialRecordTime) } : {}),
      signed: s.signatureToken !== null,
      createdAt: isoTime(s.createdAt),
      ...(s.lastNotifiedAt !== null ? { lastNotifiedAt: isoTime(s.lastNotifiedAt) } : {}),
      ...(d
        ? {
            pendingDelivery: {
              id: d.id,
              events: d.eventCount,
              attempts: d.attempts,
              nextAttemptAt: isoTime(d.nextAttemptAt),
              ...(d.lastError ? { lastError: d.lastError } : {}),
            },
          }
        : {}),
    };
  }

  private forget(id: string): void {
    this.schedules.delete(id);
    this.continuing.delete(id);
    this.inFlight.get(id)?.abort(new Error('unsubscribed'));
  }

  // ------------------------------------------------------------ WebSocket subscriptions

  /** Start a connection-bound subscription; returns its end (call when the socket closes). */
  async openStream(queryName: string, spec: SubscriptionSpec, sink: StreamSink): Promise<{ id: string; close(): void }> {
    return (await this.prepareStream(queryName, spec))(sink);
  }

  /**
   * Checks the named query and fixes where a connection-bound subscription starts; the function returned
   * starts it on a sink at once (synchronously: a WebSocket handshake completes with it already running).
   */
  async prepareStream(queryName: string, spec: SubscriptionSpec): Promise<(sink: StreamSink) => { id: string; close(): void }> {
    if (this.closed) throw new EpcisProblem(503, SUBSCRIPTION_EXC, 'stopping', 'the repository is stopping');
    await this.query(queryName);
    const cursor = spec.initialRecordTime !== null ? -1 : await this.head();
    return (sink) => this.startStream(queryName, spec, cursor, sink);
  }

  private startStream(
    queryName: string,
    spec: SubscriptionSpec,
    cursor: number,
    sink: StreamSink,
  ): { id: string; close(): void } {
    if (this.closed) throw new EpcisProblem(503, SUBSCRIPTION_EXC, 'stopping', 'the repository is stopping');
    const l: LiveStream = {
      id: randomUUID(),
      queryName,
      spec,
      cursor,
      initialRecordTime: spec.initialRecordTime,
      nextFire: spec.schedule ? nextFire(spec.schedule, this.now()) : null,
      more: false,
      sink,
    };
    this.live.set(l.id, l);
    this.kick();
    return { id: l.id, close: () => this.live.delete(l.id) };
  }

  get liveCount(): number {
    return this.live.size;
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

  /** One tick at a time: a kick during a tick runs another right after it. */
  private runTick(): void {
    if (this.closed) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    const run = this.tick()
      .catch((err) => {
        // The store unavailable (PostgreSQL down): nothing was lost, the next wake-up tries again.
        console.error('[epcis] subscriptions:', err instanceof Error ? err.message : err);
        this.timer = setTimeout(() => this.kick(), this.pollMs);
        this.timer.unref();
      })
      .finally(() => {
        this.ticking = false;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    const now = this.now();
    const head = await this.head();
    let wake = now + this.pollMs;
    for (const s of await this.store.allSubscriptions()) {
      if (this.closed) return;
      try {
        wake = Math.min(wake, await this.step(s, head, now));
      } catch (err) {
        console.error(`[epcis] subscription ${s.id}:`, err);
      }
    }
    for (const l of [...this.live.values()]) {
      if (this.closed) return;
      try {
        wake = Math.min(wake, await this.stepLive(l, head, now));
      } catch (err) {
        console.error(`[epcis] WebSocket subscription ${l.id}:`, err);
      }
    }
    if (this.closed) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, wake - now));
    this.timer.unref();
  }

  /** Whether a scheduled subscription's time has come (and when it comes next). */
  private fired(id: string, spec: Record<string, string>, now: number): { due: boolean; next: number } {
    let st = this.schedules.get(id);
    if (!st) {
      const p = parseSchedule(spec);
      if (!p.ok) throw new Error(`stored schedule no longer parses: ${p.reason}`);
      st = { schedule: p.schedule, fire: nextFire(p.schedule, now) };
      this.schedules.set(id, st);
    }
    const due = st.fire !== null && now >= st.fire;
    if (due) st.fire = nextFire(st.schedule, now);
    return { due, next: st.fire ?? Number.POSITIVE_INFINITY };
  }

  /** One webhook subscription: enqueue a delivery when due, attempt the pending one when its time has come. */
  private async step(s: SubscriptionRow, head: number, now: number): Promise<number> {
    let next = Number.POSITIVE_INFINITY;
    let due = false;
    if (s.stream) due = head > s.cursor;
    else {
      // A fire while a delivery is still pending is skipped: the next one carries those events.
      const f = this.fired(s.id, s.schedule as Record<string, string>, now);
      due = f.due || this.continuing.has(s.id);
      next = f.next;
    }
    if (this.inFlight.has(s.id)) return next;
    let d = await this.store.pending(s.id);
    if (!d && due) {
      // The row as it is now: a delivery acknowledged since this tick listed the subscriptions moved its cursor.
      const current = await this.store.subscription(s.id);
      if (current && (!current.stream || head > current.cursor)) d = await this.prepare(current, head, now);
    }
    if (this.closed) return next;
    if (!d) return next;
    if (d.nextAttemptAt <= now) {
      this.attempt(s, d);
      return next;
    }
    return Math.min(next, d.nextAttemptAt);
  }

  /** The named query over the events after `cursor` up to `head` (one batch), or null when the query is gone. */
  private async batch(
    queryName: string,
    cursor: number,
    initialRecordTime: number | null,
    head: number,
  ): Promise<{ events: StoredEvent[]; to: number } | null> {
    const nq = await this.store.query(queryName);
    if (!nq) return null;
    const { query } = parseEventQuery(queryPairs(nq.query), { forms: this.repo.codec });
    // New events in capture (leaf) order, all of them: the query's own order and count limits are for GET.
    const q: EventQuery = {
      ...query,
      filter: {
        where: [
          ...query.filter.where,
          { kind: 'compare', field: 'leafIndex', op: '>', value: cursor },
          { kind: 'compare', field: 'leafIndex', op: '<=', value: head },
          ...(initialRecordTime !== null
            ? [{ kind: 'compare', field: 'recordTime', op: '>=', value: initialRecordTime } as const]
            : []),
        ],
        orderBy: 'capture',
        direction: 'ASC',
      },
      eventCountLimit: null,
      maxEventCount: null,
    };
    const page = await runEventQuery(this.repo, q, { perPage: this.batchSize, token: null });
    return { events: page.events, to: page.nextPageToken ? page.events[page.events.length - 1]!.leafIndex : head };
  }

  private async prepare(s: SubscriptionRow, head: number, now: number): Promise<DeliveryRow | null> {
    const b = await this.batch(s.queryName, s.cursor, s.initialRecordTime, head);
    if (!b) return null;
    if (b.to < head) this.continuing.add(s.id);
    else this.continuing.delete(s.id);
    if (b.events.length === 0 && !s.reportIfEmpty) {
      await this.store.skipTo(s.id, b.to);
      return null;
    }
    const d: DeliveryRow = {
      id: randomUUID(),
      subscriptionId: s.id,
      fromCursor: s.cursor,
      toCursor: b.to,
      eventCount: b.events.length,
      body: subscriptionDocumentText(b.events, s.queryName, s.id, new Date(now).toISOString()),
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
    };
    await this.store.enqueue(d);
    return d;
  }

  private backoff(attempts: number): number {
    const base = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private attempt(s: SubscriptionRow, d: DeliveryRow): void {
    if (this.closed) return;
    const ctrl = new AbortController();
    this.inFlight.set(s.id, ctrl);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'GS1-EPCIS-Version': EPCIS_VERSION,
      'GS1-CBV-Version': CBV_VERSION,
      [IDEMPOTENCY_HEADER]: d.id,
      'user-agent': 'TradeTwin-EPCIS/1',
    };
    if (s.signatureToken !== null) headers[SIGNATURE_HEADER] = signBody(s.signatureToken, d.body);
    const run = (async () => {
      const timer = setTimeout(() => ctrl.abort(new Error('timeout')), this.timeoutMs);
      let error: string | null = null;
      try {
        const res = await this.fetch(s.dest, { method: 'POST', headers, body: d.body, signal: ctrl.signal, redirect: 'manual' });
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        const reason = ctrl.signal.reason instanceof Error ? ctrl.signal.reason.message : null;
        error =
          reason === 'timeout'
            ? `no answer within ${this.timeoutMs} ms`
            : (reason ?? (err instanceof Error ? `${err.message}${err.cause ? `: ${String(err.cause)}` : ''}` : String(err)));
      } finally {
        clearTimeout(timer);
      }
      // Still in flight until the outcome is stored: a tick meanwhile must neither resend this delivery
      // nor prepare the next one from the cursor before it moved.
      try {
        if (this.closed) return;
        if (error === null) await this.store.acknowledge(d, this.now());
        else await this.store.failed(d, this.now() + this.backoff(d.attempts + 1), error);
      } catch (err) {
        // Not recorded (the store unavailable): the delivery stays in the outbox and is sent again, same id.
        console.error(`[epcis] subscription ${s.id}: delivery ${d.id} not recorded:`, err instanceof Error ? err.message : err);
      } finally {
        this.inFlight.delete(s.id);
      }
      this.kick();
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async stepLive(l: LiveStream, head: number, now: number): Promise<number> {
    if (l.sink.bufferedAmount() > this.maxSocketBacklog) {
      this.live.delete(l.id);
      l.sink.close(1013, 'the client does not read its results fast enough');
      return Number.POSITIVE_INFINITY;
    }
    let due = l.more;
    if (l.spec.stream) due = head > l.cursor;
    else if (l.nextFire !== null && now >= l.nextFire) {
      due = true;
      l.nextFire = nextFire(l.spec.schedule!, now);
    }
    const next = l.nextFire ?? Number.POSITIVE_INFINITY;
    if (!due) return next;
    const b = await this.batch(l.queryName, l.cursor, l.initialRecordTime, head);
    if (!this.live.has(l.id)) return next; // closed while the batch was read
    if (!b) {
      this.live.delete(l.id);
      l.sink.close(1000, 'the named query was deleted');
      return next;
    }
    if (b.events.length > 0 || l.spec.reportIfEmpty)
      l.sink.send(subscriptionDocumentText(b.events, l.queryName, l.id, isoTime(now)));
    l.cursor = Math.max(l.cursor, b.to);
    if (b.events.length > 0) l.initialRecordTime = null;
    // A full batch: more are waiting, go on at once.
    l.more = b.to < head;
    return l.more ? now : next;
  }
}
