// Shipments on the embedded driver: its own connection to node.db.
import type { DatabaseSync } from 'node:sqlite';
import type { ShipmentDefinition } from '../../shipments/definition.js';
import type { Migration } from '../migrations.js';
import { type PayoutRecord, type PolicyRecord, SHIPMENTS_AREA, type ShipmentStore, type StoredExcursion } from '../shipments.js';
import { sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

/** Version 1 is the tables as the node made them before versioned migrations (adopted in place). */
export const SQLITE_SHIPMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shipments, excursions, policies, payouts',
    sql: `
CREATE TABLE IF NOT EXISTS shipments (id TEXT PRIMARY KEY, definition TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS excursions (id TEXT PRIMARY KEY, shipment_id TEXT NOT NULL, record TEXT NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS excursions_shipment ON excursions(shipment_id);
CREATE TABLE IF NOT EXISTS policies (policy_id INTEGER NOT NULL, cover TEXT NOT NULL, shipment_id TEXT NOT NULL,
  terms TEXT NOT NULL, state TEXT NOT NULL, bound_tx TEXT, PRIMARY KEY (cover, policy_id));
CREATE TABLE IF NOT EXISTS payouts (policy_id INTEGER NOT NULL, excursion_id TEXT NOT NULL, amount TEXT NOT NULL,
  tx_hash TEXT PRIMARY KEY, paid_at INTEGER NOT NULL, signers TEXT NOT NULL);
`,
  },
];

type Row = Record<string, unknown>;

export class SqliteShipmentStore implements ShipmentStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteShipmentStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, SHIPMENTS_AREA, SQLITE_SHIPMENT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteShipmentStore(db);
  }

  async putShipment(s: ShipmentDefinition, createdAt: number): Promise<void> {
    sqliteWrite(`shipment ${s.id}`, () =>
      this.db
        .prepare('INSERT INTO shipments (id, definition, created_at) VALUES (?, ?, ?)')
        .run(s.id, JSON.stringify(s), createdAt),
    );
  }

  async shipment(id: string): Promise<ShipmentDefinition | null> {
    const r = this.db.prepare('SELECT definition FROM shipments WHERE id = ?').get(id) as Row | undefined;
    return r ? (JSON.parse(String(r.definition)) as ShipmentDefinition) : null;
  }

  async shipments(): Promise<ShipmentDefinition[]> {
    return (this.db.prepare('SELECT definition FROM shipments ORDER BY created_at, id').all() as Row[]).map(
      (r) => JSON.parse(String(r.definition)) as ShipmentDefinition,
    );
  }

  async putExcursion(e: StoredExcursion): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO excursions (id, shipment_id, record, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      )
      .run(e.id, e.shipmentId, JSON.stringify(e.record), e.updatedAt);
  }

  async excursions(shipmentId?: string): Promise<StoredExcursion[]> {
    const rows = (
      shipmentId !== undefined
        ? this.db.prepare('SELECT * FROM excursions WHERE shipment_id = ? ORDER BY updated_at, id').all(shipmentId)
        : this.db.prepare('SELECT * FROM excursions ORDER BY updated_at, id').all()
    ) as Row[];
    return rows.map((r) => ({
      id: String(r.id),
      shipmentId: String(r.shipment_id),
      record: JSON.parse(String(r.record)) as Record<string, unknown>,
      updatedAt: Number(r.updated_at),
    }));
  }

  async putPolicy(p: PolicyRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO policies (policy_id, cover, shipment_id, terms, state, bound_tx) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(cover, policy_id) DO UPDATE SET state = excluded.state, bound_tx = COALESCE(excluded.bound_tx, bound_tx)`,
      )
      .run(p.policyId, p.cover, p.shipmentId, JSON.stringify(p.terms), p.state, p.boundTx ?? null);
  }

  async policies(shipmentId?: string): Promise<PolicyRecord[]> {
    const rows = (
      shipmentId !== undefined
        ? this.db.prepare('SELECT * FROM policies WHERE shipment_id = ? ORDER BY policy_id, cover').all(shipmentId)
        : this.db.prepare('SELECT * FROM policies ORDER BY policy_id, cover').all()
    ) as Row[];
    return rows.map((r) => ({
      policyId: Number(r.policy_id),
      cover: String(r.cover) as `0x${string}`,
      shipmentId: String(r.shipment_id),
      terms: JSON.parse(String(r.terms)) as Record<string, unknown>,
      state: String(r.state) as PolicyRecord['state'],
      ...(r.bound_tx ? { boundTx: String(r.bound_tx) } : {}),
    }));
  }

  async putPayout(p: PayoutRecord): Promise<void> {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO payouts (policy_id, excursion_id, amount, tx_hash, paid_at, signers) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(p.policyId, p.excursionId, p.amount, p.txHash, p.paidAt, JSON.stringify(p.signers));
  }

  async payouts(policyId?: number): Promise<PayoutRecord[]> {
    const rows = (
      policyId !== undefined
        ? this.db.prepare('SELECT * FROM payouts WHERE policy_id = ? ORDER BY paid_at, tx_hash').all(policyId)
        : this.db.prepare('SELECT * FROM payouts ORDER BY paid_at, tx_hash').all()
    ) as Row[];
    return rows.map((r) => ({
      policyId: Number(r.policy_id),
      excursionId: String(r.excursion_id),
      amount: String(r.amount),
      txHash: String(r.tx_hash),
      paidAt: Number(r.paid_at),
      signers: JSON.parse(String(r.signers)) as string[],
    }));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
