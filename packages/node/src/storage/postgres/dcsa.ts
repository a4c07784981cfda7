// The DCSA Track & Trace index on PostgreSQL (keys and references in byte order, COLLATE "C", as on SQLite).
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
import { pgWrite } from './constraint.js';
import { migratePostgres, type PgDatabase, type PgQueryable } from './database.js';

export const POSTGRES_DCSA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'DCSA events, their references, subscriptions and their deliveries, meta',
    sql: `
CREATE TABLE IF NOT EXISTS dcsa_events (
  rid BIGINT PRIMARY KEY,
  key TEXT COLLATE "C" NOT NULL,
  event_id TEXT COLLATE "C" NOT NULL,
  event_type TEXT COLLATE "C" NOT NULL,
  shipment_code TEXT COLLATE "C",
  equipment_code TEXT COLLATE "C",
  transport_code TEXT COLLATE "C",
  equipment_ref TEXT COLLATE "C",
  updated_at BIGINT NOT NULL,
  origin TEXT NOT NULL,
  current SMALLINT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dcsa_events_key ON dcsa_events(key, current);
CREATE INDEX IF NOT EXISTS dcsa_events_equipment ON dcsa_events(equipment_ref, rid);
CREATE INDEX IF NOT EXISTS dcsa_events_type ON dcsa_events(event_type, rid);
CREATE TABLE IF NOT EXISTS dcsa_event_refs (
  kind TEXT COLLATE "C" NOT NULL,
  ref TEXT COLLATE "C" NOT NULL,
  rid BIGINT NOT NULL,
  PRIMARY KEY (kind, ref, rid)
);
CREATE INDEX IF NOT EXISTS dcsa_event_refs_rid ON dcsa_event_refs(rid);
CREATE TABLE IF NOT EXISTS dcsa_subscriptions (
  id TEXT COLLATE "C" PRIMARY KEY,
  owner_kind TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  callback_url TEXT NOT NULL,
  secret TEXT NOT NULL,
  filter TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS dcsa_deliveries (
  id TEXT COLLATE "C" PRIMARY KEY,
  subscription_id TEXT COLLATE "C" NOT NULL,
  rid BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
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

/** `?` placeholders as $1, $2, … */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export class PostgresDcsaStore implements DcsaStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresDcsaStore> {
    await migratePostgres(db, DCSA_AREA, POSTGRES_DCSA_MIGRATIONS);
    return new PostgresDcsaStore(db);
  }

  async meta(key: string): Promise<string | null> {
    const [r] = await this.db.query('SELECT value FROM dcsa_meta WHERE key = $1', [key]);
    return r ? String(r.value) : null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(
      'INSERT INTO dcsa_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async indexEvents(rows: readonly DcsaEventRow[], cursor: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      // One indexer at a time per database (two nodes' followers would race on `current`).
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('tradetwin:dcsa_index'))");
      // The batch in a few statements: which rids are there, the current row of each key, then the
      // newest-wins rule applied in rid order here, and one insert per table.
      const there = new Set(
        (await tx.query('SELECT rid FROM dcsa_events WHERE rid = ANY($1::bigint[])', [rows.map((r) => r.rid)])).map((r) =>
          Number(r.rid),
        ),
      );
      const fresh = rows.filter((r) => !there.has(r.rid));
      const current = new Map<string, { rid: number; updatedAt: number; stored: boolean }>();
      if (fresh.length > 0)
        for (const r of await tx.query(
          'SELECT key, rid, updated_at FROM dcsa_events WHERE key = ANY($1::text[]) AND current = 1',
          [[...new Set(fresh.map((r) => r.key))]],
        ))
          current.set(String(r.key), { rid: Number(r.rid), updatedAt: Number(r.updated_at), stored: true });
      const retired: number[] = [];
      const isCurrent = new Map<number, boolean>();
      const seen = new Set<number>();
      const inserted: DcsaEventRow[] = [];
      for (const r of fresh) {
        if (seen.has(r.rid)) continue;
        seen.add(r.rid);
        inserted.push(r);
        const cur = current.get(r.key);
        const wins = !cur || cur.updatedAt <= r.updatedAt;
        if (cur && wins) {
          if (cur.stored) retired.push(cur.rid);
          else isCurrent.set(cur.rid, false);
        }
        isCurrent.set(r.rid, wins);
        if (wins) current.set(r.key, { rid: r.rid, updatedAt: r.updatedAt, stored: false });
      }
      if (retired.length > 0) await tx.query('UPDATE dcsa_events SET current = 0 WHERE rid = ANY($1::bigint[])', [retired]);
      if (inserted.length > 0) {
        const cols = inserted.map((r) => dcsaColumns(r, isCurrent.get(r.rid) ?? false));
        const col = (i: number) => cols.map((c) => c[i]);
        await tx.query(
          `INSERT INTO dcsa_events (${DCSA_INSERT_COLUMNS})
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::bigint[], $10::text[], $11::smallint[], $12::text[])`,
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(col),
        );
        const refs = inserted.flatMap((r) => dcsaRefsOf(r).map((x) => ({ ...x, rid: r.rid })));
        if (refs.length > 0)
          await tx.query(
            `INSERT INTO dcsa_event_refs (kind, ref, rid)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
            [refs.map((x) => x.kind), refs.map((x) => x.ref), refs.map((x) => x.rid)],
          );
      }
      await tx.query(
        `INSERT INTO dcsa_meta (key, value) VALUES ('scan_cursor', $1)
         ON CONFLICT (key) DO UPDATE SET value = GREATEST(dcsa_meta.value::bigint, excluded.value::bigint)::text`,
        [String(cursor)],
      );
    });
  }

  async indexedAmong(rids: readonly number[]): Promise<Set<number>> {
    if (rids.length === 0) return new Set();
    const rows = await this.db.query('SELECT rid FROM dcsa_events WHERE rid = ANY($1::bigint[])', [rids]);
    return new Set(rows.map((r) => Number(r.rid)));
  }

  async query(q: DcsaEventQuery): Promise<DcsaEventRow[]> {
    const { sql, params } = dcsaQuerySql(q);
    const rows = await this.db.query(numbered(sql), params);
    const refs = await this.refs(
      this.db,
      rows.map((r) => Number(r.rid)),
    );
    return rows.map((r) => dcsaRowOf(r, refs.get(Number(r.rid)) ?? []));
  }

  async event(rid: number): Promise<DcsaEventRow | null> {
    const [r] = await this.db.query('SELECT * FROM dcsa_events WHERE rid = $1', [rid]);
    return r ? dcsaRowOf(r, (await this.refs(this.db, [rid])).get(rid) ?? []) : null;
  }

  private async refs(db: PgQueryable, rids: number[]): Promise<Map<number, { kind: string; ref: string }[]>> {
    const out = new Map<number, { kind: string; ref: string }[]>();
    if (rids.length === 0) return out;
    const rows = await db.query('SELECT kind, ref, rid FROM dcsa_event_refs WHERE rid = ANY($1::bigint[]) ORDER BY kind, ref', [
      rids,
    ]);
    for (const r of rows) {
      const list = out.get(Number(r.rid)) ?? [];
      list.push({ kind: String(r.kind), ref: String(r.ref) });
      out.set(Number(r.rid), list);
    }
    return out;
  }

  async insertSubscription(s: DcsaSubscriptionRow): Promise<void> {
    await pgWrite(`DCSA subscription ${s.id}`, () =>
      this.db.query(
        `INSERT INTO dcsa_subscriptions (id, owner_kind, owner_name, callback_url, secret, filter, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [s.id, s.ownerKind, s.ownerName, s.callbackUrl, s.secret, JSON.stringify(s.filter), s.createdAt],
      ),
    );
  }

  async subscription(id: string): Promise<DcsaSubscriptionRow | null> {
    const [r] = await this.db.query('SELECT * FROM dcsa_subscriptions WHERE id = $1', [id]);
    return r ? dcsaSubscriptionOf(r) : null;
  }

  async subscriptions(): Promise<DcsaSubscriptionRow[]> {
    return (await this.db.query('SELECT * FROM dcsa_subscriptions ORDER BY created_at, id')).map(dcsaSubscriptionOf);
  }

  async deleteSubscription(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM dcsa_deliveries WHERE subscription_id = $1 AND status = 'pending'", [id]);
      return (await tx.query('DELETE FROM dcsa_subscriptions WHERE id = $1 RETURNING id', [id])).length === 1;
    });
  }

  async enqueue(
    deliveries: readonly { subscriptionId: string; rid: number }[],
    cursorKey: string,
    cursor: number,
    now: number,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (deliveries.length > 0)
        await tx.query(
          `INSERT INTO dcsa_deliveries (id, subscription_id, rid, status, attempts, next_attempt_at, last_error, created_at, delivered_at)
           SELECT i, s, r, 'pending', 0, $4, NULL, $4, NULL FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(i, s, r)
           ON CONFLICT (id) DO NOTHING`,
          [
            deliveries.map((d) => dcsaDeliveryId(d.subscriptionId, d.rid)),
            deliveries.map((d) => d.subscriptionId),
            deliveries.map((d) => d.rid),
            now,
          ],
        );
      await tx.query(
        `INSERT INTO dcsa_meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = GREATEST(dcsa_meta.value::bigint, excluded.value::bigint)::text`,
        [cursorKey, String(cursor)],
      );
    });
  }

  async due(now: number, limit: number): Promise<DcsaDeliveryRow[]> {
    return (
      await this.db.query(
        "SELECT * FROM dcsa_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, rid, id LIMIT $2",
        [now, limit],
      )
    ).map(dcsaDeliveryOf);
  }

  async nextDue(): Promise<number | null> {
    const [r] = await this.db.query("SELECT MIN(next_attempt_at) AS t FROM dcsa_deliveries WHERE status = 'pending'");
    return r?.t === null || r?.t === undefined ? null : Number(r.t);
  }

  async deliveries(subscriptionId: string): Promise<DcsaDeliveryRow[]> {
    return (await this.db.query('SELECT * FROM dcsa_deliveries WHERE subscription_id = $1 ORDER BY rid', [subscriptionId])).map(
      dcsaDeliveryOf,
    );
  }

  async delivered(id: string, now: number): Promise<boolean> {
    const rows = await this.db.query(
      "UPDATE dcsa_deliveries SET status = 'delivered', delivered_at = $1 WHERE id = $2 AND status = 'pending' RETURNING id",
      [now, id],
    );
    return rows.length === 1;
  }

  async failed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.query(
      "UPDATE dcsa_deliveries SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND status = 'pending'",
      [nextAttemptAt, error.slice(0, MAX_DCSA_ERROR_CHARS), id],
    );
  }

  async optimize(): Promise<void> {
    await this.db.query('ANALYZE dcsa_events, dcsa_event_refs, dcsa_deliveries');
  }

  async close(): Promise<void> {}
}
