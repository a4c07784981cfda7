// Geofence entry and exit. Per zone, a fix is clearly in, clearly out, or in
// the dead band (hysteresisM plus the fix's accuracy on either side of the
// fence line). A crossing is confirmed by confirmFixes consecutive believed
// fixes clearly on the new side spanning at least dwellSeconds; a fix in the
// dead band, or back on the old side, restarts the count. So a vehicle parked
// on the fence line (its fixes jittering across it) and an isolated jump
// confirm nothing.
import { accuracyOf, believe, cloneFilter, type FilterState, type Fix, fixRef, newFilter, sameFilter } from './fix.js';
import type { GeofenceRule, GeoZone } from './location-definition.js';
import type { Crossing, GeofenceEvent, ZoneRef } from './location-event.js';
import { ZoneShape } from './location-geometry.js';
import type { LocationMachine } from './location-track.js';

type Side = 'in' | 'out';

interface Streak {
  side: Side;
  /** The last believed fix before the streak. */
  after: Fix | null;
  /** The first confirmFixes fixes of the streak. */
  fixes: Fix[];
  count: number;
}

export interface Visit {
  zone: number;
  entry: Crossing | null;
  /** The fix the visit starts at (entry's first fix, or the first fix found inside). */
  start: Fix;
  exit: Crossing | null;
  /** Last believed fix of the visit so far (for an open visit's lastObservedAt). */
  last: Fix;
  minLeaf: number;
  maxLeaf: number;
}

interface ZoneState {
  /** Confirmed side; null until the first confirmation. */
  side: Side | null;
  streak: Streak | null;
  visit: Visit | null;
}

export interface GeofenceState {
  filter: FilterState;
  zones: ZoneState[];
}

function crossing(streak: Streak, last: Fix): Crossing {
  const fixes = streak.fixes.map(fixRef);
  if (streak.fixes[streak.fixes.length - 1] !== last) fixes.push(fixRef(last));
  const first = streak.fixes[0]!;
  return {
    at: first.t,
    position: [first.lat, first.lon],
    fixes,
    after: streak.after === null ? null : fixRef(streak.after),
  };
}

function sameFixes(
  a: readonly { readingId: string; leafIndex: number }[],
  b: readonly { readingId: string; leafIndex: number }[],
): boolean {
  return a.length === b.length && a.every((x, i) => x.readingId === b[i]!.readingId && x.leafIndex === b[i]!.leafIndex);
}

function sameCrossing(a: Crossing | null, b: Crossing | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.at === b.at &&
    a.after?.readingId === b.after?.readingId &&
    a.after?.leafIndex === b.after?.leafIndex &&
    sameFixes(a.fixes, b.fixes)
  );
}

function sameZone(a: ZoneState, b: ZoneState): boolean {
  if (a.side !== b.side) return false;
  const s = a.streak;
  const t = b.streak;
  if (s === null || t === null) {
    if (s !== t) return false;
  } else if (
    s.side !== t.side ||
    s.after !== t.after ||
    s.count !== t.count ||
    s.fixes.length !== t.fixes.length ||
    s.fixes.some((f, i) => f !== t.fixes[i])
  ) {
    return false;
  }
  const v = a.visit;
  const w = b.visit;
  if (v === null || w === null) return v === w;
  return (
    v.zone === w.zone &&
    v.start === w.start &&
    v.last === w.last &&
    v.minLeaf === w.minLeaf &&
    v.maxLeaf === w.maxLeaf &&
    v.exit === null &&
    w.exit === null &&
    sameCrossing(v.entry, w.entry)
  );
}

export function geofenceMachine(rule: GeofenceRule): LocationMachine<GeofenceState, Visit> {
  const shapes = rule.zones.map((z) => new ZoneShape(z, rule.hysteresisM + rule.noise.maxAccuracyM));
  const dwellMs = Math.round(rule.dwellSeconds * 1000);
  const { confirmFixes, hysteresisM, noise } = rule;
  return {
    initial: () => ({ filter: newFilter(), zones: shapes.map(() => ({ side: null, streak: null, visit: null })) }),
    clone: (s) => ({
      filter: cloneFilter(s.filter),
      zones: s.zones.map((z) => ({
        side: z.side,
        streak: z.streak === null ? null : { ...z.streak, fixes: [...z.streak.fixes] },
        visit: z.visit === null ? null : { ...z.visit },
      })),
    }),
    same: (a, b) => sameFilter(a.filter, b.filter) && a.zones.every((z, i) => sameZone(z, b.zones[i]!)),
    step(s, f, done) {
      const before = s.filter.last;
      if (!believe(s.filter, f, noise)) return;
      const margin = hysteresisM + accuracyOf(f, noise);
      const lat = f.lat;
      const lon = f.lon;
      for (let z = 0; z < shapes.length; z++) {
        const zs = s.zones[z]!;
        const side = shapes[z]!.side(lat, lon, margin);
        const v = zs.visit;
        if (v !== null) {
          v.last = f;
          if (f.leaf < v.minLeaf) v.minLeaf = f.leaf;
          if (f.leaf > v.maxLeaf) v.maxLeaf = f.leaf;
        }
        if (side === 'edge' || side === zs.side) {
          zs.streak = null;
          continue;
        }
        let st = zs.streak;
        if (st === null || st.side !== side) {
          st = { side, after: before, fixes: [f], count: 1 };
          zs.streak = st;
        } else {
          st.count++;
          if (st.fixes.length < confirmFixes) st.fixes.push(f);
        }
        if (st.count < confirmFixes || f.t - st.fixes[0]!.t < dwellMs) continue;
        // Confirmed.
        const was = zs.side;
        zs.side = side;
        zs.streak = null;
        if (side === 'in') {
          const entry = was === null ? null : crossing(st, f);
          const start = st.fixes[0]!;
          let minLeaf = Math.min(f.leaf, start.leaf);
          let maxLeaf = Math.max(f.leaf, start.leaf);
          for (const x of st.fixes) {
            minLeaf = Math.min(minLeaf, x.leaf);
            maxLeaf = Math.max(maxLeaf, x.leaf);
          }
          zs.visit = { zone: z, entry, start, exit: null, last: f, minLeaf, maxLeaf };
        } else if (v !== null) {
          done.push({ ...v, exit: crossing(st, f) });
          zs.visit = null;
        }
      }
    },
  };
}

export function zoneRef(z: GeoZone): ZoneRef {
  return { id: z.id, name: z.name, unlocode: z.unlocode ?? null };
}

/** The events of one device: finished visits and the ones still open. */
export function geofenceEvents(
  rule: GeofenceRule,
  done: readonly Visit[],
  state: GeofenceState,
  base: (v: Visit) => Pick<GeofenceEvent, 'id' | 'shipmentId' | 'ruleId' | 'deviceId'>,
): GeofenceEvent[] {
  const visits = [...done];
  for (const z of state.zones) if (z.visit !== null) visits.push(z.visit);
  visits.sort((a, b) => a.start.t - b.start.t || a.start.leaf - b.start.leaf || cmp(a.start.id, b.start.id) || a.zone - b.zone);
  return visits.map((v) => {
    const endedAt = v.exit === null ? null : v.exit.at;
    const lastObservedAt = endedAt ?? v.last.t;
    const ids = [v.start.id, ...(v.entry?.fixes.map((x) => x.readingId) ?? []), ...(v.exit?.fixes.map((x) => x.readingId) ?? [])];
    if (v.entry?.after) ids.unshift(v.entry.after.readingId);
    if (v.exit === null) ids.push(v.last.id);
    let minLeaf = v.minLeaf;
    let maxLeaf = v.maxLeaf;
    for (const c of [v.entry, v.exit]) {
      for (const x of c?.fixes ?? []) {
        minLeaf = Math.min(minLeaf, x.leafIndex);
        maxLeaf = Math.max(maxLeaf, x.leafIndex);
      }
    }
    return {
      ...base(v),
      kind: 'geofence',
      zone: zoneRef(rule.zones[v.zone]!),
      startedAt: v.entry?.at ?? v.start.t,
      endedAt,
      lastObservedAt,
      open: v.exit === null,
      durationMinutes: (lastObservedAt - (v.entry?.at ?? v.start.t)) / 60_000,
      entry: v.entry,
      exit: v.exit,
      evidence: { firstLeafIndex: minLeaf, lastLeafIndex: maxLeaf, readingIds: [...new Set(ids)] },
    };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
