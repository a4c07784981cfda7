// A device's way onto MQTT from the command line, against a real node:
// `tradetwin device mqtt-token` prints a password any MQTT client can use, and
// `tradetwin simulate --via mqtt` signs its own token and publishes through the
// embedded broker, hearing refusals on its rejected topic.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeKeyFile } from '@tradetwin/core/device/key-file';
import mqtt from 'mqtt';
import { runCli } from '../test-support/cli.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
let keyFile: string;
const key = deviceKey('reefer-cli-mqtt', 2);

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(key)).status, 201);
  keyFile = join(t.dataDir, 'reefer-cli-mqtt.key.json');
  writeFileSync(keyFile, encodeKeyFile(key), { mode: 0o600 });
});
after(() => t.dispose());

describe('tradetwin device mqtt-token and simulate --via mqtt', () => {
  it('prints a token that logs the device in with any MQTT client, for this node only', async () => {
    const r = await runCli(['device', 'mqtt-token', '--key', keyFile, '--node', t.node.httpUrl, '--ttl', '600']);
    assert.equal(r.code, 0, r.stderr);
    const password = r.stdout.trim();
    assert.match(password, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${t.node.mqttPort}`, {
      clientId: key.deviceId,
      username: key.deviceId,
      password,
      reconnectPeriod: 0,
    });
    await client.endAsync();
    // Minted for another node: refused with CONNACK 4 (bad user name or password).
    const foreign = await runCli(['device', 'mqtt-token', '--key', keyFile, '--aud', `0x${'ab'.repeat(20)}`]);
    assert.equal(foreign.code, 0, foreign.stderr);
    await assert.rejects(
      mqtt.connectAsync(`mqtt://127.0.0.1:${t.node.mqttPort}`, {
        clientId: key.deviceId,
        username: key.deviceId,
        password: foreign.stdout.trim(),
        reconnectPeriod: 0,
      }),
      (e: { code?: number }) => e.code === 4,
    );
    const bad = await runCli(['device', 'mqtt-token', '--key', keyFile, '--aud', 'node-1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--aud must be the node account address/);
  });

  it('simulates a device publishing over MQTT with the token it signs; replays come back refused', async () => {
    const args = ['simulate', '--key', keyFile, '--via', 'mqtt', '--data-dir', t.dataDir, '--messages', '3', '--json'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { accepted: 3, rejected: 0, results: [] });
    assert.deepEqual(
      (await t.node.store.telemetry({ deviceId: key.deviceId })).map((r) => r.seq),
      [1, 2, 3],
    );
    // Sent again from seq 1 (without --start-seq, simulate would continue after seq 3).
    const again = await runCli([...args, '--start-seq', '1']);
    assert.equal(again.code, 1);
    const body = JSON.parse(again.stdout) as { accepted: number; rejected: number; results: { reason: string }[] };
    assert.equal(body.rejected, 3);
    assert.deepEqual(
      body.results.map((x) => x.reason),
      ['replay', 'replay', 'replay'],
    );
  });
});
