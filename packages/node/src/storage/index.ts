// Where the node's data lives. `openStorage(config)` is the only place a driver is
// constructed: the embedded SQLite file in the data dir by default, PostgreSQL when
// TRADETWIN_DATABASE_URL / --database-url names one. Everything above this layer
// sees the per-area interfaces in types.ts and never a connection, a table or SQL.
import type { StoreConfig } from '../config.js';
import { openPostgresStorage } from './postgres/index.js';
import { openSqliteStorage } from './sqlite/index.js';
import type { Storage } from './types.js';

export type { Storage } from './types.js';
export type { EpcisIndexStore } from './epcis.js';
export { StoreError, type StoreErrorCode } from './errors.js';

export interface StorageConfig {
  /** The node's data dir: the SQLite file (node.db) lives here. */
  dataDir: string;
  store: StoreConfig;
  /** SQLite only: 'FULL' (default) survives power loss; 'NORMAL' a killed process only (benchmarks). */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
}

export async function openStorage(config: StorageConfig): Promise<Storage> {
  return config.store.kind === 'postgres'
    ? openPostgresStorage({ url: config.store.url })
    : openSqliteStorage({ dataDir: config.dataDir, synchronous: config.sqliteSynchronous });
}
