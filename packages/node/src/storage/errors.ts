// The one error every storage driver raises. Codes, not HTTP statuses: the HTTP
// layer maps them (http/errors.ts) — `unavailable` becomes 503 store_unavailable,
// so a client retries instead of losing data.

export type StoreErrorCode =
  /** A write collided with existing data (duplicate key, a seq that does not increase). */
  | 'conflict'
  | 'not_found'
  /** Stored data is not what this code wrote (a changed type, a broken row). */
  | 'corrupt'
  | 'io'
  /** The database cannot be reached now (PostgreSQL down, connection lost); retry later. */
  | 'unavailable'
  /** The database was migrated by newer code than this node's. */
  | 'schema_too_new'
  | 'closed';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

export const isStoreUnavailable = (err: unknown): boolean => err instanceof StoreError && err.code === 'unavailable';
