// A reading as the rules engine sees it: the device's measurement plus where it
// sits in the log, so every excursion can point at the leaves that prove it.
import type { LatLon, Reading, ReadingKind, TelemetryPayload } from '../telemetry/payload.js';
import { READING_KINDS } from '../telemetry/payload.js';
import { RuleError } from './error.js';

export type EvidencedReading = Reading & {
  deviceId: string;
  /** Index of the log leaf holding the envelope. */
  leafIndex: number;
  /** `<leafIndex>:<position in r[]>` (docs/design.md "Log leaf"). */
  readingId: string;
};

/** The total order every oracle sorts by: time, then leaf, then reading id. */
export interface EntryKey {
  readonly t: number;
  readonly leaf: number;
  readonly id: string;
}

/** Internal, normalised reading. `v` is NaN for positions. */
export interface Entry extends EntryKey {
  readonly dev: string;
  readonly k: ReadingKind;
  readonly v: number;
  readonly pos: LatLon | null;
}

/**
 * Readings with the same timestamp still need one order that does not depend
 * on arrival, or a tie could start an excursion at a different reading.
 */
export function compareKeys(a: EntryKey, b: EntryKey): number {
  if (a.t !== b.t) return a.t < b.t ? -1 : 1;
  if (a.leaf !== b.leaf) return a.leaf < b.leaf ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A key before every entry at time t. */
export function keyBefore(t: number): EntryKey {
  return { t, leaf: -Infinity, id: '' };
}

/** A key after every entry at time t. */
export function keyAfter(t: number): EntryKey {
  return { t, leaf: Infinity, id: '' };
}

/** The readings of one envelope, tagged with their log position. */
export function evidencedReadings(payload: TelemetryPayload, leafIndex: number): EvidencedReading[] {
  return payload.r.map(
    (r, i) => ({ ...r, deviceId: payload.dev, leafIndex, readingId: `${leafIndex}:${i}` }) as EvidencedReading,
  );
}

function fail(path: string, detail: string): never {
  throw new RuleError(path, detail);
}

function uint(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(path, `must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** Normalise one reading; throws RuleError naming the field. */
export function toEntry(r: EvidencedReading, path: string): Entry {
  if (typeof r !== 'object' || r === null) fail(path, 'must be an object');
  const dev = r.deviceId;
  if (typeof dev !== 'string' || dev.length === 0) fail(`${path}.deviceId`, 'must be a non-empty string');
  const id = r.readingId;
  if (typeof id !== 'string' || id.length === 0) fail(`${path}.readingId`, 'must be a non-empty string');
  const t = uint(`${path}.t`, r.t);
  const leaf = uint(`${path}.leafIndex`, r.leafIndex);
  const k = r.k;
  if (!(READING_KINDS as readonly string[]).includes(k)) fail(`${path}.k`, `unknown kind ${JSON.stringify(k)}`);
  if (k === 'pos') {
    const p = r.v as unknown;
    if (!Array.isArray(p) || p.length !== 2) fail(`${path}.v`, 'pos must be [lat, lon]');
    const [lat, lon] = p as unknown[];
    if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90))
      fail(`${path}.v[0]`, `latitude must be -90…90, got ${String(lat)}`);
    if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180))
      fail(`${path}.v[1]`, `longitude must be -180…180, got ${String(lon)}`);
    return { t, leaf, id, dev, k, v: Number.NaN, pos: [lat, lon] };
  }
  const v = r.v as unknown;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.v`, `must be a finite number, got ${String(v)}`);
  return { t, leaf, id, dev, k, v, pos: null };
}

/** Same reading id, same content (a redelivery), as opposed to a conflicting reuse of the id. */
export function sameEntry(a: Entry, b: Entry): boolean {
  if (a.t !== b.t || a.leaf !== b.leaf || a.dev !== b.dev || a.k !== b.k) return false;
  if (a.pos !== null || b.pos !== null) return a.pos?.[0] === b.pos?.[0] && a.pos?.[1] === b.pos?.[1];
  return a.v === b.v;
}
