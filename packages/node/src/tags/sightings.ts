// Every scan of a tag, as the verifier recorded it ("sightings"): on the node's
// SQLite file, own connection and table (like shipments/store.ts). Clone
// detection compares a new scan with the earlier sightings of the same item.
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Address } from 'viem';

export type Verdict = 'genuine' | 'unknown' | 'suspected_clone';

export interface Sighting {
  id: number;
  /** Canonical Digital Link of the item (the key). */
  item: string;
  epc: string;
  /** When the scan happened (ms): the node's time when it received the scan (the HTTP route refuses a client's). */
  at: number;
  lat: number | null;
  lon: number | null;
  /** Who scanned: for a trusted scan the principal the node authenticated (`credential:<id>`, `user:<name>`); otherwise free text the scanner gave (unverified). */
  by: string | null;
  /** The issuer the tag states. */
  issuer: Address;
  /** The signature recovered to the stated issuer: only such scans count in clone detection. */
  signatureValid: boolean;
  verdict: Verdict;
  /** Codes of the checks that failed or warned. */
  reasons: string[];
  /** The earlier sighting this one cannot be reconciled with (impossible travel). */
  conflictWith: number | null;
  /** When the node recorded it (ms). */
  recordedAt: number;
  /**
   * Scanned by an authenticated scanner (a `tags:scan` credential or a member's session), at the
   * node's time. Only such sightings count in clone detection; anonymous ones are kept, bounded
   * per item and labelled unverified.
   */
  trusted: boolean;
}

/** Anonymous (unverified) sightings kept per item: the newest; older ones are dropped. */
export const MAX_ANONYMOUS_SIGHTINGS_PER_ITEM = 100;

const SCHEMA = `
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
`;

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

export class SightingStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;');
    this.db.exec(SCHEMA);
    // Tables made before scanners were told apart: every earlier row came from the public (anonymous) route.
    const cols = this.db.prepare('PRAGMA table_info(tag_sightings)').all() as Row[];
    if (!cols.some((c) => c.name === 'trusted'))
      this.db.exec('ALTER TABLE tag_sightings ADD COLUMN trusted INTEGER NOT NULL DEFAULT 0');
    this.db.exec('CREATE INDEX IF NOT EXISTS tag_sightings_untrusted ON tag_sightings(item, id) WHERE trusted = 0');
  }

  record(s: Omit<Sighting, 'id'>): Sighting {
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
        s.trusted ? s.conflictWith : null,
        s.recordedAt,
        s.trusted ? 1 : 0,
      );
    if (!s.trusted) {
      // Bounded: an item keeps only its newest anonymous sightings.
      this.db
        .prepare(
          `DELETE FROM tag_sightings WHERE item = ? AND trusted = 0 AND id NOT IN
             (SELECT id FROM tag_sightings WHERE item = ? AND trusted = 0 ORDER BY id DESC LIMIT ?)`,
        )
        .run(s.item, s.item, MAX_ANONYMOUS_SIGHTINGS_PER_ITEM);
    }
    return { ...s, conflictWith: s.trusted ? s.conflictWith : null, id: Number(r.lastInsertRowid) };
  }

  byId(id: number): Sighting | null {
    const r = this.db.prepare('SELECT * FROM tag_sightings WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  /** An item's sightings, latest scan first. */
  ofItem(item: string, limit = 1000): Sighting[] {
    return (
      this.db.prepare('SELECT * FROM tag_sightings WHERE item = ? ORDER BY at DESC, id DESC LIMIT ?').all(item, limit) as Row[]
    ).map(fromRow);
  }

  /** Located, validly signed, trusted sightings of an item scanned within [from, to] (ms): what clone detection compares with. */
  locatedBetween(item: string, from: number, to: number): Sighting[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM tag_sightings WHERE item = ? AND at BETWEEN ? AND ? AND signature_valid = 1 AND trusted = 1 AND lat IS NOT NULL
           ORDER BY at, id`,
        )
        .all(item, from, to) as Row[]
    ).map(fromRow);
  }

  /** The first recorded impossible-travel pair of an item: [earlier-recorded sighting, the one that conflicted with it]. */
  firstConflict(item: string): [Sighting, Sighting] | null {
    const r = this.db
      .prepare('SELECT * FROM tag_sightings WHERE item = ? AND conflict_with IS NOT NULL AND trusted = 1 ORDER BY id LIMIT 1')
      .get(item) as Row | undefined;
    if (!r) return null;
    const later = fromRow(r);
    const earlier = this.byId(later.conflictWith!);
    return earlier ? [earlier, later] : null;
  }

  count(item?: string): number {
    const r = (
      item === undefined
        ? this.db.prepare('SELECT COUNT(*) AS n FROM tag_sightings').get()
        : this.db.prepare('SELECT COUNT(*) AS n FROM tag_sightings WHERE item = ?').get(item)
    ) as Row;
    return Number(r.n);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
