import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { StoreError } from './errors.js';
import type { Migration } from './migrations.js';
import { migratePostgres, PgDatabase } from './postgres/database.js';
import { migrateSqlite, openSqliteFile, sqliteSchemaVersion } from './sqlite/database.js';
import { type DriverFixture, forEachDriver, freshDriver } from './test-support.js';

const V1: Migration[] = [
  { version: 1, name: 'things', sql: 'CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY, name TEXT NOT NULL)' },
];
const V2: Migration[] = [...V1, { version: 2, name: 'things.colour', sql: 'ALTER TABLE things ADD COLUMN colour TEXT' }];

/** The area's recorded version and the columns of `things`, on either driver, after migrating with `list`. */
async function migrate(fx: DriverFixture, list: Migration[]): Promise<{ version: number; columns: string[] }> {
  if (fx.store.kind === 'sqlite') {
    const db = openSqliteFile({ path: join(fx.dataDir, 'node.db') });
    try {
      migrateSqlite(db, 'test', list);
      const columns = (db.prepare('PRAGMA table_info(things)').all() as { name: string }[]).map((c) => c.name);
      return { version: sqliteSchemaVersion(db, 'test'), columns };
    } finally {
      db.close();
    }
  }
  const db = await PgDatabase.open({ url: fx.store.url });
  try {
    await migratePostgres(db, 'test', list);
    const v = await db.query<{ version: number }>(`SELECT version FROM schema_migrations WHERE area = 'test'`);
    const cols = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'things' ORDER BY ordinal_position`,
    );
    return { version: Number(v[0]?.version), columns: cols.map((c) => c.column_name) };
  } finally {
    await db.close();
  }
}

forEachDriver('schema migrations', (driver) => {
  let fx: DriverFixture;
  before(async () => {
    fx = await freshDriver(driver);
  });
  after(() => fx.dispose());

  it('applies pending versions in order, once', async () => {
    assert.deepEqual(await migrate(fx, V1), { version: 1, columns: ['id', 'name'] });
    assert.deepEqual(await migrate(fx, V2), { version: 2, columns: ['id', 'name', 'colour'] });
    // Again: nothing left to run (ALTER … ADD COLUMN would fail if it ran twice).
    assert.deepEqual(await migrate(fx, V2), { version: 2, columns: ['id', 'name', 'colour'] });
  });

  it('refuses a database migrated by newer code, naming both versions', async () => {
    await assert.rejects(
      () => migrate(fx, V1),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === 'schema_too_new' &&
        /version 2, newer than this node knows \(1\)/.test(err.message),
    );
  });

  it('rejects a migration list with a hole in its numbering', async () => {
    await assert.rejects(() => migrate(fx, [V1[0]!, { version: 3, name: 'x', sql: 'SELECT 1' }]), /numbered 1, 2, 3/);
  });
});

it('PostgreSQL unreachable: a clear error naming the server, no password', async () => {
  const err = await PgDatabase.open({ url: 'postgres://tt:secret@127.0.0.1:1/none', connectTimeoutMs: 2000 }).catch((e) => e);
  assert.ok(err instanceof StoreError);
  assert.equal(err.code, 'unavailable');
  assert.match(err.message, /cannot reach PostgreSQL at postgres:\/\/tt:\*\*\*@127\.0\.0\.1:1\/none/);
  assert.doesNotMatch(err.message, /secret/);
});
