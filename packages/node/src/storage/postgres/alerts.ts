// Alerts, their subscriptions and delivery outbox on PostgreSQL (details and kinds as the JSON text
// the node wrote; ids in byte order, COLLATE "C", as on SQLite).
import {
  ALERTS_AREA,
  type AlertDeliveryRow,
  type AlertRow,
  type AlertStore,
  type AlertSubscriptionRow,
  MAX_ALERT_ERROR_CHARS,
} from '../alerts.js';
import type { Migration } from '../migrations.js';
import { pgWrite } from './constraint.js';
import { migratePostgres, type PgDatabase, type PgRow } from './database.js';

export const POSTGRES_ALERT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, alert subscriptions, alert deliveries',
    sql: `
CREATE TABLE IF NOT EXISTS alerts (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  shipment_id TEXT,
  title TEXT NOT NULL,
  detail TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  occurred_at BIGINT NOT NULL,
  raised_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_subscriptions (
  id TEXT COLLATE "C" PRIMARY KEY,
  owner_kind TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  shipment_id TEXT,
  kinds TEXT,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  secret TEXT,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  id TEXT COLLATE "C" PRIMARY KEY,
  alert_id TEXT COLLATE "C" NOT NULL,
  subscription_id TEXT COLLATE "C" NOT NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  UNIQUE (alert_id, subscription_id)
);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
`,
  },
];

const nullableNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const alert = (r: PgRow): AlertRow => ({
  seq: Number(r.seq),
  id: String(r.id),
  kind: String(r.kind),
  severity: String(r.severity) as AlertRow['severity'],
  shipmentId: r.shipment_id === null ? null : String(r.shipment_id),
  title: String(r.title),
  detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
  dedupeKey: String(r.dedupe_key),
  occurredAt: Number(r.occurred_at),
  raisedAt: Number(r.raised_at),
});

const subscription = (r: PgRow): AlertSubscriptionRow => ({
  id: String(r.id),
  ownerKind: String(r.owner_kind) as AlertSubscriptionRow['ownerKind'],
  ownerName: String(r.owner_name),
  shipmentId: r.shipment_id === null ? null : String(r.shipment_id),
  kinds: r.kinds === null ? null : (JSON.parse(String(r.kinds)) as string[]),
  channel: String(r.channel) as AlertSubscriptionRow['channel'],
  target: String(r.target),
  secret: r.secret === null ? null : String(r.secret),
  createdAt: Number(r.created_at),
});

const delivery = (r: PgRow): AlertDeliveryRow => ({
  id: String(r.id),
  alertId: String(r.alert_id),
  subscriptionId: String(r.subscription_id),
  channel: String(r.channel) as AlertDeliveryRow['channel'],
  target: String(r.target),
  status: String(r.status) as AlertDeliveryRow['status'],
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: r.last_error === null ? null : String(r.last_error),
  createdAt: Number(r.created_at),
  deliveredAt: nullableNumber(r.delivered_at),
});

export class PostgresAlertStore implements AlertStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresAlertStore> {
    await migratePostgres(db, ALERTS_AREA, POSTGRES_ALERT_MIGRATIONS);
    return new PostgresAlertStore(db);
  }

  async raise(a: AlertRow, deliveries: readonly AlertDeliveryRow[]): Promise<boolean> {
    return pgWrite(`alert ${a.id}`, () =>
      this.db.transaction(async (tx) => {
        // A concurrent raise of the same key waits on the unique index, then inserts nothing.
        const added = await tx.query(
          `INSERT INTO alerts (id, kind, severity, shipment_id, title, detail, dedupe_key, occurred_at, raised_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING seq`,
          [a.id, a.kind, a.severity, a.shipmentId, a.title, JSON.stringify(a.detail), a.dedupeKey, a.occurredAt, a.raisedAt],
        );
        if (added.length !== 1) return false;
        for (const d of deliveries)
          await tx.query(
            `INSERT INTO alert_deliveries (id, alert_id, subscription_id, channel, target, status, attempts, next_attempt_at,
             last_error, created_at, delivered_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, NULL, $7, NULL)`,
            [d.id, a.id, d.subscriptionId, d.channel, d.target, d.nextAttemptAt, d.createdAt],
          );
        return true;
      }),
    );
  }

  async alert(id: string): Promise<AlertRow | null> {
    const [r] = await this.db.query('SELECT * FROM alerts WHERE id = $1', [id]);
    return r ? alert(r) : null;
  }

  async alerts(limit: number, before = Number.MAX_SAFE_INTEGER): Promise<AlertRow[]> {
    return (await this.db.query('SELECT * FROM alerts WHERE seq < $1 ORDER BY seq DESC LIMIT $2', [before, limit])).map(alert);
  }

  async insertSubscription(s: AlertSubscriptionRow): Promise<void> {
    await pgWrite(`alert subscription ${s.id}`, () =>
      this.db.query(
        `INSERT INTO alert_subscriptions (id, owner_kind, owner_name, shipment_id, kinds, channel, target, secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          s.id,
          s.ownerKind,
          s.ownerName,
          s.shipmentId,
          s.kinds === null ? null : JSON.stringify(s.kinds),
          s.channel,
          s.target,
          s.secret,
          s.createdAt,
        ],
      ),
    );
  }

  async subscription(id: string): Promise<AlertSubscriptionRow | null> {
    const [r] = await this.db.query('SELECT * FROM alert_subscriptions WHERE id = $1', [id]);
    return r ? subscription(r) : null;
  }

  async subscriptions(): Promise<AlertSubscriptionRow[]> {
    return (await this.db.query('SELECT * FROM alert_subscriptions ORDER BY created_at, id')).map(subscription);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM alert_deliveries WHERE subscription_id = $1 AND status = 'pending'", [id]);
      return (await tx.query('DELETE FROM alert_subscriptions WHERE id = $1 RETURNING id', [id])).length === 1;
    });
  }

  async due(now: number, limit: number): Promise<AlertDeliveryRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at, created_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map(delivery);
  }

  async nextDue(): Promise<number | null> {
    const [r] = await this.db.query("SELECT MIN(next_attempt_at) AS t FROM alert_deliveries WHERE status = 'pending'");
    return nullableNumber(r?.t);
  }

  async deliveries(alertId: string): Promise<AlertDeliveryRow[]> {
    return (await this.db.query('SELECT * FROM alert_deliveries WHERE alert_id = $1 ORDER BY created_at, id', [alertId])).map(
      delivery,
    );
  }

  async pendingCount(): Promise<number> {
    const [r] = await this.db.query("SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'pending'");
    return Number(r?.n ?? 0);
  }

  async delivered(id: string, now: number): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE alert_deliveries SET status = 'delivered', delivered_at = $1 WHERE id = $2 AND status = 'pending' RETURNING id",
      [now, id],
    );
    return rows.length === 1;
  }

  async failed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.query(
      "UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND status = 'pending'",
      [nextAttemptAt, error.slice(0, MAX_ALERT_ERROR_CHARS), id],
    );
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
