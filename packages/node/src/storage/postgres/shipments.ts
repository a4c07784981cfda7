// Shipments on PostgreSQL. Documents are stored as the JSON text the node
// wrote (TEXT, not JSONB): they come back byte for byte, keys in their order.
// Ids sort with COLLATE "C" — byte order, as SQLite sorts them.
import type { ShipmentDefinition } from '../../shipments/definition.js';
import type { Migration } from '../migrations.js';
import { type PayoutRecord, type PolicyRecord, SHIPMENTS_AREA, type ShipmentStore, type StoredExcursion } from '../shipments.js';
import { pgWrite } from './constraint.js';
import { migratePostgres, type PgDatabase, type PgRow } from './database.js';

export const POSTGRES_SHIPMENT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'shipments, excursions, policies, payouts',
    sql: `
CREATE TABLE shipments (id TEXT COLLATE "C" PRIMARY KEY, definition TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE excursions (id TEXT COLLATE "C" PRIMARY KEY, shipment_id TEXT NOT NULL, record TEXT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE INDEX excursions_shipment ON excursions(shipment_id);
CREATE TABLE policies (policy_id BIGINT NOT NULL, cover TEXT COLLATE "C" NOT NULL, shipment_id TEXT NOT NULL,
  terms TEXT NOT NULL, state TEXT NOT NULL, bound_tx TEXT, PRIMARY KEY (cover, policy_id));
CREATE INDEX policies_shipment ON policies(shipment_id);
CREATE TABLE payouts (policy_id BIGINT NOT NULL, excursion_id TEXT NOT NULL, amount TEXT NOT NULL,
  tx_hash TEXT COLLATE "C" PRIMARY KEY, paid_at BIGINT NOT NULL, signers JSONB NOT NULL);
CREATE INDEX payouts_policy ON payouts(policy_id);
`,
  },
];

const excursion = (r: PgRow): StoredExcursion => ({
  id: String(r.id),
  shipmentId: String(r.shipment_id),
  record: JSON.parse(String(r.record)) as Record<string, unknown>,
  updatedAt: Number(r.updated_at),
});

const policy = (r: PgRow): PolicyRecord => ({
  policyId: Number(r.policy_id),
  cover: String(r.cover) as `0x${string}`,
  shipmentId: String(r.shipment_id),
  terms: JSON.parse(String(r.terms)) as Record<string, unknown>,
  state: String(r.state) as PolicyRecord['state'],
  ...(r.bound_tx ? { boundTx: String(r.bound_tx) } : {}),
});

const payout = (r: PgRow): PayoutRecord => ({
  policyId: Number(r.policy_id),
  excursionId: String(r.excursion_id),
  amount: String(r.amount),
  txHash: String(r.tx_hash),
  paidAt: Number(r.paid_at),
  signers: r.signers as string[],
});

export class PostgresShipmentStore implements ShipmentStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresShipmentStore> {
    await migratePostgres(db, SHIPMENTS_AREA, POSTGRES_SHIPMENT_MIGRATIONS);
    return new PostgresShipmentStore(db);
  }

  async putShipment(s: ShipmentDefinition, createdAt: number): Promise<void> {
    await pgWrite(`shipment ${s.id}`, () =>
      this.db.query('INSERT INTO shipments (id, definition, created_at) VALUES ($1, $2, $3)', [
        s.id,
        JSON.stringify(s),
        createdAt,
      ]),
    );
  }

  async shipment(id: string): Promise<ShipmentDefinition | null> {
    const [r] = await this.db.query('SELECT definition FROM shipments WHERE id = $1', [id]);
    return r ? (JSON.parse(String(r.definition)) as ShipmentDefinition) : null;
  }

  async shipments(): Promise<ShipmentDefinition[]> {
    const rows = await this.db.query('SELECT definition FROM shipments ORDER BY created_at, id');
    return rows.map((r) => JSON.parse(String(r.definition)) as ShipmentDefinition);
  }

  async putExcursion(e: StoredExcursion): Promise<void> {
    await this.db.query(
      `INSERT INTO excursions (id, shipment_id, record, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
      [e.id, e.shipmentId, JSON.stringify(e.record), e.updatedAt],
    );
  }

  async excursions(shipmentId?: string): Promise<StoredExcursion[]> {
    const rows =
      shipmentId !== undefined
        ? await this.db.query('SELECT * FROM excursions WHERE shipment_id = $1 ORDER BY updated_at, id', [shipmentId])
        : await this.db.query('SELECT * FROM excursions ORDER BY updated_at, id');
    return rows.map(excursion);
  }

  async putPolicy(p: PolicyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO policies (policy_id, cover, shipment_id, terms, state, bound_tx) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cover, policy_id) DO UPDATE SET state = excluded.state, bound_tx = COALESCE(excluded.bound_tx, policies.bound_tx)`,
      [p.policyId, p.cover, p.shipmentId, JSON.stringify(p.terms), p.state, p.boundTx ?? null],
    );
  }

  async policies(shipmentId?: string): Promise<PolicyRecord[]> {
    const rows =
      shipmentId !== undefined
        ? await this.db.query('SELECT * FROM policies WHERE shipment_id = $1 ORDER BY policy_id, cover', [shipmentId])
        : await this.db.query('SELECT * FROM policies ORDER BY policy_id, cover');
    return rows.map(policy);
  }

  async putPayout(p: PayoutRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO payouts (policy_id, excursion_id, amount, tx_hash, paid_at, signers) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tx_hash) DO NOTHING`,
      [p.policyId, p.excursionId, p.amount, p.txHash, p.paidAt, JSON.stringify(p.signers)],
    );
  }

  async payouts(policyId?: number): Promise<PayoutRecord[]> {
    const rows =
      policyId !== undefined
        ? await this.db.query('SELECT * FROM payouts WHERE policy_id = $1 ORDER BY paid_at, tx_hash', [policyId])
        : await this.db.query('SELECT * FROM payouts ORDER BY paid_at, tx_hash');
    return rows.map(payout);
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
