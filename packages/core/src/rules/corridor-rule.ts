// Corridor deviation: farther than maxDistanceKm from the planned route for at
// least minMinutes. A deviation starts at a believed fix that is beyond the
// corridor by more than its own accuracy, and ends at the first believed fix
// back within maxDistanceKm − hysteresisM; fixes in between hold the state.
// Its length is first → last fix beyond the line, so a single jump (one fix)
// lasts 0 minutes and is never an event.
import { accuracyOf, believe, cloneFilter, type FilterState, type Fix, fixRef, newFilter, sameFilter } from './fix.js';
import type { CorridorRule } from './location-definition.js';
import type { CorridorEvent } from './location-event.js';
import { RouteShape } from './location-geometry.js';
import type { LocationMachine } from './location-track.js';

export interface Deviation {
  first: Fix;
  /** Last fix still beyond the hold line. */
  last: Fix;
  peak: Fix;
  peakM: number;
  end: Fix | null;
  minLeaf: number;
  maxLeaf: number;
}

export interface CorridorState {
  filter: FilterState;
  /** The leg the last fix was nearest: where the next search starts. */
  hint: number;
  open: Deviation | null;
}

export function corridorMachine(rule: CorridorRule): LocationMachine<CorridorState, Deviation> {
  const route = new RouteShape(rule.route);
  const limitM = rule.maxDistanceKm * 1000;
  const backM = limitM - rule.hysteresisM;
  const minMs = Math.round(rule.minMinutes * 60_000);
  const noise = rule.noise;
  return {
    initial: () => ({ filter: newFilter(), hint: 0, open: null }),
    clone: (s) => ({ filter: cloneFilter(s.filter), hint: s.hint, open: s.open === null ? null : { ...s.open } }),
    // The hint only speeds the search up (the nearest distance is exact whatever it is), so it is not compared.
    same: (a, b) => {
      if (!sameFilter(a.filter, b.filter)) return false;
      const x = a.open;
      const y = b.open;
      if (x === null || y === null) return x === y;
      return (
        x.first === y.first &&
        x.last === y.last &&
        x.peak === y.peak &&
        x.peakM === y.peakM &&
        x.minLeaf === y.minLeaf &&
        x.maxLeaf === y.maxLeaf
      );
    },
    step(s, f, done) {
      if (!believe(s.filter, f, noise)) return;
      const lat = f.lat;
      const lon = f.lon;
      // Most fixes are well inside the corridor near the leg the previous one
      // was nearest: then the nearest leg does not matter, skip the search.
      if (s.open === null && route.legDistance(s.hint, lat, lon) <= backM) return;
      const { leg, distanceM } = route.nearest(lat, lon, s.hint);
      s.hint = leg;
      const d = s.open;
      if (d !== null) {
        if (f.leaf < d.minLeaf) d.minLeaf = f.leaf;
        if (f.leaf > d.maxLeaf) d.maxLeaf = f.leaf;
        if (distanceM <= backM) {
          d.end = f;
          if (d.last.t - d.first.t >= minMs) done.push(d);
          s.open = null;
          return;
        }
        d.last = f;
        if (distanceM > d.peakM) {
          d.peak = f;
          d.peakM = distanceM;
        }
        return;
      }
      if (distanceM - accuracyOf(f, noise) > limitM) {
        s.open = { first: f, last: f, peak: f, peakM: distanceM, end: null, minLeaf: f.leaf, maxLeaf: f.leaf };
      }
    },
  };
}

/** The deviations of one device that lasted minMinutes: finished ones and the one still going. */
export function corridorEvents(
  rule: CorridorRule,
  done: readonly Deviation[],
  state: CorridorState,
  base: (d: Deviation) => Pick<CorridorEvent, 'id' | 'shipmentId' | 'ruleId' | 'deviceId'>,
): CorridorEvent[] {
  const minMs = Math.round(rule.minMinutes * 60_000);
  const all = [...done];
  if (state.open !== null && state.open.last.t - state.open.first.t >= minMs) all.push(state.open);
  return all.map((d) => {
    const ids = [d.first.id, d.peak.id, d.last.id];
    if (d.end !== null) ids.push(d.end.id);
    return {
      ...base(d),
      kind: 'corridor',
      startedAt: d.first.t,
      endedAt: d.end?.t ?? null,
      lastObservedAt: d.last.t,
      open: d.end === null,
      durationMinutes: (d.last.t - d.first.t) / 60_000,
      maxDistanceKm: rule.maxDistanceKm,
      first: fixRef(d.first),
      peak: { ...fixRef(d.peak), distanceM: d.peakM },
      last: fixRef(d.last),
      end: d.end === null ? null : fixRef(d.end),
      evidence: { firstLeafIndex: d.minLeaf, lastLeafIndex: d.maxLeaf, readingIds: [...new Set(ids)] },
    };
  });
}
