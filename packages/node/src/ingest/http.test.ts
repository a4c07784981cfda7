// Ingest over HTTP against a real node: every way a message can be refused
// gives a precise reason and status, is counted, and stores nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode } from 'cbor-x';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
const p256 = deviceKey('reefer-http-1', 1);
const ed = deviceKey('gps-http-1', 2);
const doomed = deviceKey('logger-http-revoked', 1);

before(async () => {
  t = await startTestNode({ configure: (c) => (c.ingest.maxMessageBytes = 16 * 1024) });
  for (const k of [p256, ed, doomed]) assert.equal((await t.register(k)).status, 201, `register ${k.deviceId}`);
});
after(() => t.dispose());

/** A read of the node's private API: the operator's admin token (telemetry itself needs none — each envelope is signed). */
const read = (path: string) => fetch(`${t.node.httpUrl}${path}`, { headers: { authorization: `Bearer ${t.node.adminToken}` } });

async function metrics() {
  return (await (await read('/api/v1/metrics')).json()) as {
    accepted: number;
    rejected: Record<string, number>;
  };
}

/** Send, expect a problem with this status and reason, and prove nothing was stored and the reason was counted. */
async function expectRefused(messages: Uint8Array[], status: number, reason: string, contentType?: string) {
  const sizeBefore = t.node.log.size;
  const before = (await metrics()).rejected[reason] ?? 0;
  const res = await t.post(messages, contentType);
  const body = (await res.json()) as { type?: string; detail?: string; results?: { status: string; reason?: string }[] };
  if (messages.length > 1 && res.status === 200) {
    assert.deepEqual(
      body.results?.map((r) => r.reason),
      messages.map(() => reason),
    );
  } else {
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(body.type, `https://tradetwin.dev/problems/${reason}`);
    assert.ok(body.detail && body.detail.length > 10, 'the problem says why');
  }
  await t.node.ingestor.flush();
  assert.equal(t.node.log.size, sizeBefore, 'nothing stored');
  assert.equal((await metrics()).rejected[reason], before + (messages.length || 1), `${reason} counted`);
  return body;
}

describe('HTTP ingest', () => {
  it('accepts a signed P-256 reading and an Ed25519 buffer, acknowledging with their log index after commit', async () => {
    const res = await t.post([envelope(p256, 1)]);
    assert.equal(res.status, 201);
    const one = (await res.json()) as { index: number; deviceId: string; seq: number };
    assert.equal(one.deviceId, p256.deviceId);
    assert.equal(res.headers.get('location'), `/api/v1/log/leaves/${one.index}`);
    // Acknowledged means committed: the leaf is readable from the store right now.
    assert.ok(await t.node.store.leaf(one.index));

    const batch = await t.post([envelope(ed, 1, { n: 60 }), envelope(ed, 2, { n: 60 })]);
    assert.equal(batch.status, 200);
    const b = (await batch.json()) as { accepted: number; results: { index: number; readings: number }[] };
    assert.equal(b.accepted, 2);
    assert.deepEqual(
      b.results.map((r) => r.readings),
      [60, 60],
    );
    const leaf = await (await read(`/api/v1/log/leaves/${b.results[1]!.index}`)).json();
    assert.equal((leaf as { telemetry: { readings: unknown[] } }).telemetry.readings.length, 60);
  });

  it('refuses a forged signature', async () => {
    const forger = { ...deviceKey('x', 1), deviceId: p256.deviceId };
    await expectRefused([envelope(forger, 100)], 422, 'bad_signature');
  });

  it('refuses an unknown device', async () => {
    await expectRefused([envelope(deviceKey('nobody-registered-me'), 1)], 422, 'unknown_device');
  });

  it("refuses an algorithm that does not match the device's key", async () => {
    const edKeyForP256Device = { ...deviceKey('x', 2), deviceId: p256.deviceId };
    await expectRefused([envelope(edKeyForP256Device, 101)], 422, 'alg_mismatch');
  });

  it('refuses replays and duplicates, inside one batch too, and records gaps', async () => {
    assert.equal((await t.post([envelope(p256, 5)])).status, 201); // skips 2..4: a gap, accepted
    await expectRefused([envelope(p256, 5)], 409, 'replay');
    await expectRefused([envelope(p256, 3)], 409, 'replay');
    const dup = envelope(p256, 6);
    const res = await t.post([dup, dup]);
    const body = (await res.json()) as { results: { status: string; reason?: string }[] };
    assert.deepEqual(
      body.results.map((r) => r.reason ?? r.status),
      ['accepted', 'replay'],
    );
    const dev = (await (await read(`/api/v1/devices/${p256.deviceId}`)).json()) as {
      lastSeq: number;
      sequenceGaps: { afterSeq: number; beforeSeq: number }[];
    };
    assert.equal(dev.lastSeq, 6);
    assert.deepEqual(
      dev.sequenceGaps.map((g) => [g.afterSeq, g.beforeSeq]),
      [[1, 5]],
    );
  });

  it('refuses malformed CBOR and CBOR that is not COSE_Sign1', async () => {
    await expectRefused([new Uint8Array([0xd2, 0x84, 0x41])], 422, 'malformed');
    await expectRefused([encode({ hello: 'world' })], 422, 'malformed');
  });

  it('refuses a message over the size limit with 413', async () => {
    const big = envelope(ed, 50, {
      n: 1000,
      readings: Array.from({ length: 1000 }, (_, i) => ({ t: Date.now() - i, k: 'pos', v: [50.123456789, 4.98765432] })),
    });
    assert.ok(big.length > 16 * 1024);
    await expectRefused([big], 413, 'too_large');
  });

  it('refuses timestamps beyond the allowed clock skew', async () => {
    await expectRefused([envelope(p256, 200, { at: Date.now() + 3600_000 })], 422, 'clock_skew');
  });

  it('refuses an HTTP body that is not COSE', async () => {
    await expectRefused([new TextEncoder().encode('{"temp": 4}')], 415, 'not_cose', 'application/json');
    await expectRefused([new Uint8Array([0x9f, 0x01])], 400, 'not_cose', 'application/cbor-seq');
  });

  it('refuses readings taken after a revocation and accepts those taken before it', async () => {
    const before = Date.now() - 5_000;
    assert.equal((await t.post([envelope(doomed, 1, { at: before })])).status, 201);
    const revoke = await fetch(`${t.node.httpUrl}/api/v1/admin/devices/${doomed.deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    assert.equal(revoke.status, 200);
    // The revocation takes effect at the block's timestamp, which runs ahead of the wall clock when
    // several blocks fall in one second (anchors): sign after it, not after Date.now().
    const device = await fetch(`${t.node.httpUrl}/api/v1/devices/${doomed.deviceId}`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    const { revokedAt } = (await device.json()) as {
      revokedAt: number;
    };
    assert.ok(revokedAt > before);
    await expectRefused([envelope(doomed, 2, { at: Math.max(Date.now(), revokedAt) + 1000 })], 422, 'revoked_device');
    // A logger that was offline delivers what it measured before the revocation: accepted.
    assert.equal((await t.post([envelope(doomed, 3, { at: before + 1000 })])).status, 201);
  });

  it('answers a registration the contract refuses with 409 naming the custom error', async () => {
    const res = await t.register(p256);
    assert.equal(res.status, 409);
    const body = (await res.json()) as { type: string; errorName: string };
    assert.equal(body.type, 'https://tradetwin.dev/problems/contract_refused');
    assert.equal(body.errorName, 'DeviceExists');
  });

  it('keeps admin routes behind the bearer token', async () => {
    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/devices`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 401);
  });
});
