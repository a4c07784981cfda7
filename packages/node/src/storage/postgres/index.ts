// The scale driver: every area in one PostgreSQL database, over one pool.
import { StoreError } from '../errors.js';
import type { Storage } from '../types.js';
import { PgDatabase, redactUrl } from './database.js';
import { PostgresEpcisIndex } from './epcis.js';
import { openPostgresSmallStores } from './small-stores.js';

export async function openPostgresStorage(opts: { url: string }): Promise<Storage> {
  const db = await PgDatabase.open({ url: opts.url });
  try {
    const small = await openPostgresSmallStores(db);
    const epcis = await PostgresEpcisIndex.open(db);
    void small;
    void epcis;
  } finally {
    await db.close();
  }
  throw new StoreError('io', `the PostgreSQL driver is not complete yet (${redactUrl(opts.url)})`);
}
