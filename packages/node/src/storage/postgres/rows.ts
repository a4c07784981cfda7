// Reading PostgreSQL values back (BYTEA comes as a Buffer, BIGINT as a number: see database.ts).
import { StoreError } from '../errors.js';

export type { PgRow as Row } from './database.js';

export const bytes = (v: unknown, column = 'column'): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new StoreError('corrupt', `${column} holds ${v === null ? 'NULL' : typeof v}, expected bytea`);
};
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
