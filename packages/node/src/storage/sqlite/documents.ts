// The shipment documents index on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { DOCUMENTS_AREA, type DocumentRow, type DocumentStore, documentRowOf, type PendingDocument } from '../documents.js';
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
  added_at INTEGER NOT NULL,
  content BLOB
);
CREATE INDEX IF NOT EXISTS documents_shipment ON documents(shipment_id, leaf_index);
CREATE TABLE IF NOT EXISTS documents_pending (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  from_size INTEGER NOT NULL,
  content BLOB NOT NULL
);
`,
  },
];

type Row = Record<string, SQLInputValue>;
/** A row without its content (listing never reads the contents). */
const COLUMNS = 'leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at, content IS NOT NULL AS has_content';

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

  async put(d: Omit<DocumentRow, 'hasContent'>, content: Uint8Array | null): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO documents (leaf_index, shipment_id, doc_type, name, media_type, sha256, size, added_at, content)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (leaf_index) DO NOTHING`,
      )
      .run(d.leafIndex, d.shipmentId, d.type, d.name, d.mediaType, d.sha256, d.size, d.addedAt, content);
    return Number(r.changes) === 1;
  }

  async content(leafIndex: number): Promise<Uint8Array | null> {
    const r = this.db.prepare('SELECT content FROM documents WHERE leaf_index = ?').get(leafIndex) as Row | undefined;
    return r && r.content !== null ? new Uint8Array(r.content as Uint8Array) : null;
  }

  async ofShipment(shipmentId: string): Promise<DocumentRow[]> {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM documents WHERE shipment_id = ? ORDER BY leaf_index`).all(shipmentId) as Row[]
    ).map(documentRowOf);
  }

  async get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null> {
    const r = this.db
      .prepare(`SELECT ${COLUMNS} FROM documents WHERE shipment_id = ? AND leaf_index = ?`)
      .get(shipmentId, leafIndex) as Row | undefined;
    return r ? documentRowOf(r) : null;
  }

  async pending(): Promise<PendingDocument | null> {
    const r = this.db.prepare('SELECT from_size, content FROM documents_pending WHERE id = 1').get() as Row | undefined;
    return r ? { fromSize: Number(r.from_size), content: new Uint8Array(r.content as Uint8Array) } : null;
  }

  async setPending(p: PendingDocument | null): Promise<void> {
    if (p === null) this.db.prepare('DELETE FROM documents_pending').run();
    else
      this.db
        .prepare(
          `INSERT INTO documents_pending (id, from_size, content) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET from_size = excluded.from_size, content = excluded.content`,
        )
        .run(p.fromSize, p.content);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
