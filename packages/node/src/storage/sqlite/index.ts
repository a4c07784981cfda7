// The embedded driver: every area on the one SQLite file in the data dir.
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite.js';
import type { Storage } from '../types.js';

export async function openSqliteStorage(opts: { dataDir: string; synchronous?: 'FULL' | 'NORMAL' }): Promise<Storage> {
  const path = join(opts.dataDir, 'node.db');
  const log = new SqliteStore({ path, synchronous: opts.synchronous });
  return {
    kind: 'sqlite',
    location: path,
    log,
    close: async () => {
      await log.close();
    },
  };
}
