// Unscheduled stop: slower than slowerThanKmh for at least minMinutes, outside
// every allowed zone. Speed at a fix is the average since the believed fix
// speedWindowSeconds earlier, with both fixes' accuracy taken off the distance
// first: a parked receiver's jitter (tens of metres between consecutive fixes
// seconds apart) would otherwise read as motion. A stop runs from the first
// slow fix to the last one; the first fast fix ends it.
import { haversineM } from './geo.js';
import { accuracyOf, believe, cloneFilter, type FilterState, type Fix, fixRef, newFilter, sameFilter } from './fix.js';
import type { StopRule } from './location-definition.js';
import type { StopEvent } from './location-event.js';
import { ZoneShape } from './location-geometry.js';
import type { LocationMachine } from './location-track.js';

export interface Stop {
  first: Fix;
  last: Fix;
  end: Fix | null;
  /** Whether the first slow fix is in (or within the margin of) an allowed zone. */
  allowed: boolean;
  minLeaf: number;
  maxLeaf: number;
}

export interface StopState {
  filter: FilterState;
  /** Believed fixes of the last speed window, plus the one just before it. */
  recent: Fix[];
  /** Where recent starts (the array is trimmed only now and then). */
  head: number;
  open: Stop | null;
}

export function stopMachine(rule: StopRule): LocationMachine<StopState, Stop> {
  const zones = rule.allowedZones.map((z) => new ZoneShape(z, rule.hysteresisM + rule.noise.maxAccuracyM));
  const windowMs = Math.round(rule.speedWindowSeconds * 1000);
  const minMs = Math.round(rule.minMinutes * 60_000);
  const slowMPerMs = rule.slowerThanKmh / 3_600;
  const noise = rule.noise;
  const allowedAt = (f: Fix): boolean => {
    // Allowed when not clearly outside: a truck at a depot's fence is at the depot.
    const margin = rule.hysteresisM + accuracyOf(f, noise);
    for (const z of zones) if (z.side(f.lat, f.lon, margin) !== 'out') return true;
    return false;
  };
  return {
    initial: () => ({ filter: newFilter(), recent: [], head: 0, open: null }),
    clone: (s) => ({
      filter: cloneFilter(s.filter),
      recent: s.recent.slice(s.head),
      head: 0,
      open: s.open === null ? null : { ...s.open },
    }),
    same: (a, b) => {
      if (!sameFilter(a.filter, b.filter) || a.recent.length - a.head !== b.recent.length - b.head) return false;
      for (let i = a.head, j = b.head; i < a.recent.length; i++, j++) if (a.recent[i] !== b.recent[j]) return false;
      const x = a.open;
      const y = b.open;
      if (x === null || y === null) return x === y;
      return (
        x.first === y.first && x.last === y.last && x.allowed === y.allowed && x.minLeaf === y.minLeaf && x.maxLeaf === y.maxLeaf
      );
    },
    step(s, f, done) {
      if (!believe(s.filter, f, noise)) return;
      const recent = s.recent;
      recent.push(f);
      // Keep one fix at or before the window's start: the speed's base.
      while (s.head + 1 < recent.length && recent[s.head + 1]!.t <= f.t - windowMs) s.head++;
      if (s.head > 1024 && s.head * 2 > recent.length) {
        recent.splice(0, s.head);
        s.head = 0;
      }
      const base = recent[s.head]!;
      const dt = f.t - base.t;
      // Too short a baseline to tell (the first fix, or fixes at one instant): keep the state.
      if (dt <= 0) return;
      const moved = Math.max(0, haversineM(base.lat, base.lon, f.lat, f.lon) - accuracyOf(base, noise) - accuracyOf(f, noise));
      const slow = moved < slowMPerMs * dt;
      const st = s.open;
      if (slow) {
        if (st === null) s.open = { first: f, last: f, end: null, allowed: allowedAt(f), minLeaf: f.leaf, maxLeaf: f.leaf };
        else {
          st.last = f;
          if (f.leaf < st.minLeaf) st.minLeaf = f.leaf;
          if (f.leaf > st.maxLeaf) st.maxLeaf = f.leaf;
        }
        return;
      }
      if (st === null) return;
      st.end = f;
      if (f.leaf < st.minLeaf) st.minLeaf = f.leaf;
      if (f.leaf > st.maxLeaf) st.maxLeaf = f.leaf;
      if (!st.allowed && st.last.t - st.first.t >= minMs) done.push(st);
      s.open = null;
    },
  };
}

/** The unscheduled stops of one device: finished ones and the one still going, if already long enough. */
export function stopEvents(
  rule: StopRule,
  done: readonly Stop[],
  state: StopState,
  base: (s: Stop) => Pick<StopEvent, 'id' | 'shipmentId' | 'ruleId' | 'deviceId'>,
): StopEvent[] {
  const minMs = Math.round(rule.minMinutes * 60_000);
  const all = [...done];
  const o = state.open;
  if (o !== null && !o.allowed && o.last.t - o.first.t >= minMs) all.push(o);
  return all.map((st) => {
    const ids = [st.first.id, st.last.id];
    if (st.end !== null) ids.push(st.end.id);
    return {
      ...base(st),
      kind: 'stop',
      startedAt: st.first.t,
      endedAt: st.end?.t ?? null,
      lastObservedAt: st.last.t,
      open: st.end === null,
      durationMinutes: (st.last.t - st.first.t) / 60_000,
      position: [st.first.lat, st.first.lon],
      first: fixRef(st.first),
      last: fixRef(st.last),
      end: st.end === null ? null : fixRef(st.end),
      evidence: { firstLeafIndex: st.minLeaf, lastLeafIndex: st.maxLeaf, readingIds: [...new Set(ids)] },
    };
  });
}
