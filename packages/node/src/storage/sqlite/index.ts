// The embedded driver: every area on the one SQLite file in the data dir.
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite.js';
import { closeSmallStores } from '../small-stores.js';
import type { Storage } from '../types.js';
import { SqliteEpcisIndex } from './epcis.js';
import { openSqliteSmallStores } from './small-stores.js';

export async function openSqliteStorage(opts: { dataDir: string; synchronous?: 'FULL' | 'NORMAL' }): Promise<Storage> {
  const path = join(opts.dataDir, 'node.db');
  const log = new SqliteStore({ path, synchronous: opts.synchronous });
  let small: ReturnType<typeof openSqliteSmallStores>;
  let epcis: SqliteEpcisIndex;
  try {
    small = openSqliteSmallStores({ path, synchronous: opts.synchronous });
    epcis = new SqliteEpcisIndex(path);
  } catch (err) {
    await log.close();
    throw err;
  }
  return {
    kind: 'sqlite',
    location: path,
    log,
    ...small,
    epcis,
    close: async () => {
      await epcis.close();
      await closeSmallStores(small);
      await log.close();
    },
  };
}
