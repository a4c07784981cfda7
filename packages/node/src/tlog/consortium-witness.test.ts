// `tradetwin consortium demo --fork` as a user runs it (real processes, a real chain): every node's
// checkpoint is cosigned by every other node, then the carrier's node is made to equivocate and each
// other node catches it with an equivocation proof that verifies with the carrier's log key alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../test-support/cli.js';

describe('tradetwin consortium demo --fork', () => {
  it('witnessing across three node processes; the equivocation is caught by both other organisations', async () => {
    const r = await runCli(['consortium', 'demo', '--headless', '--json', '--fork'], { timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout) as {
      witness: { cosigned: number; checkpoints: { quorum: boolean }[] };
      fork: {
        kind: string;
        submitted: { status: number }[];
        detectedBy: { org: string; ms: number | null; verified: boolean }[];
      };
    };
    assert.equal(out.witness.cosigned, 3);
    assert.ok(out.witness.checkpoints.every((c) => c.quorum));
    assert.equal(out.fork.kind, 'same-size');
    assert.deepEqual(
      out.fork.submitted.map((s) => s.status),
      [422, 422],
    );
    assert.equal(out.fork.detectedBy.length, 2);
    for (const d of out.fork.detectedBy) {
      assert.equal(d.verified, true, `${d.org}'s proof verifies`);
      assert.equal(typeof d.ms, 'number');
    }
  });
});
