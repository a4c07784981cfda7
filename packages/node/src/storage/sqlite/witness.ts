// Witnessing on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
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
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_WITNESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'witness',
    sql: `
CREATE TABLE IF NOT EXISTS witness_logs (
  origin TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  note TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_cosigned (
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_equivocations (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  proof TEXT NOT NULL,
  detected_at INTEGER NOT NULL
);
`,
  },
];

type Row = Record<string, SQLInputValue>;

export class SqliteWitnessStore implements WitnessStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteWitnessStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, WITNESS_AREA, SQLITE_WITNESS_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteWitnessStore(db);
  }

  async witnessed(origin: string): Promise<WitnessedCheckpoint | null> {
    const r = this.db.prepare('SELECT * FROM witness_logs WHERE origin = ?').get(origin) as Row | undefined;
    return r ? witnessedOf(r) : null;
  }

  async allWitnessed(): Promise<WitnessedCheckpoint[]> {
    return (this.db.prepare('SELECT * FROM witness_logs ORDER BY origin').all() as Row[]).map(witnessedOf);
  }

  async advance(origin: string, oldSize: number, next: { size: number; note: string }, at: number): Promise<AdvanceResult> {
    // One statement each: the size check and the write are one atomic step.
    let changes = Number(
      this.db
        .prepare('UPDATE witness_logs SET size = ?, note = ?, updated_at = ? WHERE origin = ? AND size = ?')
        .run(next.size, next.note, at, origin, oldSize).changes,
    );
    if (changes === 0 && oldSize === 0) {
      changes = Number(
        this.db
          .prepare(
            'INSERT INTO witness_logs (origin, size, note, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING',
          )
          .run(origin, next.size, next.note, at).changes,
      );
    }
    if (changes > 0) return { ok: true };
    const cur = await this.witnessed(origin);
    return { ok: false, size: cur?.size ?? 0 };
  }

  async saveCosigned(c: CosignedCheckpoint): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO witness_cosigned (size, note, updated_at) VALUES (?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at',
      )
      .run(c.size, c.note, c.updatedAt);
    this.db
      .prepare(
        'DELETE FROM witness_cosigned WHERE size < (SELECT MIN(size) FROM (SELECT size FROM witness_cosigned ORDER BY size DESC LIMIT ?))',
      )
      .run(COSIGNED_KEPT);
  }

  async cosigned(size: number): Promise<CosignedCheckpoint | null> {
    const r = this.db.prepare('SELECT * FROM witness_cosigned WHERE size = ?').get(size) as Row | undefined;
    return r ? cosignedOf(r) : null;
  }

  async latestCosigned(): Promise<CosignedCheckpoint | null> {
    const r = this.db.prepare('SELECT * FROM witness_cosigned ORDER BY size DESC LIMIT 1').get() as Row | undefined;
    return r ? cosignedOf(r) : null;
  }

  async recordEquivocation(r: Omit<EquivocationRow, 'n'>): Promise<boolean> {
    const res = this.db
      .prepare(
        'INSERT INTO witness_equivocations (key, origin, proof, detected_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
      )
      .run(r.key, r.origin, r.proof, r.detectedAt);
    return Number(res.changes) > 0;
  }

  async equivocations(): Promise<EquivocationRow[]> {
    return (this.db.prepare('SELECT * FROM witness_equivocations ORDER BY n DESC').all() as Row[]).map((r) => ({
      n: Number(r.n),
      key: String(r.key),
      origin: String(r.origin),
      proof: String(r.proof),
      detectedAt: Number(r.detected_at),
    }));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
