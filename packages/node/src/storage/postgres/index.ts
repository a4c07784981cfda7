// The scale driver: every area in one PostgreSQL database, over one pool.
import type { Storage } from '../types.js';
import { PgAnchorOutbox } from './anchor-outbox.js';
import { migratePostgres, PgDatabase, redactUrl } from './database.js';
import { PgDeviceCache } from './device-cache.js';
import { PostgresEpcisIndex } from './epcis.js';
import { PgLogStorage } from './log.js';
import { ANCHOR_MIGRATIONS, DEVICE_MIGRATIONS, LOG_MIGRATIONS, SETTINGS_MIGRATIONS, TELEMETRY_MIGRATIONS } from './schema.js';
import { PgSettings } from './settings.js';
import { openPostgresSmallStores } from './small-stores.js';
import { PgTelemetryIndex } from './telemetry-index.js';

export async function openPostgresStorage(opts: { url: string }): Promise<Storage> {
  const db = await PgDatabase.open({ url: opts.url });
  // Every area shares the one pool.
  let small: Awaited<ReturnType<typeof openPostgresSmallStores>>;
  let epcis: PostgresEpcisIndex;
  try {
    await migratePostgres(db, 'log', LOG_MIGRATIONS);
    await migratePostgres(db, 'anchors', ANCHOR_MIGRATIONS);
    await migratePostgres(db, 'devices', DEVICE_MIGRATIONS);
    await migratePostgres(db, 'telemetry', TELEMETRY_MIGRATIONS);
    await migratePostgres(db, 'settings', SETTINGS_MIGRATIONS);
    small = await openPostgresSmallStores(db);
    epcis = await PostgresEpcisIndex.open(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return {
    kind: 'postgres',
    location: redactUrl(opts.url),
    log: new PgLogStorage(db),
    anchors: new PgAnchorOutbox(db),
    devices: new PgDeviceCache(db),
    telemetry: new PgTelemetryIndex(db),
    settings: new PgSettings(db),
    epcis,
    ...small,
    readSnapshot: (read) => db.readSnapshot(read),
    close: async () => {
      await epcis.close();
      await db.close();
    },
  };
}
