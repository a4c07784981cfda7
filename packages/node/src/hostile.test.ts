// A battery of hostile inputs against a real node, generated (fast-check) so it
// covers more than anyone would write by hand: mutated COSE envelopes, random
// bytes, JSON that is almost EPCIS, query strings of every shape, garbage
// headers, and MQTT publishes of random payloads on a device's own topic.
// What must hold for every one of them: no 5xx, no crash, and nothing stored
// that was refused (the log grows by exactly what was acknowledged).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { mintMqttToken } from '@tradetwin/core/device/mqtt-token';
import { deviceKey, envelope, startTestNode, type TestNode } from './test-support/node-fixture.js';

let t: TestNode;
const dev = deviceKey('hostile-1', 1);
let accepted = 0;
let requests = 0;
const fiveHundreds: string[] = [];

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(dev)).status, 201);
});
after(() => t.dispose());

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  requests++;
  const res = await fetch(`${t.node.httpUrl}${path}`, init);
  if (res.status >= 500)
    fiveHundreds.push(`${init.method ?? 'GET'} ${path} → ${res.status}: ${(await res.text()).slice(0, 200)}`);
  else await res.arrayBuffer();
  return res;
}

const admin = () => ({ authorization: `Bearer ${t.node.adminToken}` });

/** A valid envelope with some of its bytes changed, truncated or extended. */
const mutatedEnvelope = fc
  .record({
    flips: fc.array(fc.record({ at: fc.nat(), to: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 32 }),
  })
  .map(({ flips, cut, tail }) => {
    const e = Uint8Array.from(envelope(dev, 1_000_000 + Math.floor(Math.random() * 1e6)));
    for (const f of flips) e[f.at % e.length] = f.to;
    const body = cut === undefined ? e : e.subarray(0, cut % e.length);
    return Buffer.concat([body, tail]);
  });

const almostEpcis = fc.oneof(
  fc.json({ maxDepth: 6 }),
  fc.record({
    type: fc.constantFrom('EPCISDocument', 'EPCISQueryDocument', 'ObjectEvent', 'x'),
    schemaVersion: fc.oneof(fc.constant('2.0'), fc.string()),
    creationDate: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
    ),
    epcisBody: fc.record({
      eventList: fc.array(
        fc.record({
          type: fc.constantFrom('ObjectEvent', 'AggregationEvent', 'TransformationEvent', 'Nope'),
          eventTime: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.string(),
          ),
          eventTimeZoneOffset: fc.constantFrom('+01:00', '25:00', ''),
          eventID: fc.oneof(
            fc.uuid().map((u) => `urn:uuid:${u}`),
            fc.string(),
          ),
          action: fc.constantFrom('ADD', 'OBSERVE', 'DELETE', 'JUMP'),
          epcList: fc.array(fc.oneof(fc.constant('urn:epc:id:sgtin:4012345.011111.1'), fc.string()), { maxLength: 3 }),
          quantityList: fc.array(fc.record({ epcClass: fc.string(), quantity: fc.double() }), { maxLength: 2 }),
          'ex:ext': fc.jsonValue({ maxDepth: 4 }),
        }),
        { maxLength: 3 },
      ),
    }),
  }),
);

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'eventType',
          'GE_eventTime',
          'LT_recordTime',
          'EQ_bizStep',
          'MATCH_epc',
          'EQ_quantity',
          'GE_value_CEL',
          'perPage',
          'nextPageToken',
          'orderBy',
          'eventCountLimit',
          'EQ_ex:field',
          'GT_ILMD_ex:weight',
          'HASATTR_bizLocation',
          'WD_readPoint',
        ),
        fc.string({ maxLength: 20 }),
      ),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('1e309', '-1', 'NaN', '2024-13-45T99:00Z', '%ZZ', '|||')),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

describe('hostile inputs (property-based)', () => {
  it('answers ≥ 1,000 hostile HTTP requests without a 5xx, and stores only what it acknowledged', async () => {
    const logBefore = t.node.log.size;
    await fc.assert(
      fc.asyncProperty(mutatedEnvelope, async (body) => {
        const res = await send('/api/v1/telemetry', { method: 'POST', headers: { 'content-type': 'application/cose' }, body });
        if (res.status === 201) accepted++;
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/cose', 'application/cbor-seq'),
        async (body, type) => {
          const res = await send('/api/v1/telemetry', { method: 'POST', headers: { 'content-type': type }, body });
          assert.notEqual(res.status, 201, 'random bytes are never a signed reading');
        },
      ),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(
        almostEpcis,
        fc.constantFrom('application/json', 'application/ld+json', 'text/plain'),
        async (doc, type) => {
          await send('/epcis/capture', {
            method: 'POST',
            headers: { 'content-type': type, ...admin() },
            body: JSON.stringify(doc),
          });
        },
      ),
      { numRuns: 250 },
    );
    await fc.assert(
      fc.asyncProperty(queryString, async (qs) => {
        await send(`/epcis/events?${qs}`, { headers: admin() });
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), async (uri, junk) => {
        await send(`/api/v1/tags/verify?uri=${encodeURIComponent(uri)}&lat=${encodeURIComponent(junk)}`);
        await send(`/api/v1/readings/${encodeURIComponent(junk)}/bundle`);
      }),
      { numRuns: 100 },
    );
    assert.ok(requests >= 1000, `${requests} requests`);
    assert.deepEqual(fiveHundreds, [], 'no 5xx');
    // Nothing refused was stored: the log grew by the telemetry accepted (EPCIS captures that passed are
    // their own leaves; wait for capture jobs, then count both).
    await t.node.ingestor.flush();
    const epcisLeaves = await epcisStored();
    assert.equal(t.node.log.size - logBefore, accepted + epcisLeaves);
    const status = await fetch(`${t.node.httpUrl}/api/v1/status`);
    assert.equal(status.status, 200, 'the node is alive');
  });

  it('survives random MQTT publishes on a device topic: each refused with a reason, none stored, no crash', async () => {
    const url = t.node.mqttUrl!;
    const client = await mqtt.connectAsync(url, {
      clientId: dev.deviceId,
      username: dev.deviceId,
      password: await mintMqttToken(dev, { audience: t.node.address }),
      reconnectPeriod: 0,
    });
    const rejected: string[] = [];
    await client.subscribeAsync(`tradetwin/v1/devices/${dev.deviceId}/rejected`, { qos: 1 });
    client.on('message', (_topic, payload) => rejected.push(payload.toString()));
    const before = t.node.log.size;
    const payloads = fc.sample(
      fc.oneof(
        mutatedEnvelope.map((b) => new Uint8Array(b)),
        fc.uint8Array({ maxLength: 1024 }),
      ),
      { numRuns: 150, seed: 42 },
    );
    let acked = 0;
    for (const p of payloads) {
      await client.publishAsync(`tradetwin/v1/devices/${dev.deviceId}/telemetry`, Buffer.from(p), { qos: 1 });
      acked++;
    }
    await client.endAsync();
    await t.node.ingestor.flush();
    assert.equal(acked, payloads.length, 'every publish acknowledged (refusals are acknowledged too)');
    assert.ok(rejected.length > 0, 'refusals are published with their reason');
    // A mutated envelope can still be a valid signature only if no signed byte changed; count those.
    const storedNow = t.node.log.size - before;
    assert.ok(storedNow <= payloads.length - rejected.length, `stored ${storedNow}, refused ${rejected.length}`);
    const status = await fetch(`${t.node.httpUrl}/api/v1/status`);
    assert.equal(status.status, 200, 'the node is alive');
  });
});

/** EPCIS events the repository holds (captured by the battery's documents that happened to be valid). */
async function epcisStored(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${t.node.httpUrl}/epcis/capture?perPage=100`, { headers: admin() });
    const jobs = (await res.json()) as { running?: boolean }[] | { member?: { running?: boolean }[] };
    const list = Array.isArray(jobs) ? jobs : (jobs.member ?? []);
    if (!list.some((j) => j.running)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const res = await fetch(`${t.node.httpUrl}/epcis/events?perPage=1000`, {
    headers: { ...admin(), 'GS1-EPC-Format': 'Never_Translates' },
  });
  const doc = (await res.json()) as { epcisBody?: { queryResults?: { resultsBody?: { eventList?: unknown[] } } } };
  return doc.epcisBody?.queryResults?.resultsBody?.eventList?.length ?? 0;
}
