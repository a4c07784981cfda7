// The scale driver: every area in one PostgreSQL database, over one pool.
import { StoreError } from '../errors.js';
import type { Storage } from '../types.js';
import { PgDatabase, redactUrl } from './database.js';
import { openPostgresSmallStores } from './small-stores.js';

export async function openPostgresStorage(opts: { url: string }): Promise<Storage> {
  const db = await PgDatabase.open({ url: opts.url });
  try {
    // The small stores are ready (spread them into the Storage: `...small`); the log area is not yet.
    const small = await openPostgresSmallStores(db);
    void small;
  } finally {
    await db.close();
  }
  throw new StoreError('io', `the PostgreSQL driver is not complete yet (${redactUrl(opts.url)})`);
}
