// What a conformance suite is given: a way to open a fresh, empty store of its
// area on one driver. The suites never name a driver; small-stores.test.ts
// supplies the factories (the lead later builds them on openStorage).
import assert from 'node:assert/strict';
import { StoreError, type StoreErrorCode } from '../errors.js';

export interface StoreFixture<T> {
  /** A store on a database nobody else uses. */
  store: T;
  /** Another instance on the same database (SQLite: another connection to the file; PostgreSQL: another pool), as a second node process would have. */
  another(): Promise<T>;
  /** Closes every instance and removes the database. */
  dispose(): Promise<void>;
}

export type OpenStoreFixture<T> = () => Promise<StoreFixture<T>>;

/** Runs `body` on a fresh fixture, disposing it whatever happens. */
export async function withFixture<T>(open: OpenStoreFixture<T>, body: (fx: StoreFixture<T>) => Promise<void>): Promise<void> {
  const fx = await open();
  try {
    await body(fx);
  } finally {
    await fx.dispose();
  }
}

/** Asserts that `p` rejects with a StoreError of this code. */
export async function rejectsWithCode(p: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

/** Of settled promises, how many were fulfilled, and the codes of the StoreErrors among the rejected (anything else rethrown). */
export function outcomes(settled: PromiseSettledResult<unknown>[]): { fulfilled: number; codes: StoreErrorCode[] } {
  const codes: StoreErrorCode[] = [];
  let fulfilled = 0;
  for (const s of settled) {
    if (s.status === 'fulfilled') fulfilled++;
    else if (s.reason instanceof StoreError) codes.push(s.reason.code);
    else throw s.reason;
  }
  return { fulfilled, codes };
}
