// `tradetwin audit` on a real node's data dir: intact → exit 0; every kind of
// tampering with the stored log → exit 3 naming the first bad leaf and record.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashLeaf } from '../log/transparency-log.js';
import { openRawDatabase, type RawDatabase } from '../storage/test-support.js';
import { runCli } from '../test-support/cli.js';
import {
  copyTestDatabase,
  deviceKey,
  dropTestDatabase,
  envelope,
  startTestNode,
  storeArgs,
  tempDataDir,
  testDatabaseUrl,
} from '../test-support/node-fixture.js';

const key = deviceKey('reefer-audit', 1);
let dataDir: string;
const copies: string[] = [];
/** The chain's saved state when only the first anchored head was on it (a later rollback restores it). */
let earlyChainState: string;
let firstAnchorSize = 0;

before(async () => {
  const t = await startTestNode();
  dataDir = t.dataDir;
  assert.equal((await t.register(key)).status, 201);
  // 300 envelopes: more than one 256-leaf tile; two anchored heads.
  for (let batch = 0; batch < 3; batch++) {
    const msgs = Array.from({ length: 100 }, (_, i) => envelope(key, batch * 100 + i + 1, { at: Date.now() - 60_000 + i }));
    assert.equal((await t.post(msgs)).status, 200);
    if (batch === 0) {
      firstAnchorSize = (await t.node.anchorer.anchorNow())!.size;
      // anvil saves its state once a second: wait for a save that holds this head, keep a copy.
      await new Promise((r) => setTimeout(r, 1500));
      earlyChainState = join(tempDataDir('tt-early-'), 'anvil-state.json');
      copies.push(join(earlyChainState, '..'));
      copyFileSync(join(t.dataDir, 'chain', 'anvil-state.json'), earlyChainState);
    }
    if (batch === 1) await t.node.anchorer.anchorNow();
  }
  await t.node.anchorer.anchorNow();
  await t.stop();
});
after(async () => {
  for (const d of [dataDir, ...copies]) {
    rmSync(d, { recursive: true, force: true });
    await dropTestDatabase(d);
  }
});

interface Report {
  ok: boolean;
  size: number;
  anchoredHeads: { checked: number; source: string };
  recordedAnchors: { checked: number; missing: number; different: number; source: string };
  findings: { problem: string; detail: string; leafIndex?: number }[];
  firstBad: { problem: string; leafIndex?: number; recordId?: string; detail?: string } | null;
}

async function audit(dir: string): Promise<{ code: number | null; report: Report }> {
  const r = await runCli(['audit', '--data-dir', dir, ...storeArgs(dir), '--json']);
  assert.ok(r.stdout.startsWith('{'), `audit printed JSON (stderr: ${r.stderr})`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** A copy of the node's data dir (and database) with one SQL change applied. */
async function tampered(change: (db: RawDatabase) => Promise<void>): Promise<string> {
  const dir = tempDataDir('tt-tamper-');
  copies.push(dir);
  cpSync(dataDir, dir, { recursive: true });
  await copyTestDatabase(dataDir, dir);
  const db = await openRawDatabase({ dataDir: dir, url: testDatabaseUrl(dir) });
  try {
    await change(db);
  } finally {
    await db.close();
  }
  return dir;
}

async function leafData(db: RawDatabase, idx: number): Promise<Uint8Array> {
  return (await db.rows<{ data: Uint8Array }>('SELECT data FROM log_leaves WHERE idx = ?', idx))[0]!.data;
}

describe('tradetwin audit', () => {
  it('passes an intact log, checking it against the heads anchored on chain', async () => {
    const { code, report } = await audit(dataDir);
    assert.equal(code, 0);
    assert.equal(report.ok, true);
    assert.equal(report.size, 300);
    assert.equal(report.anchoredHeads.source, 'chain');
    assert.ok(report.anchoredHeads.checked >= 2);
  });

  it('names the leaf whose stored bytes were changed', async () => {
    const dir = await tampered(async (db) => {
      const data = await leafData(db, 137);
      data[data.length - 70]! ^= 0x01; // a bit inside the signed payload
      await db.run('UPDATE log_leaves SET data = ? WHERE idx = 137', data);
    });
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.leafIndex, 137, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.recordId, `${key.deviceId}#138`, JSON.stringify(report.firstBad));
  });

  it('names the leaf even when the attacker also rewrote its leaf hash', async () => {
    const dir = await tampered(async (db) => {
      const data = await leafData(db, 42);
      data[data.length - 70]! ^= 0x01;
      await db.run('UPDATE log_leaves SET data = ?, hash = ? WHERE idx = 42', data, hashLeaf(data));
    });
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.leafIndex, 42, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.problem, 'bad_content', JSON.stringify(report.firstBad));
  });

  it('locates a change to the unsigned part of a leaf (receive time) to the anchored range that covers it', async () => {
    const dir = await tampered(async (db) => {
      const data = await leafData(db, 260);
      data[20]! ^= 0x01; // lowest byte of receivedAt: [1, "telemetry", receivedAt, body]
      await db.run('UPDATE log_leaves SET data = ?, hash = ? WHERE idx = 260', data, hashLeaf(data));
    });
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    const range = (report.firstBad as { range?: { from: number; to: number } }).range;
    assert.ok(range && range.from <= 260 && 260 < range.to, JSON.stringify(report.firstBad));
  });

  it('names a deleted leaf', async () => {
    const dir = await tampered((db) => db.run('DELETE FROM log_leaves WHERE idx = 200'));
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.leafIndex, 200, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.problem, 'missing_leaf', JSON.stringify(report.firstBad));
  });

  it('names an inserted leaf (a replayed envelope appended to the log)', async () => {
    const dir = await tampered(async (db) => {
      const data = await leafData(db, 10);
      await db.run('INSERT INTO log_leaves (idx, hash, data) VALUES (300, ?, ?)', hashLeaf(data), data);
    });
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.leafIndex, 300, JSON.stringify(report.firstBad));
  });

  it('names a leaf whose stored type was changed (BLOB to TEXT or INTEGER) instead of crashing', async (t) => {
    if (testDatabaseUrl(dataDir)) return t.skip('SQLite only: a PostgreSQL bytea column cannot hold TEXT or INTEGER');
    const dir = await tampered(async (db) => {
      await db.run(`UPDATE log_leaves SET data = 'not a leaf any more' WHERE idx = 77`);
      await db.run('UPDATE log_leaves SET hash = 12345 WHERE idx = 250');
    });
    const { code, report } = await audit(dir);
    assert.equal(code, 3, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.leafIndex, 77, JSON.stringify(report.firstBad));
    assert.equal(report.firstBad?.problem, 'damaged_row');
    assert.match(report.firstBad?.detail ?? '', /TEXT/);
    const damaged = report.findings.filter((f) => f.problem === 'damaged_row').map((f) => f.leafIndex);
    assert.deepEqual(damaged, [77, 250], 'both changed rows are named, every other leaf is still checked');
  });

  it('passes on a node.db of the previous layout (before versioned migrations), adopting it in place', async (t) => {
    if (testDatabaseUrl(dataDir)) return t.skip('SQLite only: the previous layout was SQLite');
    // The previous layout is version 1 of every area without the migrations table and the telemetry cursor.
    const dir = await tampered(async (db) => {
      await db.run('DROP TABLE schema_migrations');
      await db.run('DROP TABLE telemetry_cursor');
      await db.run('CREATE UNIQUE INDEX telemetry_device_seq ON telemetry(device, seq)');
    });
    const { code, report } = await audit(dir);
    assert.deepEqual(report.findings, []);
    assert.equal(code, 0);
    assert.equal(report.size, 300);
    const db = await openRawDatabase({ dataDir: dir });
    const [cursor] = await db.rows<{ next_index: number }>('SELECT next_index FROM telemetry_cursor');
    await db.close();
    assert.equal(cursor?.next_index, 300, 'migrated in place; its telemetry rows count as indexed');
  });

  it('fails, naming them, when the chain lost anchors the node recorded as confirmed; the node re-anchors them', async () => {
    // The chain rolled back to when only the first head was anchored (what a kill of node and
    // chain together, or two chains on one state file, does).
    const dir = await tampered(async () => undefined);
    copyFileSync(earlyChainState, join(dir, 'chain', 'anvil-state.json'));
    const before = await audit(dir);
    assert.equal(before.code, 3, JSON.stringify(before.report.findings));
    const missing = before.report.findings.filter((f) => f.problem === 'confirmed_anchor_missing');
    assert.ok(missing.length >= 1, JSON.stringify(before.report.findings));
    for (const f of missing) {
      const size = Number(/size (\d+)/.exec(f.detail)?.[1]);
      assert.ok(size > firstAnchorSize, `names a head anchored after the rollback point: ${f.detail}`);
    }
    assert.equal(before.report.recordedAnchors.missing, missing.length);

    // The node, started on it, re-publishes them; then the audit passes.
    const t = await startTestNode({ dataDir: dir });
    try {
      await t.node.anchorer.anchorNow(30_000);
      const requeued = t.node.anchorer.lastReconcile?.discrepancies.filter((d) => d.kind === 'missing').length;
      assert.equal(requeued, missing.length, 'each missing head was re-queued');
    } finally {
      await t.stop();
    }
    const after = await audit(dir);
    assert.deepEqual(after.report.findings, []);
    assert.equal(after.code, 0);
    assert.equal(after.report.recordedAnchors.missing, 0);
  });
});
