// Where webhooks may go: by default public addresses only, checked where the
// connection is made (a name is judged by what it resolves to), and at
// subscription time for IP literals and localhost; a real receiver on
// 127.0.0.1 proves that a refused delivery never reaches it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { literalDestinationRefusal, nonPublicReason, WebhookDestinationError, webhookFetch } from './destination.js';

describe('webhook destinations: which addresses are public', () => {
  it('names loopback, private, link-local, shared, multicast and reserved ranges; public ones pass', () => {
    const cases: [string, RegExp | null][] = [
      ['127.0.0.1', /loopback/],
      ['127.255.0.9', /loopback/],
      ['10.1.2.3', /private/],
      ['172.16.0.1', /private/],
      ['172.31.255.255', /private/],
      ['172.32.0.1', null],
      ['192.168.1.1', /private/],
      ['169.254.169.254', /link-local .*metadata/],
      ['100.64.0.1', /carrier-grade NAT/],
      ['0.0.0.0', /this network/],
      ['224.0.0.251', /multicast/],
      ['255.255.255.255', /reserved/],
      ['::1', /loopback/],
      ['::', /unspecified/],
      ['fe80::1', /link-local/],
      ['fd12:3456::1', /unique local/],
      ['::ffff:127.0.0.1', /loopback/],
      ['::ffff:10.0.0.1', /private/],
      ['8.8.8.8', null],
      ['2001:4860:4860::8888', null],
      ['93.184.215.14', null],
    ];
    for (const [ip, why] of cases) {
      const got = nonPublicReason(ip);
      if (why === null) assert.equal(got, null, ip);
      else assert.match(got ?? '', why, ip);
    }
  });

  it('refuses an IP literal or localhost at subscription time, unless private networks are allowed', () => {
    const deny = { allowPrivateNetworks: false };
    const allow = { allowPrivateNetworks: true };
    assert.match(literalDestinationRefusal(new URL('http://127.0.0.1:8080/h'), deny) ?? '', /127\.0\.0\.1 is a loopback address/);
    assert.match(literalDestinationRefusal(new URL('http://[::1]/h'), deny) ?? '', /loopback/);
    assert.match(literalDestinationRefusal(new URL('http://localhost:9/h'), deny) ?? '', /localhost .* loopback/);
    assert.match(
      literalDestinationRefusal(new URL('http://169.254.169.254/latest/meta-data'), deny) ?? '',
      /TRADETWIN_WEBHOOKS_ALLOW_PRIVATE/,
    );
    // A name is judged where it resolves, on delivery; a public literal passes.
    assert.equal(literalDestinationRefusal(new URL('https://hooks.example.com/h'), deny), null);
    assert.equal(literalDestinationRefusal(new URL('https://8.8.8.8/h'), deny), null);
    assert.equal(literalDestinationRefusal(new URL('http://127.0.0.1:8080/h'), allow), null);
  });
});

describe('webhookFetch', () => {
  let server: Server;
  let port: number;
  const received: { method: string; body: string; signature: string | undefined }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          signature: req.headers['x-signature'] as string | undefined,
        });
        res.writeHead(202, { 'content-type': 'text/plain' }).end('taken');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a private destination by literal and by name (its DNS answer): the receiver gets nothing', async () => {
    const guarded = webhookFetch({ allowPrivateNetworks: false });
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`]) {
      await assert.rejects(guarded(url, { method: 'POST', body: '{"a":1}' }), (err: unknown) => {
        assert.ok(err instanceof WebhookDestinationError, String(err));
        assert.match(err.message, /is a loopback address: refused; set TRADETWIN_WEBHOOKS_ALLOW_PRIVATE=1/);
        return true;
      });
    }
    assert.equal(received.length, 0);
  });

  it('delivers where allowed: method, body and headers reach the receiver; status and body come back', async () => {
    const open = webhookFetch({ allowPrivateNetworks: true });
    const res = await open(`http://localhost:${port}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'sig' },
      body: new TextEncoder().encode('{"a":2}'),
    });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), 'taken');
    assert.deepEqual(received.at(-1), { method: 'POST', body: '{"a":2}', signature: 'sig' });
    // Nobody listening: the error a sender records, not a crash.
    await assert.rejects(open('http://127.0.0.1:9/x', { method: 'POST', body: '' }), /fetch failed/);
  });
});

describe('a node on the default policy', () => {
  let t: TestNode;
  before(async () => {
    t = await startTestNode({ configure: (c) => (c.webhooks = { allowPrivateNetworks: false }) });
  });
  after(() => t?.dispose());
  const post = (path: string, body: unknown) =>
    fetch(`${t.node.httpUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.node.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses alert, DCSA and EPCIS subscriptions into its own network with a 400 naming the field; none is kept', async () => {
    const alert = await post('/api/v1/alerts/subscriptions', { channel: 'webhook', url: 'http://169.254.169.254/latest' });
    assert.equal(alert.status, 400);
    assert.match(JSON.stringify(await alert.json()), /url: 169\.254\.169\.254 is a link-local address/);
    const dcsa = await post('/dcsa/tnt/v3/event-subscriptions', { callbackUrl: 'http://127.0.0.1:1/' });
    assert.equal(dcsa.status, 400);
    const dcsaBody = (await dcsa.json()) as { field: string; detail: string };
    assert.equal(dcsaBody.field, 'callbackUrl');
    assert.match(dcsaBody.detail, /loopback address/);
    assert.equal((await post('/epcis/queries', { name: 'shipping', query: { EQ_bizStep: ['shipping'] } })).status, 201);
    const epcis = await post('/epcis/queries/shipping/subscriptions', { dest: 'http://localhost:8080/h', stream: true });
    assert.equal(epcis.status, 400);
    assert.match(
      JSON.stringify(await epcis.json()),
      /"detail":"dest localhost \(127\.0\.0\.1\) is a loopback address.*"code":"bad_dest"/,
    );

    const list = async (path: string) =>
      (await fetch(`${t.node.httpUrl}${path}`, { headers: { authorization: `Bearer ${t.node.adminToken}` } })).json();
    assert.deepEqual(await list('/api/v1/alerts/subscriptions'), []);
    assert.deepEqual(await list('/epcis/queries/shipping/subscriptions'), []);
    assert.deepEqual(await list('/dcsa/tnt/v3/event-subscriptions'), []);
    // A public destination is taken (delivery is where a name is judged again).
    assert.equal(
      (await post('/api/v1/alerts/subscriptions', { channel: 'webhook', url: 'https://hooks.example.com/tt' })).status,
      201,
    );
  });
});

describe('configuration', () => {
  it('TRADETWIN_WEBHOOKS_ALLOW_PRIVATE: off by default, 1 allows, anything else is an error', () => {
    const dir = '/tmp/tt-webhook-config-not-created';
    assert.equal(loadConfig(dir, {}).webhooks.allowPrivateNetworks, false);
    assert.equal(loadConfig(dir, { TRADETWIN_WEBHOOKS_ALLOW_PRIVATE: '1' }).webhooks.allowPrivateNetworks, true);
    assert.throws(() => loadConfig(dir, { TRADETWIN_WEBHOOKS_ALLOW_PRIVATE: 'yes' }), ConfigError);
  });
});
