// EPCIS named queries, subscriptions and their outbox on the embedded driver:
// its own connection to node.db (the tables sat beside the event index before).
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { ScheduleSpec } from '../../epcis/subscriptions/schedule.js';
import type { Migration } from '../migrations.js';
import {
  type DeliveryRow,
  MAX_DELIVERY_ERROR_CHARS,
  type NamedQueryRow,
  SUBSCRIPTIONS_AREA,
  type SubscriptionRow,
  type SubscriptionStore,
} from '../subscriptions.js';
import { sqliteTransaction, sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

/** Version 1 is the tables as the node made them before versioned migrations (adopted in place). */
export const SQLITE_SUBSCRIPTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'named queries, subscriptions, deliveries',
    sql: `
CREATE TABLE IF NOT EXISTS epcis_named_queries (
  name TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS epcis_subscriptions (
  id TEXT PRIMARY KEY,
  query_name TEXT NOT NULL,
  dest TEXT NOT NULL,
  signature_token TEXT,
  stream INTEGER NOT NULL,
  schedule TEXT,
  report_if_empty INTEGER NOT NULL,
  initial_record_time INTEGER,
  cursor INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_notified_at INTEGER
);
CREATE INDEX IF NOT EXISTS epcis_subscriptions_query ON epcis_subscriptions(query_name, id);
CREATE TABLE IF NOT EXISTS epcis_deliveries (
  id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL UNIQUE,
  from_cursor INTEGER NOT NULL,
  to_cursor INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
`,
  },
];

type Row = Record<string, SQLInputValue>;

const namedQuery = (r: Row): NamedQueryRow => ({
  name: String(r.name),
  query: JSON.parse(String(r.definition)) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});

const subscription = (r: Row): SubscriptionRow => ({
  id: String(r.id),
  queryName: String(r.query_name),
  dest: String(r.dest),
  signatureToken: r.signature_token === null ? null : String(r.signature_token),
  stream: Number(r.stream) === 1,
  schedule: r.schedule === null ? null : (JSON.parse(String(r.schedule)) as ScheduleSpec),
  reportIfEmpty: Number(r.report_if_empty) === 1,
  initialRecordTime: r.initial_record_time === null ? null : Number(r.initial_record_time),
  cursor: Number(r.cursor),
  createdAt: Number(r.created_at),
  lastNotifiedAt: r.last_notified_at === null ? null : Number(r.last_notified_at),
});

const delivery = (r: Row): DeliveryRow => ({
  id: String(r.id),
  subscriptionId: String(r.subscription_id),
  fromCursor: Number(r.from_cursor),
  toCursor: Number(r.to_cursor),
  eventCount: Number(r.event_count),
  body: String(r.body),
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: r.last_error === null ? null : String(r.last_error),
  createdAt: Number(r.created_at),
});

export class SqliteSubscriptionStore implements SubscriptionStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteSubscriptionStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, SUBSCRIPTIONS_AREA, SQLITE_SUBSCRIPTION_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteSubscriptionStore(db);
  }

  private get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.db.prepare(sql).get(...params) as Row | undefined;
  }

  private all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.db.prepare(sql).all(...params) as Row[];
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  // ------------------------------------------------------------ named queries

  async createQuery(name: string, query: Record<string, unknown>, now: number): Promise<boolean> {
    return (
      this.run(
        'INSERT INTO epcis_named_queries (name, definition, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING',
        name,
        JSON.stringify(query),
        now,
      ) === 1
    );
  }

  async query(name: string): Promise<NamedQueryRow | null> {
    const r = this.get('SELECT * FROM epcis_named_queries WHERE name = ?', name);
    return r ? namedQuery(r) : null;
  }

  async queries(limit: number, after = ''): Promise<NamedQueryRow[]> {
    return this.all('SELECT * FROM epcis_named_queries WHERE name > ? ORDER BY name LIMIT ?', after, limit).map(namedQuery);
  }

  async deleteQuery(name: string): Promise<string[] | null> {
    return sqliteTransaction(this.db, () => {
      if (!this.get('SELECT name FROM epcis_named_queries WHERE name = ?', name)) return null;
      const ids = this.all('SELECT id FROM epcis_subscriptions WHERE query_name = ? ORDER BY id', name).map((r) => String(r.id));
      this.run(
        'DELETE FROM epcis_deliveries WHERE subscription_id IN (SELECT id FROM epcis_subscriptions WHERE query_name = ?)',
        name,
      );
      this.run('DELETE FROM epcis_subscriptions WHERE query_name = ?', name);
      this.run('DELETE FROM epcis_named_queries WHERE name = ?', name);
      return ids;
    });
  }

  // ------------------------------------------------------------ subscriptions

  async insertSubscription(s: SubscriptionRow): Promise<void> {
    sqliteWrite(`subscription ${s.id}`, () =>
      this.run(
        `INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, stream, schedule, report_if_empty, initial_record_time,
         cursor, created_at, last_notified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
        s.id,
        s.queryName,
        s.dest,
        s.signatureToken,
        s.stream ? 1 : 0,
        s.schedule ? JSON.stringify(s.schedule) : null,
        s.reportIfEmpty ? 1 : 0,
        s.initialRecordTime,
        s.cursor,
        s.createdAt,
      ),
    );
  }

  async subscription(id: string): Promise<SubscriptionRow | null> {
    const r = this.get('SELECT * FROM epcis_subscriptions WHERE id = ?', id);
    return r ? subscription(r) : null;
  }

  async subscriptions(queryName: string, limit: number, after = ''): Promise<SubscriptionRow[]> {
    return this.all(
      'SELECT * FROM epcis_subscriptions WHERE query_name = ? AND id > ? ORDER BY id LIMIT ?',
      queryName,
      after,
      limit,
    ).map(subscription);
  }

  async allSubscriptions(): Promise<SubscriptionRow[]> {
    return this.all('SELECT * FROM epcis_subscriptions ORDER BY id').map(subscription);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return sqliteTransaction(this.db, () => {
      this.run('DELETE FROM epcis_deliveries WHERE subscription_id = ?', id);
      return this.run('DELETE FROM epcis_subscriptions WHERE id = ?', id) === 1;
    });
  }

  async skipTo(id: string, to: number): Promise<void> {
    this.run('UPDATE epcis_subscriptions SET cursor = ? WHERE id = ? AND cursor < ?', to, id, to);
  }

  // ------------------------------------------------------------ outbox

  async pending(subscriptionId: string): Promise<DeliveryRow | null> {
    const r = this.get('SELECT * FROM epcis_deliveries WHERE subscription_id = ?', subscriptionId);
    return r ? delivery(r) : null;
  }

  async pendingCount(): Promise<number> {
    return Number(this.get('SELECT COUNT(*) AS n FROM epcis_deliveries')?.n ?? 0);
  }

  async enqueue(d: DeliveryRow): Promise<void> {
    sqliteWrite(`a pending delivery of subscription ${d.subscriptionId}`, () =>
      this.run(
        `INSERT INTO epcis_deliveries (id, subscription_id, from_cursor, to_cursor, event_count, body, attempts, next_attempt_at,
         last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, ?)`,
        d.id,
        d.subscriptionId,
        d.fromCursor,
        d.toCursor,
        d.eventCount,
        d.body,
        d.nextAttemptAt,
        d.createdAt,
      ),
    );
  }

  async acknowledge(d: DeliveryRow, now: number): Promise<boolean> {
    return sqliteTransaction(this.db, () => {
      if (this.run('DELETE FROM epcis_deliveries WHERE id = ?', d.id) !== 1) return false;
      this.run(
        `UPDATE epcis_subscriptions SET cursor = MAX(cursor, ?), last_notified_at = ?,
         initial_record_time = CASE WHEN ? > 0 THEN NULL ELSE initial_record_time END WHERE id = ?`,
        d.toCursor,
        now,
        d.eventCount,
        d.subscriptionId,
      );
      return true;
    });
  }

  async failed(d: DeliveryRow, nextAttemptAt: number, error: string): Promise<void> {
    this.run(
      'UPDATE epcis_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
      nextAttemptAt,
      error.slice(0, MAX_DELIVERY_ERROR_CHARS),
      d.id,
    );
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
