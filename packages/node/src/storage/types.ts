// The storage layer's interfaces, one per kind of data, implemented by both
// drivers (sqlite/, postgres/) and checked by one conformance suite
// (conformance.ts). Methods are async because PostgreSQL is.
import type { NodeStore } from '../store/types.js';
import type { EpcisIndexStore } from './epcis.js';
import type { SmallStores } from './small-stores.js';

export interface Storage extends SmallStores {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs and errors: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The transparency log, anchor outbox, device cache, telemetry index and settings. */
  readonly log: NodeStore;
  /** The EPCIS index (a follower of the log), capture jobs and master data. */
  readonly epcis: EpcisIndexStore;
  close(): Promise<void>;
}
