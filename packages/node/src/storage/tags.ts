// Every scan of a tag as the verifier recorded it ("sightings"): rows only.
// Clone detection (tags/verify.ts) compares a new scan with the earlier
// sightings of the same item; what counts, and how many anonymous sightings an
// item keeps, is decided there.
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

export interface SightingStore {
  /**
   * Records a sighting (id assigned, increasing). An untrusted one is stored without conflictWith, and
   * in the same transaction the item's untrusted sightings are cut to the newest `keepUntrusted`.
   */
  record(s: Omit<Sighting, 'id'>, opts: { keepUntrusted: number }): Promise<Sighting>;
  byId(id: number): Promise<Sighting | null>;
  /** An item's sightings, latest scan first (ties: latest recorded first), at most `limit`. */
  ofItem(item: string, limit: number): Promise<Sighting[]>;
  /** Located (lat set), validly signed, trusted sightings of an item scanned within [from, to] (ms), by scan time then id. */
  locatedBetween(item: string, from: number, to: number): Promise<Sighting[]>;
  /** The first recorded trusted sighting with a conflict, and the sighting it conflicts with: [earlier, later]. */
  firstConflict(item: string): Promise<[Sighting, Sighting] | null>;
  /** Sightings recorded (of one item). */
  count(item?: string): Promise<number>;
  close(): Promise<void>;
}

export const TAGS_AREA = 'tags';
