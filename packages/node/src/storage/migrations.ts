// Versioned schema migrations, per area of storage (log, epcis, shipments, …), for
// both drivers. Each area owns an ordered list; the database records, per area,
// the highest version applied (table schema_migrations). At start every pending
// migration runs in order, each in its own transaction; a database whose
// recorded version is above what this code knows is refused — a newer node
// wrote it, and this one would misread it.
import { StoreError } from './errors.js';

/** One schema step. `sql` may hold several statements. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations still to run for an area recorded at `current`; throws when the database is newer. */
export function pendingMigrations(area: string, current: number, migrations: readonly Migration[]): Migration[] {
  let last = 0;
  for (const m of migrations) {
    if (m.version !== last + 1) throw new Error(`${area} migrations must be numbered 1, 2, 3…: ${m.version} follows ${last}`);
    last = m.version;
  }
  if (current > last)
    throw new StoreError(
      'schema_too_new',
      `the database's "${area}" schema is at version ${current}, newer than this node knows (${last}): ` +
        'it was migrated by a newer TradeTwin; run that version, or restore a backup made before the upgrade',
    );
  return migrations.filter((m) => m.version > current);
}

export const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (area TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_at BIGINT NOT NULL)';
