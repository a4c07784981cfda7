// node:sqlite's constraint failures as StoreErrors: a duplicate key is a
// `conflict`, a reference to a missing row `not_found` — the same codes the
// PostgreSQL driver raises, so callers never look at driver errors.
import { StoreError } from '../errors.js';

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/** Runs a write; a violated constraint becomes a StoreError naming `what`. */
export function sqliteWrite<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { errcode?: unknown }).errcode;
    if (code === SQLITE_CONSTRAINT_PRIMARYKEY || code === SQLITE_CONSTRAINT_UNIQUE)
      throw new StoreError('conflict', `${what} already exists`, { cause: err });
    if (code === SQLITE_CONSTRAINT_FOREIGNKEY)
      throw new StoreError('not_found', `${what} refers to a row that does not exist`, { cause: err });
    throw err;
  }
}

/** BEGIN IMMEDIATE … COMMIT around a synchronous body (rolled back when it throws). */
export function sqliteTransaction<T>(db: { exec(sql: string): void }, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
