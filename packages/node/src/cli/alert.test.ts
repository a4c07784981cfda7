// `tradetwin alert subscribe|list|unsubscribe` against a real node, as a user runs them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../test-support/cli.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';

describe('tradetwin alert', () => {
  let t: TestNode;
  before(async () => {
    t = await startTestNode();
  });
  after(() => t.dispose());

  it('subscribes a webhook (secret shown once), lists it, unsubscribes it; a bad kind names the field', async () => {
    const dir = ['--data-dir', t.dataDir];
    const made = await runCli([
      'alert',
      'subscribe',
      '--url',
      'https://ops.example/hook',
      '--kinds',
      'excursion,payout',
      ...dir,
      '--json',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const sub = JSON.parse(made.stdout) as { id: string; secret: string; kinds: string[]; url: string };
    assert.deepEqual(sub.kinds, ['excursion', 'payout']);
    assert.ok(sub.secret.length >= 16);

    const listed = await runCli(['alert', 'list', ...dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${sub.id}: webhook https://ops.example/hook, any shipment, excursion, payout`));
    assert.doesNotMatch(listed.stdout, new RegExp(sub.secret));

    const bad = await runCli(['alert', 'subscribe', '--email', 'ops@example.com', '--kinds', 'earthquake', ...dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 400: kinds: unknown kind "earthquake"/);

    const gone = await runCli(['alert', 'unsubscribe', sub.id, ...dir]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.match(gone.stdout, new RegExp(`unsubscribed ${sub.id}`));
    const empty = await runCli(['alert', 'list', ...dir]);
    assert.match(empty.stdout, /no alert subscriptions/);
    const history = await runCli(['alert', 'list', '--history', ...dir, '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.deepEqual(JSON.parse(history.stdout), []);
  });
});
