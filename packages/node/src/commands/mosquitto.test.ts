// Signed actuation through an external Mosquitto broker (the machine's, 127.0.0.1:1883, as
// ingest/mqtt.test.ts uses it; TRADETWIN_CI_SERVICES=1): the node publishes the command and takes
// the device's effect report over the broker, exactly as with the embedded one.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REEFER_SAFE_RANGES } from '@tradetwin/core/command/actuator';
import { cosignCommand, signCommand } from '@tradetwin/core/command/command';
import mqtt, { type MqttClient } from 'mqtt';
import { ROLES } from '../chain/members.js';
import { type CommandReceiver, commandStateFile, startCommandReceiver } from '../device/command-receiver.js';
import { deviceKey, startTestNode, type TestNode, tempDataDir } from '../test-support/node-fixture.js';
import type { CommandJson } from './service.js';
import { commandableShipment } from './test-support.js';

const enabled = process.env.TRADETWIN_CI_SERVICES === '1';
const url = 'mqtt://127.0.0.1:1883';

describe('signed actuator commands over Mosquitto', {
  skip: !enabled && 'needs TRADETWIN_CI_SERVICES=1 (the machine Mosquitto)',
}, () => {
  let t: TestNode;
  let device: MqttClient;
  let receiver: CommandReceiver;
  const shipper = new Uint8Array(32).fill(0x71);
  const carrier = new Uint8Array(32).fill(0x72);
  // Unique on the shared broker: another run's device never sees these commands.
  const key = deviceKey(`reefer-mosq-${process.pid}`, 2);
  let dir: string;

  before(async () => {
    dir = tempDataDir('tt-mosq-');
    // MQTT 5 with a shared subscription, as the README configures an external broker (mqtt.js hands
    // QoS 1 messages to customHandleAcks only under MQTT 5).
    t = await startTestNode({
      configure: (c) => {
        c.mqtt = { mode: 'external', url, shareGroup: `tt-cmd-${process.pid}` };
      },
    });
    assert.equal((await t.register(key)).status, 201);
    const members = await commandableShipment(t, 'SHP-MOSQ-1', key, [
      { name: 'Shipper', key: shipper, roles: ROLES.SHIPPER, party: 'shipper' },
      { name: 'Carrier', key: carrier, roles: ROLES.CARRIER, party: 'carrier' },
    ]);
    device = await mqtt.connectAsync(url, { clientId: key.deviceId, reconnectPeriod: 0 });
    receiver = await startCommandReceiver(device, {
      key,
      members,
      ranges: REEFER_SAFE_RANGES,
      maxPerMinute: 10,
      stateFile: commandStateFile(join(dir, 'reefer.key.json')),
    });
  });

  after(async () => {
    await receiver?.stop();
    await device?.endAsync();
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a co-signed setpoint reaches the reefer through Mosquitto and its signed effect report is logged', async () => {
    const now = Date.now();
    const bundle = cosignCommand(
      signCommand(
        {
          device: key.deviceId,
          shipment: 'SHP-MOSQ-1',
          seq: 1,
          issuedAt: now,
          expiresAt: now + 60_000,
          action: { kind: 'setpoint', celsius: 3 },
        },
        shipper,
      ),
      carrier,
    );
    const res = await fetch(`${t.node.httpUrl}/api/v1/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor', authorization: `Bearer ${t.node.adminToken}` },
      body: Buffer.from(bundle),
    });
    const body = (await res.json()) as { command: CommandJson; delivered: boolean };
    assert.equal(res.status, 201, JSON.stringify(body));
    assert.equal(body.delivered, true);
    const done = await t.node.commands.waitForEffect(body.command.id, 10_000);
    assert.equal(done?.status, 'applied');
    assert.deepEqual(done?.effect?.state, { setpoint: 3 });
    assert.ok(done!.effect!.leafIndex > done!.leafIndex);
  });
});
