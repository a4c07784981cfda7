// The embedded chain owned for real, as an operator meets it: `tradetwin
// start` in its own process, killed with -9, started twice, its anvil killed
// under it. Each case failed before the chain ran under a watchdog with a lock.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { deviceKey, envelope, tempDataDir } from '../test-support/node-fixture.js';
import { chainProcesses, eventually, groupMembers, lockedChain, registerOn, spawnNode } from '../test-support/node-process.js';
import { isAlive } from './chain-lock.js';
import { ChainLockedError } from './chain-lock.js';
import { startEmbeddedChain } from './embedded.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDataDir('tt-own-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const FAST_ANCHOR = { TRADETWIN_ANCHOR_EVERY_MS: '300' };

interface Status {
  chainHealth: { reachable: boolean; lastBlock: number; process: { pid: number; restarts: number; owned: boolean } | null };
  anchoring: { outboxDepth: number; lastConfirmed: { size: number } | null };
}
// The status must answer, also while the chain is down or restarting: that is how an operator sees it.
const status = async (url: string) => {
  const res = await fetch(`${url}/api/v1/status`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body) as Status;
};

describe('the embedded chain belongs to its node', () => {
  it('dies with a node killed by kill -9, and the restarted node runs exactly one chain', async () => {
    const d = dir();
    const first = await spawnNode(d, FAST_ANCHOR);
    const held = lockedChain(d)!;
    assert.ok(held.anvil > 0 && isAlive(held.anvil), 'the lock names the running anvil');
    assert.deepEqual(chainProcesses(d), [held.anvil]);

    process.kill(first.child.pid!, 'SIGKILL'); // the node only, not its process group
    await first.exited;
    // Within a generous bound, nothing of the chain is left: neither anvil nor its watchdog's group.
    // (The watchdog leaves just after anvil: wait for the whole group, not only anvil.)
    await eventually(
      'the orphaned chain to stop',
      () => (chainProcesses(d).length === 0 && groupMembers(held.watchdog).length === 0 ? true : undefined),
      20_000,
    );
    assert.equal(isAlive(held.anvil), false);
    assert.deepEqual(groupMembers(held.watchdog), [], 'the chain process group is empty');

    const second = await spawnNode(d, FAST_ANCHOR);
    try {
      const now = lockedChain(d)!;
      assert.deepEqual(chainProcesses(d), [now.anvil], 'one chain on this state');
      assert.equal(now.owner, second.child.pid);
    } finally {
      process.kill(second.child.pid!, 'SIGTERM');
      await second.exited;
    }
    await eventually('the chain to stop with its node', () => (chainProcesses(d).length === 0 ? true : undefined), 20_000);
    assert.equal(lockedChain(d), null, 'a clean stop releases the lock');
  });

  it('refuses a second chain on the same state, naming the process that holds it', async () => {
    const d = dir();
    const first = await spawnNode(d);
    try {
      // A second node on the same data dir is refused at start…
      await assert.rejects(spawnNode(d), (err: Error) => {
        assert.match(err.message, new RegExp(`held by process ${first.child.pid}`));
        return true;
      });
      // …and so is anything else that would start a chain on that state.
      await assert.rejects(startEmbeddedChain(d, { port: 0, chainId: 31337 }), (err: unknown) => {
        assert.ok(err instanceof ChainLockedError);
        assert.equal(err.owner.pid, first.child.pid);
        return true;
      });
      assert.equal(chainProcesses(d).length, 1);
      assert.equal((await fetch(`${first.httpUrl}/api/v1/status`)).status, 200, 'the first node is untouched');
    } finally {
      process.kill(first.child.pid!, 'SIGTERM');
      await first.exited;
    }
  });

  it('restarts a chain killed under the running node, and anchoring resumes', async () => {
    const d = dir();
    const node = await spawnNode(d, FAST_ANCHOR);
    try {
      const key = deviceKey('reefer-own', 1);
      assert.equal((await registerOn(node, key)).status, 201);
      const post = (seq: number) =>
        fetch(`${node.httpUrl}/api/v1/telemetry`, {
          method: 'POST',
          headers: { 'content-type': 'application/cose' },
          body: Buffer.from(envelope(key, seq)),
        });
      assert.equal((await post(1)).status, 201);
      const before = await eventually('a first anchor', async () => {
        const s = await status(node.httpUrl);
        return s.anchoring.lastConfirmed?.size === 1 ? s : undefined;
      });
      assert.equal(before.chainHealth.process?.owned, true);
      assert.equal(before.chainHealth.process?.restarts, 0);
      const oldPid = before.chainHealth.process!.pid;

      process.kill(oldPid, 'SIGKILL');
      const after = await eventually('the chain restarted', async () => {
        const s = await status(node.httpUrl);
        const p = s.chainHealth.process;
        return p && p.restarts >= 1 && p.pid !== oldPid && s.chainHealth.reachable ? s : undefined;
      });
      assert.deepEqual(chainProcesses(d), [after.chainHealth.process!.pid], 'one chain, the new one');

      // Cached device: ingest goes on; the new reading is anchored on the restarted chain.
      assert.equal((await post(2)).status, 201);
      await eventually('anchoring to resume', async () => {
        const s = await status(node.httpUrl);
        return s.anchoring.lastConfirmed && s.anchoring.lastConfirmed.size >= 2 && s.anchoring.outboxDepth === 0 ? s : undefined;
      });
    } finally {
      process.kill(node.child.pid!, 'SIGTERM');
      await node.exited;
    }
  });
});
