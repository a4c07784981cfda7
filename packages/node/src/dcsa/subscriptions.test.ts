// DCSA subscriptions on a real node: a consumer's callback that is down (the
// port closed) gets nothing while it is down, the deliveries retried with
// back-off and their errors on record — across a node restart too — and once it
// is up every matching event arrives exactly once, as a signed TNT 3.0 push its
// own POST /events accepts. Filters narrow what is sent; bad subscriptions are
// refused naming the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, type WebhookReceiver, webhookReceiver } from '../alerts/test-support.js';
import type { NodeConfig } from '../config.js';
import { verifySignature } from '../epcis/subscriptions/signature.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { SHARED_DIR } from '../test-support/shared.js';
import { postEventsProblems, type TntEvent } from './validate.js';

const SAMPLE = JSON.parse(readFileSync(`${SHARED_DIR}standards/dcsa/tnt-samples/tnt-300-response.json`, 'utf8')) as {
  events: TntEvent[];
};
const BASE = '/dcsa/tnt/v3';

describe('dcsa subscriptions: a callback that is down, then up', () => {
  let t: TestNode;
  let hook: WebhookReceiver | undefined;
  const configure = (c: NodeConfig) => {
    c.alerts.retryBaseMs = 50;
    c.alerts.retryMaxMs = 400;
  };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${t.node.httpUrl}${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.node.adminToken}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  before(async () => {
    t = await startTestNode({ configure });
  });
  after(async () => {
    await hook?.close();
    await t?.stop();
  });

  it('bad subscriptions are refused naming the field', async () => {
    for (const [body, field] of [
      [{}, 'callbackUrl'],
      [{ callbackUrl: 'ftp://x.example/' }, 'callbackUrl'],
      [{ callbackUrl: 'http://127.0.0.1:1/', eventTypes: ['NOPE'] }, 'eventTypes'],
      [{ callbackUrl: 'http://127.0.0.1:1/', secret: 'short' }, 'secret'],
      [{ callbackUrl: 'http://127.0.0.1:1/', colour: 'red' }, 'colour'],
    ] as const) {
      const res = await call('POST', '/event-subscriptions', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { field: string }).field, field);
    }
    assert.equal((await call('GET', '/event-subscriptions/nope')).status, 404);
  });

  it('retried while down (also across a restart), then each event delivered once, signed, as a TNT push', async () => {
    // A port nobody listens on: the consumer is down.
    const probe = await webhookReceiver();
    const url = probe.url.replace(/\/alerts$/, '/dcsa/events');
    const port = Number(new URL(url).port);
    await probe.close();

    const made = await call('POST', '/event-subscriptions', { callbackUrl: url, equipmentReference: 'APZU4812090' });
    assert.equal(made.status, 201);
    const { subscriptionID, secret } = (await made.json()) as { subscriptionID: string; secret: string };
    const other = await call('POST', '/event-subscriptions', { callbackUrl: url, eventTypes: ['SHIPMENT'] });
    const otherId = ((await other.json()) as { subscriptionID: string }).subscriptionID;

    assert.equal((await call('POST', '/events', SAMPLE)).status, 200);
    type Deliveries = { deliveries: { id: string; status: string; attempts: number; lastError: string | null }[] };
    const deliveries = async (id: string) =>
      ((await (await call('GET', `/event-subscriptions/${id}`)).json()) as Deliveries).deliveries;
    // Equipment, IoT and reefer events of APZU4812090: three deliveries, each failing and retried.
    await eventually(async () => {
      const ds = await deliveries(subscriptionID);
      return ds.length === 3 && ds.every((d) => d.attempts >= 2 && d.status === 'pending' && d.lastError !== null);
    }, 'three deliveries retried while the consumer is down');
    assert.equal((await deliveries(otherId)).length, 1, 'the SHIPMENT subscription: one event');

    // The node restarts while the consumer is still down: the outbox survives.
    const dataDir = t.dataDir;
    await t.stop();
    t = await startTestNode({ dataDir, configure });
    assert.equal((await deliveries(subscriptionID)).filter((d) => d.status === 'pending').length, 3);

    // The consumer comes up on its address.
    hook = await webhookReceiver(() => 'ok', port);
    await eventually(async () => (await deliveries(subscriptionID)).every((d) => d.status === 'delivered'), 'delivered');
    await eventually(async () => (await deliveries(otherId)).every((d) => d.status === 'delivered'), 'delivered (other)');
    // A moment more: nothing arrives twice.
    await new Promise((r) => setTimeout(r, 500));
    const mine = hook.requests.filter((r) => String(r.headers['idempotency-key']).startsWith(`${subscriptionID}:`));
    assert.equal(mine.length, 3, 'each event once');
    assert.deepEqual([...hook.acceptedCount.values()], [1, 1, 1, 1]);
    const ids: unknown[] = [];
    for (const r of mine) {
      assert.ok(verifySignature(secret, r.body, String(r.headers['notification-signature'])), 'signed with the secret');
      assert.equal(r.headers['api-version'], '3.0.0');
      const body = JSON.parse(r.body) as { events: TntEvent[] };
      assert.deepEqual(postEventsProblems(body), [], 'a push the consumer can validate');
      ids.push(...body.events.map((e) => e.eventID));
    }
    assert.deepEqual(ids.sort(), ['evt-resp-equip-001', 'evt-resp-iot-001', 'evt-resp-reefer-001']);

    // Unsubscribed: nothing more.
    assert.equal((await call('DELETE', `/event-subscriptions/${subscriptionID}`)).status, 204);
    assert.equal((await call('GET', `/event-subscriptions/${subscriptionID}`)).status, 404);
  });
});
