// EPCIS named queries, subscriptions and their outbox on PostgreSQL. Query
// definitions and schedules are the JSON text the node wrote (TEXT: they come back
// as given, keys in order); names and ids page in byte order (COLLATE "C"), as on SQLite.
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
import { pgWrite } from './constraint.js';
import { migratePostgres, type PgDatabase, type PgRow } from './database.js';

export const POSTGRES_SUBSCRIPTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'named queries, subscriptions, deliveries',
    sql: `
CREATE TABLE epcis_named_queries (
  name TEXT COLLATE "C" PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE epcis_subscriptions (
  id TEXT COLLATE "C" PRIMARY KEY,
  query_name TEXT COLLATE "C" NOT NULL,
  dest TEXT NOT NULL,
  signature_token TEXT,
  stream BOOLEAN NOT NULL,
  schedule TEXT,
  report_if_empty BOOLEAN NOT NULL,
  initial_record_time BIGINT,
  cursor BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_notified_at BIGINT
);
CREATE INDEX epcis_subscriptions_query ON epcis_subscriptions(query_name, id);
CREATE TABLE epcis_deliveries (
  id TEXT PRIMARY KEY,
  subscription_id TEXT COLLATE "C" NOT NULL UNIQUE,
  from_cursor BIGINT NOT NULL,
  to_cursor BIGINT NOT NULL,
  event_count INTEGER NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL
);
`,
  },
];

const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const namedQuery = (r: PgRow): NamedQueryRow => ({
  name: String(r.name),
  query: JSON.parse(String(r.definition)) as Record<string, unknown>,
  createdAt: Number(r.created_at),
});

const subscription = (r: PgRow): SubscriptionRow => ({
  id: String(r.id),
  queryName: String(r.query_name),
  dest: String(r.dest),
  signatureToken: r.signature_token === null ? null : String(r.signature_token),
  stream: r.stream === true,
  schedule: r.schedule === null ? null : (JSON.parse(String(r.schedule)) as ScheduleSpec),
  reportIfEmpty: r.report_if_empty === true,
  initialRecordTime: nullableNumber(r.initial_record_time),
  cursor: Number(r.cursor),
  createdAt: Number(r.created_at),
  lastNotifiedAt: nullableNumber(r.last_notified_at),
});

const delivery = (r: PgRow): DeliveryRow => ({
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

export class PostgresSubscriptionStore implements SubscriptionStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresSubscriptionStore> {
    await migratePostgres(db, SUBSCRIPTIONS_AREA, POSTGRES_SUBSCRIPTION_MIGRATIONS);
    return new PostgresSubscriptionStore(db);
  }

  // ------------------------------------------------------------ named queries

  async createQuery(name: string, query: Record<string, unknown>, now: number): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO epcis_named_queries (name, definition, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING name',
      [name, JSON.stringify(query), now],
    );
    return rows.length === 1;
  }

  async query(name: string): Promise<NamedQueryRow | null> {
    const [r] = await this.db.query('SELECT * FROM epcis_named_queries WHERE name = $1', [name]);
    return r ? namedQuery(r) : null;
  }

  async queries(limit: number, after = ''): Promise<NamedQueryRow[]> {
    const rows = await this.db.query('SELECT * FROM epcis_named_queries WHERE name > $1 ORDER BY name LIMIT $2', [after, limit]);
    return rows.map(namedQuery);
  }

  async deleteQuery(name: string): Promise<string[] | null> {
    return this.db.transaction(async (tx) => {
      // Locks the query's row: a concurrent delete waits, then finds nothing.
      const found = await tx.query('DELETE FROM epcis_named_queries WHERE name = $1 RETURNING name', [name]);
      if (found.length === 0) return null;
      await tx.query(
        'DELETE FROM epcis_deliveries WHERE subscription_id IN (SELECT id FROM epcis_subscriptions WHERE query_name = $1)',
        [name],
      );
      const ids = await tx.query<{ id: string }>('DELETE FROM epcis_subscriptions WHERE query_name = $1 RETURNING id', [name]);
      return ids.map((r) => String(r.id)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    });
  }

  // ------------------------------------------------------------ subscriptions

  async insertSubscription(s: SubscriptionRow): Promise<void> {
    await pgWrite(`subscription ${s.id}`, () =>
      this.db.query(
        `INSERT INTO epcis_subscriptions (id, query_name, dest, signature_token, stream, schedule, report_if_empty, initial_record_time,
         cursor, created_at, last_notified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)`,
        [
          s.id,
          s.queryName,
          s.dest,
          s.signatureToken,
          s.stream,
          s.schedule ? JSON.stringify(s.schedule) : null,
          s.reportIfEmpty,
          s.initialRecordTime,
          s.cursor,
          s.createdAt,
        ],
      ),
    );
  }

  async subscription(id: string): Promise<SubscriptionRow | null> {
    const [r] = await this.db.query('SELECT * FROM epcis_subscriptions WHERE id = $1', [id]);
    return r ? subscription(r) : null;
  }

  async subscriptions(queryName: string, limit: number, after = ''): Promise<SubscriptionRow[]> {
    const rows = await this.db.query('SELECT * FROM epcis_subscriptions WHERE query_name = $1 AND id > $2 ORDER BY id LIMIT $3', [
      queryName,
      after,
      limit,
    ]);
    return rows.map(subscription);
  }

  async allSubscriptions(): Promise<SubscriptionRow[]> {
    return (await this.db.query('SELECT * FROM epcis_subscriptions ORDER BY id')).map(subscription);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM epcis_deliveries WHERE subscription_id = $1', [id]);
      return (await tx.query('DELETE FROM epcis_subscriptions WHERE id = $1 RETURNING id', [id])).length === 1;
    });
  }

  async skipTo(id: string, to: number): Promise<void> {
    await this.db.query('UPDATE epcis_subscriptions SET cursor = $1 WHERE id = $2 AND cursor < $1', [to, id]);
  }

  // ------------------------------------------------------------ outbox

  async pending(subscriptionId: string): Promise<DeliveryRow | null> {
    const [r] = await this.db.query('SELECT * FROM epcis_deliveries WHERE subscription_id = $1', [subscriptionId]);
    return r ? delivery(r) : null;
  }

  async pendingCount(): Promise<number> {
    const [r] = await this.db.query('SELECT COUNT(*) AS n FROM epcis_deliveries');
    return Number(r?.n ?? 0);
  }

  async enqueue(d: DeliveryRow): Promise<void> {
    await pgWrite(`a pending delivery of subscription ${d.subscriptionId}`, () =>
      this.db.query(
        `INSERT INTO epcis_deliveries (id, subscription_id, from_cursor, to_cursor, event_count, body, attempts, next_attempt_at,
         last_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, $8)`,
        [d.id, d.subscriptionId, d.fromCursor, d.toCursor, d.eventCount, d.body, d.nextAttemptAt, d.createdAt],
      ),
    );
  }

  async acknowledge(d: DeliveryRow, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // A concurrent acknowledge of the same delivery waits on the row lock, then deletes nothing.
      if ((await tx.query('DELETE FROM epcis_deliveries WHERE id = $1 RETURNING id', [d.id])).length !== 1) return false;
      await tx.query(
        `UPDATE epcis_subscriptions SET cursor = GREATEST(cursor, $1), last_notified_at = $2,
         initial_record_time = CASE WHEN $3::integer > 0 THEN NULL ELSE initial_record_time END WHERE id = $4`,
        [d.toCursor, now, d.eventCount, d.subscriptionId],
      );
      return true;
    });
  }

  async failed(d: DeliveryRow, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.query(
      'UPDATE epcis_deliveries SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3',
      [nextAttemptAt, error.slice(0, MAX_DELIVERY_ERROR_CHARS), d.id],
    );
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
