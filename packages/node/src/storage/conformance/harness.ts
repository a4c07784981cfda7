// What a conformance suite gets from the driver under test: a fresh, empty
// storage, which it may close and open again on the same data (a restart).
import type { Storage } from '../types.js';

export interface StorageUnderTest {
  /** The storage currently open (replaced by reopen). */
  readonly storage: Storage;
  /** Close this storage and open the same database again (a restart, or a crash for what was committed). */
  reopen(): Promise<Storage>;
  /** A second storage on the same database (another connection, as another process would have); the caller closes it. */
  openAnother(): Promise<Storage>;
  /** Close and remove the database. */
  dispose(): Promise<void>;
}

export type FreshStorage = () => Promise<StorageUnderTest>;

/** Runs `body` on a fresh storage and always disposes of it. */
export async function withStorage(fresh: FreshStorage, body: (s: StorageUnderTest) => Promise<void>): Promise<void> {
  const s = await fresh();
  try {
    await body(s);
  } finally {
    await s.dispose();
  }
}

export const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A distinct 32-byte value per n (a stand-in hash: log storage does not check hashes). */
export function hash32(n: number, salt = 0): Uint8Array {
  const h = new Uint8Array(32);
  new DataView(h.buffer).setUint32(0, n);
  new DataView(h.buffer).setUint32(4, salt);
  h[31] = 0xaa;
  return h;
}
