// GPS fixes as the location rules see them, and the filter that decides which
// fixes to believe: real GNSS reports multipath jumps of hundreds of metres and
// fixes with a poor accuracy, and neither must turn into an event.
import { EARTH_RADIUS_M, haversineM } from './geo.js';
import type { FixNoise } from './location-definition.js';
import type { FixRef } from './location-event.js';
import { type EntryKey, type EvidencedReading, toEntry } from './reading.js';
import { RuleError } from './error.js';

/**
 * A position reading, optionally with the receiver's horizontal accuracy
 * (metres): the signed payload's `acc` (telemetry/payload.ts), or `accuracyM`
 * when a caller knows it from elsewhere (it wins over `acc`).
 */
export type LocationReading = EvidencedReading & { accuracyM?: number };

/**
 * A normalised fix: one flat object (a million of them stay in memory, so no
 * nested position array). `acc` is NaN when the device reported no accuracy.
 */
export interface Fix extends EntryKey {
  readonly dev: string;
  readonly lat: number;
  readonly lon: number;
  readonly acc: number;
}

/** Normalise a position reading; throws RuleError naming the field. Other kinds give null. */
export function toFix(r: LocationReading, path: string): Fix | null {
  const v = r?.v as unknown;
  if (r?.k !== 'pos' || !Array.isArray(v) || v.length !== 2) {
    // Not a well-formed position: let the shared normaliser name what is wrong, or say it is another kind.
    toEntry(r, path);
    return null;
  }
  const { deviceId: dev, readingId: id, t, leafIndex: leaf } = r;
  const lat = v[0] as unknown;
  const lon = v[1] as unknown;
  if (
    typeof dev !== 'string' ||
    dev.length === 0 ||
    typeof id !== 'string' ||
    id.length === 0 ||
    !Number.isSafeInteger(t) ||
    t < 0 ||
    !Number.isSafeInteger(leaf) ||
    leaf < 0 ||
    typeof lat !== 'number' ||
    !(lat >= -90 && lat <= 90) ||
    typeof lon !== 'number' ||
    !(lon >= -180 && lon <= 180)
  ) {
    toEntry(r, path); // throws, naming the field
    throw new RuleError(path, 'is not a valid position reading');
  }
  const a = r.accuracyM ?? (r as { acc?: unknown }).acc;
  if (a !== undefined && (typeof a !== 'number' || !Number.isFinite(a) || a < 0)) {
    const field = r.accuracyM !== undefined ? 'accuracyM' : 'acc';
    throw new RuleError(`${path}.${field}`, `must be a finite number of metres ≥ 0, got ${String(a)}`);
  }
  return { t, leaf, id, dev, lat: lat as number, lon: lon as number, acc: (a as number | undefined) ?? Number.NaN };
}

/** Same reading redelivered (as opposed to an id reused with other content). */
export function sameFix(a: Fix, b: Fix): boolean {
  return (
    a.t === b.t &&
    a.leaf === b.leaf &&
    a.dev === b.dev &&
    a.lat === b.lat &&
    a.lon === b.lon &&
    (a.acc === b.acc || (Number.isNaN(a.acc) && Number.isNaN(b.acc)))
  );
}

export function fixRef(f: Fix): FixRef {
  return {
    readingId: f.id,
    leafIndex: f.leaf,
    t: f.t,
    position: [f.lat, f.lon],
    accuracyM: Number.isNaN(f.acc) ? null : f.acc,
  };
}

/** The filter's memory; plain data so a rule's state can be checkpointed. */
export interface FilterState {
  /** The last believed fix. */
  last: Fix | null;
  /** Consecutive refused fixes that agree with each other (a real move the filter missed). */
  chain: Fix | null;
  chainLength: number;
}

/** What the filter made of a fix. */
export type Verdict = 'believed' | 'jump' | 'inaccurate';

/** After this many refused fixes that agree with each other, believe them: the earlier fix was the wrong one. */
export const RELOCK_FIXES = 3;

export const newFilter = (): FilterState => ({ last: null, chain: null, chainLength: 0 });

export const cloneFilter = (f: FilterState): FilterState => ({ ...f });

export const sameFilter = (a: FilterState, b: FilterState): boolean =>
  a.last === b.last && a.chain === b.chain && a.chainLength === b.chainLength;

/** The accuracy a fix is judged with, metres. */
export function accuracyOf(f: Fix, noise: FixNoise): number {
  return Number.isNaN(f.acc) ? noise.assumedAccuracyM : f.acc;
}

/**
 * Could the device have gone from a to b? The allowance is the distance at
 * the maximum speed plus both fixes' accuracy. Distance is the haversine of
 * geo.ts rather than turf's (same formula, measured 3–4× cheaper: it runs on
 * every fix of every rule).
 */
function plausible(a: Fix, b: Fix, noise: FixNoise): boolean {
  const allowance = ((noise.maxSpeedKmh / 3.6) * (b.t - a.t)) / 1000 + accuracyOf(a, noise) + accuracyOf(b, noise);
  // Cheap sufficient test first: the great-circle distance is at most the way along a's parallel and then
  // the meridian, R·(|Δλ|·cos φa + |Δφ|) ≤ R·(|Δλ| + |Δφ|). Most consecutive fixes pass it without trigonometry.
  if ((Math.abs(b.lat - a.lat) + Math.abs(b.lon - a.lon)) * M_PER_DEG <= allowance) return true;
  return haversineM(a.lat, a.lon, b.lat, b.lon) <= allowance;
}

const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

/** Whether to believe the fix; updates the filter. */
export function judge(s: FilterState, f: Fix, noise: FixNoise): Verdict {
  if (accuracyOf(f, noise) > noise.maxAccuracyM) return 'inaccurate';
  if (s.last === null || plausible(s.last, f, noise)) {
    s.last = f;
    s.chain = null;
    s.chainLength = 0;
    return 'believed';
  }
  s.chainLength = s.chain !== null && plausible(s.chain, f, noise) ? s.chainLength + 1 : 1;
  s.chain = f;
  if (s.chainLength >= RELOCK_FIXES) {
    s.last = f;
    s.chain = null;
    s.chainLength = 0;
    return 'believed';
  }
  return 'jump';
}

export const believe = (s: FilterState, f: Fix, noise: FixNoise): boolean => judge(s, f, noise) === 'believed';
