// The verified mirror on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Migration } from '../migrations.js';
import {
  MIRROR_AREA,
  type MirrorHead,
  type MirrorDocument,
  type MirrorLeaf,
  type MirrorStore,
  packPath,
  unpackPath,
} from '../mirror.js';
import { sqliteTransaction } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_MIRROR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'verified mirror',
    sql: `
CREATE TABLE IF NOT EXISTS mirror_leaves (
  owner INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  data BLOB NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  device_id TEXT,
  first_at INTEGER,
  last_at INTEGER,
  head_size INTEGER NOT NULL,
  path BLOB NOT NULL,
  PRIMARY KEY (owner, idx)
);
CREATE INDEX IF NOT EXISTS mirror_leaves_device ON mirror_leaves(device_id, first_at) WHERE device_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS mirror_heads (
  owner INTEGER PRIMARY KEY,
  publisher TEXT NOT NULL,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  timestamp INTEGER NOT NULL,
  verified_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    // Document contents beside their leaves: a leaf commits to its content, it does not hold it.
    name: 'mirrored document contents',
    sql: `
CREATE TABLE IF NOT EXISTS mirror_documents (
  owner INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (owner, idx)
);
`,
  },
];

type Row = Record<string, SQLInputValue>;
const n = (v: SQLInputValue | undefined) => (v === null || v === undefined ? null : Number(v));

const leafFromRow = (r: Row): MirrorLeaf => ({
  owner: Number(r.owner),
  index: Number(r.idx),
  data: new Uint8Array(r.data as Uint8Array),
  kind: String(r.kind),
  scope: String(r.scope),
  deviceId: r.device_id === null ? null : String(r.device_id),
  firstAt: n(r.first_at),
  lastAt: n(r.last_at),
  headSize: Number(r.head_size),
  path: unpackPath(r.path as Uint8Array),
});

const headFromRow = (r: Row): MirrorHead => ({
  owner: Number(r.owner),
  publisher: String(r.publisher),
  size: Number(r.size),
  root: new Uint8Array(r.root as Uint8Array),
  timestamp: Number(r.timestamp),
  verifiedAt: Number(r.verified_at),
});

export class SqliteMirrorStore implements MirrorStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteMirrorStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, MIRROR_AREA, SQLITE_MIRROR_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteMirrorStore(db);
  }

  async putVerified(head: MirrorHead, leaves: MirrorLeaf[], documents: MirrorDocument[] = []): Promise<void> {
    sqliteTransaction(this.db, () => {
      const put = this.db.prepare(
        `INSERT INTO mirror_leaves (owner, idx, data, kind, scope, device_id, first_at, last_at, head_size, path)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner, idx) DO UPDATE SET head_size = excluded.head_size, path = excluded.path
         WHERE excluded.head_size >= mirror_leaves.head_size`,
      );
      for (const l of leaves) {
        put.run(l.owner, l.index, l.data, l.kind, l.scope, l.deviceId, l.firstAt, l.lastAt, l.headSize, packPath(l.path));
      }
      const putContent = this.db.prepare(
        'INSERT INTO mirror_documents (owner, idx, content) VALUES (?, ?, ?) ON CONFLICT (owner, idx) DO NOTHING',
      );
      for (const d of documents) putContent.run(d.owner, d.index, d.content);
      this.db
        .prepare(
          `INSERT INTO mirror_heads (owner, publisher, size, root, timestamp, verified_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (owner) DO UPDATE SET publisher = excluded.publisher, size = excluded.size, root = excluded.root,
             timestamp = excluded.timestamp, verified_at = excluded.verified_at
           WHERE excluded.size >= mirror_heads.size`,
        )
        .run(head.owner, head.publisher, head.size, head.root, head.timestamp, head.verifiedAt);
    });
  }

  async documentContent(owner: number, index: number): Promise<Uint8Array | null> {
    const r = this.db.prepare('SELECT content FROM mirror_documents WHERE owner = ? AND idx = ?').get(owner, index) as
      | Row
      | undefined;
    return r ? new Uint8Array(r.content as Uint8Array) : null;
  }

  async head(owner: number): Promise<MirrorHead | null> {
    const r = this.db.prepare('SELECT * FROM mirror_heads WHERE owner = ?').get(owner) as Row | undefined;
    return r ? headFromRow(r) : null;
  }

  async heads(): Promise<MirrorHead[]> {
    return (this.db.prepare('SELECT * FROM mirror_heads ORDER BY owner').all() as Row[]).map(headFromRow);
  }

  async telemetry(q: { deviceId: string; from: number; to: number; owner?: number; limit: number }): Promise<MirrorLeaf[]> {
    const rows =
      q.owner === undefined
        ? this.db
            .prepare(
              `SELECT * FROM mirror_leaves WHERE device_id = ? AND last_at >= ? AND first_at <= ? ORDER BY owner, idx LIMIT ?`,
            )
            .all(q.deviceId, q.from, q.to, q.limit)
        : this.db
            .prepare(
              `SELECT * FROM mirror_leaves WHERE device_id = ? AND last_at >= ? AND first_at <= ? AND owner = ? ORDER BY idx LIMIT ?`,
            )
            .all(q.deviceId, q.from, q.to, q.owner, q.limit);
    return (rows as Row[]).map(leafFromRow);
  }

  async leaves(owner: number, scope?: string): Promise<MirrorLeaf[]> {
    const rows =
      scope === undefined
        ? this.db.prepare('SELECT * FROM mirror_leaves WHERE owner = ? ORDER BY idx').all(owner)
        : this.db.prepare('SELECT * FROM mirror_leaves WHERE owner = ? AND scope = ? ORDER BY idx').all(owner, scope);
    return (rows as Row[]).map(leafFromRow);
  }

  async leavesOf(q: { scope: string; kind: string; owner?: number }): Promise<MirrorLeaf[]> {
    const rows =
      q.owner === undefined
        ? this.db.prepare('SELECT * FROM mirror_leaves WHERE scope = ? AND kind = ? ORDER BY owner, idx').all(q.scope, q.kind)
        : this.db
            .prepare('SELECT * FROM mirror_leaves WHERE scope = ? AND kind = ? AND owner = ? ORDER BY idx')
            .all(q.scope, q.kind, q.owner);
    return (rows as Row[]).map(leafFromRow);
  }

  async count(owner?: number): Promise<number> {
    const r = (
      owner === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM mirror_leaves').get()
        : this.db.prepare('SELECT COUNT(*) AS n FROM mirror_leaves WHERE owner = ?').get(owner)
    ) as Row;
    return Number(r.n);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
