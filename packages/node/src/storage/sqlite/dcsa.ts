// The DCSA Track & Trace index on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  DCSA_AREA,
  DCSA_INSERT_COLUMNS,
  type DcsaEventQuery,
  type DcsaEventRow,
  type DcsaStore,
  dcsaColumns,
  dcsaQuerySql,
  dcsaRefsOf,
  dcsaRowOf,
} from '../dcsa.js';
import type { Migration } from '../migrations.js';
import { sqliteTransaction } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_DCSA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'DCSA events, their references, meta',
    sql: `
CREATE TABLE dcsa_events (
  rid INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  shipment_code TEXT,
  equipment_code TEXT,
  transport_code TEXT,
  equipment_ref TEXT,
  updated_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  current INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX dcsa_events_key ON dcsa_events(key, current);
CREATE INDEX dcsa_events_equipment ON dcsa_events(equipment_ref, rid);
CREATE INDEX dcsa_events_type ON dcsa_events(event_type, rid);
CREATE TABLE dcsa_event_refs (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (kind, ref, rid)
) WITHOUT ROWID;
CREATE INDEX dcsa_event_refs_rid ON dcsa_event_refs(rid);
CREATE TABLE dcsa_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
];

type Row = Record<string, SQLInputValue>;

export class SqliteDcsaStore implements DcsaStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteDcsaStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, DCSA_AREA, SQLITE_DCSA_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteDcsaStore(db);
  }

  async meta(key: string): Promise<string | null> {
    const r = this.db.prepare('SELECT value FROM dcsa_meta WHERE key = ?').get(key) as Row | undefined;
    return r ? String(r.value) : null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db
      .prepare('INSERT INTO dcsa_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  async indexEvents(rows: readonly DcsaEventRow[], cursor: number): Promise<void> {
    const exists = this.db.prepare('SELECT 1 FROM dcsa_events WHERE rid = ?');
    const currentOf = this.db.prepare('SELECT rid, updated_at FROM dcsa_events WHERE key = ? AND current = 1');
    const retire = this.db.prepare('UPDATE dcsa_events SET current = 0 WHERE rid = ?');
    const insert = this.db.prepare(
      `INSERT INTO dcsa_events (${DCSA_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertRef = this.db.prepare('INSERT OR IGNORE INTO dcsa_event_refs (kind, ref, rid) VALUES (?, ?, ?)');
    sqliteTransaction(this.db, () => {
      for (const r of rows) {
        if (exists.get(r.rid)) continue;
        const cur = currentOf.get(r.key) as Row | undefined;
        const current = !cur || Number(cur.updated_at) <= r.updatedAt;
        if (cur && current) retire.run(Number(cur.rid));
        insert.run(...dcsaColumns(r, current));
        for (const ref of dcsaRefsOf(r)) insertRef.run(ref.kind, ref.ref, r.rid);
      }
      this.db
        .prepare(
          `INSERT INTO dcsa_meta (key, value) VALUES ('scan_cursor', ?)
           ON CONFLICT(key) DO UPDATE SET value = CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
        )
        .run(String(cursor));
    });
  }

  async indexedAmong(rids: readonly number[]): Promise<Set<number>> {
    const out = new Set<number>();
    const stmt = this.db.prepare('SELECT 1 FROM dcsa_events WHERE rid = ?');
    for (const rid of rids) if (stmt.get(rid)) out.add(rid);
    return out;
  }

  async query(q: DcsaEventQuery): Promise<DcsaEventRow[]> {
    const { sql, params } = dcsaQuerySql(q);
    const rows = this.db.prepare(sql).all(...params) as Row[];
    return rows.map((r) => dcsaRowOf(r, this.refs(Number(r.rid))));
  }

  async event(rid: number): Promise<DcsaEventRow | null> {
    const r = this.db.prepare('SELECT * FROM dcsa_events WHERE rid = ?').get(rid) as Row | undefined;
    return r ? dcsaRowOf(r, this.refs(rid)) : null;
  }

  private refs(rid: number): { kind: string; ref: string }[] {
    return (this.db.prepare('SELECT kind, ref FROM dcsa_event_refs WHERE rid = ? ORDER BY kind, ref').all(rid) as Row[]).map(
      (x) => ({ kind: String(x.kind), ref: String(x.ref) }),
    );
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
