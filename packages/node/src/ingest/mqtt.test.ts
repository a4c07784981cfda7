// MQTT ingest against a real node: the embedded aedes broker acknowledges a
// QoS 1 publish only after the commit, and tells the device why a message was
// refused; with TRADETWIN_CI_SERVICES the same node ingests through the
// machine's Mosquitto (an external broker) with a shared subscription.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

const key = deviceKey('reefer-mqtt-1', 1);
let t: TestNode;

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(key)).status, 201);
});
after(() => t.dispose());

describe('MQTT ingest (embedded broker)', () => {
  it('acknowledges QoS 1 only after the reading is committed', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${t.node.mqttPort}`, { clientId: 'reefer-mqtt-1' });
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

  it('publishes the reason of a refusal on the device rejected topic and stores nothing', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${t.node.mqttPort}`, { clientId: 'reefer-mqtt-1b' });
    try {
      await client.subscribeAsync(`tradetwin/v1/devices/${key.deviceId}/rejected`, { qos: 0 });
      const got = new Promise<{ reason: string; detail: string }>((resolve) =>
        client.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
      );
      const before = t.node.log.size;
      await client.publishAsync(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.from(envelope(key, 3)), { qos: 1 });
      const rejection = await got;
      assert.equal(rejection.reason, 'replay');
      assert.match(rejection.detail, /seq 3/);
      assert.equal(t.node.log.size, before);
    } finally {
      await client.endAsync();
    }
  });
});

const services = process.env.TRADETWIN_CI_SERVICES === '1';
describe('MQTT ingest (external broker: Mosquitto on 127.0.0.1:1883)', () => {
  if (!services) {
    it('needs the machine Mosquitto: set TRADETWIN_CI_SERVICES=1 (CI does)', (ctx) =>
      ctx.skip('TRADETWIN_CI_SERVICES is not set'));
    return;
  }
  it('ingests what devices publish to the external broker, acknowledging to the broker after commit', async () => {
    const ext = await startTestNode({
      configure: (c) => (c.mqtt = { mode: 'external', url: 'mqtt://127.0.0.1:1883', shareGroup: `tt-${process.pid}` }),
    });
    try {
      const dev = deviceKey(`reefer-ext-${process.pid}`, 2);
      assert.equal((await ext.register(dev)).status, 201);
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: dev.deviceId });
      for (let seq = 1; seq <= 20; seq++) {
        await client.publishAsync(`tradetwin/v1/devices/${dev.deviceId}/telemetry`, Buffer.from(envelope(dev, seq)), { qos: 1 });
      }
      await client.endAsync();
      const deadline = Date.now() + 10_000;
      while ((await ext.node.store.telemetry({ deviceId: dev.deviceId })).length < 20 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const rows = await ext.node.store.telemetry({ deviceId: dev.deviceId });
      assert.deepEqual(
        rows.map((r) => r.seq),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    } finally {
      await ext.dispose();
    }
  });
});
