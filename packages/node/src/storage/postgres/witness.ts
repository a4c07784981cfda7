// Witnessing on PostgreSQL. Origins and notes as TEXT COLLATE "C" (byte order, like SQLite).
import type { Migration } from '../migrations.js';
import {
  type AdvanceResult,
  COSIGNED_KEPT,
  type CosignedCheckpoint,
  type EquivocationRow,
  WITNESS_AREA,
  type WitnessedCheckpoint,
  type WitnessStore,
  cosignedOf,
  witnessedOf,
} from '../witness.js';
import { migratePostgres, type PgDatabase } from './database.js';

export const POSTGRES_WITNESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'witness',
    sql: `
CREATE TABLE IF NOT EXISTS witness_logs (
  origin TEXT COLLATE "C" PRIMARY KEY,
  size BIGINT NOT NULL,
  note TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_cosigned (
  size BIGINT PRIMARY KEY,
  note TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_equivocations (
  n BIGSERIAL PRIMARY KEY,
  key TEXT COLLATE "C" NOT NULL UNIQUE,
  origin TEXT COLLATE "C" NOT NULL,
  proof TEXT NOT NULL,
  detected_at BIGINT NOT NULL
);
`,
  },
];

export class PostgresWitnessStore implements WitnessStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresWitnessStore> {
    await migratePostgres(db, WITNESS_AREA, POSTGRES_WITNESS_MIGRATIONS);
    return new PostgresWitnessStore(db);
  }

  async witnessed(origin: string): Promise<WitnessedCheckpoint | null> {
    const [r] = await this.db.query('SELECT * FROM witness_logs WHERE origin = $1', [origin]);
    return r ? witnessedOf(r) : null;
  }

  async allWitnessed(): Promise<WitnessedCheckpoint[]> {
    return (await this.db.query('SELECT * FROM witness_logs ORDER BY origin')).map(witnessedOf);
  }

  async advance(origin: string, oldSize: number, next: { size: number; note: string }, at: number): Promise<AdvanceResult> {
    // One statement each: the size check and the write are one atomic step.
    let rows = await this.db.query(
      'UPDATE witness_logs SET size = $1, note = $2, updated_at = $3 WHERE origin = $4 AND size = $5 RETURNING origin',
      [next.size, next.note, at, origin, oldSize],
    );
    if (rows.length === 0 && oldSize === 0) {
      rows = await this.db.query(
        'INSERT INTO witness_logs (origin, size, note, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING RETURNING origin',
        [origin, next.size, next.note, at],
      );
    }
    if (rows.length > 0) return { ok: true };
    const cur = await this.witnessed(origin);
    return { ok: false, size: cur?.size ?? 0 };
  }

  async saveCosigned(c: CosignedCheckpoint): Promise<void> {
    await this.db.query(
      'INSERT INTO witness_cosigned (size, note, updated_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note, updated_at = EXCLUDED.updated_at',
      [c.size, c.note, c.updatedAt],
    );
    await this.db.query(
      'DELETE FROM witness_cosigned WHERE size < (SELECT MIN(size) FROM (SELECT size FROM witness_cosigned ORDER BY size DESC LIMIT $1) AS newest)',
      [COSIGNED_KEPT],
    );
  }

  async cosigned(size: number): Promise<CosignedCheckpoint | null> {
    const [r] = await this.db.query('SELECT * FROM witness_cosigned WHERE size = $1', [size]);
    return r ? cosignedOf(r) : null;
  }

  async latestCosigned(): Promise<CosignedCheckpoint | null> {
    const [r] = await this.db.query('SELECT * FROM witness_cosigned ORDER BY size DESC LIMIT 1');
    return r ? cosignedOf(r) : null;
  }

  async recordEquivocation(r: Omit<EquivocationRow, 'n'>): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO witness_equivocations (key, origin, proof, detected_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING RETURNING n',
      [r.key, r.origin, r.proof, r.detectedAt],
    );
    return rows.length > 0;
  }

  async equivocations(): Promise<EquivocationRow[]> {
    return (await this.db.query('SELECT * FROM witness_equivocations ORDER BY n DESC')).map((r) => ({
      n: Number(r.n),
      key: String(r.key),
      origin: String(r.origin),
      proof: String(r.proof),
      detectedAt: Number(r.detected_at),
    }));
  }

  async close(): Promise<void> {}
}
