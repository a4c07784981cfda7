// The shipment documents index on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { DOCUMENTS_AREA, type DocumentRow, type DocumentStore, documentRowOf } from '../documents.js';
import type { Migration } from '../migrations.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_DOCUMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shipment documents',
    sql: `
CREATE TABLE IF NOT EXISTS documents (
  leaf_index INTEGER PRIMARY KEY,
  shipment_id TEXT NOT NULL,
  doc_type TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  added_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_shipment ON documents(shipment_id, leaf_index);
CREATE TABLE IF NOT EXISTS documents_pending (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  from_size INTEGER NOT NULL
);
`,
  },
];

type Row = Record<string, SQLInputValue>;

export class SqliteDocumentStore implements DocumentStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteDocumentStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, DOCUMENTS_AREA, SQLITE_DOCUMENT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteDocumentStore(db);
  }

  async put(d: DocumentRow): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO documents (leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (leaf_index) DO NOTHING`,
      )
      .run(d.leafIndex, d.shipmentId, d.type, d.name, d.mediaType, d.sha256, d.size, d.addedAt);
    return Number(r.changes) === 1;
  }

  async ofShipment(shipmentId: string): Promise<DocumentRow[]> {
    return (this.db.prepare('SELECT * FROM documents WHERE shipment_id = ? ORDER BY leaf_index').all(shipmentId) as Row[]).map(
      documentRowOf,
    );
  }

  async get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null> {
    const r = this.db.prepare('SELECT * FROM documents WHERE shipment_id = ? AND leaf_index = ?').get(shipmentId, leafIndex) as
      | Row
      | undefined;
    return r ? documentRowOf(r) : null;
  }

  async pendingFrom(): Promise<number | null> {
    const r = this.db.prepare('SELECT from_size FROM documents_pending WHERE id = 1').get() as Row | undefined;
    return r ? Number(r.from_size) : null;
  }

  async setPendingFrom(size: number | null): Promise<void> {
    if (size === null) this.db.prepare('DELETE FROM documents_pending').run();
    else
      this.db
        .prepare(
          'INSERT INTO documents_pending (id, from_size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET from_size = excluded.from_size',
        )
        .run(size);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
