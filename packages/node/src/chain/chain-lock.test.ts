// The chain lock on its own: a stale lock (its owner died) whose chain process
// is still running — a node and its watchdog killed together leave anvil
// behind — is taken over only after that process is stopped; a lock whose
// owner lives is refused; a recycled pid does not count as the owner.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDataDir } from '../test-support/node-fixture.js';
import { ChainLock, ChainLockedError, isAlive, type LockOwner, lockFileOf, processStart, readLock } from './chain-lock.js';

const dir = tempDataDir('tt-lock-');
after(() => rmSync(dir, { recursive: true, force: true }));
const stateFile = join(dir, 'chain', 'anvil-state.json');
mkdirSync(join(dir, 'chain'), { recursive: true });

function writeLock(owner: LockOwner): void {
  writeFileSync(lockFileOf(stateFile), JSON.stringify(owner));
}

/** A pid that is certainly dead: a child that already exited. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

describe('ChainLock', () => {
  it('stops a dead owner’s leftover chain process before taking the lock over', async () => {
    const leftover = spawn('sleep', ['60']); // stands in for an orphaned anvil
    const exited = new Promise((r) => leftover.once('exit', r));
    writeLock({
      pid: await deadPid(),
      pidStart: null,
      host: (await import('node:os')).hostname(),
      role: 'killed node',
      since: new Date().toISOString(),
      anvilPid: leftover.pid!,
      anvilStart: processStart(leftover.pid!),
    });
    const lock = await ChainLock.acquire(stateFile, 'test', { graceMs: 200 });
    try {
      await exited;
      assert.equal(isAlive(leftover.pid!), false, 'the orphan was stopped');
      assert.equal(readLock(lock.file)?.pid, process.pid);
      // A second acquisition while held — by this very process — is refused too.
      await assert.rejects(ChainLock.acquire(stateFile, 'again'), ChainLockedError);
    } finally {
      lock.release();
    }
    assert.equal(readLock(lockFileOf(stateFile)), null);
  });

  it('refuses while the owner lives, and ignores a recycled pid', async () => {
    const owner = spawn('sleep', ['60']);
    try {
      const live: LockOwner = {
        pid: owner.pid!,
        pidStart: processStart(owner.pid!),
        host: (await import('node:os')).hostname(),
        role: 'tradetwin node (pid x)',
        since: new Date().toISOString(),
      };
      writeLock(live);
      await assert.rejects(ChainLock.acquire(stateFile, 'second'), (e: unknown) => {
        assert.ok(e instanceof ChainLockedError);
        assert.match(e.message, new RegExp(`held by process ${owner.pid}`));
        return true;
      });
      // Same pid, other start time: the recorded owner is gone, its pid reused.
      writeLock({ ...live, pidStart: (live.pidStart ?? 0) - 1 });
      const lock = await ChainLock.acquire(stateFile, 'third', { graceMs: 100 });
      lock.release();
    } finally {
      owner.kill('SIGKILL');
    }
  });
});
