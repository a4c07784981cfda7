// A node as an operator runs it: `tradetwin start` in its own process, so a
// test (or the crash bench) can kill -9 it, its chain, or both, and look at
// which processes are left.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bytesToHex } from 'viem';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import { readLock } from '../chain/chain-lock.js';
import { embeddedStateFile } from '../chain/embedded.js';
import { TRADETWIN_BIN } from './cli.js';
import { nodeStoreArgs } from './node-fixture.js';

export interface NodeProcess {
  child: ChildProcess;
  httpUrl: string;
  dataDir: string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
}

/** Start `tradetwin start` on a data dir; resolves once it printed its ready line. */
export async function spawnNode(dataDir: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    [
      TRADETWIN_BIN,
      'start',
      '--data-dir',
      dataDir,
      ...(await nodeStoreArgs(dataDir)),
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--json',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  const ready = await new Promise<{ httpUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      // With --json a refused start prints {"error":{code,message}} where the ready line would be.
      const ready = JSON.parse(line) as { httpUrl: string } | { error: { code: string; message: string } };
      if ('error' in ready) reject(new Error(`tradetwin start failed (${ready.error.code}): ${ready.error.message}`));
      else resolve(ready);
    });
    void exited.then((code) => reject(new Error(`tradetwin start exited with ${code}: ${err}`)));
  });
  return { child, httpUrl: ready.httpUrl, dataDir, stderr: () => err, exited };
}

/** Register a device through the admin API of a node process. */
export async function registerOn(p: NodeProcess, key: DeviceKey): Promise<Response> {
  const token = readFileSync(join(p.dataDir, 'admin-token'), 'utf8').trim();
  return fetch(`${p.httpUrl}/api/v1/admin/devices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ deviceId: key.deviceId, keyType: key.keyType, publicKey: bytesToHex(key.publicKey) }),
  });
}

/** Every live anvil process (any parent) whose command line names this data dir's state file. */
export function chainProcesses(dataDir: string): number[] {
  const state = resolve(embeddedStateFile(dataDir));
  const out: number[] = [];
  if (!existsSync('/proc')) return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('anvil') && argv.includes(state)) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Live (not zombie) processes of a process group. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  if (!existsSync('/proc')) return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] = state, fields[2] = process group
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The anvil and watchdog pids the data dir's chain lock names (null when unlocked). */
export function lockedChain(dataDir: string): { owner: number; anvil: number; watchdog: number } | null {
  const l = readLock(join(dataDir, 'chain', 'anvil.lock'));
  return l ? { owner: l.pid, anvil: l.anvilPid ?? 0, watchdog: l.watchdogPid ?? 0 } : null;
}

/** Wait until `check` returns a value (polling), or throw after a generous bound. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
