// The SQLite driver's own checks: a node.db of the previous layout (before
// versioned migrations) is adopted in place; a value whose type was changed is
// reported as corrupt, naming the row; the old unique (device, seq) index goes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { StoreError } from '../errors.js';
import { openSqliteStorage } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-sqlite-driver-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The schema the node wrote before storage/ (store/sqlite.ts), verbatim. */
const PREVIOUS_LAYOUT = `
CREATE TABLE IF NOT EXISTS log_leaves (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_tiles (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  signature BLOB NOT NULL, signer TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS anchor_outbox (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  status TEXT NOT NULL, tx_hash TEXT, block INTEGER, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  enqueued_at INTEGER NOT NULL, confirmed_at INTEGER);
CREATE INDEX IF NOT EXISTS anchor_outbox_status ON anchor_outbox(status, size);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, key_type INTEGER NOT NULL, public_key BLOB NOT NULL,
  owner_org INTEGER NOT NULL, metadata_hash TEXT NOT NULL, registered_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS device_state (id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, last_seen INTEGER,
  gaps INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS seq_gaps (device TEXT NOT NULL, after_seq INTEGER NOT NULL, before_seq INTEGER NOT NULL,
  detected_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seq_gaps_device ON seq_gaps(device);
CREATE TABLE IF NOT EXISTS telemetry (idx INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,
  signed_at INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, n INTEGER NOT NULL,
  received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS telemetry_device_time ON telemetry(device, first_at);
CREATE UNIQUE INDEX IF NOT EXISTS telemetry_device_seq ON telemetry(device, seq);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

function previousLayoutFile(name: string): string {
  const path = join(dir, name);
  const db = new DatabaseSync(path);
  db.exec(PREVIOUS_LAYOUT);
  const leaf = db.prepare('INSERT INTO log_leaves (idx, hash, data) VALUES (?, ?, ?)');
  const row = db.prepare('INSERT INTO telemetry VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < 3; i++) {
    leaf.run(i, new Uint8Array(32).fill(i + 1), Uint8Array.of(i));
    row.run(i, 'dev-a', i + 1, 1000 + i, 1000 + i, 1000 + i, 1, 1005 + i);
  }
  db.prepare('INSERT INTO device_state VALUES (?, ?, ?, ?)').run('dev-a', 3, 1007, 0);
  db.prepare('INSERT INTO settings VALUES (?, ?)').run('node.org', '7');
  db.close();
  return path;
}

describe('SQLite driver', () => {
  it('adopts a node.db of the previous layout in place: versions recorded, the telemetry index counted as caught up', async () => {
    const path = previousLayoutFile('previous.db');
    const storage = await openSqliteStorage({ path });
    try {
      assert.equal(await storage.log.size(), 3);
      assert.equal(await storage.telemetry.telemetryCursor(), 3, 'rows were written with their leaves');
      assert.deepEqual(
        (await storage.telemetry.telemetry({ deviceId: 'dev-a' })).map((r) => r.seq),
        [1, 2, 3],
      );
      assert.equal(await storage.settings.getSetting('node.org'), '7');
      const { firstIndex } = await storage.log.append([{ data: Uint8Array.of(9), hash: new Uint8Array(32).fill(9) }], []);
      assert.equal(firstIndex, 3);
    } finally {
      await storage.close();
    }
    const db = new DatabaseSync(path);
    const versions = db.prepare('SELECT area, version FROM schema_migrations ORDER BY area').all();
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetry'").all();
    db.close();
    assert.deepEqual(
      versions.map((v) => [v.area, v.version]),
      [
        ['access', 1],
        ['alerts', 1],
        ['anchors', 1],
        ['commands', 1],
        ['dcsa', 1],
        ['devices', 1],
        ['documents', 1],
        ['epcis', 1],
        ['grants', 1],
        ['log', 1],
        ['mirror', 2],
        ['settings', 1],
        ['shipments', 1],
        ['subscriptions', 1],
        ['tags', 1],
        ['telemetry', 2],
        ['witness', 1],
      ],
    );
    assert.deepEqual(
      indexes.map((i) => i.name),
      ['telemetry_device_time'],
      'the old unique (device, seq) index is dropped',
    );
  });

  it("every area's first version adopts its own tables: a file whose migrations table was lost opens again", async () => {
    // What a node.db from before versioned migrations looks like for areas added since: tables, no versions.
    const path = join(dir, 'lost-versions.db');
    await (await openSqliteStorage({ path })).close();
    const db = new DatabaseSync(path);
    const areas = (db.prepare('SELECT area FROM schema_migrations ORDER BY area').all() as { area: string }[]).map((r) => r.area);
    db.exec('DROP TABLE schema_migrations');
    db.close();
    const again = await openSqliteStorage({ path });
    await again.close();
    const check = new DatabaseSync(path);
    const back = (check.prepare('SELECT area FROM schema_migrations ORDER BY area').all() as { area: string }[]).map(
      (r) => r.area,
    );
    check.close();
    assert.deepEqual(back, areas);
  });

  it('reports a value whose stored type was changed as corrupt, naming the row', async () => {
    const path = previousLayoutFile('changed.db');
    const db = new DatabaseSync(path);
    db.exec(`UPDATE log_leaves SET data = 'not a leaf any more' WHERE idx = 1; UPDATE log_leaves SET hash = 12345 WHERE idx = 2`);
    db.close();
    const storage = await openSqliteStorage({ path });
    try {
      await assert.rejects(
        storage.log.leaf(1),
        (e) => e instanceof StoreError && e.code === 'corrupt' && /log_leaves\.data of leaf 1 holds TEXT/.test(e.message),
      );
      await assert.rejects(
        storage.log.leafHashes(0, 3),
        (e) => e instanceof StoreError && e.code === 'corrupt' && /leaf 2 holds INTEGER \(12345\)/.test(e.message),
      );
    } finally {
      await storage.close();
    }
  });
});
