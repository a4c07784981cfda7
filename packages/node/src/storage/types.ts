// The storage layer's interfaces, one per kind of data, implemented by both
// drivers (sqlite/, postgres/) and checked by one conformance suite
// (conformance/, run by conformance.test.ts). Methods are async because
// PostgreSQL is.
import type { AnchorOutbox } from './anchor-outbox.js';
import type { DeviceCache } from './device-cache.js';
import type { EpcisIndexStore } from './epcis.js';
import type { LogStorage } from './log.js';
import type { Settings } from './settings.js';
import type { SmallStores } from './small-stores.js';
import type { TelemetryIndex, TelemetryIndexReader } from './telemetry-index.js';

export type * from './anchor-outbox.js';
export type * from './device-cache.js';
export type * from './log.js';
export type * from './settings.js';
export type * from './telemetry-index.js';

export interface Storage extends SmallStores {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs and errors: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The transparency log: leaves, tiles, signed heads. */
  readonly log: LogStorage;
  readonly anchors: AnchorOutbox;
  readonly devices: DeviceCache;
  /** Follower of the log: telemetry rows, device seq state, gaps. */
  readonly telemetry: TelemetryIndex;
  readonly settings: Settings;
  /** The EPCIS index (a follower of the log), capture jobs and master data. */
  readonly epcis: EpcisIndexStore;
  /**
   * Run `read` on one consistent view of the log-side areas (the audit beside a live node): on
   * SQLite one read transaction (a WAL snapshot), on PostgreSQL one REPEATABLE READ transaction that
   * every query made inside `read` goes to.
   */
  readSnapshot<T>(read: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The log and the areas beside it as one handle, for components that use several (the anchorer
 * reads heads and writes the outbox; proofs read telemetry rows and leaves). Built by nodeStore(); the
 * telemetry index is read-only here (its follower writes it).
 */
export type NodeStore = LogStorage &
  AnchorOutbox &
  DeviceCache &
  TelemetryIndexReader &
  Settings & { readonly kind: Storage['kind'] };
