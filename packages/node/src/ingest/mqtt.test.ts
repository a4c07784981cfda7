// MQTT ingest against a real node: the embedded aedes broker acknowledges a
// QoS 1 publish only after the commit and tells the device why a message was
// refused; it admits only authenticated devices (and its operator) and lets
// each do only its own device's things — every attack below is one the broker
// used to allow. With TRADETWIN_CI_SERVICES the same node ingests through the
// machine's Mosquitto (an external broker, MQTT 5) with a shared subscription.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mintMqttToken } from '@tradetwin/core/device/mqtt-token';
import mqtt, { type MqttClient } from 'mqtt';
import { connectDevice, publishEnvelopes } from '../device/mqtt-device.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

const key = deviceKey('reefer-mqtt-1', 1);
const other = deviceKey('reefer-mqtt-2', 2);
let t: TestNode;
let url: string;

before(async () => {
  t = await startTestNode();
  url = `mqtt://127.0.0.1:${t.node.mqttPort}`;
  assert.equal((await t.register(key)).status, 201);
  assert.equal((await t.register(other)).status, 201);
});
after(() => t.dispose());

const connect = (k = key, extra: Parameters<typeof mqtt.connectAsync>[1] = {}) =>
  connectDevice(url, k, { audience: t.node.address, extra });

/** A CONNECT the broker must refuse: resolves the CONNACK return code it answered with. */
async function refusedConnect(opts: Parameters<typeof mqtt.connectAsync>[1]): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
    await c.endAsync();
  } catch (err) {
    return (err as { code: number }).code;
  }
  assert.fail('the broker accepted the connection');
}

/** Resolves when the broker closes this client's connection (or rejects after a generous bound). */
const closedBy = (c: MqttClient) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connection still open after 10 s')), 10_000);
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

const telemetryRows = async (deviceId: string) => (await t.node.store.telemetry({ deviceId })).map((r) => r.seq);

describe('MQTT ingest (embedded broker)', () => {
  it('acknowledges QoS 1 only after the reading is committed', async () => {
    const client = await connect();
    try {
      const before = t.node.log.size;
      for (let seq = 1; seq <= 5; seq++) {
        await client.publishAsync(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.from(envelope(key, seq)), { qos: 1 });
        // PUBACK received: the message must already be in the log and the store.
        assert.equal(t.node.log.size, before + seq);
        assert.equal(await t.node.store.size(), before + seq);
      }
    } finally {
      await client.endAsync();
    }
  });

  it('publishes the reason of a refusal on the device rejected topic, before the PUBACK, and stores nothing', async () => {
    const client = await connect();
    try {
      const before = t.node.log.size;
      const summary = await publishEnvelopes(client, key.deviceId, [envelope(key, 3)]);
      assert.equal(summary.rejected.length, 1);
      assert.equal(summary.rejected[0]!.reason, 'replay');
      assert.match(summary.rejected[0]!.detail, /seq 3/);
      assert.equal(t.node.log.size, before);
    } finally {
      await client.endAsync();
    }
  });
});

describe('MQTT device identity (embedded broker)', () => {
  it("refuses anonymous clients at CONNECT, so nobody reads devices' data by subscribing to #", async () => {
    assert.equal(await refusedConnect({ clientId: 'snoop' }), 5);
    assert.equal(await refusedConnect({ clientId: 'snoop', username: key.deviceId }), 5);
  });

  it('refuses a wrong, foreign or expired token, an unknown device and a revoked one', async () => {
    const forged = await mintMqttToken({ ...deviceKey(key.deviceId, 1) }, { audience: t.node.address });
    assert.equal(await refusedConnect({ clientId: key.deviceId, username: key.deviceId, password: forged }), 4);
    const otherNode = await mintMqttToken(key, { audience: '0x000000000000000000000000000000000000dEaD' });
    assert.equal(await refusedConnect({ clientId: key.deviceId, username: key.deviceId, password: otherNode }), 4);
    const expired = await mintMqttToken(key, { audience: t.node.address, now: Date.now() - 3 * 3600_000, ttlSeconds: 3600 });
    assert.equal(await refusedConnect({ clientId: key.deviceId, username: key.deviceId, password: expired }), 4);
    // Another device's valid token does not make one this device.
    const otherToken = await mintMqttToken(other, { audience: t.node.address });
    assert.equal(await refusedConnect({ clientId: key.deviceId, username: key.deviceId, password: otherToken }), 4);
    const stranger = deviceKey('reefer-unregistered', 1);
    await assert.rejects(connect(stranger), (e: { code?: number }) => e.code === 4);

    const revoked = deviceKey('reefer-mqtt-revoked', 1);
    assert.equal((await t.register(revoked)).status, 201);
    (await connect(revoked)).end();
    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/devices/${revoked.deviceId}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: '{}',
    });
    assert.equal(res.status, 200);
    await assert.rejects(connect(revoked), (e: { code?: number }) => e.code === 5);
  });

  it("lets a device subscribe only to its own commands and rejected topics: '#' and other devices' topics get 0x80", async () => {
    const snoop = await connect(other);
    const victim = await connect();
    try {
      const seen: string[] = [];
      snoop.on('message', (topic) => seen.push(topic));
      // SUBACK 0x80 for each filter (mqtt.js reports it as a failed subscription).
      await assert.rejects(
        snoop.subscribeAsync(
          [
            '#',
            'tradetwin/v1/devices/+/telemetry',
            `tradetwin/v1/devices/${key.deviceId}/rejected`,
            `tradetwin/v1/devices/${key.deviceId}/commands`,
          ],
          { qos: 0 },
        ),
        (e: { packet?: { granted?: number[] } }) => JSON.stringify(e.packet?.granted) === '[128,128,128,128]',
      );
      const own = await snoop.subscribeAsync(
        [`tradetwin/v1/devices/${other.deviceId}/commands`, `tradetwin/v1/devices/${other.deviceId}/rejected`],
        { qos: 1 },
      );
      assert.deepEqual(
        own.map((g) => g.qos),
        [1, 1],
      );
      // The victim's traffic (an accepted reading and a refused one) reaches nobody else.
      const seq = (await telemetryRows(key.deviceId)).at(-1)! + 1;
      const summary = await publishEnvelopes(victim, key.deviceId, [envelope(key, seq), envelope(key, seq)]);
      assert.equal(summary.rejected.length, 1);
      await snoop.publishAsync(`tradetwin/v1/devices/${other.deviceId}/telemetry`, Buffer.from(envelope(other, 1)), { qos: 1 });
      assert.deepEqual(seen, []);
    } finally {
      await Promise.all([snoop.endAsync(), victim.endAsync()]);
    }
  });

  it("refuses a device publishing under another device's topic (closes it) and stores nothing", async () => {
    // The attacker holds a genuine envelope of the victim (captured earlier) and its own valid credential.
    const victimSeq = (await telemetryRows(key.deviceId)).at(-1)! + 1;
    const captured = envelope(key, victimSeq);
    const attacker = await connect(other);
    const closed = closedBy(attacker);
    attacker.publish(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.from(captured), { qos: 1 });
    await closed;
    attacker.end(true);
    assert.equal((await telemetryRows(key.deviceId)).includes(victimSeq), false);
  });

  it("refuses an envelope of another device on the device's own topic (topic_mismatch) and stores nothing", async () => {
    const victimSeq = (await telemetryRows(key.deviceId)).at(-1)! + 1;
    const attacker = await connect(other);
    try {
      const before = t.node.log.size;
      const summary = await publishEnvelopes(attacker, other.deviceId, [envelope(key, victimSeq)]);
      assert.equal(summary.rejected[0]?.reason, 'topic_mismatch');
      assert.match(summary.rejected[0]!.detail, /reefer-mqtt-1 published on the topic of device reefer-mqtt-2/);
      assert.equal(t.node.log.size, before);
      assert.equal(t.node.ingestor.counters.rejected.topic_mismatch, 1);
    } finally {
      await attacker.endAsync();
    }
  });

  it("refuses a CONNECT that would take over another identity's client id; the victim stays connected", async () => {
    const victim = await connect();
    try {
      let victimClosed = false;
      victim.on('close', () => {
        victimClosed = true;
      });
      // Anonymously, with another device's credential, and with an operator client id.
      assert.equal(await refusedConnect({ clientId: key.deviceId }), 5);
      const otherToken = await mintMqttToken(other, { audience: t.node.address });
      assert.equal(await refusedConnect({ clientId: key.deviceId, username: other.deviceId, password: otherToken }), 2);
      assert.equal(await refusedConnect({ clientId: '@operator-1', username: other.deviceId, password: otherToken }), 2);
      const seq = (await telemetryRows(key.deviceId)).at(-1)! + 1;
      const summary = await publishEnvelopes(victim, key.deviceId, [envelope(key, seq)]);
      assert.deepEqual(summary.rejected, []);
      assert.equal(victimClosed, false);
    } finally {
      await victim.endAsync();
    }
  });

  it('refuses retained messages (closes the client) and keeps none', async () => {
    const seq = (await telemetryRows(key.deviceId)).at(-1)! + 1;
    const device = await connect();
    const closed = closedBy(device);
    device.publish(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.alloc(60_000, 1), { qos: 0, retain: true });
    device.publish(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.from(envelope(key, seq)), { qos: 1, retain: true });
    await closed;
    device.end(true);
    assert.equal((await telemetryRows(key.deviceId)).includes(seq), false);
    // A later subscriber gets no retained message.
    const operator = await mqtt.connectAsync(url, { clientId: '@operator-r', ...t.node.mqttOperator, reconnectPeriod: 0 });
    try {
      const got: string[] = [];
      operator.on('message', (topic) => got.push(topic));
      await operator.subscribeAsync('tradetwin/v1/devices/#', { qos: 0 });
      // A round trip through the broker after the subscription: retained messages would have come first.
      await operator.publishAsync(`tradetwin/v1/devices/${key.deviceId}/commands`, 'ping', { qos: 1 });
      await new Promise<void>((r) => operator.once('message', () => r()));
      assert.deepEqual(got, [`tradetwin/v1/devices/${key.deviceId}/commands`]);
    } finally {
      await operator.endAsync();
    }
  });

  it('the operator credential sends commands a device receives on its own topic; devices cannot send commands', async () => {
    assert.equal(await refusedConnect({ clientId: '@operator-x', username: '@operator', password: 'guess' }), 4);
    const operator = await mqtt.connectAsync(url, { clientId: '@operator-c', ...t.node.mqttOperator, reconnectPeriod: 0 });
    const device = await connect(other);
    try {
      await device.subscribeAsync(`tradetwin/v1/devices/${other.deviceId}/commands`, { qos: 1 });
      const got = new Promise<string>((r) => device.once('message', (_t, p) => r(p.toString())));
      await operator.publishAsync(`tradetwin/v1/devices/${other.deviceId}/commands`, '{"setpoint":4}', { qos: 1 });
      assert.equal(await got, '{"setpoint":4}');
      const closed = closedBy(device);
      device.publish(`tradetwin/v1/devices/${key.deviceId}/commands`, 'open the door', { qos: 1 });
      await closed;
    } finally {
      device.end(true);
      await operator.endAsync();
    }
  });

  it('answers an MQTT 5 client with CONNACK 0x84 (Unsupported Protocol Version): aedes serves MQTT 3.1.1', async () => {
    const code = await refusedConnect({ protocolVersion: 5, clientId: key.deviceId });
    assert.equal(code, 0x84);
  });
});

const services = process.env.TRADETWIN_CI_SERVICES === '1';
describe('MQTT ingest (external broker: Mosquitto on 127.0.0.1:1883, MQTT 5)', () => {
  if (!services) {
    it('needs the machine Mosquitto: set TRADETWIN_CI_SERVICES=1 (CI does)', (ctx) =>
      ctx.skip('TRADETWIN_CI_SERVICES is not set'));
    return;
  }
  let ext: TestNode;
  before(async () => {
    ext = await startTestNode({
      configure: (c) => (c.mqtt = { mode: 'external', url: 'mqtt://127.0.0.1:1883', shareGroup: `tt-${process.pid}` }),
    });
  });
  after(() => ext.dispose());

  const waitForRows = async (deviceId: string, n: number) => {
    const deadline = Date.now() + 10_000;
    while ((await ext.node.store.telemetry({ deviceId })).length < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return (await ext.node.store.telemetry({ deviceId })).map((r) => r.seq);
  };

  it('ingests what MQTT 5 devices publish to the external broker, acknowledging to the broker after commit', async () => {
    const dev = deviceKey(`reefer-ext-${process.pid}`, 2);
    assert.equal((await ext.register(dev)).status, 201);
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: dev.deviceId, protocolVersion: 5 });
    for (let seq = 1; seq <= 20; seq++) {
      await client.publishAsync(`tradetwin/v1/devices/${dev.deviceId}/telemetry`, Buffer.from(envelope(dev, seq)), { qos: 1 });
    }
    await client.endAsync();
    assert.deepEqual(
      await waitForRows(dev.deviceId, 20),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('refuses an envelope whose device differs from the topic (the broker cannot check that) and says so', async () => {
    const a = deviceKey(`reefer-ext-a-${process.pid}`, 1);
    const b = deviceKey(`reefer-ext-b-${process.pid}`, 1);
    assert.equal((await ext.register(a)).status, 201);
    assert.equal((await ext.register(b)).status, 201);
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: a.deviceId, protocolVersion: 5 });
    try {
      await client.subscribeAsync(`tradetwin/v1/devices/${a.deviceId}/rejected`, { qos: 0 });
      const rejection = new Promise<{ reason: string }>((r) => client.once('message', (_t, p) => r(JSON.parse(p.toString()))));
      await client.publishAsync(`tradetwin/v1/devices/${a.deviceId}/telemetry`, Buffer.from(envelope(b, 1)), { qos: 1 });
      assert.equal((await rejection).reason, 'topic_mismatch');
      // A's own next reading still goes through: nothing of B's was stored.
      await client.publishAsync(`tradetwin/v1/devices/${a.deviceId}/telemetry`, Buffer.from(envelope(a, 1)), { qos: 1 });
      assert.deepEqual(await waitForRows(a.deviceId, 1), [1]);
      assert.deepEqual(await waitForRows(b.deviceId, 0), []);
    } finally {
      await client.endAsync();
    }
  });
});

describe('MQTT ingest (external broker without a share group)', () => {
  if (!services) {
    it('needs the machine Mosquitto: set TRADETWIN_CI_SERVICES=1 (CI does)', (ctx) =>
      ctx.skip('TRADETWIN_CI_SERVICES is not set'));
    return;
  }
  it('ingests what an MQTT 3.1.1 device publishes (the node subscribes plainly, still acknowledging after commit)', async () => {
    const plain = await startTestNode({
      configure: (c) =>
        (c.mqtt = { mode: 'external', url: 'mqtt://127.0.0.1:1883', clientId: `tradetwin-plain-${process.pid}-${Date.now()}` }),
    });
    try {
      const dev = deviceKey(`reefer-plain-${process.pid}`, 1);
      assert.equal((await plain.register(dev)).status, 201);
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: dev.deviceId, protocolVersion: 4 });
      for (let seq = 1; seq <= 5; seq++)
        await client.publishAsync(`tradetwin/v1/devices/${dev.deviceId}/telemetry`, Buffer.from(envelope(dev, seq)), { qos: 1 });
      await client.endAsync();
      const deadline = Date.now() + 10_000;
      while ((await plain.node.store.telemetry({ deviceId: dev.deviceId })).length < 5 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        (await plain.node.store.telemetry({ deviceId: dev.deviceId })).map((r) => r.seq),
        [1, 2, 3, 4, 5],
      );
    } finally {
      await plain.dispose();
    }
  });
});
