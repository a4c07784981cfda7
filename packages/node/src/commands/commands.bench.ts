// Signed actuation latency (a script, not a test):
//   node_modules/.bin/node --import tsx packages/node/src/commands/commands.bench.ts [commands=200]
// A real node (embedded chain, SQLite; TRADETWIN_TEST_STORE=postgres for PostgreSQL) with its
// embedded MQTT broker, and the simulated reefer as a command receiver over MQTT (its replay window
// fsynced to a file before each action, as in `simulate --accept-commands`). Each command is
// co-signed by two member organisations (two ES256K signatures verified by the node and again by the
// device). Per command: POST /api/v1/commands → node verifies, authorises, logs, publishes →
// device verifies, persists, acts, signs its effect report → node verifies the report under the
// device's registered key, logs it and records it. Measured from just before the POST to the moment
// the node has recorded the effect, paced (one every 50 ms) and back to back.
//   latency   p50 / p95 / max (target p95 ≤ 1 s)
import { join } from 'node:path';
import { REEFER_SAFE_RANGES } from '@tradetwin/core/command/actuator';
import { cosignCommand, signCommand } from '@tradetwin/core/command/command';
import { ROLES } from '../chain/members.js';
import { commandStateFile, startCommandReceiver } from '../device/command-receiver.js';
import { connectDevice } from '../device/mqtt-device.js';
import { deviceKey, startTestNode } from '../test-support/node-fixture.js';
import { commandableShipment } from './test-support.js';

const N = Number(process.argv[2] ?? 200);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const t = await startTestNode();
const shipper = new Uint8Array(32).fill(0x61);
const carrier = new Uint8Array(32).fill(0x62);
const key = deviceKey('reefer-bench-cmd', 1);
try {
  if ((await t.register(key)).status !== 201) throw new Error('device registration failed');
  const members = await commandableShipment(t, 'SHP-BENCH-CMD', key, [
    { name: 'Shipper', key: shipper, roles: ROLES.SHIPPER, party: 'shipper' },
    { name: 'Carrier', key: carrier, roles: ROLES.CARRIER, party: 'carrier' },
  ]);
  const device = await connectDevice(t.node.mqttUrl!, key, { audience: t.node.address });
  const receiver = await startCommandReceiver(device, {
    key,
    members,
    ranges: REEFER_SAFE_RANGES,
    maxPerMinute: 1_000_000,
    stateFile: commandStateFile(join(t.dataDir, 'reefer.key.json')),
  });
  let seq = 0;
  const run = async (label: string, gapMs: number) => {
    const lat: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      seq++;
      const now = Date.now();
      const bundle = cosignCommand(
        signCommand(
          {
            device: key.deviceId,
            shipment: 'SHP-BENCH-CMD',
            seq,
            issuedAt: now,
            expiresAt: now + 60_000,
            action: { kind: 'setpoint', celsius: seq % 2 ? 4 : 5 },
          },
          shipper,
        ),
        carrier,
      );
      const start = performance.now();
      const res = await fetch(`${t.node.httpUrl}/api/v1/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/cbor', authorization: `Bearer ${t.node.adminToken}` },
        body: Buffer.from(bundle),
      });
      const body = (await res.json()) as { command: { id: string } };
      if (res.status !== 201) throw new Error(`command ${seq}: ${res.status} ${JSON.stringify(body)}`);
      const done = await t.node.commands.waitForEffect(body.command.id, 10_000);
      if (done?.status !== 'applied') throw new Error(`command ${seq}: ${JSON.stringify(done)}`);
      lat.push(performance.now() - start);
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
    const f = (x: number) => x.toFixed(1);
    console.log(
      `${label.padEnd(22)} ${N} co-signed commands in ${((Date.now() - t0) / 1000).toFixed(1)} s: POST → effect report logged ` +
        `p50 ${f(pct(lat, 50))} ms, p95 ${f(pct(lat, 95))} ms, max ${f(Math.max(...lat))} ms`,
    );
    return pct(lat, 95);
  };
  const paced = await run('paced (1 per 50 ms)', 50);
  const burst = await run('back to back', 0);
  console.log(`target p95 ≤ 1000 ms: ${Math.max(paced, burst) <= 1000 ? 'met' : 'NOT met'} (${t.node.storage.kind})`);
  await receiver.stop();
  await device.endAsync();
} finally {
  await t.dispose();
}
