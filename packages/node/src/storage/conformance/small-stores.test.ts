// What only a driver can show for the small stores (their conformance checks are
// in conformance.ts): a SQLite file from the previous layout is adopted in
// place, and a schema newer than the code is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { StoreError } from '../errors.js';
import { PgDatabase } from '../postgres/database.js';
import { openPostgresSmallStores } from '../postgres/small-stores.js';
import { openSqliteSmallStores } from '../sqlite/small-stores.js';
import { forEachDriver, freshPostgresDatabase } from '../test-support.js';

forEachDriver('small stores: schema versions', (driver) => {
  /** Opens the small stores on a fresh database, lets `tamper` run SQL on it, and opens them again. */
  async function reopenAfter(tamper: string): Promise<unknown> {
    if (driver === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'tt-small-'));
      const path = join(dir, 'node.db');
      try {
        for (const s of Object.values(openSqliteSmallStores({ path }))) await s.close();
        const db = new DatabaseSync(path);
        db.exec(tamper);
        db.close();
        const again = openSqliteSmallStores({ path });
        for (const s of Object.values(again)) await s.close();
        return null;
      } catch (err) {
        return err;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const fresh = await freshPostgresDatabase('tt_small');
    const db = await PgDatabase.open({ url: fresh.url });
    try {
      await openPostgresSmallStores(db);
      await db.query(tamper);
      await openPostgresSmallStores(db);
      return null;
    } catch (err) {
      return err;
    } finally {
      await db.close();
      await fresh.drop();
    }
  }

  it('opening again is idempotent (every area at version 1)', async () => {
    assert.equal(await reopenAfter("UPDATE schema_migrations SET applied_at = 0 WHERE area = 'tags'"), null);
  });

  for (const area of ['shipments', 'access', 'tags', 'subscriptions', 'alerts', 'dcsa', 'commands'])
    it(`a database whose "${area}" schema is newer than this code is refused, saying so`, async () => {
      const err = await reopenAfter(`UPDATE schema_migrations SET version = 2 WHERE area = '${area}'`);
      assert.ok(err instanceof StoreError, String(err));
      assert.equal(err.code, 'schema_too_new');
      assert.match(err.message, new RegExp(`"${area}" schema is at version 2, newer than this node knows \\(1\\)`));
    });
});

describe('small stores: a SQLite file from before versioned migrations', () => {
  it('is adopted in place: rows kept, every area recorded at version 1, old sightings marked anonymous', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-small-legacy-'));
    const path = join(dir, 'node.db');
    try {
      // The tables as the node made them before this layer (tag_sightings before scanners were told apart).
      const legacy = new DatabaseSync(path);
      legacy.exec(`
        CREATE TABLE shipments (id TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at INTEGER NOT NULL);
        INSERT INTO shipments VALUES ('SHP-OLD', '{"id":"SHP-OLD","goods":{"description":"tea"},"parties":[],"legs":[],"devices":[],"rules":[]}', 5);
        CREATE TABLE access_users (id INTEGER PRIMARY KEY AUTOINCREMENT, org_id INTEGER NOT NULL, username TEXT NOT NULL,
          password_hash TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
          disabled INTEGER NOT NULL DEFAULT 0, failed_attempts INTEGER NOT NULL DEFAULT 0, locked_until INTEGER,
          created_at INTEGER NOT NULL, UNIQUE (org_id, username));
        INSERT INTO access_users (org_id, username, password_hash, role, created_at) VALUES (1, 'old.admin', 'h', 'admin', 5);
        CREATE TABLE tag_sightings (id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL, epc TEXT NOT NULL, at INTEGER NOT NULL,
          lat REAL, lon REAL, scanned_by TEXT, issuer TEXT NOT NULL, signature_valid INTEGER NOT NULL, verdict TEXT NOT NULL,
          reasons TEXT NOT NULL, conflict_with INTEGER, recorded_at INTEGER NOT NULL);
        INSERT INTO tag_sightings (item, epc, at, issuer, signature_valid, verdict, reasons, recorded_at)
          VALUES ('https://id.gs1.org/01/1/21/A', 'urn:epc:id:sgtin:1.1.A', 5, '0xaa', 1, 'genuine', '[]', 6);
        CREATE TABLE epcis_named_queries (name TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at INTEGER NOT NULL);
        INSERT INTO epcis_named_queries VALUES ('old', '{"queryType":"events"}', 5);
      `);
      legacy.close();
      const stores = openSqliteSmallStores({ path });
      try {
        assert.equal((await stores.shipments.shipment('SHP-OLD'))!.goods.description, 'tea');
        assert.equal((await stores.access.user(1, 'old.admin'))!.role, 'admin');
        const [old] = await stores.tags.ofItem('https://id.gs1.org/01/1/21/A', 10);
        assert.equal(old!.trusted, false);
        assert.deepEqual((await stores.subscriptions.query('old'))!.query, { queryType: 'events' });
        // The areas that had no tables yet got them.
        await stores.shipments.putPolicy({ policyId: 1, shipmentId: 'SHP-OLD', cover: '0x01', terms: {}, state: 'offered' });
        assert.equal((await stores.shipments.policies()).length, 1);
      } finally {
        for (const s of Object.values(stores)) await s.close();
      }
      const db = new DatabaseSync(path);
      const versions = db.prepare('SELECT area, version FROM schema_migrations ORDER BY area').all();
      db.close();
      assert.deepEqual(
        versions.map((v) => [v.area, v.version]),
        [
          ['access', 1],
          ['alerts', 1],
          ['commands', 1],
          ['dcsa', 1],
          ['documents', 1],
          ['grants', 1],
          ['mirror', 2],
          ['shipments', 1],
          ['subscriptions', 1],
          ['tags', 1],
          ['witness', 1],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
