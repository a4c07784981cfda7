// Alerts, their subscriptions and delivery outbox on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  ALERTS_AREA,
  type AlertDeliveryRow,
  type AlertRow,
  type AlertStore,
  type AlertSubscriptionRow,
  MAX_ALERT_ERROR_CHARS,
} from '../alerts.js';
import type { Migration } from '../migrations.js';
import { sqliteTransaction, sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_ALERT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, alert subscriptions, alert deliveries',
    sql: `
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  shipment_id TEXT,
  title TEXT NOT NULL,
  detail TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  occurred_at INTEGER NOT NULL,
  raised_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_subscriptions (
  id TEXT PRIMARY KEY,
  owner_kind TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  shipment_id TEXT,
  kinds TEXT,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  secret TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (alert_id, subscription_id)
);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
`,
  },
];

type Row = Record<string, SQLInputValue>;

const nullableNumber = (v: SQLInputValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

const alert = (r: Row): AlertRow => ({
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

const subscription = (r: Row): AlertSubscriptionRow => ({
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

const delivery = (r: Row): AlertDeliveryRow => ({
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

export class SqliteAlertStore implements AlertStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteAlertStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, ALERTS_AREA, SQLITE_ALERT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteAlertStore(db);
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

  async raise(a: AlertRow, deliveries: readonly AlertDeliveryRow[]): Promise<boolean> {
    return sqliteTransaction(this.db, () =>
      sqliteWrite(`alert ${a.id}`, () => {
        const added = this.run(
          `INSERT INTO alerts (id, kind, severity, shipment_id, title, detail, dedupe_key, occurred_at, raised_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING`,
          a.id,
          a.kind,
          a.severity,
          a.shipmentId,
          a.title,
          JSON.stringify(a.detail),
          a.dedupeKey,
          a.occurredAt,
          a.raisedAt,
        );
        if (added !== 1) return false;
        for (const d of deliveries)
          this.run(
            `INSERT INTO alert_deliveries (id, alert_id, subscription_id, channel, target, status, attempts, next_attempt_at,
             last_error, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, NULL, ?, NULL)`,
            d.id,
            a.id,
            d.subscriptionId,
            d.channel,
            d.target,
            d.nextAttemptAt,
            d.createdAt,
          );
        return true;
      }),
    );
  }

  async alert(id: string): Promise<AlertRow | null> {
    const r = this.get('SELECT * FROM alerts WHERE id = ?', id);
    return r ? alert(r) : null;
  }

  async alerts(limit: number, before = Number.MAX_SAFE_INTEGER): Promise<AlertRow[]> {
    return this.all('SELECT * FROM alerts WHERE seq < ? ORDER BY seq DESC LIMIT ?', before, limit).map(alert);
  }

  async insertSubscription(s: AlertSubscriptionRow): Promise<void> {
    sqliteWrite(`alert subscription ${s.id}`, () =>
      this.run(
        `INSERT INTO alert_subscriptions (id, owner_kind, owner_name, shipment_id, kinds, channel, target, secret, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        s.id,
        s.ownerKind,
        s.ownerName,
        s.shipmentId,
        s.kinds === null ? null : JSON.stringify(s.kinds),
        s.channel,
        s.target,
        s.secret,
        s.createdAt,
      ),
    );
  }

  async subscription(id: string): Promise<AlertSubscriptionRow | null> {
    const r = this.get('SELECT * FROM alert_subscriptions WHERE id = ?', id);
    return r ? subscription(r) : null;
  }

  async subscriptions(): Promise<AlertSubscriptionRow[]> {
    return this.all('SELECT * FROM alert_subscriptions ORDER BY created_at, id').map(subscription);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return sqliteTransaction(this.db, () => {
      this.run("DELETE FROM alert_deliveries WHERE subscription_id = ? AND status = 'pending'", id);
      return this.run('DELETE FROM alert_subscriptions WHERE id = ?', id) === 1;
    });
  }

  async due(now: number, limit: number): Promise<AlertDeliveryRow[]> {
    return this.all(
      "SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at, id LIMIT ?",
      now,
      limit,
    ).map(delivery);
  }

  async nextDue(): Promise<number | null> {
    return nullableNumber(this.get("SELECT MIN(next_attempt_at) AS t FROM alert_deliveries WHERE status = 'pending'")?.t ?? null);
  }

  async deliveries(alertId: string): Promise<AlertDeliveryRow[]> {
    return this.all('SELECT * FROM alert_deliveries WHERE alert_id = ? ORDER BY created_at, id', alertId).map(delivery);
  }

  async pendingCount(): Promise<number> {
    return Number(this.get("SELECT COUNT(*) AS n FROM alert_deliveries WHERE status = 'pending'")?.n ?? 0);
  }

  async delivered(id: string, now: number): Promise<boolean> {
    return (
      this.run(
        "UPDATE alert_deliveries SET status = 'delivered', delivered_at = ? WHERE id = ? AND status = 'pending'",
        now,
        id,
      ) === 1
    );
  }

  async failed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    this.run(
      "UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
      nextAttemptAt,
      error.slice(0, MAX_ALERT_ERROR_CHARS),
      id,
    );
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
