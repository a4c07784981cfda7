// kill -9 during sustained ingest: the node (and its embedded chain) die
// mid-write; after a restart every acknowledged reading is there and the
// audit passes. This is what "acknowledge only after a durable commit" buys.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bytesToHex } from 'viem';
import { compareAnchors } from './anchor/reconcile.js';
import { LogAnchorClient } from './chain/log-anchor.js';
import { runCli, TRADETWIN_BIN } from './test-support/cli.js';
import {
  deviceKey,
  dropTestDatabase,
  envelope,
  nodeStoreArgs,
  startTestNode,
  storeArgs,
  tempDataDir,
} from './test-support/node-fixture.js';
import { chainProcesses, lockedChain, registerOn, spawnNode } from './test-support/node-process.js';

const dataDir = tempDataDir('tt-crash-');
const bothDir = tempDataDir('tt-crash-both-');
after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (!process.env.KEEP) rmSync(bothDir, { recursive: true, force: true });
  await dropTestDatabase(dataDir);
  if (!process.env.KEEP) await dropTestDatabase(bothDir);
});

describe('crash safety', () => {
  it('loses no acknowledged reading to kill -9, and the audit passes after restart', async () => {
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
      {
        detached: true, // its own process group: the kill takes anvil down with it
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TRADETWIN_ANCHOR_EVERY_MS: '300' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = await new Promise<{ httpUrl: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`node exited with ${code}: ${stderr}`)));
    });
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const key = deviceKey('reefer-crash', 1);
    const reg = await fetch(`${ready.httpUrl}/api/v1/admin/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId: key.deviceId, keyType: key.keyType, publicKey: bytesToHex(key.publicKey) }),
    });
    assert.equal(reg.status, 201);

    // Two senders, 100 envelopes a request, until the kill.
    const acked: number[] = [];
    let nextSeq = 1;
    let killed = false;
    const sender = async () => {
      while (!killed) {
        const seqs = Array.from({ length: 100 }, () => nextSeq++);
        try {
          const res = await fetch(`${ready.httpUrl}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'content-type': 'application/cbor-seq' },
            body: Buffer.concat(seqs.map((s) => envelope(key, s))),
          });
          const body = (await res.json()) as { results: { status: string; seq?: number }[] };
          for (const r of body.results) if (r.status === 'accepted') acked.push(r.seq!);
        } catch {
          return; // connection died with the node: these were never acknowledged
        }
      }
    };
    const senders = [sender(), sender()];
    // Kill mid-stream once the node has acknowledged a good amount (on a busy machine that
    // takes longer; 60 s is only the upper bound).
    const until = Date.now() + 60_000;
    while (acked.length < 2000 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    process.kill(-child.pid!, 'SIGKILL');
    killed = true;
    await Promise.all(senders);
    assert.ok(acked.length >= 200, `the node acknowledged readings before the kill (${acked.length})`);

    const t = await startTestNode({ dataDir });
    try {
      const stored = new Set((await t.node.store.telemetry({ deviceId: key.deviceId })).map((r) => r.seq));
      const missing = acked.filter((s) => !stored.has(s));
      assert.deepEqual(missing, [], 'every acknowledged reading survived');
      // Ingest goes on where it stopped: the next sequence number is accepted.
      const res = await t.post([envelope(key, nextSeq + 1)]);
      assert.equal(res.status, 201);
      await t.node.anchorer.anchorNow();
    } finally {
      await t.stop();
    }
    const audit = await runCli(['audit', '--data-dir', dataDir, ...storeArgs(dataDir), '--json']);
    const report = JSON.parse(audit.stdout) as { ok: boolean; findings: unknown[]; anchoredHeads: { source: string } };
    assert.deepEqual(report.findings, []);
    assert.equal(report.anchoredHeads.source, 'chain');
    assert.equal(audit.code, 0, audit.stderr);
  });

  it('loses no confirmed anchor when node and chain are killed together: the outbox re-publishes what the chain lost', async () => {
    // Anchors every 300 ms; anvil saves its state once a second, so the kill rolls the chain back.
    const node = await spawnNode(bothDir, { TRADETWIN_ANCHOR_EVERY_MS: '300' });
    const key = deviceKey('reefer-both', 1);
    assert.equal((await registerOn(node, key)).status, 201);
    const acked: number[] = [];
    let nextSeq = 1;
    let killed = false;
    const sender = async () => {
      while (!killed) {
        const seqs = Array.from({ length: 50 }, () => nextSeq++);
        try {
          const res = await fetch(`${node.httpUrl}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'content-type': 'application/cbor-seq' },
            body: Buffer.concat(seqs.map((q) => envelope(key, q))),
          });
          const body = (await res.json()) as { results: { status: string; seq?: number }[] };
          for (const r of body.results) if (r.status === 'accepted') acked.push(r.seq!);
        } catch {
          return;
        }
      }
    };
    const senders = [sender(), sender()];
    await new Promise((r) => setTimeout(r, 3000));
    const chain = lockedChain(bothDir)!;
    process.kill(node.child.pid!, 'SIGKILL');
    process.kill(chain.anvil, 'SIGKILL');
    killed = true;
    await Promise.all(senders);
    await node.exited;

    const t = await startTestNode({ dataDir: bothDir });
    try {
      assert.equal(chainProcesses(bothDir).length, 1, 'one chain after the restart');
      const stored = new Set((await t.node.store.telemetry({ deviceId: key.deviceId })).map((r) => r.seq));
      assert.deepEqual(
        acked.filter((q) => !stored.has(q)),
        [],
        'every acknowledged reading survived',
      );
      await t.node.anchorer.anchorNow(60_000);
      const lost = t.node.anchorer.lastReconcile?.discrepancies.filter((d) => d.kind === 'missing').length ?? 0;
      console.log(`# confirmed anchors the chain had lost at restart (re-published): ${lost}`);
      const client = new LogAnchorClient(t.node.clients, t.node.contracts.logAnchor);
      const missing = compareAnchors(await t.node.store.anchors(), await client.publishedHeads());
      assert.deepEqual(missing, [], 'every anchor recorded as confirmed is on the chain');
      assert.equal((await t.node.store.anchors('requeued')).length, 0);
    } finally {
      await t.stop();
    }
    const audit = await runCli(['audit', '--data-dir', bothDir, ...storeArgs(bothDir), '--json']);
    const report = JSON.parse(audit.stdout) as { findings: unknown[]; recordedAnchors: { checked: number; missing: number } };
    assert.deepEqual(report.findings, []);
    assert.ok(report.recordedAnchors.checked > 0);
    assert.equal(audit.code, 0, audit.stderr);
  });
});
