// Exit codes mean the same on every command, --json errors are JSON, and a
// contract's refusal reads as a sentence, in the CLI and in the API.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeKeyFile } from '@tradetwin/core/device/key-file';
import { runCli } from '../test-support/cli.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import type { JsonError } from './args.js';

/** A --json failure: exactly one JSON object on stdout, nothing on stderr. */
function jsonError(r: { stdout: string; stderr: string }): JsonError['error'] {
  assert.equal(r.stderr, '', 'a --json error leaves stderr empty');
  const body = JSON.parse(r.stdout) as JsonError;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  return body.error;
}

describe('CLI errors: exit codes, --json, contract refusals in words', () => {
  let t: TestNode;
  const empty = mkdtempSync(join(tmpdir(), 'tt-nonode-'));
  before(async () => {
    t = await startTestNode();
  });
  after(async () => {
    await t.dispose();
    rmSync(empty, { recursive: true, force: true });
  });

  it('usage (exit 2): a missing flag, an unknown flag, an unknown command — as JSON with --json', async () => {
    const missing = await runCli(['device', 'keygen', '--json']);
    assert.equal(missing.code, 2);
    assert.deepEqual(jsonError(missing), { code: 'usage', message: '--id is required' });
    const unknownFlag = await runCli(['device', 'list', '--bogus', '--json']);
    assert.equal(unknownFlag.code, 2);
    assert.match(jsonError(unknownFlag).message, /Unknown option '--bogus'/);
    const unknownCommand = await runCli(['frobnicate', '--json']);
    assert.equal(unknownCommand.code, 2);
    assert.deepEqual(jsonError(unknownCommand), { code: 'unknown_command', message: 'unknown command "frobnicate --json"' });
    const human = await runCli(['device', 'keygen']);
    assert.equal(human.code, 2);
    assert.equal(human.stdout, '');
    assert.equal(human.stderr, 'tradetwin device keygen: --id is required\n');
  });

  it('unreachable (exit 4): no node in the data dir, nothing listening at --node', async () => {
    const none = await runCli(['device', 'list', '--data-dir', empty, '--json']);
    assert.equal(none.code, 4);
    const e = jsonError(none);
    assert.equal(e.code, 'no_node');
    assert.match(e.message, /no running node found in /);
    const down = await runCli(['device', 'list', '--node', 'http://127.0.0.1:1', '--json']);
    assert.equal(down.code, 4);
    assert.equal(jsonError(down).code, 'node_unreachable');
    const human = await runCli(['shipment', 'list', '--node', 'http://127.0.0.1:1']);
    assert.equal(human.code, 4);
    assert.match(human.stderr, /^tradetwin shipment list: cannot reach the node at http:\/\/127\.0\.0\.1:1/);
  });

  it('refused (exit 1): revoking a device the registry does not know says so in words, in the CLI and the API', async () => {
    const r = await runCli(['device', 'revoke', '--id', 'ghost-7', '--data-dir', t.dataDir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /the contract refused: device "ghost-7" \(0x[0-9a-f]{8}…\) is not registered — UnknownDevice\(0x[0-9a-f]{64}\)/,
    );
    const j = await runCli(['device', 'revoke', '--id', 'ghost-7', '--data-dir', t.dataDir, '--json']);
    assert.equal(j.code, 1);
    const e = jsonError(j);
    assert.equal(e.code, 'contract_refused');
    assert.match(e.message, /device "ghost-7" .* is not registered/);

    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/devices/ghost-7/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: '{}',
    });
    assert.equal(res.status, 409);
    const problem = (await res.json()) as { detail: string; errorName: string; args: string[] };
    assert.match(
      problem.detail,
      /^the contract refused: device "ghost-7" \(0x[0-9a-f]{8}…\) is not registered — UnknownDevice\(/,
    );
    assert.equal(problem.errorName, 'UnknownDevice');
  });

  it('a revocation before the registration is explained in words (exit 1); one in the future, or unreadable, is usage (exit 2)', async () => {
    const key = deviceKey('reefer-early');
    assert.equal((await t.register(key)).status, 201);
    const early = await runCli([
      'device',
      'revoke',
      '--id',
      key.deviceId,
      '--at',
      '2020-01-01T00:00:00Z',
      '--data-dir',
      t.dataDir,
    ]);
    assert.equal(early.code, 1, early.stderr);
    assert.match(
      early.stderr,
      /a revocation cannot take effect \(2020-01-01T00:00:00Z\) before the device was registered \(\d{4}-\d\d-\d\dT[\d:]+Z\)/,
    );
    const future = await runCli([
      'device',
      'revoke',
      '--id',
      key.deviceId,
      '--at',
      '2999-01-01T00:00:00Z',
      '--data-dir',
      t.dataDir,
    ]);
    assert.equal(future.code, 2);
    assert.match(future.stderr, /is in the future/);
    const nonsense = await runCli([
      'device',
      'revoke',
      '--id',
      key.deviceId,
      '--at',
      'yesterday',
      '--data-dir',
      t.dataDir,
      '--json',
    ]);
    assert.equal(nonsense.code, 2);
    assert.match(jsonError(nonsense).message, /--at must be an ISO time, ms since the epoch or now-<n>s\|m\|h\|d/);
    // Nothing was revoked by the refused attempts.
    const list = await runCli(['device', 'list', '--data-dir', t.dataDir, '--json']);
    const rows = JSON.parse(list.stdout) as { deviceId: string; status: string }[];
    assert.equal(rows.find((d) => d.deviceId === key.deviceId)?.status, 'active');
  });

  it('simulate for a device nobody registered: every reading refused as unknown_device (exit 1), nothing stored', async () => {
    const keyFile = join(empty, 'stranger.key.json');
    writeFileSync(keyFile, encodeKeyFile(deviceKey('stranger-1')), { mode: 0o600 });
    const r = await runCli(['simulate', '--key', keyFile, '--data-dir', t.dataDir, '--messages', '2']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /sent 2 envelopes \(2 readings\): 0 accepted, 2 rejected\nrejections: unknown_device\n/);
    assert.deepEqual(await t.node.store.telemetry({ deviceId: 'stranger-1' }), []);
  });
});
