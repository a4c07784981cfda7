// Reading SQLite values back: a column that does not hold what this code wrote
// (a changed type, a broken row) is StoreError 'corrupt', named to the row.
import { StoreError } from '../errors.js';

export type Row = Record<string, unknown>;

export const bytes = (v: unknown, column = 'column'): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new StoreError('corrupt', `${column} holds ${sqlType(v)}, expected a BLOB`);
};

/** The SQLite storage class a value came back as (a row whose type was changed shows here). */
function sqlType(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `TEXT (${JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v)})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `INTEGER (${v})` : `REAL (${v})`;
  if (typeof v === 'bigint') return `INTEGER (${v})`;
  return typeof v;
}

export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
