// The embedded driver's connection: node:sqlite (built into Node 24: no native
// addon to build). WAL journal; synchronous=FULL by default so that an
// acknowledged write survives power loss, not only a killed process. Each area
// opens its own connection to the one file (WAL lets them read while one writes).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type Migration, MIGRATIONS_TABLE_SQL, pendingMigrations } from '../migrations.js';

export interface SqliteFileOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** 'FULL' (default) survives power loss; 'NORMAL' survives a killed process only. */
  synchronous?: 'FULL' | 'NORMAL';
}

export function openSqliteFile(opts: SqliteFileOptions): DatabaseSync {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new DatabaseSync(opts.path);
  db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=${opts.synchronous ?? 'FULL'}; PRAGMA busy_timeout=5000;`);
  return db;
}

/** The version recorded for an area (0: never migrated). */
export function sqliteSchemaVersion(db: DatabaseSync, area: string): number {
  db.exec(MIGRATIONS_TABLE_SQL);
  const row = db.prepare('SELECT version FROM schema_migrations WHERE area = ?').get(area) as { version: number } | undefined;
  return row ? Number(row.version) : 0;
}

/**
 * Brings an area's tables to the newest version. A file from before versioned migrations holds
 * the tables without a schema_migrations row: version 1 of every area is written with
 * CREATE … IF NOT EXISTS, so it adopts such a file in place.
 */
export function migrateSqlite(db: DatabaseSync, area: string, migrations: readonly Migration[], now = Date.now()): void {
  const todo = pendingMigrations(area, sqliteSchemaVersion(db, area), migrations);
  for (const m of todo) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.prepare(
        `INSERT INTO schema_migrations (area, version, applied_at) VALUES (?, ?, ?)
         ON CONFLICT(area) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`,
      ).run(area, m.version, now);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new Error(`SQLite migration ${area} v${m.version} (${m.name}) failed: ${String((err as Error).message ?? err)}`, {
        cause: err,
      });
    }
  }
}
