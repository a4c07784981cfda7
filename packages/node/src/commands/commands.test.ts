// Signed actuation end to end (scenario S10), against a real node (embedded
// chain, storage, transparency log) and its real MQTT broker (aedes): member
// organisations admitted on the MemberRegistry sign commands; the node
// authorises, logs and delivers them; the simulated reefer verifies, enforces
// its safe range, keeps its replay window across a restart, and answers with
// signed effect reports that the node logs. Every refusal is checked too.
import { bytesToHex } from 'viem';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REEFER_SAFE_RANGES } from '@tradetwin/core/command/actuator';
import { type CommandPayload, cosignCommand, operatorAccount, signCommand, verifyCommand } from '@tradetwin/core/command/command';
import { type EffectReport, signEffectReport } from '@tradetwin/core/command/effect';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import mqtt, { type MqttClient } from 'mqtt';
import { ROLES } from '../chain/members.js';
import { fundedClients, setMemberActive } from '../test-support/governance.js';
import { type CommandReceiver, commandStateFile, startCommandReceiver } from '../device/command-receiver.js';
import { connectDevice, deviceSessionClient } from '../device/mqtt-device.js';
import { deviceTopic } from '../ingest/mqtt-access.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import type { CommandJson } from './service.js';
import { commandableShipment } from './test-support.js';

const operatorKey = (n: number) => new Uint8Array(32).fill(n);
const shipper = operatorKey(0x11);
const carrier = operatorKey(0x22);
const stranger = operatorKey(0x33);
const suspended = operatorKey(0x55);
const key = deviceKey('reefer-cmd-1', 2);
const SHIPMENT = 'SHP-CMD-1';

let t: TestNode;
let device: MqttClient;
let receiver: CommandReceiver;
const reports: EffectReport[] = [];
let members: Map<string, number>;
let keyFile: string;

async function startReceiver(): Promise<void> {
  // A persistent session, as `simulate --accept-commands` keeps: commands sent while it is away wait at the broker.
  device = await deviceSessionClient(t.node.mqttUrl!, key, { audience: t.node.address });
  receiver = await startCommandReceiver(device, {
    key,
    members,
    ranges: REEFER_SAFE_RANGES,
    maxPerMinute: 30,
    stateFile: commandStateFile(keyFile),
    onReport: (r) => reports.push(r),
  });
}

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(key)).status, 201);
  members = await commandableShipment(t, SHIPMENT, key, [
    { name: 'Shipper BV', key: shipper, roles: ROLES.SHIPPER, party: 'shipper' },
    { name: 'Carrier NV', key: carrier, roles: ROLES.CARRIER, party: 'carrier' },
    { name: 'Stranger Ltd', key: stranger, roles: ROLES.PORT },
    { name: 'Suspended Insurer', key: suspended, roles: ROLES.INSURER, party: 'insurer' },
  ]);
  // Suspended by vote: of five members, the node's, the shipper's and the carrier's organisations decide.
  const voters = [await fundedClients(t.node, bytesToHex(shipper)), await fundedClients(t.node, bytesToHex(carrier))];
  await setMemberActive(t.node, members.get(operatorAccount(suspended))!, false, voters);
  keyFile = join(t.dataDir, 'reefer-cmd-1.key.json');
  await startReceiver();
});

after(async () => {
  await receiver?.stop();
  await device?.endAsync();
  await t.dispose();
});

let nextSeq = 1;
const command = (over: Partial<CommandPayload> = {}): CommandPayload => ({
  device: key.deviceId,
  shipment: SHIPMENT,
  seq: nextSeq++,
  issuedAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  action: { kind: 'setpoint', celsius: 4 },
  ...over,
});

const send = (bundle: Uint8Array, contentType = 'application/cbor') =>
  fetch(`${t.node.httpUrl}/api/v1/commands`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${t.node.adminToken}` },
    body: Buffer.from(bundle),
  });

const getCommand = async (id: string, waitMs = 25_000): Promise<CommandJson> => {
  const res = await fetch(`${t.node.httpUrl}/api/v1/commands/${id}?waitMs=${waitMs}`, {
    headers: { authorization: `Bearer ${t.node.adminToken}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as CommandJson;
};

async function accepted(bundle: Uint8Array): Promise<CommandJson> {
  const res = await send(bundle);
  const body = (await res.json()) as { command: CommandJson; delivered: boolean };
  assert.equal(res.status, 201, JSON.stringify(body));
  assert.equal(body.delivered, true);
  return getCommand(body.command.id);
}

async function refused(bundle: Uint8Array, status: number, code: string): Promise<void> {
  const size = t.node.log.size;
  const res = await send(bundle);
  const body = (await res.json()) as { type: string; detail: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.type.split('/').at(-1), code, body.detail);
  assert.equal(t.node.log.size, size, 'a refused command is not logged');
}

const leafKind = async (index: number) => decodeLeaf((await t.node.store.leaf(index))!.data).kind;

describe('signed actuator commands over MQTT', () => {
  it('a co-signed setpoint reaches the reefer; the command and its signed effect report are in the log', async () => {
    const c = await accepted(cosignCommand(signCommand(command({ action: { kind: 'setpoint', celsius: 4 } }), shipper), carrier));
    assert.equal(c.status, 'applied');
    assert.deepEqual(c.effect?.state, { setpoint: 4 });
    assert.equal(c.authorisation.issuer.as, `shipper of ${SHIPMENT}`);
    assert.equal(c.authorisation.cosigner?.as, `carrier of ${SHIPMENT}`);
    assert.equal(c.authorisation.cosignatureRequired, true);
    assert.equal(await leafKind(c.leafIndex), 'command');
    assert.ok(c.effect!.leafIndex > c.leafIndex, 'the effect is logged after the command');
    assert.equal(await leafKind(c.effect!.leafIndex), 'command-effect');
    assert.deepEqual(receiver.state().applied, { setpoint: 4 });
  });

  it('a small move needs one signature; a large one without a co-signature is refused and never delivered', async () => {
    const small = await accepted(signCommand(command({ action: { kind: 'setpoint', celsius: 5.5 } }), carrier));
    assert.equal(small.status, 'applied');
    assert.equal(small.authorisation.cosignatureRequired, false);
    // The node may log the report before the device's publish has returned: wait for the device's own record.
    while (!reports.some((r) => r.command === small.id)) await new Promise((r) => setTimeout(r, 10));
    const delivered = reports.length;
    await refused(signCommand(command({ action: { kind: 'setpoint', celsius: 12 } }), shipper), 403, 'cosignature_required');
    // Valves always need two organisations.
    await refused(signCommand(command({ action: { kind: 'valve', state: 'close' } }), shipper), 403, 'cosignature_required');
    assert.equal(reports.length, delivered);
  });

  it('refuses an organisation that is neither the device owner nor a party of the shipment', async () => {
    await refused(signCommand(command(), stranger), 403, 'unauthorised');
    // Nor may it co-sign, and a co-signature from the issuer's own organisation does not count.
    await refused(
      cosignCommand(signCommand(command({ action: { kind: 'setpoint', celsius: 0 } }), shipper), stranger),
      403,
      'unauthorised',
    );
    await refused(signCommand(command(), operatorKey(0x44)), 403, 'unauthorised');
    // A party whose organisation the registry has suspended commands nothing.
    await refused(signCommand(command(), suspended), 403, 'unauthorised');
  });

  it('refuses an expired command, a malformed one, and a replay; the reefer refuses a replay after it restarts', async () => {
    await refused(
      signCommand(command({ issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000 }), shipper),
      410,
      'expired',
    );
    await refused(new Uint8Array([0x82, 0x01]), 400, 'bad_command');
    await refused(signCommand(command({ expiresAt: Date.now() + 25 * 3_600_000 }), shipper), 400, 'bad_command');
    const bundle = signCommand(command({ action: { kind: 'door', state: 'lock' } }), shipper);
    const once = await accepted(bundle);
    assert.equal(once.status, 'applied');
    await refused(bundle, 409, 'replayed');

    // The reefer restarts: its window comes back from the file next to its key, and a command sent
    // while it was away waits in its session at the broker.
    await receiver.stop();
    await device.endAsync();
    const whileAway = await send(signCommand(command({ action: { kind: 'door', state: 'unlock' } }), shipper));
    const awayId = ((await whileAway.json()) as { command: CommandJson }).command.id;
    await startReceiver();
    assert.ok(receiver.state().replay.used.includes(once.seq));
    assert.equal((await getCommand(awayId)).status, 'applied');
    // Someone with broker access (here the node's operator) pushes the old command again.
    const operator = await mqtt.connectAsync(t.node.mqttUrl!, {
      clientId: '@operator-test',
      username: t.node.mqttOperator.username,
      password: t.node.mqttOperator.password,
      reconnectPeriod: 0,
    });
    const before = reports.length;
    await operator.publishAsync(deviceTopic(key.deviceId, 'commands'), Buffer.from(bundle), { qos: 1 });
    await operator.endAsync();
    while (reports.length === before) await new Promise((r) => setTimeout(r, 20));
    assert.equal(reports.at(-1)?.outcome, 'refused');
    assert.equal(reports.at(-1)?.reason, 'replayed');
    assert.deepEqual(receiver.state().applied, { setpoint: 5.5, door: 'unlock' });
  });

  it('the reefer refuses a setpoint outside its safe range: its signed refusal report is logged', async () => {
    const c = await accepted(
      cosignCommand(signCommand(command({ action: { kind: 'setpoint', celsius: 40 } }), shipper), carrier),
    );
    assert.equal(c.status, 'refused');
    assert.equal(c.effect?.reason, 'out_of_range');
    assert.match(c.effect?.detail ?? '', /outside the safe range/);
    assert.equal(await leafKind(c.effect!.leafIndex), 'command-effect');
    assert.equal(receiver.state().applied.setpoint, 5.5);
  });

  it('takes an effect report only when signed by the device and naming a command it was sent', async () => {
    const c = await accepted(signCommand(command({ action: { kind: 'door', state: 'unlock' } }), shipper));
    const report = { device: key.deviceId, command: c.id, seq: c.seq, at: Date.now(), outcome: 'refused' as const };
    const forger = { ...deviceKey(key.deviceId, 2) };
    await assert.rejects(t.node.commands.receiveEffect(key.deviceId, signEffectReport(report, forger)), {
      code: 'bad_signature',
    });
    await assert.rejects(
      t.node.commands.receiveEffect(key.deviceId, signEffectReport({ ...report, command: 'ab'.repeat(32) }, key)),
      { code: 'no_such_command' },
    );
    // The genuine report stays the one recorded, and a repeat of it changes nothing.
    const size = t.node.log.size;
    assert.equal((await t.node.commands.receiveEffect(key.deviceId, signEffectReport(report, key))).status, 'applied');
    assert.equal(t.node.log.size, size);
  });

  it('lists the command log with each authorisation and effect, by device', async () => {
    const res = await fetch(`${t.node.httpUrl}/api/v1/commands?device=${key.deviceId}&limit=2`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { commands: CommandJson[]; next: number | null };
    assert.equal(page.commands.length, 2);
    assert.equal(page.commands[1]!.status, 'refused');
    assert.ok(page.next !== null);
    assert.equal((await fetch(`${t.node.httpUrl}/api/v1/commands`)).status, 401);
  });

  it('shows each caller only the commands of shipments it may read', async () => {
    const read = async (token: string, path: string) => {
      const res = await fetch(`${t.node.httpUrl}/api/v1/commands${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { commands?: CommandJson[] } };
    };
    const all = (await read(t.node.adminToken, '?limit=200')).body.commands!;
    assert.ok(all.length > 3);
    const partner = (await t.node.access.createCredential('partner', ['commands:read', `shipments:read:${SHIPMENT}`])).token;
    const other = (await t.node.access.createCredential('other', ['commands:read', 'shipments:read:SHP-SOMEONE-ELSE'])).token;
    const none = (await t.node.access.createCredential('no shipments', ['commands:read'])).token;
    assert.deepEqual(
      (await read(partner, '?limit=200')).body.commands!.map((c) => c.id),
      all.map((c) => c.id),
    );
    // Paged through, a narrowed caller still gets full pages of what it may see.
    assert.equal((await read(partner, '?limit=2')).body.commands!.length, 2);
    for (const token of [other, none]) {
      assert.deepEqual((await read(token, '?limit=200')).body.commands, []);
      assert.deepEqual((await read(token, `?shipment=${SHIPMENT}`)).body.commands, []);
      // One command by id: as unknown as one that does not exist.
      const one = await read(token, `/${all[0]!.id}`);
      assert.equal(one.status, 404);
    }
    assert.equal((await read(partner, `/${all[0]!.id}`)).status, 200);
  });

  it('re-sends a command whose delivery was lost, and a repeat of one the reefer applied changes nothing', async () => {
    // The reefer is away and its broker session is wiped (a clean connect): a command sent now is lost.
    await receiver.stop();
    await device.endAsync();
    const wipe = await connectDevice(t.node.mqttUrl!, key, { audience: t.node.address, extra: { clean: true } });
    await wipe.endAsync();
    const lost = await send(signCommand(command({ action: { kind: 'door', state: 'lock' } }), shipper));
    assert.equal(lost.status, 201);
    const id = ((await lost.json()) as { command: CommandJson }).command.id;
    await startReceiver();
    assert.equal((await getCommand(id, 500)).status, 'delivered', 'never reached the reefer');
    assert.equal(receiver.state().applied.door, 'unlock');

    const resend = (token = t.node.adminToken) =>
      fetch(`${t.node.httpUrl}/api/v1/commands/${id}/resend`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{}',
      });
    const size = t.node.log.size;
    const again = await resend();
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(((await again.json()) as { delivered: boolean }).delivered, true);
    const applied = await getCommand(id);
    assert.equal(applied.status, 'applied');
    assert.equal(receiver.state().applied.door, 'lock');
    assert.equal(t.node.log.size, size + 1, 'the effect report logged; the command not logged again');

    // Once more: the reefer's replay window refuses the duplicate, and the command keeps its applied effect.
    // (This subscriber may see the 'applied' report after the node does: wait for it before counting.)
    while (!reports.some((r) => r.command === id && r.outcome === 'applied')) await new Promise((r) => setTimeout(r, 20));
    const before = reports.length;
    assert.equal((await resend()).status, 200);
    while (reports.length === before) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([reports.at(-1)?.command, reports.at(-1)?.outcome, reports.at(-1)?.reason], [id, 'refused', 'replayed']);
    assert.deepEqual(await getCommand(id), applied);
    assert.equal(receiver.state().applied.door, 'lock');

    // A caller who may not read the shipment cannot re-send it (it does not exist for them); nor an unknown id.
    const other = (await t.node.access.createCredential('sender elsewhere', ['commands:send', 'shipments:read:SHP-X'])).token;
    assert.equal((await resend(other)).status, 404);
    const unknown = await fetch(`${t.node.httpUrl}/api/v1/commands/${'ab'.repeat(32)}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: '{}',
    });
    assert.equal(unknown.status, 404);
  });

  it('a wait whose read of the command answers after the effect report came in still resolves with that effect', async () => {
    // On PostgreSQL the wait's read and the report's write run on two connections: the read can answer
    // with the row as it was after the report's event has fired. Forced here: the read is held until then.
    const store = t.node.storage.commands;
    const { command: read, recordEffect: record } = store;
    let recorded!: () => void;
    const reportIn = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    store.recordEffect = async (...args) => {
      const first = await record.apply(store, args);
      recorded();
      return first;
    };
    let held = false;
    store.command = async (id) => {
      const row = await read.call(store, id);
      if (held) return row;
      held = true;
      await reportIn;
      await new Promise((r) => setTimeout(r, 50)); // the report's event has fired by now
      return row;
    };
    try {
      const bundle = signCommand(command({ action: { kind: 'door', state: 'lock' } }), shipper);
      const waiting = t.node.commands.waitForEffect(verifyCommand(bundle).id, 5_000);
      const res = await send(bundle);
      assert.equal(res.status, 201);
      const seen = await waiting;
      assert.equal(seen?.status, 'applied');
      assert.equal(seen?.effect?.state?.door, 'lock');
    } finally {
      Object.assign(store, { command: read, recordEffect: record });
    }
  });

  it('refuses to re-send an expired command', async () => {
    const res = await send(
      signCommand(command({ expiresAt: Date.now() + 1500, action: { kind: 'door', state: 'unlock' } }), shipper),
    );
    const id = ((await res.json()) as { command: CommandJson }).command.id;
    await new Promise((r) => setTimeout(r, 1600));
    const again = await fetch(`${t.node.httpUrl}/api/v1/commands/${id}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: '{}',
    });
    assert.equal(again.status, 410);
    assert.match(((await again.json()) as { detail: string }).detail, /expired .*: sign a new one/);
  });
});
