// Named queries, webhook subscriptions and their delivery outbox, on the
// repository's SQLite connection (the node's file), beside the event index.
//
//   epcis_named_queries   name → the query object as created
//   epcis_subscriptions   one row per webhook subscription; `cursor` is the last leaf
//                         index whose events the destination has acknowledged (−1: none yet)
//   epcis_deliveries      the outbox: at most one delivery per subscription, with the
//                         exact body (and id) every retry sends; removed, and the
//                         cursor advanced to its `to_cursor`, in one transaction on a 2xx
//
// Deleting a named query deletes its subscriptions and their pending deliveries.
import type { SQLInputValue } from 'node:sqlite';
import { SqliteEpcisIndex } from '../../storage/sqlite/epcis.js';
import type { EpcisRepository } from '../repository.js';
import type { ScheduleSpec } from './schedule.js';

const SCHEMA_VERSION = '1';

const SCHEMA = `
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
`;

type Row = Record<string, SQLInputValue>;

export interface NamedQueryRow {
  name: string;
  query: Record<string, unknown>;
  createdAt: number;
}

export interface SubscriptionRow {
  id: string;
  queryName: string;
  dest: string;
  signatureToken: string | null;
  stream: boolean;
  schedule: ScheduleSpec | null;
  reportIfEmpty: boolean;
  initialRecordTime: number | null;
  cursor: number;
  createdAt: number;
  lastNotifiedAt: number | null;
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  fromCursor: number;
  toCursor: number;
  eventCount: number;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

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

export class SubscriptionStore {
  // Until this store moves into storage/, it shares the SQLite EPCIS index's connection.
  private readonly repo: SqliteEpcisIndex;

  constructor(epcis: EpcisRepository) {
    if (!(epcis.index instanceof SqliteEpcisIndex))
      throw new Error('named queries and subscriptions need the SQLite driver until their store moves to storage/');
    this.repo = epcis.index;
    this.repo.db.exec(SCHEMA);
    this.repo.setMetaSync('subscriptions_schema', SCHEMA_VERSION);
  }

  private tx<T>(fn: () => T): T {
    this.repo.db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.repo.db.exec('COMMIT');
      return r;
    } catch (err) {
      this.repo.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** The newest indexed leaf (−1 when there is no event): events are indexed in leaf order. */
  head(): number {
    const r = this.repo.get('SELECT MAX(rid) AS m FROM epcis_events');
    return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
  }

  // ------------------------------------------------------------ named queries

  createQuery(name: string, query: Record<string, unknown>, now: number): boolean {
    const r = this.repo
      .stmt('INSERT INTO epcis_named_queries (name, definition, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING')
      .run(name, JSON.stringify(query), now);
    return Number(r.changes) === 1;
  }

  query(name: string): NamedQueryRow | null {
    const r = this.repo.get('SELECT * FROM epcis_named_queries WHERE name = ?', name);
    return r ? { name: String(r.name), query: JSON.parse(String(r.definition)), createdAt: Number(r.created_at) } : null;
  }

  queries(limit: number, after = ''): NamedQueryRow[] {
    return this.repo
      .all('SELECT * FROM epcis_named_queries WHERE name > ? ORDER BY name LIMIT ?', after, limit)
      .map((r) => ({ name: String(r.name), query: JSON.parse(String(r.definition)), createdAt: Number(r.created_at) }));
  }

  /** Delete a named query, its subscriptions and their outbox; returns the subscription ids removed. */
  deleteQuery(name: string): string[] | null {
    return this.tx(() => {
      if (!this.query(name)) return null;
      const ids = this.repo.all('SELECT id FROM epcis_subscriptions WHERE query_name = ?', name).map((r) => String(r.id));
      this.repo
        .stmt('DELETE FROM epcis_deliveries WHERE subscription_id IN (SELECT id FROM epcis_subscriptions WHERE query_name = ?)')
        .run(name);
      this.repo.stmt('DELETE FROM epcis_subscriptions WHERE query_name = ?').run(name);
      this.repo.stmt('DELETE FROM epcis_named_queries WHERE name = ?').run(name);
      return ids;
    });
  }

  // ------------------------------------------------------------ subscriptions

  insertSubscription(s: SubscriptionRow): void {
    this.repo
      .stmt(
        `INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, stream, schedule, report_if_empty, initial_record_time,
         cursor, created_at, last_notified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(
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
      );
  }

  subscription(id: string): SubscriptionRow | null {
    const r = this.repo.get('SELECT * FROM epcis_subscriptions WHERE id = ?', id);
    return r ? subscription(r) : null;
  }

  subscriptions(queryName: string, limit: number, after = ''): SubscriptionRow[] {
    return this.repo
      .all('SELECT * FROM epcis_subscriptions WHERE query_name = ? AND id > ? ORDER BY id LIMIT ?', queryName, after, limit)
      .map(subscription);
  }

  allSubscriptions(): SubscriptionRow[] {
    return this.repo.all('SELECT * FROM epcis_subscriptions ORDER BY id').map(subscription);
  }

  deleteSubscription(id: string): boolean {
    return this.tx(() => {
      this.repo.stmt('DELETE FROM epcis_deliveries WHERE subscription_id = ?').run(id);
      return Number(this.repo.stmt('DELETE FROM epcis_subscriptions WHERE id = ?').run(id).changes) === 1;
    });
  }

  /**
   * Nothing matched between the cursor and `to`: move on without a delivery. initialRecordTime stays
   * (it may lie ahead); it is dropped once a delivery of events at or after it is acknowledged.
   */
  skipTo(id: string, to: number): void {
    this.repo.stmt('UPDATE epcis_subscriptions SET cursor = ? WHERE id = ? AND cursor < ?').run(to, id, to);
  }

  // ------------------------------------------------------------ outbox

  pending(subscriptionId: string): DeliveryRow | null {
    const r = this.repo.get('SELECT * FROM epcis_deliveries WHERE subscription_id = ?', subscriptionId);
    return r ? delivery(r) : null;
  }

  pendingCount(): number {
    return Number(this.repo.get('SELECT COUNT(*) AS n FROM epcis_deliveries')?.n ?? 0);
  }

  enqueue(d: DeliveryRow): void {
    this.repo
      .stmt(
        `INSERT INTO epcis_deliveries (id, subscription_id, from_cursor, to_cursor, event_count, body, attempts, next_attempt_at,
         last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, ?)`,
      )
      .run(d.id, d.subscriptionId, d.fromCursor, d.toCursor, d.eventCount, d.body, d.nextAttemptAt, d.createdAt);
  }

  /** The destination acknowledged: the delivery leaves the outbox and the cursor moves past it, atomically. */
  acknowledge(d: DeliveryRow, now: number): void {
    this.tx(() => {
      if (Number(this.repo.stmt('DELETE FROM epcis_deliveries WHERE id = ?').run(d.id).changes) !== 1) return;
      this.repo
        .stmt(
          `UPDATE epcis_subscriptions SET cursor = MAX(cursor, ?), last_notified_at = ?,
           initial_record_time = CASE WHEN ? > 0 THEN NULL ELSE initial_record_time END WHERE id = ?`,
        )
        .run(d.toCursor, now, d.eventCount, d.subscriptionId);
    });
  }

  failed(d: DeliveryRow, nextAttemptAt: number, error: string): void {
    this.repo
      .stmt('UPDATE epcis_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error.slice(0, 500), d.id);
  }
}
