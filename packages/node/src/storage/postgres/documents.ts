// The shipment documents index on PostgreSQL.
import { DOCUMENTS_AREA, type DocumentRow, type DocumentStore, documentRowOf, type PendingDocument } from '../documents.js';
import type { Migration } from '../migrations.js';
import { migratePostgres, type PgDatabase } from './database.js';

export const POSTGRES_DOCUMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shipment documents',
    sql: `
CREATE TABLE IF NOT EXISTS documents (
  leaf_index BIGINT PRIMARY KEY,
  shipment_id TEXT COLLATE "C" NOT NULL,
  doc_type TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  added_at BIGINT NOT NULL,
  content BYTEA
);
CREATE INDEX IF NOT EXISTS documents_shipment ON documents(shipment_id, leaf_index);
CREATE TABLE IF NOT EXISTS documents_pending (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  from_size BIGINT NOT NULL,
  content BYTEA NOT NULL
);
`,
  },
];

/** A row without its content (listing never reads the contents). */
const COLUMNS =
  'leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at, (content IS NOT NULL)::int AS has_content';

export class PostgresDocumentStore implements DocumentStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresDocumentStore> {
    await migratePostgres(db, DOCUMENTS_AREA, POSTGRES_DOCUMENT_MIGRATIONS);
    return new PostgresDocumentStore(db);
  }

  async put(d: Omit<DocumentRow, 'hasContent'>, content: Uint8Array | null): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO documents (leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (leaf_index) DO NOTHING RETURNING leaf_index`,
      [
        d.leafIndex,
        d.shipmentId,
        d.type,
        d.name,
        d.mediaType,
        d.sha256,
        d.size,
        d.addedAt,
        content === null ? null : Buffer.from(content),
      ],
    );
    return rows.length === 1;
  }

  async content(leafIndex: number): Promise<Uint8Array | null> {
    const [r] = await this.db.query('SELECT content FROM documents WHERE leaf_index = $1', [leafIndex]);
    return r && r.content !== null ? new Uint8Array(r.content as Uint8Array) : null;
  }

  async ofShipment(shipmentId: string): Promise<DocumentRow[]> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM documents WHERE shipment_id = $1 ORDER BY leaf_index`, [shipmentId])).map(
      documentRowOf,
    );
  }

  async get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null> {
    const [r] = await this.db.query(`SELECT ${COLUMNS} FROM documents WHERE shipment_id = $1 AND leaf_index = $2`, [
      shipmentId,
      leafIndex,
    ]);
    return r ? documentRowOf(r) : null;
  }

  async pending(): Promise<PendingDocument | null> {
    const [r] = await this.db.query('SELECT from_size, content FROM documents_pending WHERE id = 1');
    return r ? { fromSize: Number(r.from_size), content: new Uint8Array(r.content as Uint8Array) } : null;
  }

  async setPending(p: PendingDocument | null): Promise<void> {
    if (p === null) await this.db.query('DELETE FROM documents_pending');
    else
      await this.db.query(
        `INSERT INTO documents_pending (id, from_size, content) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET from_size = excluded.from_size, content = excluded.content`,
        [p.fromSize, Buffer.from(p.content)],
      );
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
