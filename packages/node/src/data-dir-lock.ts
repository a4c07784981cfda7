// One running node per data dir. Two nodes on one data dir would share its
// store, keys and admin token, and overwrite each other's node.json — so
// stopping either would leave the CLI unable to find the other. A node holds
// <dataDir>/node.lock from before it opens anything until it has stopped:
// created exclusively (link(2) of a complete temp file, as the chain lock),
// naming the process. A lock whose owner is gone (killed: no clean stop), or
// whose pid now belongs to another process, is stale and taken over.
import { unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createLockFile, isSameProcess, type LockOwner, ownerHere, readLock, removeStaleLock } from './chain/chain-lock.js';

export const DATA_DIR_LOCK = 'node.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the data dir ${dataDir} is held by process ${owner.pid} (${owner.role}, since ${owner.since}` +
        `${owner.host !== hostname() ? ` on ${owner.host}` : ''}): stop that node first, or start this one with another --data-dir`,
    );
    this.name = 'DataDirLockedError';
  }
}

export class DataDirLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    readonly owner: LockOwner,
  ) {
    // A process that exits without stopping its node (an uncaught error) still frees the data dir.
    process.once('exit', this.onExit);
  }

  /** Take the data dir, or throw DataDirLockedError naming the live node that holds it. */
  static acquire(dataDir: string, role: string): DataDirLock {
    const dir = resolve(dataDir);
    const file = join(dir, DATA_DIR_LOCK);
    const owner = ownerHere(role);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createLockFile(file, owner)) return new DataDirLock(file, owner);
      const held = readLock(file);
      if (!held) continue; // released meanwhile
      // Another host's node on a shared file system cannot be checked from here: refuse.
      if (held.host !== owner.host && held.host !== '?') throw new DataDirLockedError(dir, held);
      // The same process twice (two startNode calls on one dir) is refused too.
      if (isSameProcess(held.pid, held.pidStart)) throw new DataDirLockedError(dir, held);
      // Stale: remove it (only if it is still the one judged stale), then try again.
      removeStaleLock(file, held);
    }
    throw new Error(`could not take ${file}: it keeps changing hands`);
  }

  /** Release (synchronous; idempotent). Only removes a lock that is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const held = readLock(this.file);
    if (held && held.pid === this.owner.pid && held.pidStart === this.owner.pidStart) {
      try {
        unlinkSync(this.file);
      } catch {
        // already gone
      }
    }
  }
}
