// `tradetwin audit` beside a node that keeps ingesting and signing heads: the
// audit reads one snapshot, so what it checks describes one moment and a head
// signed while it runs cannot look like tampering (before: signed_head_mismatch).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../test-support/cli.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
const key = deviceKey('reefer-load', 1);
let seq = 1;
let running = true;
let sender: Promise<void>;
let acceptedWhileAuditing = 0;

before(async () => {
  // Heads signed and anchored every 100 ms: several land during each audit.
  t = await startTestNode({ configure: (c) => (c.anchor = { everyMs: 100, pollMs: 50 }) });
  assert.equal((await t.register(key)).status, 201);
  // Enough log for the audit to take a while.
  for (let i = 0; i < 2; i++) {
    assert.equal((await t.post(Array.from({ length: 200 }, () => envelope(key, seq++)))).status, 200);
  }
  sender = (async () => {
    while (running) {
      const res = await t.post(Array.from({ length: 10 }, () => envelope(key, seq++)));
      const body = (await res.json()) as { accepted: number };
      acceptedWhileAuditing += body.accepted;
      await new Promise((r) => setTimeout(r, 100)); // steady, not a flood: the audit needs the CPU too
    }
  })();
});
after(async () => {
  running = false;
  await sender;
  await t.dispose();
});

describe('tradetwin audit under load', () => {
  it('passes, three times running, while ingest and anchoring go on', async () => {
    for (let i = 0; i < 3; i++) {
      const before = acceptedWhileAuditing;
      const r = await runCli(['audit', '--data-dir', t.dataDir, '--json']);
      const report = JSON.parse(r.stdout) as { ok: boolean; findings: unknown[]; anchoredHeads: { source: string } };
      assert.deepEqual(report.findings, [], `audit ${i + 1}`);
      assert.equal(r.code, 0);
      assert.equal(report.anchoredHeads.source, 'chain');
      assert.ok(acceptedWhileAuditing > before, 'ingest went on during the audit');
    }
  });
});
