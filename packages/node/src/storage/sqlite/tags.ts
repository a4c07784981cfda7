// Tag sightings on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Address } from 'viem';
import type { Migration } from '../migrations.js';
import { type Sighting, type SightingStore, TAGS_AREA, type Verdict } from '../tags.js';
import { sqliteTransaction } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

/** Version 1 is the table as the node made it before versioned migrations (adopted in place). */
export const SQLITE_TAG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tag sightings',
    sql: `
CREATE TABLE IF NOT EXISTS tag_sightings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  item TEXT NOT NULL,
  epc TEXT NOT NULL,
  at INTEGER NOT NULL,
  lat REAL,
  lon REAL,
  scanned_by TEXT,
  issuer TEXT NOT NULL,
  signature_valid INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  reasons TEXT NOT NULL,
  conflict_with INTEGER,
  recorded_at INTEGER NOT NULL,
  trusted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tag_sightings_item_at ON tag_sightings(item, at);
CREATE INDEX IF NOT EXISTS tag_sightings_conflicts ON tag_sightings(item) WHERE conflict_with IS NOT NULL;
CREATE INDEX IF NOT EXISTS tag_sightings_untrusted ON tag_sightings(item, id) WHERE trusted = 0;
`,
  },
];

/** A table made before scanners were told apart has no `trusted` column: every earlier row came from the public (anonymous) route. */
function addTrustedColumn(db: DatabaseSync): void {
  const cols = db.prepare('PRAGMA table_info(tag_sightings)').all() as { name: string }[];
  if (cols.length > 0 && !cols.some((c) => c.name === 'trusted'))
    db.exec('ALTER TABLE tag_sightings ADD COLUMN trusted INTEGER NOT NULL DEFAULT 0');
}

type Row = Record<string, SQLInputValue>;

function fromRow(r: Row): Sighting {
  return {
    id: Number(r.id),
    item: String(r.item),
    epc: String(r.epc),
    at: Number(r.at),
    lat: r.lat === null ? null : Number(r.lat),
    lon: r.lon === null ? null : Number(r.lon),
    by: r.scanned_by === null ? null : String(r.scanned_by),
    issuer: String(r.issuer) as Address,
    signatureValid: Number(r.signature_valid) === 1,
    verdict: String(r.verdict) as Verdict,
    reasons: JSON.parse(String(r.reasons)) as string[],
    conflictWith: r.conflict_with === null ? null : Number(r.conflict_with),
    recordedAt: Number(r.recorded_at),
    trusted: Number(r.trusted) === 1,
  };
}

export class SqliteSightingStore implements SightingStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteSightingStore {
    const db = openSqliteFile(opts);
    try {
      addTrustedColumn(db);
      migrateSqlite(db, TAGS_AREA, SQLITE_TAG_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteSightingStore(db);
  }

  async record(s: Omit<Sighting, 'id'>, opts: { keepUntrusted: number }): Promise<Sighting> {
    const conflictWith = s.trusted ? s.conflictWith : null;
    const id = sqliteTransaction(this.db, () => {
      const r = this.db
        .prepare(
          `INSERT INTO tag_sightings (item, epc, at, lat, lon, scanned_by, issuer, signature_valid, verdict, reasons, conflict_with, recorded_at, trusted)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          s.item,
          s.epc,
          s.at,
          s.lat,
          s.lon,
          s.by,
          s.issuer,
          s.signatureValid ? 1 : 0,
          s.verdict,
          JSON.stringify(s.reasons),
          conflictWith,
          s.recordedAt,
          s.trusted ? 1 : 0,
        );
      if (!s.trusted)
        this.db
          .prepare(
            `DELETE FROM tag_sightings WHERE item = ? AND trusted = 0 AND id NOT IN
               (SELECT id FROM tag_sightings WHERE item = ? AND trusted = 0 ORDER BY id DESC LIMIT ?)`,
          )
          .run(s.item, s.item, opts.keepUntrusted);
      return Number(r.lastInsertRowid);
    });
    return { ...s, conflictWith, id };
  }

  async byId(id: number): Promise<Sighting | null> {
    const r = this.db.prepare('SELECT * FROM tag_sightings WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  async ofItem(item: string, limit: number): Promise<Sighting[]> {
    return (
      this.db.prepare('SELECT * FROM tag_sightings WHERE item = ? ORDER BY at DESC, id DESC LIMIT ?').all(item, limit) as Row[]
    ).map(fromRow);
  }

  async locatedBetween(item: string, from: number, to: number): Promise<Sighting[]> {
    return (
      this.db
        .prepare(
          `SELECT * FROM tag_sightings WHERE item = ? AND at BETWEEN ? AND ? AND signature_valid = 1 AND trusted = 1 AND lat IS NOT NULL
           ORDER BY at, id`,
        )
        .all(item, from, to) as Row[]
    ).map(fromRow);
  }

  async firstConflict(item: string): Promise<[Sighting, Sighting] | null> {
    const r = this.db
      .prepare('SELECT * FROM tag_sightings WHERE item = ? AND conflict_with IS NOT NULL AND trusted = 1 ORDER BY id LIMIT 1')
      .get(item) as Row | undefined;
    if (!r) return null;
    const later = fromRow(r);
    const earlier = await this.byId(later.conflictWith!);
    return earlier ? [earlier, later] : null;
  }

  async count(item?: string): Promise<number> {
    const r = (
      item === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM tag_sightings').get()
        : this.db.prepare('SELECT COUNT(*) AS n FROM tag_sightings WHERE item = ?').get(item)
    ) as Row;
    return Number(r.n);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
