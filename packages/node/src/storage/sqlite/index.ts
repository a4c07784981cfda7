// The embedded driver: every area on the one SQLite file in the data dir.
import { join } from 'node:path';
import { closeSmallStores } from '../small-stores.js';
import type { Storage } from '../types.js';
import { SqliteAnchorOutbox } from './anchor-outbox.js';
import { migrateSqlite, openSqliteFile } from './database.js';
import { SqliteDeviceCache } from './device-cache.js';
import { SqliteEpcisIndex } from './epcis.js';
import { SqliteLogStorage } from './log.js';
import { ANCHOR_MIGRATIONS, DEVICE_MIGRATIONS, LOG_MIGRATIONS, SETTINGS_MIGRATIONS, TELEMETRY_MIGRATIONS } from './schema.js';
import { SqliteSettings } from './settings.js';
import { openSqliteSmallStores } from './small-stores.js';
import { SqliteTelemetryIndex } from './telemetry-index.js';

export interface SqliteStorageOptions {
  /** The data dir: the file is node.db in it. */
  dataDir?: string;
  /** Or the file itself (':memory:' for tests). */
  path?: string;
  synchronous?: 'FULL' | 'NORMAL';
}

export async function openSqliteStorage(opts: SqliteStorageOptions): Promise<Storage> {
  const path = opts.path ?? join(opts.dataDir ?? '.', 'node.db');
  // The log-side areas share one connection (all calls are synchronous between BEGIN and COMMIT).
  const db = openSqliteFile({ path, synchronous: opts.synchronous });
  try {
    migrateSqlite(db, 'log', LOG_MIGRATIONS);
    migrateSqlite(db, 'anchors', ANCHOR_MIGRATIONS);
    migrateSqlite(db, 'devices', DEVICE_MIGRATIONS);
    migrateSqlite(db, 'telemetry', TELEMETRY_MIGRATIONS);
    migrateSqlite(db, 'settings', SETTINGS_MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  const log = new SqliteLogStorage(db);
  // The telemetry index is derived from the log (its follower re-indexes from its cursor after a
  // crash), so its commits need not wait for an fsync: its own connection, synchronous=NORMAL. The
  // next FULL commit of the log syncs the WAL with them. (An in-memory database has one connection.)
  const indexDb = path === ':memory:' ? db : openSqliteFile({ path, synchronous: 'NORMAL' });
  // The other areas open their own connections to the file (WAL: they read while one writes).
  let small: ReturnType<typeof openSqliteSmallStores>;
  let epcis: SqliteEpcisIndex;
  try {
    small = openSqliteSmallStores({ path, synchronous: opts.synchronous });
    epcis = new SqliteEpcisIndex(path);
  } catch (err) {
    if (indexDb.isOpen) indexDb.close();
    if (db.isOpen) db.close();
    throw err;
  }
  return {
    kind: 'sqlite',
    location: path,
    log,
    anchors: new SqliteAnchorOutbox(db),
    devices: new SqliteDeviceCache(db),
    telemetry: new SqliteTelemetryIndex(indexDb),
    settings: new SqliteSettings(db),
    epcis,
    ...small,
    readSnapshot: (read) => log.readSnapshot(read),
    close: async () => {
      await epcis.close();
      await closeSmallStores(small);
      if (indexDb.isOpen) indexDb.close();
      if (db.isOpen) db.close();
    },
  };
}
