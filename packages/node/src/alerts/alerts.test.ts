// Alerts end to end on a real node: the S1 demo's Mombasa breach reaches a
// signed webhook and a local SMTP relay, and nobody who may not see the
// shipment; a webhook that is down or hangs is retried with the same bytes and
// key and gets each alert once, also across a node restart; an unreachable SMTP
// relay is retried with the error on record until it comes back; bad
// subscriptions are refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BandExcursion } from '@tradetwin/core/rules/index';
import { journeyStart, runDemo } from '../demo/run.js';
import { BAND_RULE_ID, SHIPMENT_ID } from '../demo/scenario.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import type { AlertPayload } from './payload.js';
import { verifySignature } from './payload.js';
import type { AlertView } from './service.js';
import {
  breachableShipment,
  breachEnvelope,
  eventually,
  mailHeader,
  type SmtpSink,
  smtpSink,
  type WebhookReceiver,
  webhookReceiver,
} from './test-support.js';

const json = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

async function subscribe(t: TestNode, token: string, body: unknown): Promise<Response> {
  return fetch(`${t.node.httpUrl}/api/v1/alerts/subscriptions`, {
    method: 'POST',
    headers: json(token),
    body: JSON.stringify(body),
  });
}

async function subscribed(t: TestNode, token: string, body: unknown): Promise<{ id: string; secret?: string }> {
  const res = await subscribe(t, token, body);
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: string; secret?: string };
}

async function getJson<T>(t: TestNode, path: string, token: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${t.node.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

const payloadOf = (body: string) => JSON.parse(body) as AlertPayload;

describe('alerts: the Mombasa breach of the S1 demo', () => {
  let t: TestNode | undefined;
  let sink: SmtpSink | undefined;
  const hooks: WebhookReceiver[] = [];
  after(async () => {
    await t?.dispose();
    await sink?.close();
    for (const h of hooks) await h.close();
  });

  it('reaches a signed webhook and the SMTP relay; a subscriber who may not see the shipment gets nothing', async () => {
    sink = await smtpSink();
    const start = journeyStart(Date.now());
    const relay = sink.url;
    t = await startTestNode({
      configure: (c) => {
        if (c.chain.mode === 'embedded') c.chain.genesisTimestamp = Math.floor((start - 3600_000) / 1000);
        c.alerts.smtp = { url: relay, from: 'TradeTwin alerts <alerts@node.test>' };
      },
    });
    const node = t.node;
    const partnerHook = await webhookReceiver();
    const outsiderHook = await webhookReceiver();
    const blindHook = await webhookReceiver();
    hooks.push(partnerHook, outsiderHook, blindHook);

    // The shipper's logistics manager: this one shipment, by webhook; the insurer's desk: everything, by e-mail.
    const partner = (
      await node.access.createCredential('shipper - S1 alerts', [
        `shipments:read:${SHIPMENT_ID}`,
        'alerts:subscribe',
        'alerts:read',
      ])
    ).token;
    const desk = (await node.access.createCredential('insurer desk', ['shipments:read', 'alerts:subscribe', 'alerts:read']))
      .token;
    // Another shipment's partner, and a credential that may subscribe but read no shipment at all.
    const outsider = (
      await node.access.createCredential('other shipment', ['shipments:read:SHP-OTHER', 'alerts:subscribe', 'alerts:read'])
    ).token;
    const blind = (await node.access.createCredential('no shipments', ['alerts:subscribe', 'alerts:read'])).token;

    const partnerSub = await subscribed(t, partner, { kinds: ['excursion', 'payout'], channel: 'webhook', url: partnerHook.url });
    assert.ok(partnerSub.secret && partnerSub.secret.length >= 16, 'a webhook secret is made and shown once');
    await subscribed(t, desk, { kinds: ['excursion'], channel: 'email', email: 'claims@insurer.test' });
    const outsiderSub = await subscribed(t, outsider, { channel: 'webhook', url: outsiderHook.url });
    const blindSub = await subscribed(t, blind, { kinds: ['excursion'], channel: 'webhook', url: blindHook.url });
    // Subscribing to a shipment one may not see is refused outright.
    const refused = await subscribe(t, outsider, { shipmentId: SHIPMENT_ID, channel: 'webhook', url: outsiderHook.url });
    assert.equal(refused.status, 403);

    const result = await runDemo(node, start, () => undefined);
    await node.alerts.idle();
    const breach = result.excursions.find(
      (x): x is BandExcursion => x.kind === 'band' && x.ruleId === BAND_RULE_ID && x.breached,
    );
    assert.ok(breach, 'the demo breached the temperature band at Mombasa');

    // The webhook: the breach, signed with the subscription's secret, keyed by its delivery id.
    await eventually(
      () => [...partnerHook.accepted.values()].some((r) => payloadOf(r.body).alert.kind === 'excursion'),
      'the breach alert at the partner webhook',
    );
    const hit = [...partnerHook.accepted.values()].find((r) => payloadOf(r.body).alert.kind === 'excursion')!;
    const payload = payloadOf(hit.body);
    assert.equal(payload.type, 'tradetwin.alert.v1');
    assert.equal(payload.alert.shipmentId, SHIPMENT_ID);
    assert.equal(payload.alert.severity, 'critical');
    const x = payload.alert.detail.excursion as BandExcursion;
    assert.equal(x.id, breach.id);
    assert.equal(x.ruleId, BAND_RULE_ID);
    assert.equal(x.breached, true);
    assert.match(payload.alert.title, new RegExp(`${SHIPMENT_ID}: temp above its band`));
    assert.equal(hit.headers['idempotency-key'], payload.deliveryId);
    assert.equal(verifySignature(partnerSub.secret!, hit.body, String(hit.headers['tradetwin-signature'])), true);
    assert.equal(
      verifySignature('not the secret of this subscription', hit.body, String(hit.headers['tradetwin-signature'])),
      false,
    );
    // The payout follows on the same webhook.
    await eventually(
      () => [...partnerHook.accepted.values()].some((r) => payloadOf(r.body).alert.kind === 'payout'),
      'the payout alert at the partner webhook',
    );

    // The e-mail: through the relay, to the desk, naming the same alert.
    await eventually(() => sink!.messages.length > 0, 'the breach e-mail at the SMTP sink');
    const mail = sink.messages[0]!;
    assert.deepEqual(mail.to, ['claims@insurer.test']);
    assert.equal(mail.from, 'alerts@node.test');
    assert.equal(mailHeader(mail.raw, 'X-TradeTwin-Alert-Id'), payload.alert.id);
    assert.match(mailHeader(mail.raw, 'Subject') ?? '', /TradeTwin critical/);
    assert.match(mail.raw, new RegExp(SHIPMENT_ID));

    // Nobody else: the alert's deliveries (as the operator sees them) went to the partner and the desk only,
    // and the outsiders' receivers got no request at all.
    const view = await getJson<AlertView>(t, `/api/v1/alerts/${payload.alert.id}`, node.adminToken);
    assert.equal(view.status, 200);
    const subs = new Set(view.body.deliveries!.map((d) => d.subscriptionId));
    assert.equal(subs.has(partnerSub.id), true);
    assert.equal(subs.has(outsiderSub.id), false);
    assert.equal(subs.has(blindSub.id), false);
    assert.equal(view.body.deliveries!.length, 2);
    assert.equal(outsiderHook.requests.length, 0);
    assert.equal(blindHook.requests.length, 0);
    // Nor can they read it in the history.
    assert.equal((await getJson(t, `/api/v1/alerts/${payload.alert.id}`, outsider)).status, 404);
    const theirs = await getJson<{ alerts: AlertView[] }>(t, '/api/v1/alerts', outsider);
    assert.deepEqual(theirs.body.alerts, []);

    // The history keeps it: the partner pages through its shipment's alerts, newest first.
    const mine = await getJson<{ alerts: AlertView[]; next: number | null }>(t, '/api/v1/alerts?limit=1', partner);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.alerts.length, 1);
    assert.ok(mine.body.next !== null);
    const rest = await getJson<{ alerts: AlertView[] }>(t, `/api/v1/alerts?before=${mine.body.next}`, partner);
    const kinds = [...mine.body.alerts, ...rest.body.alerts].map((a) => a.kind);
    assert.ok(kinds.includes('excursion') && kinds.includes('payout'), kinds.join(', '));
  });
});

describe('alerts: a webhook that is down or hangs', () => {
  let t: TestNode | undefined;
  let hook: WebhookReceiver | undefined;
  after(async () => {
    await t?.dispose();
    await hook?.close();
  });

  it('is retried with the same bytes and key, gets each alert once, and loses none across a node restart', async () => {
    // First a hang (past the node's deadline), then two refusals; from the fourth request on it accepts.
    hook = await webhookReceiver((n) => (n === 1 ? 'hang' : n <= 3 ? 503 : 'ok'));
    const tune = (c: { alerts: { timeoutMs?: number; retryBaseMs?: number; retryMaxMs?: number } }) => {
      c.alerts.timeoutMs = 500;
      c.alerts.retryBaseMs = 50;
      c.alerts.retryMaxMs = 200;
    };
    t = await startTestNode({ configure: tune });
    const sub = await subscribed(t, t.node.adminToken, { kinds: ['excursion'], channel: 'webhook', url: hook.url });
    const key = deviceKey('reefer-hook-1');
    await breachableShipment(t, 'SHP-HOOK-1', key);
    const now = Date.now();
    for (let i = 0; i < 3; i++) assert.ok((await t.post([breachEnvelope(key, i + 1, now - (3 - i) * 3_600_000)])).ok);
    await t.node.monitor.idle();
    await t.node.alerts.idle();

    await eventually(() => hook!.accepted.size === 3, 'three alerts accepted');
    assert.ok(hook.requests.length >= 6, `retried: ${hook.requests.length} requests for 3 alerts`);
    const byKey = new Map<string, string[]>();
    for (const r of hook.requests) {
      const k = String(r.headers['idempotency-key']);
      byKey.set(k, [...(byKey.get(k) ?? []), r.body]);
      assert.equal(verifySignature(sub.secret!, r.body, String(r.headers['tradetwin-signature'])), true);
    }
    assert.equal(byKey.size, 3, 'one key per alert');
    for (const bodies of byKey.values()) assert.equal(new Set(bodies).size, 1, 'every retry sends the same bytes');
    const alertIds = [...hook.accepted.values()].map((r) => payloadOf(r.body).alert.id);
    assert.equal(new Set(alertIds).size, 3, 'three different alerts, none twice');
    assert.deepEqual(
      [...hook.acceptedCount.values()],
      [1, 1, 1],
      'each delivery acknowledged once: never sent again after a 2xx',
    );
    assert.equal(await t.node.storage.alerts.pendingCount(), 0, 'nothing left to send: no duplicate will follow');

    // Down across a restart: the receiver is gone while a fourth breach is raised, and the node stops.
    const port = new URL(hook.url).port;
    await hook.close();
    assert.ok((await t.post([breachEnvelope(key, 4, now)])).ok);
    await t.node.monitor.idle();
    await t.node.alerts.idle();
    const fourth = (await t.node.storage.alerts.alerts(1))[0]!;
    await eventually(
      async () => ((await t!.node.storage.alerts.deliveries(fourth.id))[0]?.attempts ?? 0) >= 1,
      'a failed attempt on record',
    );
    const failedRow = (await t.node.storage.alerts.deliveries(fourth.id))[0]!;
    assert.equal(failedRow.status, 'pending');
    assert.match(failedRow.lastError ?? '', /fetch failed|ECONNREFUSED/);
    const dataDir = t.dataDir;
    await t.stop();

    hook = await webhookReceiver(() => 'ok', Number(port));
    t = await startTestNode({ dataDir, configure: tune });
    await eventually(() => hook!.accepted.size === 1, 'the fourth alert after the restart');
    const got = payloadOf([...hook.accepted.values()][0]!.body);
    assert.equal(got.alert.id, fourth.id);
    assert.equal(got.deliveryId, failedRow.id, 'the same delivery (same Idempotency-Key) as before the restart');
    assert.equal(hook.requests.length, 1);
    assert.equal(await t.node.storage.alerts.pendingCount(), 0);
    // The restart's catch-up raised nothing again: still four excursion alerts.
    const history = await getJson<{ alerts: AlertView[] }>(t, '/api/v1/alerts', t.node.adminToken);
    assert.equal(history.body.alerts.filter((a) => a.kind === 'excursion').length, 4);
  });
});

describe('alerts: an SMTP relay that cannot be reached, and bad subscriptions', () => {
  let t: TestNode | undefined;
  let sink: SmtpSink | undefined;
  let viewer: string;
  before(async () => {
    // A port nobody listens on (a sink opened and closed), where the relay will come up later.
    const probe = await smtpSink();
    const relay = probe.url;
    await probe.close();
    t = await startTestNode({
      configure: (c) => {
        c.alerts.smtp = { url: relay, from: 'alerts@node.test' };
        c.alerts.timeoutMs = 1000;
        c.alerts.retryBaseMs = 50;
        c.alerts.retryMaxMs = 200;
      },
    });
    viewer = (await t.node.access.createCredential('viewer', ['shipments:read', 'alerts:read', 'alerts:subscribe'])).token;
  });
  after(async () => {
    await t?.dispose();
    await sink?.close();
  });

  it('is retried with the error on record, and the alert is sent once the relay is back', async () => {
    const node = t!.node;
    await subscribed(t!, viewer, { channel: 'email', email: 'ops@shipper.test' });
    const key = deviceKey('reefer-mail-1');
    await breachableShipment(t!, 'SHP-MAIL-1', key);
    assert.ok((await t!.post([breachEnvelope(key, 1, Date.now())])).ok);
    await node.monitor.idle();
    await node.alerts.idle();
    const alert = (await node.storage.alerts.alerts(1))[0]!;
    assert.equal(alert.kind, 'excursion');

    await eventually(async () => {
      const v = await getJson<AlertView>(t!, `/api/v1/alerts/${alert.id}`, viewer);
      return (v.body.deliveries?.[0]?.attempts ?? 0) >= 2;
    }, 'two failed attempts');
    const v = await getJson<AlertView>(t!, `/api/v1/alerts/${alert.id}`, viewer);
    const d = v.body.deliveries![0]!;
    assert.equal(d.status, 'pending');
    assert.equal(d.channel, 'email');
    assert.match(d.lastError ?? '', /^SMTP relay: .*ECONNREFUSED/);
    assert.ok(d.nextAttemptAt !== null);
    const status = await getJson<{ alerts: { pendingDeliveries: number; email: boolean } }>(t!, '/api/v1/status', viewer);
    assert.deepEqual(status.body.alerts, { pendingDeliveries: 1, email: true });

    sink = await smtpSink(Number(new URL(node.config.alerts.smtp!.url).port));
    await eventually(() => sink!.messages.length === 1, 'the e-mail once the relay is back');
    assert.deepEqual(sink.messages[0]!.to, ['ops@shipper.test']);
    assert.equal(mailHeader(sink.messages[0]!.raw, 'X-TradeTwin-Alert-Id'), alert.id);
    await eventually(async () => (await node.storage.alerts.pendingCount()) === 0, 'the delivery recorded');
    const done = (await getJson<AlertView>(t!, `/api/v1/alerts/${alert.id}`, viewer)).body.deliveries![0]!;
    assert.equal(done.status, 'delivered');
    assert.ok(done.deliveredAt !== null);
  });

  it('refuses a bad subscription with a 400 naming the field, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ channel: 'pager' }, 'channel'],
      [{ channel: 'webhook' }, 'url'],
      [{ channel: 'webhook', url: 'not a url' }, 'url'],
      [{ channel: 'webhook', url: 'ftp://receiver.test/x' }, 'url'],
      [{ channel: 'webhook', url: 'https://user:pw@receiver.test/x' }, 'url'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', secret: 'short' }, 'secret'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', kinds: [] }, 'kinds'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', kinds: ['excursion', 'earthquake'] }, 'kinds'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', shipmentId: 'no spaces allowed' }, 'shipmentId'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', shipmentId: 'SHP-NOBODY-KNOWS' }, 'shipmentId'],
      [{ channel: 'email' }, 'email'],
      [{ channel: 'email', email: 'not-an-address' }, 'email'],
      [{ channel: 'email', email: 'ops@shipper.test', url: 'https://receiver.test/x' }, 'url'],
      [{ channel: 'webhook', url: 'https://receiver.test/x', colour: 'red' }, 'colour'],
    ];
    const before = (await t!.node.storage.alerts.subscriptions()).length;
    for (const [body, field] of cases) {
      const res = await subscribe(t!, viewer, body);
      const problem = (await res.json()) as { status: number; type: string; field?: string; detail: string };
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${problem.detail}`);
      assert.equal(problem.field, field, `${JSON.stringify(body)}: ${problem.detail}`);
      assert.match(problem.type, /bad_subscription$/);
      assert.match(problem.detail, new RegExp(`^${field}: `));
    }
    const notJson = await fetch(`${t!.node.httpUrl}/api/v1/alerts/subscriptions`, {
      method: 'POST',
      headers: json(viewer),
      body: '{',
    });
    assert.equal(notJson.status, 400);
    assert.equal((await t!.node.storage.alerts.subscriptions()).length, before, 'nothing stored');
    // Paging parameters too.
    assert.equal((await getJson(t!, '/api/v1/alerts?limit=0', viewer)).status, 400);
    assert.equal((await getJson(t!, '/api/v1/alerts?before=-1', viewer)).status, 400);
    // Someone else's subscription cannot be deleted (it is not theirs to know of).
    const other = (await t!.node.access.createCredential('other', ['alerts:subscribe', 'alerts:read'])).token;
    const mine = await subscribed(t!, viewer, { channel: 'webhook', url: 'https://receiver.test/x' });
    const del = await fetch(`${t!.node.httpUrl}/api/v1/alerts/subscriptions/${mine.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other}` },
    });
    assert.equal(del.status, 404);
    const delMine = await fetch(`${t!.node.httpUrl}/api/v1/alerts/subscriptions/${mine.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(delMine.status, 204);
  });
});
