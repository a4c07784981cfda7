// The shipment documents index on PostgreSQL.
import { DOCUMENTS_AREA, type DocumentRow, type DocumentStore, documentRowOf } from '../documents.js';
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
  added_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_shipment ON documents(shipment_id, leaf_index);
CREATE TABLE IF NOT EXISTS documents_pending (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  from_size BIGINT NOT NULL
);
`,
  },
];

export class PostgresDocumentStore implements DocumentStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresDocumentStore> {
    await migratePostgres(db, DOCUMENTS_AREA, POSTGRES_DOCUMENT_MIGRATIONS);
    return new PostgresDocumentStore(db);
  }

  async put(d: DocumentRow): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO documents (leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (leaf_index) DO NOTHING RETURNING leaf_index`,
      [d.leafIndex, d.shipmentId, d.type, d.name, d.mediaType, d.sha256, d.size, d.addedAt],
    );
    return rows.length === 1;
  }

  async ofShipment(shipmentId: string): Promise<DocumentRow[]> {
    return (await this.db.query('SELECT * FROM documents WHERE shipment_id = $1 ORDER BY leaf_index', [shipmentId])).map(
      documentRowOf,
    );
  }

  async get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null> {
    const [r] = await this.db.query('SELECT * FROM documents WHERE shipment_id = $1 AND leaf_index = $2', [
      shipmentId,
      leafIndex,
    ]);
    return r ? documentRowOf(r) : null;
  }

  async pendingFrom(): Promise<number | null> {
    const [r] = await this.db.query('SELECT from_size FROM documents_pending WHERE id = 1');
    return r ? Number(r.from_size) : null;
  }

  async setPendingFrom(size: number | null): Promise<void> {
    if (size === null) await this.db.query('DELETE FROM documents_pending');
    else
      await this.db.query(
        'INSERT INTO documents_pending (id, from_size) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET from_size = excluded.from_size',
        [size],
      );
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
