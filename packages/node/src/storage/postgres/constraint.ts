// PostgreSQL's constraint failures as StoreErrors (the codes the SQLite driver
// raises): unique_violation → `conflict`, foreign_key_violation → `not_found`.
import { StoreError } from '../errors.js';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** Runs a write; a violated constraint becomes a StoreError naming `what`. */
export async function pgWrite<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === UNIQUE_VIOLATION) throw new StoreError('conflict', `${what} already exists`, { cause: err });
    if (code === FOREIGN_KEY_VIOLATION)
      throw new StoreError('not_found', `${what} refers to a row that does not exist`, { cause: err });
    throw err;
  }
}
