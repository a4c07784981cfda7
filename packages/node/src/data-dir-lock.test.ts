import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from './config.js';
import { DATA_DIR_LOCK, DataDirLock, DataDirLockedError } from './data-dir-lock.js';
import { RUNTIME_FILE, readRuntimeInfo, startNode } from './node.js';
import { runCli } from './test-support/cli.js';
import { startTestNode, tempDataDir } from './test-support/node-fixture.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDataDir('tt-dirlock-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A pid that certainly ran and has exited (and was reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('one node per data dir', () => {
  it('takes the data dir, refuses a second taker naming the holder, and frees it on release', () => {
    const d = dir();
    const lock = DataDirLock.acquire(d, 'first');
    assert.throws(
      () => DataDirLock.acquire(d, 'second'),
      (err: unknown) =>
        err instanceof DataDirLockedError && err.owner.pid === process.pid && /held by process \d+ \(first/.test(err.message),
    );
    lock.release();
    assert.equal(existsSync(join(d, DATA_DIR_LOCK)), false);
    DataDirLock.acquire(d, 'again').release();
  });

  it('takes over the lock of a node that died without stopping (its pid is gone)', () => {
    const d = dir();
    const pid = deadPid();
    writeFileSync(
      join(d, DATA_DIR_LOCK),
      JSON.stringify({ pid, pidStart: null, host: hostname(), role: 'killed node', since: new Date().toISOString() }),
    );
    const lock = DataDirLock.acquire(d, 'successor');
    assert.equal(JSON.parse(readFileSync(join(d, DATA_DIR_LOCK), 'utf8')).role, 'successor');
    lock.release();
  });

  it('refuses a second node on a running data dir and leaves the first one, and its node.json, untouched', async () => {
    const t = await startTestNode();
    try {
      const info = readRuntimeInfo(t.dataDir);
      assert.equal(info?.httpUrl, t.node.httpUrl);
      // In the same process…
      const config = loadConfig(t.dataDir, {});
      config.http.port = 0;
      await assert.rejects(startNode(config), DataDirLockedError);
      // …and as `tradetwin start` in another: refused (exit 1, "refused"), in words and as JSON.
      const r = await runCli(['start', '--data-dir', t.dataDir, '--port', '0', '--mqtt-port', '0']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`the data dir .* is held by process ${process.pid} `));
      const j = await runCli(['start', '--data-dir', t.dataDir, '--port', '0', '--json']);
      assert.equal(j.code, 1);
      assert.equal(JSON.parse(j.stdout).error.code, 'data_dir_in_use');
      // The refused starts removed nothing: the CLI still finds the running node.
      assert.deepEqual(readRuntimeInfo(t.dataDir), info);
      assert.equal((await fetch(`${t.node.httpUrl}/api/v1/status`)).status, 200);
    } finally {
      await t.dispose();
    }
  });

  it("on stop, removes its own node.json but never another node's", async () => {
    const d = dir();
    const t = await startTestNode({ dataDir: d });
    // Another process's node.json (as a node on another data dir path to the same files might write it).
    const other = { ...JSON.parse(readFileSync(join(d, RUNTIME_FILE), 'utf8')), pid: process.ppid };
    writeFileSync(join(d, RUNTIME_FILE), JSON.stringify(other));
    await t.stop();
    assert.equal(JSON.parse(readFileSync(join(d, RUNTIME_FILE), 'utf8')).pid, process.ppid, 'not removed');
    assert.equal(existsSync(join(d, DATA_DIR_LOCK)), false, 'the data dir is free');

    rmSync(join(d, RUNTIME_FILE));
    const again = await startTestNode({ dataDir: d });
    assert.ok(existsSync(join(d, RUNTIME_FILE)));
    await again.stop();
    assert.equal(existsSync(join(d, RUNTIME_FILE)), false, 'its own node.json goes with it');
  });
});
