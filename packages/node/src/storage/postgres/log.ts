// Log storage on PostgreSQL. One append is one statement (leaves and tiles
// through unnest arrays, in one data-modifying CTE), so one group commit is one
// transaction and one round trip; it resolves after COMMIT. Appends are
// serialised here so concurrent callers get contiguous, distinct indices.
import { StoreError } from '../errors.js';
import type { LeafInput, LogStorage, SignedTreeHead, StoredLeaf, TileHash } from '../log.js';
import type { PgDatabase } from './database.js';
import { bytes, num, type Row } from './rows.js';

/** A zero-copy Buffer view (pg sends Buffers as bytea, also inside arrays). */
export const buf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class PgLogStorage implements LogStorage {
  /** The next index, known after a successful append; null when it must be read (start, after a failure). */
  private nextIndex: number | null = null;
  private appending: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: PgDatabase) {}

  private async readSize(): Promise<number> {
    const rows = await this.db.query<{ n: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM log_leaves');
    return num(rows[0]?.n);
  }

  append(leaves: LeafInput[], tiles: TileHash[]): Promise<{ firstIndex: number }> {
    const run = this.appending.then(() => this.appendNow(leaves, tiles));
    this.appending = run.catch(() => undefined);
    return run;
  }

  private async appendNow(leaves: LeafInput[], tiles: TileHash[]): Promise<{ firstIndex: number }> {
    const firstIndex = this.nextIndex ?? (await this.readSize());
    try {
      await this.db.query(
        `WITH l AS (
           INSERT INTO log_leaves (idx, hash, data) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])
         )
         INSERT INTO log_tiles (idx, hash) SELECT * FROM unnest($4::bigint[], $5::bytea[])`,
        [
          leaves.map((_, i) => firstIndex + i),
          leaves.map((l) => buf(l.hash)),
          leaves.map((l) => buf(l.data)),
          tiles.map((t) => t.index),
          tiles.map((t) => buf(t.hash)),
        ],
      );
    } catch (err) {
      // Whether a lost COMMIT landed is unknown: read the size again next time.
      this.nextIndex = null;
      if (err instanceof StoreError) throw err;
      const e = err as { code?: string; message?: string };
      throw new StoreError(e.code === '23505' ? 'conflict' : 'io', `append failed: ${e.message ?? String(err)}`, { cause: err });
    }
    this.nextIndex = firstIndex + leaves.length;
    return { firstIndex };
  }

  async size(): Promise<number> {
    // A snapshot sees the size of its moment; otherwise appends through this object keep it.
    if (this.db.inSnapshot) return this.readSize();
    if (this.nextIndex === null) this.nextIndex = await this.readSize();
    return this.nextIndex;
  }

  async leaf(index: number): Promise<StoredLeaf | null> {
    const rows = await this.db.query('SELECT idx, hash, data FROM log_leaves WHERE idx = $1', [index]);
    return rows[0] ? leafFromRow(rows[0]) : null;
  }

  async leafHashes(start: number, end: number): Promise<Uint8Array[]> {
    const rows = await this.db.query('SELECT idx, hash FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx', [start, end]);
    if (rows.length !== Math.max(0, end - start)) {
      throw new StoreError('corrupt', `log leaves [${start}, ${end}) are incomplete: found ${rows.length}`);
    }
    return rows.map((r) => bytes(r.hash, `log_leaves.hash of leaf ${num(r.idx)}`));
  }

  async leaves(start: number, end: number): Promise<StoredLeaf[]> {
    const rows = await this.db.query('SELECT idx, hash, data FROM log_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx', [
      start,
      end,
    ]);
    return rows.map(leafFromRow);
  }

  async tiles(): Promise<TileHash[]> {
    const rows = await this.db.query('SELECT idx, hash FROM log_tiles ORDER BY idx');
    return rows.map((r) => ({ index: num(r.idx), hash: bytes(r.hash, `log_tiles.hash of tile ${num(r.idx)}`) }));
  }

  async saveHead(h: SignedTreeHead): Promise<void> {
    await this.db.query(
      'INSERT INTO log_heads (size, root, ts, signature, signer) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (size) DO NOTHING',
      [h.size, buf(h.root), h.timestamp, buf(h.signature), h.signer],
    );
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const rows = await this.db.query('SELECT * FROM log_heads ORDER BY size DESC LIMIT 1');
    return rows[0] ? headFromRow(rows[0]) : null;
  }

  async head(size: number): Promise<SignedTreeHead | null> {
    const rows = await this.db.query('SELECT * FROM log_heads WHERE size = $1', [size]);
    return rows[0] ? headFromRow(rows[0]) : null;
  }

  async heads(limit = 1000): Promise<SignedTreeHead[]> {
    return (await this.db.query('SELECT * FROM log_heads ORDER BY size DESC LIMIT $1', [limit])).map(headFromRow);
  }
}

function leafFromRow(r: Row): StoredLeaf {
  const index = num(r.idx);
  return {
    index,
    hash: bytes(r.hash, `log_leaves.hash of leaf ${index}`),
    data: bytes(r.data, `log_leaves.data of leaf ${index}`),
  };
}

function headFromRow(r: Row): SignedTreeHead {
  return {
    size: num(r.size),
    root: bytes(r.root, `log_heads.root at size ${num(r.size)}`),
    timestamp: num(r.ts),
    signature: bytes(r.signature, `log_heads.signature at size ${num(r.size)}`),
    signer: String(r.signer),
  };
}
