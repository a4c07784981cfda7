// `tradetwin command send|list` and `tradetwin simulate --accept-commands`, as
// users run them, against a real node and its embedded MQTT broker: two member
// organisations sign (one sign-only, the other co-signs and sends), the
// simulated reefer acts and reports, refusals exit non-zero with the reason.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeKeyFile } from '@tradetwin/core/device/key-file';
import { bytesToHex } from 'viem';
import { ROLES } from '../chain/members.js';
import { commandableShipment } from '../commands/test-support.js';
import { runCli, TRADETWIN_BIN } from '../test-support/cli.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';

const shipperKey = new Uint8Array(32).fill(0x51);
const carrierKey = new Uint8Array(32).fill(0x52);
const key = deviceKey('reefer-cli-cmd', 2);
const SHIPMENT = 'SHP-CLI-CMD';
let t: TestNode;
let reefer: ChildProcess;
let shipperFile: string;
let carrierFile: string;
let reports = '';

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(key)).status, 201);
  const members = await commandableShipment(t, SHIPMENT, key, [
    { name: 'Shipper', key: shipperKey, roles: ROLES.SHIPPER, party: 'shipper' },
    { name: 'Carrier', key: carrierKey, roles: ROLES.CARRIER, party: 'carrier' },
  ]);
  shipperFile = join(t.dataDir, 'shipper.key');
  carrierFile = join(t.dataDir, 'carrier.key');
  writeFileSync(shipperFile, `${bytesToHex(shipperKey)}\n`, { mode: 0o600 });
  writeFileSync(carrierFile, `${bytesToHex(carrierKey)}\n`, { mode: 0o600 });
  const keyFile = join(t.dataDir, 'reefer.key.json');
  writeFileSync(keyFile, encodeKeyFile(key), { mode: 0o600 });
  const membersFile = join(t.dataDir, 'members.json');
  writeFileSync(membersFile, JSON.stringify(Object.fromEntries(members)));
  reefer = spawn(
    process.execPath,
    [TRADETWIN_BIN, 'simulate', '--key', keyFile, '--accept-commands', '--members', membersFile, '--data-dir', t.dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  reefer.stdout!.on('data', (d: Buffer) => (reports += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    reefer.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('accepting commands')) resolve();
    });
    reefer.once('exit', (code) => reject(new Error(`simulate exited ${code}: ${err}`)));
  });
});

after(async () => {
  if (reefer.exitCode === null) {
    const exited = new Promise((r) => reefer.once('exit', r));
    reefer.kill('SIGTERM');
    await exited;
  }
  await t.dispose();
});

describe('tradetwin command send|list', () => {
  it('sends a co-signed setpoint; the reefer applies it and the signed effect is shown', async () => {
    const r = await runCli([
      'command',
      'send',
      '--key',
      shipperFile,
      '--cosign-key',
      carrierFile,
      ...args(),
      '--setpoint',
      '4',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const c = JSON.parse(r.stdout) as { status: string; seq: number; effect: { state: { setpoint: number } } };
    assert.equal(c.status, 'applied');
    assert.equal(c.seq, 1);
    assert.deepEqual(c.effect.state, { setpoint: 4 });
    assert.match(reports, /"outcome":"applied"/);
  });

  it('one organisation signs only (--out), the other co-signs and sends (--bundle)', async () => {
    const file = join(t.dataDir, 'cmd.cbor');
    const signed = await runCli(['command', 'send', '--key', shipperFile, ...args(), '--setpoint=-18', '--out', file]);
    assert.equal(signed.code, 0, signed.stderr);
    const sent = await runCli(['command', 'send', '--key', carrierFile, '--bundle', file, '--data-dir', t.dataDir]);
    assert.equal(sent.code, 0, sent.stderr + sent.stdout);
    assert.match(sent.stdout, /applied \{"setpoint":-18\}/);
    assert.match(sent.stdout, /shipper of SHP-CLI-CMD \(org \d+\) \+ carrier of SHP-CLI-CMD/);
  });

  it('refusals exit non-zero with the reason: no co-signature, replayed seq, outside the safe range', async () => {
    const alone = await runCli(['command', 'send', '--key', shipperFile, ...args(), '--setpoint', '2', '--json']);
    assert.equal(alone.code, 1);
    assert.equal((JSON.parse(alone.stdout) as { error: { code: string } }).error.code, 'cosignature_required');
    const replay = await runCli(['command', 'send', '--key', shipperFile, ...args(), '--door', 'lock', '--seq', '1', '--json']);
    assert.equal(replay.code, 1);
    assert.equal((JSON.parse(replay.stdout) as { error: { code: string } }).error.code, 'replayed');
    const hot = await runCli([
      'command',
      'send',
      '--key',
      shipperFile,
      '--cosign-key',
      carrierFile,
      ...args(),
      '--setpoint',
      '45',
    ]);
    assert.equal(hot.code, 1, hot.stderr);
    assert.match(hot.stdout, /refused out_of_range/);
    const usage = await runCli(['command', 'send', '--key', shipperFile, ...args(), '--setpoint', '4', '--door', 'lock']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /exactly one action/);
  });

  it('lists the command log newest first', async () => {
    const r = await runCli(['command', 'list', '--device', key.deviceId, '--data-dir', t.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /setpoint 45 °C .* refused out_of_range/);
    assert.match(lines[2]!, /seq 1 setpoint 4 °C .* applied/);
  });

  it('re-sends a logged command; the reefer refuses the repeat of one it applied, which stays applied', async () => {
    const listed = await runCli(['command', 'list', '--device', key.deviceId, '--data-dir', t.dataDir, '--json']);
    const first = (JSON.parse(listed.stdout) as { id: string; seq: number }[]).find((c) => c.seq === 1)!;
    const r = await runCli(['command', 'resend', first.id, '--data-dir', t.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^delivered again \(its effect was already reported: the device refuses the repeat\)$/m);
    assert.match(r.stdout, /seq 1 setpoint 4 °C .* applied/);
    const bad = await runCli(['command', 'resend', 'not-an-id', '--data-dir', t.dataDir, '--json']);
    assert.equal(bad.code, 2);
    assert.match((JSON.parse(bad.stdout) as { error: { message: string } }).error.message, /64 hex digits/);
  });
});

function args(): string[] {
  return ['--device', key.deviceId, '--shipment', SHIPMENT, '--data-dir', t.dataDir];
}
