// Log storage on SQLite: leaves, tiles and signed heads. One append is one
// IMMEDIATE transaction (the ingest path's group commit), durable at COMMIT.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from '../errors.js';
import type { LeafInput, LogStorage, SignedTreeHead, StoredLeaf, TileHash } from '../log.js';
import { bytes, num, type Row } from './rows.js';

export class SqliteLogStorage implements LogStorage {
  private readonly insLeaf: StatementSync;
  private readonly insTile: StatementSync;
  private readonly sizeStmt: StatementSync;
  private readonly leafStmt: StatementSync;
  private readonly leafHashesStmt: StatementSync;
  private readonly leavesStmt: StatementSync;
  private readonly tilesStmt: StatementSync;
  private readonly saveHeadStmt: StatementSync;
  private readonly latestHeadStmt: StatementSync;
  private readonly headStmt: StatementSync;
  private readonly headsStmt: StatementSync;
  private cachedSize: number;

  constructor(private readonly db: DatabaseSync) {
    const p = (sql: string) => db.prepare(sql);
    this.insLeaf = p('INSERT INTO log_leaves (idx, hash, data) VALUES (?, ?, ?)');
    this.insTile = p('INSERT INTO log_tiles (idx, hash) VALUES (?, ?)');
    this.sizeStmt = p('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM log_leaves');
    this.leafStmt = p('SELECT idx, hash, data FROM log_leaves WHERE idx = ?');
    this.leafHashesStmt = p('SELECT idx, hash FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.leavesStmt = p('SELECT idx, hash, data FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.tilesStmt = p('SELECT idx, hash FROM log_tiles ORDER BY idx');
    this.saveHeadStmt = p('INSERT OR IGNORE INTO log_heads (size, root, ts, signature, signer) VALUES (?, ?, ?, ?, ?)');
    this.latestHeadStmt = p('SELECT * FROM log_heads ORDER BY size DESC LIMIT 1');
    this.headStmt = p('SELECT * FROM log_heads WHERE size = ?');
    this.headsStmt = p('SELECT * FROM log_heads ORDER BY size DESC LIMIT ?');
    this.cachedSize = this.readSize();
  }

  private readSize(): number {
    return num((this.sizeStmt.get() as Row).n);
  }

  // Synchronous from BEGIN to COMMIT: no other call on this connection can interleave.
  async append(leaves: LeafInput[], tiles: TileHash[]): Promise<{ firstIndex: number }> {
    const firstIndex = this.cachedSize;
    let idx = firstIndex;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const leaf of leaves) this.insLeaf.run(idx++, leaf.hash, leaf.data);
      for (const tile of tiles) this.insTile.run(tile.index, tile.hash);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      const msg = err instanceof Error ? err.message : String(err);
      throw new StoreError(/UNIQUE|constraint/i.test(msg) ? 'conflict' : 'io', `append failed: ${msg}`, { cause: err });
    }
    this.cachedSize = idx;
    return { firstIndex };
  }

  async size(): Promise<number> {
    return this.cachedSize;
  }

  async leaf(index: number): Promise<StoredLeaf | null> {
    const r = this.leafStmt.get(index) as Row | undefined;
    return r ? leafFromRow(r) : null;
  }

  async leafHashes(start: number, end: number): Promise<Uint8Array[]> {
    const rows = this.leafHashesStmt.all(start, end) as Row[];
    if (rows.length !== Math.max(0, end - start)) {
      throw new StoreError('corrupt', `log leaves [${start}, ${end}) are incomplete: found ${rows.length}`);
    }
    return rows.map((r) => bytes(r.hash, `log_leaves.hash of leaf ${num(r.idx)}`));
  }

  async leaves(start: number, end: number): Promise<StoredLeaf[]> {
    return (this.leavesStmt.all(start, end) as Row[]).map(leafFromRow);
  }

  async tiles(): Promise<TileHash[]> {
    return (this.tilesStmt.all() as Row[]).map((r) => ({
      index: num(r.idx),
      hash: bytes(r.hash, `log_tiles.hash of tile ${num(r.idx)}`),
    }));
  }

  async saveHead(h: SignedTreeHead): Promise<void> {
    this.saveHeadStmt.run(h.size, h.root, h.timestamp, h.signature, h.signer);
  }

  async latestHead(): Promise<SignedTreeHead | null> {
    const r = this.latestHeadStmt.get() as Row | undefined;
    return r ? headFromRow(r) : null;
  }

  async head(size: number): Promise<SignedTreeHead | null> {
    const r = this.headStmt.get(size) as Row | undefined;
    return r ? headFromRow(r) : null;
  }

  async heads(limit = 1000): Promise<SignedTreeHead[]> {
    return (this.headsStmt.all(limit) as Row[]).map(headFromRow);
  }

  /** The connection, for benchmark diagnostics (PRAGMAs) only. */
  unsafeDatabase(): DatabaseSync {
    return this.db;
  }

  /**
   * Run `read` on one snapshot: a read transaction on this connection, begun with a first read so
   * SQLite fixes the WAL snapshot now and holds it until the end, while other connections commit.
   */
  async readSnapshot<T>(read: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN');
    try {
      this.cachedSize = this.readSize();
      return await read();
    } finally {
      this.db.exec('COMMIT');
      this.cachedSize = this.readSize();
    }
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
