// `tradetwin verify` against a real node and its chain: a genuine reading
// verifies; a tampered bundle, an unanchored claim, or a device revoked before
// the reading does not — whatever the node's database says.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import type { EventProof } from '@tradetwin/core/proof/epcis-event';
import { runCli } from '../test-support/cli.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
let lateAt = 0;
const key = deviceKey('reefer-verify', 1);
const late = deviceKey('reefer-verify-revoked', 2);

before(async () => {
  t = await startTestNode();
  for (const k of [key, late]) assert.equal((await t.register(k)).status, 201);
  lateAt = Date.now(); // after its registration block
  assert.equal(
    (await t.post([envelope(key, 1, { n: 5 }), envelope(key, 2, { n: 5 }), envelope(late, 1, { at: lateAt })])).status,
    200,
  );
  const captured = await fetch(`${t.node.httpUrl}/epcis/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.node.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(EVENT),
  });
  assert.equal(captured.status, 201);
  eventID = ((await captured.json()) as { eventID: string }).eventID;
  await t.node.anchorer.anchorNow();
});
after(() => t.dispose());

let eventID = '';
const EVENT = {
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00.000Z',
  eventTimeZoneOffset: '+00:00',
  epcList: ['urn:epc:id:sgtin:4012345.011111.cli-verify'],
  action: 'OBSERVE',
  bizStep: 'receiving',
};

interface Report {
  verified: boolean;
  checks: { name: string; ok: boolean; skipped?: boolean }[];
}
const failed = (r: Report) => r.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.name);

async function verify(target: string, ...extra: string[]) {
  const r = await runCli(['verify', target, '--node', t.node.httpUrl, '--json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function bundleFile(id: string, change: (b: ProofBundle) => void): Promise<string> {
  const b = (await (await fetch(`${t.node.httpUrl}/api/v1/readings/${id}/bundle`)).json()) as ProofBundle;
  change(b);
  const file = join(t.dataDir, `bundle-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

describe('tradetwin verify', () => {
  it('verifies a reading by id, every check performed against the chain', async () => {
    const { code, report } = await verify('1:3');
    assert.equal(code, 0, JSON.stringify(report));
    assert.equal(report.verified, true);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      ['envelope', 'reading', 'leaf', 'leaf-hash', 'inclusion', 'tree-head', 'anchor', 'device'].map((n) => [n, true]),
    );
  });

  it('refuses a bundle whose inclusion path was bent', async () => {
    const file = await bundleFile('0:0', (b) => {
      b.inclusion.path[0] = `0x${'11'.repeat(32)}`;
    });
    const { code, report } = await verify(file, '--rpc', t.node.rpcUrl);
    assert.equal(code, 3);
    assert.deepEqual(failed(report), ['inclusion']);
  });

  it('refuses a head the chain never anchored, even when the node signed it', async () => {
    const file = await bundleFile('0:0', (b) => {
      b.treeHead.size += 1; // claims a different head than the one anchored
    });
    const { code, report } = await verify(file, '--rpc', t.node.rpcUrl);
    assert.equal(code, 3);
    assert.ok(failed(report).includes('anchor'), JSON.stringify(report));
  });

  it('does not call a bundle verified when the chain was not consulted', async () => {
    const file = await bundleFile('0:0', () => undefined);
    const r = await runCli(['verify', file, '--json']);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(r.code, 3);
    assert.equal(report.verified, false);
    assert.ok(report.checks.some((c) => c.name === 'anchor' && c.skipped));
  });

  it('refuses a reading taken after its device was revoked (back-dated on chain after ingest)', async () => {
    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/devices/${late.deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.node.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ effectiveAt: lateAt }), // key compromised from the moment of that reading
    });
    assert.equal(res.status, 200, await res.text());
    const { code, report } = await verify('2:0');
    assert.equal(code, 3);
    assert.deepEqual(failed(report), ['device']);
  });

  it('verifies an EPCIS event by id (--event), and refuses its proof with the event edited', async () => {
    const r = await runCli(['verify', '--event', eventID, '--node', t.node.httpUrl, '--data-dir', t.dataDir, '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.ok]),
      ['leaf', 'leaf-hash', 'event', 'hash-id', 'inclusion', 'tree-head', 'anchor'].map((n) => [n, true]),
    );
    const proof = (await (
      await fetch(`${t.node.httpUrl}/epcis/events/${encodeURIComponent(eventID)}/proof`, {
        headers: { authorization: `Bearer ${t.node.adminToken}` },
      })
    ).json()) as EventProof;
    const file = join(t.dataDir, 'event-proof.json');
    writeFileSync(file, JSON.stringify({ ...proof, event: { ...proof.event, bizStep: 'shipping' } }));
    const forged = await verify(file, '--rpc', t.node.rpcUrl);
    assert.equal(forged.code, 3);
    assert.deepEqual(failed(forged.report), ['event', 'hash-id']);
  });
});
