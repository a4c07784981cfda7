// One chain per state file. Two anvils on the same state file overwrite each
// other's saves and roll the chain back, so the process that owns an embedded
// chain holds <dataDir>/chain/anvil.lock: created exclusively (link(2) of a
// complete temp file, so nobody ever reads half a lock), naming the owner
// process and the chain processes it runs. A lock is stale when its owner is
// no longer alive or its pid now belongs to another process (start time
// differs); a stale lock's chain processes, if still alive and still the ones
// recorded, are stopped before the lock is taken over.
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

export interface LockOwner {
  /** The process that owns the chain (a node, or `tradetwin audit`). */
  pid: number;
  /** Its start time (Linux: clock ticks since boot, /proc/<pid>/stat field 22); null where unknown. */
  pidStart: number | null;
  host: string;
  role: string;
  since: string;
  /** The watchdog (process-group leader) and anvil, once started. */
  watchdogPid?: number;
  watchdogStart?: number | null;
  anvilPid?: number;
  anvilStart?: number | null;
}

export class ChainLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the embedded chain of this data dir is held by process ${owner.pid} (${owner.role}, since ${owner.since}` +
        `${owner.anvilPid ? `, anvil pid ${owner.anvilPid}` : ''}); lock ${lockFile}. Stop that process first ` +
        '(a second chain on the same state would roll the chain back).',
    );
    this.name = 'ChainLockedError';
  }
}

export function lockFileOf(stateFile: string): string {
  return join(dirname(stateFile), 'anvil.lock');
}

/** A process's start time, to tell a live owner from a recycled pid; null when it cannot be read. */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name start at field 3; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** The pid runs (a zombie — dead, not yet reaped by its parent — does not count). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): signal 0 is all we know
  }
}

/** Alive, and the same process that was recorded (not a recycled pid). */
export function isSameProcess(pid: number | undefined, start: number | null | undefined): boolean {
  if (!pid || !isAlive(pid)) return false;
  if (start === null || start === undefined) return true;
  const now = processStart(pid);
  return now === null || now === start;
}

export function readLock(lockFile: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable: written by hand or damaged. Treated as held by nobody alive.
    return { pid: 0, pidStart: null, host: '?', role: 'unreadable lock', since: '?' };
  }
}

/** The lock record of this process, in `role`. */
export function ownerHere(role: string): LockOwner {
  return { pid: process.pid, pidStart: processStart(process.pid), host: hostname(), role, since: new Date().toISOString() };
}

/** Creates `file` holding `owner`, exclusively (link(2) of a complete temp file); false when it exists already. */
export function createLockFile(file: string, owner: LockOwner): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Removes a lock judged stale, only if it is still the one that was judged. */
export function removeStaleLock(file: string, judged: LockOwner): void {
  if (JSON.stringify(readLock(file)) === JSON.stringify(judged)) rmSync(file, { force: true });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ChainLock {
  private released = false;
  private owner: LockOwner;

  private constructor(
    readonly file: string,
    owner: LockOwner,
  ) {
    this.owner = owner;
  }

  /**
   * Take the lock, or throw ChainLockedError naming the live holder. A stale
   * lock's leftover chain processes are stopped first (SIGTERM, then SIGKILL
   * after `graceMs`), so a restarted node never runs beside an orphaned anvil.
   */
  static async acquire(stateFile: string, role: string, opts: { graceMs?: number } = {}): Promise<ChainLock> {
    const file = lockFileOf(stateFile);
    const owner = ownerHere(role);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createLockFile(file, owner)) return new ChainLock(file, owner);
      const held = readLock(file);
      if (!held) continue; // released meanwhile
      if (held.pid === process.pid && held.pidStart === owner.pidStart) {
        throw new ChainLockedError(file, held); // this process already runs a chain on this state
      }
      if (held.host === owner.host && isSameProcess(held.pid, held.pidStart)) throw new ChainLockedError(file, held);
      if (held.host !== owner.host && held.host !== '?') throw new ChainLockedError(file, held);
      await stopLeftovers(held, opts.graceMs ?? 12_000);
      removeStaleLock(file, held);
    }
    throw new Error(`could not take ${file}: it keeps changing hands`);
  }

  /** Record the chain processes (so a successor can stop them if this owner dies). */
  update(patch: Partial<Pick<LockOwner, 'watchdogPid' | 'watchdogStart' | 'anvilPid' | 'anvilStart'>>): void {
    if (this.released) return;
    this.owner = { ...this.owner, ...patch };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.owner)}\n`);
    renameSync(tmp, this.file);
  }

  get holder(): LockOwner {
    return this.owner;
  }

  /** Release (synchronous: also called from process 'exit'). Only removes a lock that is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
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

/** Stop a dead owner's chain processes that are still running: they would write the same state file. */
async function stopLeftovers(held: LockOwner, graceMs: number): Promise<void> {
  const leftovers = [
    { pid: held.anvilPid, start: held.anvilStart },
    { pid: held.watchdogPid, start: held.watchdogStart },
  ].filter((p) => isSameProcess(p.pid, p.start));
  if (leftovers.length === 0) return;
  // The watchdog is normally stopping anvil already (it saw its node die): give it the grace period.
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && leftovers.some((p) => isSameProcess(p.pid, p.start))) await sleep(100);
  for (const p of leftovers) {
    if (isSameProcess(p.pid, p.start)) {
      try {
        process.kill(p.pid!, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && leftovers.some((p) => isSameProcess(p.pid, p.start))) await sleep(50);
}
