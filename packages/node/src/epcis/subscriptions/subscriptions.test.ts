// Named queries and subscriptions on a real (chain-less) node over HTTP, with
// real webhook receivers and WebSocket clients on 127.0.0.1: CRUD, validation,
// stream deliveries (signed), retries when the webhook is down or slow, restarts
// mid-delivery (nothing lost, nothing new duplicated), WebSockets, reportIfEmpty,
// initialRecordTime. Waits are upper bounds only; latency is measured by the bench.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import WebSocket from 'ws';
import { epcisOpenApiPaths } from '../openapi.js';
import { epcisRoutes } from '../routes.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verifySignature } from './signature.js';
import {
  deliveredEvents,
  type LightNode,
  objectEvent,
  type Receipt,
  removeDir,
  startLightNode,
  startReceiver,
  LIGHT_ADMIN_TOKEN,
} from './test-support.js';

type Json = Record<string, unknown>;
const FAST = { retryBaseMs: 40, retryMaxMs: 200, timeoutMs: 400, pollMs: 100 };

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const idsOf = (receipts: Receipt[]) => receipts.flatMap((r) => deliveredEvents(r.body).map((e) => e.eventID as string));
/** What a de-duplicating receiver keeps: the first receipt of each Idempotency-Key. */
const distinct = (receipts: Receipt[]) => {
  const seen = new Map<string, Receipt>();
  for (const r of receipts) {
    const key = String(r.headers[IDEMPOTENCY_HEADER.toLowerCase()]);
    const first = seen.get(key);
    if (first) assert.equal(r.body, first.body, 'a retried delivery carries the same bytes');
    else seen.set(key, r);
  }
  return [...seen.values()];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function namedQuery(n: LightNode, name: string, query: Json = { EQ_bizStep: ['shipping'] }) {
  const res = await n.request('/epcis/queries', json({ name, query }));
  assert.equal(res.status, 201, await res.text());
}
async function subscribe(n: LightNode, name: string, body: Json): Promise<Json> {
  const res = await n.request(`/epcis/queries/${name}/subscriptions`, json(body));
  const out = (await res.json()) as Json;
  assert.equal(res.status, 201, JSON.stringify(out));
  return out;
}

describe('named queries', () => {
  let n: LightNode;
  before(async () => {
    n = await startLightNode({ subscriptions: FAST });
  });
  after(async () => {
    await n.close();
    await removeDir(n.dir);
  });

  it('creates, lists, reads and deletes a named query; a second create of the name is a 409', async () => {
    const res = await n.request(
      '/epcis/queries',
      json({ name: 'shipped', query: { EQ_bizStep: ['shipping'], eventType: 'ObjectEvent' } }),
    );
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), '/epcis/queries/shipped');
    const got = (await (await n.request('/epcis/queries/shipped')).json()) as Json;
    assert.deepEqual(got, { name: 'shipped', query: { EQ_bizStep: ['shipping'], eventType: 'ObjectEvent' } });
    const list = (await (await n.request('/epcis/queries')).json()) as Json[];
    assert.deepEqual(
      list.map((q) => q.name),
      ['shipped'],
    );
    const again = await n.request('/epcis/queries', json({ name: 'shipped', query: {} }));
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as Json).type, 'epcisException:ResourceAlreadyExistsException');
    assert.equal((await n.request('/epcis/queries/shipped', { method: 'DELETE' })).status, 204);
    assert.equal((await n.request('/epcis/queries/shipped')).status, 404);
  });

  it('refuses a bad definition with a 400 problem naming the parameter, and stores nothing', async () => {
    const cases: [Json, string][] = [
      [{ name: 'q1', query: { EQ_nonsense: ['x'] } }, 'unknown_parameter'],
      [{ name: 'q1', query: { GE_eventTime: 'yesterday' } }, 'bad_time'],
      [{ name: 'q1', query: { EQ_bizStep: [{ x: 1 }] } }, 'bad_query_definition'],
      [{ name: 'q1', query: { perPage: 5 } }, 'bad_query_definition'],
      [{ name: 'no/slash', query: {} }, 'bad_query_name'],
      [{ name: 'q1' }, 'bad_query_definition'],
      [{ name: 'q1', query: {}, extra: 1 }, 'bad_query_definition'],
    ];
    for (const [body, code] of cases) {
      const res = await n.request('/epcis/queries', json(body));
      const p = (await res.json()) as Json;
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.equal(p.code, code, JSON.stringify(p));
    }
    assert.equal(
      (await n.request('/epcis/queries', { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } }))
        .status,
      400,
    );
    assert.equal(
      (await n.request('/epcis/queries', { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } })).status,
      415,
    );
    assert.deepEqual(await (await n.request('/epcis/queries')).json(), []);
  });

  it('answers 404 NoSuchResourceException for every resource under an unknown named query', async () => {
    const paths: [string, RequestInit?][] = [
      ['/epcis/queries/nope'],
      ['/epcis/queries/nope', { method: 'DELETE' }],
      ['/epcis/queries/nope/events'],
      ['/epcis/queries/nope/subscriptions'],
      ['/epcis/queries/nope/subscriptions', json({ dest: 'http://127.0.0.1:9/x', stream: true })],
      ['/epcis/queries/nope/subscriptions/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [p, init] of paths) {
      const res = await n.request(p, init);
      assert.equal(res.status, 404, `${init?.method ?? 'GET'} ${p}`);
      assert.equal(((await res.json()) as Json).type, 'epcisException:NoSuchResourceException');
    }
  });

  it('runs the stored parameters on GET …/events, paged like /events; other filters are refused', async () => {
    await namedQuery(n, 'receiving', { EQ_bizStep: ['receiving'] });
    const events = [1, 2, 3].map(() => objectEvent({ bizStep: 'receiving' }));
    await n.capture([...events, objectEvent({ bizStep: 'shipping' })]);
    const seen: string[] = [];
    let next: string | null = '/epcis/queries/receiving/events?perPage=2';
    while (next) {
      const res: Response = await n.request(next);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as {
        epcisBody: { queryResults: { queryName: string; resultsBody: { eventList: Json[] } } };
      };
      assert.equal(doc.epcisBody.queryResults.queryName, 'receiving');
      seen.push(...doc.epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventID as string));
      next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
    }
    assert.deepEqual(
      seen,
      events.map((e) => e.eventID),
    );
    const extra = await n.request('/epcis/queries/receiving/events?EQ_action=ADD');
    assert.equal(extra.status, 400);
    assert.equal(((await extra.json()) as Json).parameter, 'EQ_action');
    const ws = await n.request('/epcis/queries/receiving/events?stream=true');
    assert.equal(ws.status, 400, 'stream without a WebSocket upgrade');
  });

  it('refuses a malformed subscription with a 400 SubscriptionControlsException and stores nothing', async () => {
    await namedQuery(n, 'subs400');
    const cases: [unknown, string][] = [
      [{ stream: true }, 'bad_dest'],
      [{ dest: 'ftp://x/y', stream: true }, 'bad_dest'],
      [{ dest: 'not a url', stream: true }, 'bad_dest'],
      [{ dest: 'http://127.0.0.1:9/h' }, 'no_trigger'],
      [{ dest: 'http://127.0.0.1:9/h', stream: false }, 'bad_stream'],
      [{ dest: 'http://127.0.0.1:9/h', stream: true, schedule: { minute: '5' } }, 'stream_and_schedule'],
      [{ dest: 'http://127.0.0.1:9/h', schedule: { minute: '61' } }, 'bad_schedule'],
      [{ dest: 'http://127.0.0.1:9/h', schedule: { hours: '1' } }, 'bad_schedule'],
      [{ dest: 'http://127.0.0.1:9/h', schedule: {} }, 'bad_schedule'],
      [{ dest: 'http://127.0.0.1:9/h', stream: true, reportIfEmpty: 'yes' }, 'bad_report_if_empty'],
      [{ dest: 'http://127.0.0.1:9/h', stream: true, initialRecordTime: '2024-13-01T00:00:00Z' }, 'bad_initial_record_time'],
      [{ dest: 'http://127.0.0.1:9/h', stream: true, signatureToken: 42 }, 'bad_signature_token'],
      [{ dest: 'http://127.0.0.1:9/h', stream: true, unknown: 1 }, 'bad_subscription'],
      [[1, 2], 'bad_subscription'],
    ];
    for (const [body, code] of cases) {
      const res = await n.request('/epcis/queries/subs400/subscriptions', json(body));
      const p = (await res.json()) as Json;
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(p.type, 'epcisException:SubscriptionControlsException', JSON.stringify(p));
      assert.equal(p.code, code, JSON.stringify(body));
    }
    assert.deepEqual(await (await n.request('/epcis/queries/subs400/subscriptions')).json(), []);
  });

  it('describes every /queries route in the OpenAPI document, with an operationId and its 4xx', () => {
    const app = new Hono();
    app.route('/epcis', epcisRoutes({ repo: n.repo, store: n.repo.store, log: n.repo.log, subscriptions: n.subs }));
    const described = epcisOpenApiPaths('/epcis') as Record<string, Record<string, Json>>;
    const routes = app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/epcis/queries'));
    assert.ok(routes.length >= 10);
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
      const op = described[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${path} is described`);
      assert.equal(typeof op.operationId, 'string', `${r.method} ${path} has an operationId`);
      assert.ok(
        Object.keys(op.responses as Json).some((s) => s.startsWith('4')),
        `${r.method} ${path} lists its 4xx`,
      );
    }
  });
});

describe('webhook subscriptions', () => {
  let n: LightNode;
  before(async () => {
    n = await startLightNode({ subscriptions: FAST });
    await namedQuery(n, 'shipping');
  });
  after(async () => {
    await n.close();
    await removeDir(n.dir);
  });

  it('stream: delivers the matching events of a capture, signed, with an Idempotency-Key', async () => {
    const rx = await startReceiver();
    const token = 'client-secret-1';
    const sub = await subscribe(n, 'shipping', { dest: rx.url, signatureToken: token, stream: true });
    assert.equal(sub.signatureToken, undefined, 'the secret is never shown');
    const view = (await (await n.request(`/epcis/queries/shipping/subscriptions/${sub.subscriptionID}`)).json()) as Json;
    assert.equal(view.stream, true);
    const hit = objectEvent();
    const captured = Date.now();
    await n.capture([hit, objectEvent({ bizStep: 'receiving' })]);
    await rx.waitFor((r) => r.length >= 1, 1000);
    assert.ok(rx.receipts[0]!.at - captured <= 1000);
    const r = rx.receipts[0]!;
    assert.ok(verifySignature(token, r.body, r.headers[SIGNATURE_HEADER.toLowerCase()] as string), 'GS1-Signature verifies');
    assert.ok(!verifySignature('another-secret', r.body, r.headers[SIGNATURE_HEADER.toLowerCase()] as string));
    assert.match(String(r.headers[IDEMPOTENCY_HEADER.toLowerCase()]), /^[0-9a-f-]{36}$/);
    const doc = JSON.parse(r.body) as Json;
    assert.equal(doc.type, 'EPCISQueryDocument');
    assert.equal((doc.epcisBody as { queryResults: Json }).queryResults.subscriptionID, sub.subscriptionID);
    assert.deepEqual(idsOf(rx.receipts), [hit.eventID]);
    // Acknowledged (the 2xx reached the node): lastNotifiedAt is set.
    for (let i = 0; ; i++) {
      const view = (await (await n.request(`/epcis/queries/shipping/subscriptions/${sub.subscriptionID}`)).json()) as Json;
      if (view.lastNotifiedAt && !view.pendingDelivery) break;
      assert.ok(i < 100, 'acknowledged within 1 s');
      await sleep(10);
    }
    assert.equal(
      (await n.request(`/epcis/queries/shipping/subscriptions/${sub.subscriptionID}`, { method: 'DELETE' })).status,
      204,
    );
    await n.capture([objectEvent()]);
    await sleep(300);
    assert.equal(rx.receipts.length, 1, 'no delivery after unsubscribing');
    await rx.close();
  });

  it('webhook down: retried with back-off and delivered once it is back, each event exactly once', async () => {
    const rx = await startReceiver({ status: 503 });
    const sub = await subscribe(n, 'shipping', { dest: rx.url, stream: true });
    const events = [objectEvent(), objectEvent()];
    await n.capture(events);
    await rx.waitFor((r) => r.length >= 3, 3000);
    const pending = (await (await n.request(`/epcis/queries/shipping/subscriptions/${sub.subscriptionID}`)).json()) as Json;
    assert.ok(((pending.pendingDelivery as Json).attempts as number) >= 2);
    assert.equal((pending.pendingDelivery as Json).lastError, 'HTTP 503');
    const key = rx.receipts[0]!.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    assert.ok(rx.receipts.every((r) => r.headers[IDEMPOTENCY_HEADER.toLowerCase()] === key && r.body === rx.receipts[0]!.body));
    // Down entirely (connection refused), then back.
    await rx.down();
    await sleep(200);
    rx.mode = { status: 200 };
    await rx.up();
    await rx.waitFor((r) => r.some((x) => x.status === 200), 3000);
    const later = objectEvent();
    await n.capture([later]);
    await rx.waitFor((r) => idsOf(r.filter((x) => x.status === 200)).includes(later.eventID as string), 3000);
    await sleep(200);
    const acked = rx.receipts.filter((r) => r.status === 200);
    assert.deepEqual(
      idsOf(acked),
      [...events, later].map((e) => e.eventID),
      'every event acknowledged exactly once',
    );
    await n.request(`/epcis/queries/shipping/subscriptions/${sub.subscriptionID}`, { method: 'DELETE' });
    await rx.close();
  });

  it('a slow webhook times out and is retried, without holding up another subscription', async () => {
    const slow = await startReceiver({ status: 200, delayMs: 1500 });
    const fast = await startReceiver();
    const s1 = await subscribe(n, 'shipping', { dest: slow.url, stream: true });
    const s2 = await subscribe(n, 'shipping', { dest: fast.url, stream: true });
    const e = objectEvent();
    await n.capture([e]);
    await fast.waitFor((r) => r.length === 1, 1000);
    assert.equal(slow.receipts.filter((r) => r.status !== 0).length, 0, 'the slow one has not answered yet');
    await slow.waitFor((r) => r.length >= 2, 3000);
    const view = (await (await n.request(`/epcis/queries/shipping/subscriptions/${s1.subscriptionID}`)).json()) as Json;
    assert.match(String((view.pendingDelivery as Json | undefined)?.lastError), /no answer within 400 ms/);
    slow.mode = { status: 200 };
    for (let i = 0; (await n.subs.store.pending(s1.subscriptionID as string)) !== null; i++) {
      assert.ok(i < 300, 'acknowledged within 3 s');
      await sleep(10);
    }
    assert.equal(distinct(slow.receipts).length, 1, 'one delivery, however many attempts');
    assert.deepEqual(idsOf(distinct(slow.receipts)), [e.eventID]);
    assert.deepEqual(idsOf(fast.receipts), [e.eventID]);
    for (const s of [s1, s2]) await n.request(`/epcis/queries/shipping/subscriptions/${s.subscriptionID}`, { method: 'DELETE' });
    await slow.close();
    await fast.close();
  });

  it('reportIfEmpty: a scheduled subscription reports empty documents only when asked to', async () => {
    const empty = await startReceiver();
    const quiet = await startReceiver();
    const a = await subscribe(n, 'shipping', { dest: empty.url, schedule: { second: '*' }, reportIfEmpty: true });
    const b = await subscribe(n, 'shipping', { dest: quiet.url, schedule: { second: '*' } });
    await empty.waitFor((r) => r.length >= 2, 3500);
    assert.ok(empty.receipts.every((r) => deliveredEvents(r.body).length === 0));
    assert.equal(quiet.receipts.length, 0);
    const e = objectEvent();
    await n.capture([e]);
    await quiet.waitFor((r) => r.length === 1, 2500);
    assert.deepEqual(idsOf(quiet.receipts), [e.eventID]);
    await empty.waitFor((r) => idsOf(r).includes(e.eventID as string), 2500);
    for (const s of [a, b]) await n.request(`/epcis/queries/shipping/subscriptions/${s.subscriptionID}`, { method: 'DELETE' });
    await empty.close();
    await quiet.close();
  });

  it('initialRecordTime: the first delivery starts there; without it, at the moment of subscribing', async () => {
    const ancient = objectEvent();
    await n.capture([ancient]);
    await sleep(20);
    const start = new Date().toISOString();
    await sleep(5);
    const old = objectEvent();
    await n.capture([old]);
    const withTime = await startReceiver();
    const without = await startReceiver();
    const a = await subscribe(n, 'shipping', { dest: withTime.url, stream: true, initialRecordTime: start });
    const b = await subscribe(n, 'shipping', { dest: without.url, stream: true });
    assert.equal(a.initialRecordTime, start);
    const fresh = objectEvent();
    await n.capture([fresh]);
    await without.waitFor((r) => r.length >= 1, 1500);
    await withTime.waitFor((r) => idsOf(r).includes(fresh.eventID as string), 1500);
    assert.deepEqual(idsOf(withTime.receipts), [old.eventID, fresh.eventID], 'from initialRecordTime on, not before');
    assert.deepEqual(idsOf(without.receipts), [fresh.eventID]);
    for (const s of [a, b]) await n.request(`/epcis/queries/shipping/subscriptions/${s.subscriptionID}`, { method: 'DELETE' });
    await withTime.close();
    await without.close();
  });

  it('initialRecordTime ahead: events recorded before it are never sent', async () => {
    const rx = await startReceiver();
    const start = new Date(Date.now() + 300).toISOString();
    const s = await subscribe(n, 'shipping', { dest: rx.url, stream: true, initialRecordTime: start });
    const early = objectEvent();
    await n.capture([early]);
    await sleep(350);
    const late = objectEvent();
    await n.capture([late]);
    await rx.waitFor((r) => r.length >= 1, 1500);
    await sleep(100);
    assert.deepEqual(idsOf(rx.receipts), [late.eventID]);
    await n.request(`/epcis/queries/shipping/subscriptions/${s.subscriptionID}`, { method: 'DELETE' });
    await rx.close();
  });

  it('deleting the named query ends its subscriptions', async () => {
    await namedQuery(n, 'short-lived');
    const rx = await startReceiver();
    const s = await subscribe(n, 'short-lived', { dest: rx.url, stream: true });
    assert.equal((await n.request('/epcis/queries/short-lived', { method: 'DELETE' })).status, 204);
    assert.equal((await n.request(`/epcis/queries/short-lived/subscriptions/${s.subscriptionID}`)).status, 404);
    assert.equal(await n.subs.store.subscription(s.subscriptionID as string), null);
    await rx.close();
  });
});

describe('restarts', () => {
  it('webhook down across a restart: the outbox is resent after it, nothing lost, nothing duplicated', async () => {
    const rx = await startReceiver({ status: 503 });
    let n = await startLightNode({ subscriptions: FAST });
    const dir = n.dir;
    try {
      await namedQuery(n, 'shipping');
      await subscribe(n, 'shipping', { dest: rx.url, stream: true });
      const first = [objectEvent(), objectEvent()];
      await n.capture(first);
      await rx.waitFor((r) => r.length >= 1, 2000);
      const key = rx.receipts[0]!.headers[IDEMPOTENCY_HEADER.toLowerCase()];
      await n.close();
      rx.mode = { status: 200 };
      n = await startLightNode({ dir, subscriptions: FAST });
      const second = [objectEvent()];
      await n.capture(second);
      await rx.waitFor((r) => idsOf(r.filter((x) => x.status === 200)).includes(second[0]!.eventID as string), 3000);
      await sleep(200);
      const acked = rx.receipts.filter((r) => r.status === 200);
      assert.equal(acked[0]!.headers[IDEMPOTENCY_HEADER.toLowerCase()], key, 'the stored delivery, resent as it was');
      assert.deepEqual(
        idsOf(acked),
        [...first, ...second].map((e) => e.eventID),
      );
      assert.equal(await n.subs.store.pendingCount(), 0);
    } finally {
      await n.close();
      await removeDir(dir);
      await rx.close();
    }
  });

  it('stopped while the receiver was answering: the delivery comes again with the same key; de-duplicated, each event once', async () => {
    // The receiver takes the body but its 2xx never reaches the stopping node.
    const rx = await startReceiver({ status: 200, delayMs: 300 });
    let n = await startLightNode({ subscriptions: { ...FAST, timeoutMs: 5000 } });
    const dir = n.dir;
    try {
      await namedQuery(n, 'shipping');
      await subscribe(n, 'shipping', { dest: rx.url, stream: true });
      const events = [objectEvent(), objectEvent(), objectEvent()];
      await n.capture(events);
      await rx.waitFor((r) => r.length === 1, 2000);
      await n.close();
      rx.mode = { status: 200 };
      n = await startLightNode({ dir, subscriptions: FAST });
      await rx.waitFor((r) => r.length === 2, 3000);
      await sleep(300);
      assert.equal(rx.receipts.length, 2, 'resent once, then acknowledged');
      const kept = distinct(rx.receipts);
      assert.equal(kept.length, 1);
      assert.deepEqual(
        idsOf(kept),
        events.map((e) => e.eventID),
      );
      const more = objectEvent();
      await n.capture([more]);
      await rx.waitFor((r) => r.length === 3, 2000);
      assert.deepEqual(
        idsOf(distinct(rx.receipts)),
        [...events, more].map((e) => e.eventID),
      );
    } finally {
      await n.close();
      await removeDir(dir);
      await rx.close();
    }
  });
});

describe('backlogs', () => {
  it('more events than one document holds go out in capture order, one batch after the other, each acknowledged', async () => {
    const n = await startLightNode({ subscriptions: { ...FAST, batchSize: 2 } });
    const rx = await startReceiver();
    try {
      await namedQuery(n, 'shipping');
      await subscribe(n, 'shipping', { dest: rx.url, stream: true });
      const events = [1, 2, 3, 4, 5].map(() => objectEvent());
      await n.capture(events);
      await rx.waitFor((r) => idsOf(r).length === 5, 2000);
      assert.deepEqual(
        rx.receipts.map((r) => deliveredEvents(r.body).length),
        [2, 2, 1],
      );
      assert.deepEqual(
        idsOf(rx.receipts),
        events.map((e) => e.eventID),
      );
      assert.equal(new Set(rx.receipts.map((r) => r.headers[IDEMPOTENCY_HEADER.toLowerCase()])).size, 3);
    } finally {
      await n.close();
      await removeDir(n.dir);
      await rx.close();
    }
  });
});

describe('WebSocket subscriptions', () => {
  let n: LightNode;
  before(async () => {
    n = await startLightNode({ subscriptions: FAST });
    await namedQuery(n, 'shipping');
  });
  after(async () => {
    await n.close();
    await removeDir(n.dir);
  });

  const open = (qs: string, name = 'shipping') =>
    new Promise<{ ws: WebSocket; messages: string[] }>((resolve, reject) => {
      const ws = new WebSocket(`${n.url.replace('http', 'ws')}/epcis/queries/${name}/events?${qs}`, {
        headers: { authorization: `Bearer ${LIGHT_ADMIN_TOKEN}` },
      });
      const messages: string[] = [];
      ws.on('message', (m) => messages.push(String(m)));
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  const until = async (pred: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error('condition not met');
      await sleep(10);
    }
  };

  it('streams matching events to the client; a client leaving ends only its subscription', async () => {
    const a = await open('stream=true');
    const b = await open('stream=true');
    assert.equal(n.subs.liveCount, 2);
    const e1 = objectEvent();
    await n.capture([e1, objectEvent({ bizStep: 'receiving' })]);
    await until(() => a.messages.length === 1 && b.messages.length === 1, 1500);
    assert.deepEqual(
      deliveredEvents(a.messages[0]!).map((e) => e.eventID),
      [e1.eventID],
    );
    a.ws.terminate();
    await until(() => n.subs.liveCount === 1, 1500);
    const e2 = objectEvent();
    await n.capture([e2]);
    await until(() => b.messages.length === 2, 1500);
    assert.deepEqual(
      deliveredEvents(b.messages[1]!).map((e) => e.eventID),
      [e2.eventID],
    );
    assert.equal((await n.request('/epcis/queries/shipping')).status, 200, 'the node still serves');
    b.ws.close();
    await until(() => n.subs.liveCount === 0, 1500);
  });

  it('refuses a bad handshake with an HTTP problem, and an unknown named query with 404', async () => {
    await assert.rejects(open('stream=true', 'nope'), /HTTP 404/);
    await assert.rejects(open('stream=true&minute=5'), /HTTP 400/);
    await assert.rejects(open(''), /HTTP 400/);
    assert.equal(n.subs.liveCount, 0);
  });
});
