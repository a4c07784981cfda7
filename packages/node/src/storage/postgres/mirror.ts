// The verified mirror on PostgreSQL.
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
import { migratePostgres, type PgDatabase, type PgRow } from './database.js';

export const POSTGRES_MIRROR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'verified mirror',
    sql: `
CREATE TABLE mirror_leaves (
  owner BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  data BYTEA NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C",
  first_at BIGINT,
  last_at BIGINT,
  head_size BIGINT NOT NULL,
  path BYTEA NOT NULL,
  PRIMARY KEY (owner, idx)
);
CREATE INDEX mirror_leaves_device ON mirror_leaves(device_id, first_at) WHERE device_id IS NOT NULL;
CREATE TABLE mirror_heads (
  owner BIGINT PRIMARY KEY,
  publisher TEXT NOT NULL,
  size BIGINT NOT NULL,
  root BYTEA NOT NULL,
  timestamp BIGINT NOT NULL,
  verified_at BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    // Document contents beside their leaves: a leaf commits to its content, it does not hold it.
    name: 'mirrored document contents',
    sql: `
CREATE TABLE IF NOT EXISTS mirror_documents (
  owner BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  content BYTEA NOT NULL,
  PRIMARY KEY (owner, idx)
);
`,
  },
];

const n = (v: unknown) => (v === null ? null : Number(v));

const leafFromRow = (r: PgRow): MirrorLeaf => ({
  owner: Number(r.owner),
  index: Number(r.idx),
  data: new Uint8Array(r.data as Buffer),
  kind: String(r.kind),
  scope: String(r.scope),
  deviceId: r.device_id === null ? null : String(r.device_id),
  firstAt: n(r.first_at),
  lastAt: n(r.last_at),
  headSize: Number(r.head_size),
  path: unpackPath(new Uint8Array(r.path as Buffer)),
});

const headFromRow = (r: PgRow): MirrorHead => ({
  owner: Number(r.owner),
  publisher: String(r.publisher),
  size: Number(r.size),
  root: new Uint8Array(r.root as Buffer),
  timestamp: Number(r.timestamp),
  verifiedAt: Number(r.verified_at),
});

export class PostgresMirrorStore implements MirrorStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresMirrorStore> {
    await migratePostgres(db, MIRROR_AREA, POSTGRES_MIRROR_MIGRATIONS);
    return new PostgresMirrorStore(db);
  }

  async putVerified(head: MirrorHead, leaves: MirrorLeaf[], documents: MirrorDocument[] = []): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (leaves.length > 0) {
        // One statement for the batch: unnest of column arrays.
        await tx.query(
          `INSERT INTO mirror_leaves (owner, idx, data, kind, scope, device_id, first_at, last_at, head_size, path)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::bigint[],
             $8::bigint[], $9::bigint[], $10::bytea[])
           ON CONFLICT (owner, idx) DO UPDATE SET head_size = excluded.head_size, path = excluded.path
           WHERE excluded.head_size >= mirror_leaves.head_size`,
          [
            leaves.map((l) => l.owner),
            leaves.map((l) => l.index),
            leaves.map((l) => Buffer.from(l.data)),
            leaves.map((l) => l.kind),
            leaves.map((l) => l.scope),
            leaves.map((l) => l.deviceId),
            leaves.map((l) => l.firstAt),
            leaves.map((l) => l.lastAt),
            leaves.map((l) => l.headSize),
            leaves.map((l) => Buffer.from(packPath(l.path))),
          ],
        );
      }
      for (const d of documents)
        await tx.query(
          'INSERT INTO mirror_documents (owner, idx, content) VALUES ($1, $2, $3) ON CONFLICT (owner, idx) DO NOTHING',
          [d.owner, d.index, Buffer.from(d.content)],
        );
      await tx.query(
        `INSERT INTO mirror_heads (owner, publisher, size, root, timestamp, verified_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (owner) DO UPDATE SET publisher = excluded.publisher, size = excluded.size, root = excluded.root,
           timestamp = excluded.timestamp, verified_at = excluded.verified_at
         WHERE excluded.size >= mirror_heads.size`,
        [head.owner, head.publisher, head.size, Buffer.from(head.root), head.timestamp, head.verifiedAt],
      );
    });
  }

  async documentContent(owner: number, index: number): Promise<Uint8Array | null> {
    const [r] = await this.db.query('SELECT content FROM mirror_documents WHERE owner = $1 AND idx = $2', [owner, index]);
    return r ? new Uint8Array(r.content as Uint8Array) : null;
  }

  async head(owner: number): Promise<MirrorHead | null> {
    const [r] = await this.db.query('SELECT * FROM mirror_heads WHERE owner = $1', [owner]);
    return r ? headFromRow(r) : null;
  }

  async heads(): Promise<MirrorHead[]> {
    return (await this.db.query('SELECT * FROM mirror_heads ORDER BY owner')).map(headFromRow);
  }

  async telemetry(q: { deviceId: string; from: number; to: number; owner?: number; limit: number }): Promise<MirrorLeaf[]> {
    const rows =
      q.owner === undefined
        ? await this.db.query(
            'SELECT * FROM mirror_leaves WHERE device_id = $1 AND last_at >= $2 AND first_at <= $3 ORDER BY owner, idx LIMIT $4',
            [q.deviceId, q.from, q.to, q.limit],
          )
        : await this.db.query(
            'SELECT * FROM mirror_leaves WHERE device_id = $1 AND last_at >= $2 AND first_at <= $3 AND owner = $4 ORDER BY idx LIMIT $5',
            [q.deviceId, q.from, q.to, q.owner, q.limit],
          );
    return rows.map(leafFromRow);
  }

  async leaves(owner: number, scope?: string): Promise<MirrorLeaf[]> {
    const rows =
      scope === undefined
        ? await this.db.query('SELECT * FROM mirror_leaves WHERE owner = $1 ORDER BY idx', [owner])
        : await this.db.query('SELECT * FROM mirror_leaves WHERE owner = $1 AND scope = $2 ORDER BY idx', [owner, scope]);
    return rows.map(leafFromRow);
  }

  async leavesOf(q: { scope: string; kind: string; owner?: number }): Promise<MirrorLeaf[]> {
    const rows =
      q.owner === undefined
        ? await this.db.query('SELECT * FROM mirror_leaves WHERE scope = $1 AND kind = $2 ORDER BY owner, idx', [q.scope, q.kind])
        : await this.db.query('SELECT * FROM mirror_leaves WHERE scope = $1 AND kind = $2 AND owner = $3 ORDER BY idx', [
            q.scope,
            q.kind,
            q.owner,
          ]);
    return rows.map(leafFromRow);
  }

  async count(owner?: number): Promise<number> {
    const [r] =
      owner === undefined
        ? await this.db.query('SELECT COUNT(*) AS n FROM mirror_leaves')
        : await this.db.query('SELECT COUNT(*) AS n FROM mirror_leaves WHERE owner = $1', [owner]);
    return Number(r!.n);
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
