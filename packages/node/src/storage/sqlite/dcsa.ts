// The DCSA Track & Trace index on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  DCSA_AREA,
  DCSA_INSERT_COLUMNS,
  type DcsaDeliveryRow,
  type DcsaEventQuery,
  type DcsaEventRow,
  type DcsaStore,
  type DcsaSubscriptionRow,
  dcsaDeliveryId,
  dcsaDeliveryOf,
  dcsaSubscriptionOf,
  MAX_DCSA_ERROR_CHARS,
  dcsaColumns,
  dcsaQuerySql,
  dcsaRefsOf,
  dcsaRowOf,
} from '../dcsa.js';
import type { Migration } from '../migrations.js';
import { sqliteTransaction, sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_DCSA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'DCSA events, their references, subscriptions and their deliveries, meta',
    sql: `
CREATE TABLE IF NOT EXISTS dcsa_events (
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
CREATE INDEX IF NOT EXISTS dcsa_events_key ON dcsa_events(key, current);
CREATE INDEX IF NOT EXISTS dcsa_events_equipment ON dcsa_events(equipment_ref, rid);
CREATE INDEX IF NOT EXISTS dcsa_events_type ON dcsa_events(event_type, rid);
CREATE TABLE IF NOT EXISTS dcsa_event_refs (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY (kind, ref, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dcsa_event_refs_rid ON dcsa_event_refs(rid);
CREATE TABLE IF NOT EXISTS dcsa_subscriptions (
  id TEXT PRIMARY KEY,
  owner_kind TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  callback_url TEXT NOT NULL,
  secret TEXT NOT NULL,
  filter TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS dcsa_deliveries (
  id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL,
  rid INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS dcsa_deliveries_due ON dcsa_deliveries(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS dcsa_deliveries_subscription ON dcsa_deliveries(subscription_id, rid);
CREATE TABLE IF NOT EXISTS dcsa_meta (
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

  async insertSubscription(s: DcsaSubscriptionRow): Promise<void> {
    sqliteWrite(`DCSA subscription ${s.id}`, () =>
      this.db
        .prepare(
          `INSERT INTO dcsa_subscriptions (id, owner_kind, owner_name, callback_url, secret, filter, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(s.id, s.ownerKind, s.ownerName, s.callbackUrl, s.secret, JSON.stringify(s.filter), s.createdAt),
    );
  }

  async subscription(id: string): Promise<DcsaSubscriptionRow | null> {
    const r = this.db.prepare('SELECT * FROM dcsa_subscriptions WHERE id = ?').get(id) as Row | undefined;
    return r ? dcsaSubscriptionOf(r) : null;
  }

  async subscriptions(): Promise<DcsaSubscriptionRow[]> {
    return (this.db.prepare('SELECT * FROM dcsa_subscriptions ORDER BY created_at, id').all() as Row[]).map(dcsaSubscriptionOf);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return sqliteTransaction(this.db, () => {
      this.db.prepare("DELETE FROM dcsa_deliveries WHERE subscription_id = ? AND status = 'pending'").run(id);
      return Number(this.db.prepare('DELETE FROM dcsa_subscriptions WHERE id = ?').run(id).changes) === 1;
    });
  }

  async enqueue(
    deliveries: readonly { subscriptionId: string; rid: number }[],
    cursorKey: string,
    cursor: number,
    now: number,
  ): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO dcsa_deliveries (id, subscription_id, rid, status, attempts, next_attempt_at, last_error, created_at, delivered_at)
       VALUES (?, ?, ?, 'pending', 0, ?, NULL, ?, NULL) ON CONFLICT(id) DO NOTHING`,
    );
    sqliteTransaction(this.db, () => {
      for (const d of deliveries) insert.run(dcsaDeliveryId(d.subscriptionId, d.rid), d.subscriptionId, d.rid, now, now);
      this.db
        .prepare(
          `INSERT INTO dcsa_meta (key, value) VALUES (?, ?)
           ON CONFLICT(key) DO UPDATE SET value = CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
        )
        .run(cursorKey, String(cursor));
    });
  }

  async due(now: number, limit: number): Promise<DcsaDeliveryRow[]> {
    return (
      this.db
        .prepare(
          "SELECT * FROM dcsa_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, rid, id LIMIT ?",
        )
        .all(now, limit) as Row[]
    ).map(dcsaDeliveryOf);
  }

  async nextDue(): Promise<number | null> {
    const r = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM dcsa_deliveries WHERE status = 'pending'").get() as Row;
    return r.t === null ? null : Number(r.t);
  }

  async deliveries(subscriptionId: string): Promise<DcsaDeliveryRow[]> {
    return (
      this.db.prepare('SELECT * FROM dcsa_deliveries WHERE subscription_id = ? ORDER BY rid').all(subscriptionId) as Row[]
    ).map(dcsaDeliveryOf);
  }

  async delivered(id: string, now: number): Promise<boolean> {
    return (
      Number(
        this.db
          .prepare("UPDATE dcsa_deliveries SET status = 'delivered', delivered_at = ? WHERE id = ? AND status = 'pending'")
          .run(now, id).changes,
      ) === 1
    );
  }

  async failed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    this.db
      .prepare(
        "UPDATE dcsa_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
      )
      .run(nextAttemptAt, error.slice(0, MAX_DCSA_ERROR_CHARS), id);
  }

  async optimize(): Promise<void> {
    this.db.exec('PRAGMA optimize; ANALYZE dcsa_events; ANALYZE dcsa_event_refs;');
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
