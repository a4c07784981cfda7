// The embedded driver: every area on the one SQLite file in the data dir.
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite.js';
import type { Storage } from '../types.js';
import { SqliteEpcisIndex } from './epcis.js';

export async function openSqliteStorage(opts: { dataDir: string; synchronous?: 'FULL' | 'NORMAL' }): Promise<Storage> {
  const path = join(opts.dataDir, 'node.db');
  const log = new SqliteStore({ path, synchronous: opts.synchronous });
  const epcis = new SqliteEpcisIndex(path);
  return {
    kind: 'sqlite',
    location: path,
    log,
    epcis,
    close: async () => {
      await epcis.close();
      await log.close();
    },
  };
}
