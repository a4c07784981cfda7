// Property: the excursions depend only on the set of readings pushed, never on
// arrival order or batching, and equal a naive batch scan written
// independently here. Series are random but seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LatLon, Reading } from '../telemetry/payload.js';
import type { Rule } from './definition.js';
import { createRuleEvaluator } from './evaluator.js';
import type { Excursion } from './excursion.js';
import { zoneAt } from './geo.js';
import { type EvidencedReading, evidencedReadings } from './reading.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const PORT: LatLon = [-4.0435, 39.6682];
const SEA: LatLon = [-4.2, 40.1];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  rules: Rule[];
  devices: string[];
  /** In arrival (leaf) order. */
  readings: EvidencedReading[];
  asOf: number;
}

function shuffle<T>(rnd: () => number, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

function scenario(seed: number): Scenario {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const loggers = rnd() < 0.5 ? ['logger-a'] : ['logger-a', 'logger-b'];
  const perDevice = new Map<string, Reading[]>();
  let end = T0;
  for (const dev of loggers) {
    const rs: Reading[] = [];
    let t = T0 + Math.floor(rnd() * 5 * MIN);
    let temp = 5;
    let lux = 0;
    let door = 0;
    const n = 40 + Math.floor(rnd() * 200);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      t += r < 0.08 ? 0 : r < 0.12 ? (60 + Math.floor(rnd() * 300)) * MIN : r < 0.3 ? Math.floor(rnd() * 5 * MIN) : MIN;
      const jump = rnd();
      if (jump < 0.05) temp = pick([14, 12.5, -1.5, 9]);
      else if (jump < 0.1) temp = pick([2, 8, 5]);
      else temp = Math.round((temp + (rnd() - 0.5) * 2) * 10) / 10;
      rs.push({ t, k: 'temp', v: temp });
      if (rnd() < 0.5) rs.push({ t, k: 'rh', v: Math.round(20 + rnd() * 75) });
      if (rnd() < 0.1) lux = lux > 0 ? 0 : Math.round(50 + rnd() * 700);
      if (rnd() < 0.6) rs.push({ t, k: 'lux', v: lux });
      if (rnd() < 0.08) door = 1 - door;
      if (rnd() < 0.4) rs.push({ t, k: 'door', v: door });
      if (rnd() < 0.1) rs.push({ t, k: 'shock', v: Math.round(rnd() * 100) / 10 });
      if (rnd() < 0.05) rs.push({ t, k: 'batt', v: 90 });
    }
    end = Math.max(end, t);
    perDevice.set(dev, rs);
  }
  const track: Reading[] = [];
  for (let t = T0 - 10 * MIN; t < end; t += (5 + Math.floor(rnd() * 60)) * MIN) {
    track.push({ t, k: 'pos', v: rnd() < 0.5 ? PORT : SEA });
  }
  perDevice.set('tracker', track);

  // Envelopes of 1–8 readings; arrival: in time, except store-and-forward buffers that come days late.
  const envelopes: { dev: string; at: number; r: Reading[] }[] = [];
  for (const [dev, rs] of perDevice) {
    for (let i = 0; i < rs.length; ) {
      const size = 1 + Math.floor(rnd() * 8);
      const r = rs.slice(i, i + size);
      i += size;
      const last = r[r.length - 1]!.t;
      const late = rnd() < 0.15 ? Math.floor(rnd() * 3 * 24 * 60) * MIN : 0;
      envelopes.push({ dev, at: last + late, r: rnd() < 0.2 ? shuffle(rnd, r) : r });
    }
  }
  envelopes.sort((a, b) => a.at - b.at);
  const readings = envelopes.flatMap((e, leaf) => evidencedReadings({ dev: e.dev, seq: leaf + 1, ts: e.at, r: e.r }, leaf));

  const rules: Rule[] = [
    {
      kind: 'band',
      id: 'cold',
      sensor: 'temp',
      min: 2,
      max: 8,
      toleranceMinutes: 30,
      mode: 'continuous',
      stabilityBudgetMinutes: 600,
      shelfLifeDays: 90,
    },
    {
      kind: 'band',
      id: 'cold-total',
      sensor: 'temp',
      min: 2,
      max: 8,
      toleranceMinutes: 45,
      mode: 'cumulative',
      maxHoldMinutes: 20,
    },
    { kind: 'band', id: 'humid', sensor: 'rh', min: 30, max: 80, toleranceMinutes: 10, mode: 'cumulative' },
    { kind: 'threshold', id: 'drop', sensor: 'shock', maxG: 5 },
    { kind: 'light', id: 'opened', luxAbove: 100, allowedZones: [{ name: 'Mombasa port', center: PORT, radiusM: 3000 }] },
    {
      kind: 'gap',
      id: 'silent',
      maxSilenceMinutes: 45,
      window: { from: T0 + 30 * MIN, to: Math.max(end - 60 * MIN, T0 + 120 * MIN) },
    },
  ];
  return { rules, devices: [...loggers, 'tracker', 'never-heard'], readings, asOf: end + 10 * MIN };
}

function run(s: Scenario, batches: EvidencedReading[][]): Excursion[] {
  const ev = createRuleEvaluator({ shipmentId: 'ship-1', rules: s.rules, devices: s.devices });
  for (const b of batches) ev.push(b);
  return ev.excursions({ asOf: s.asOf });
}

function chunks<T>(rnd: () => number, list: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    out.push(list.slice(i, i + n));
    i += n;
  }
  return out;
}

const byTime = (a: EvidencedReading, b: EvidencedReading): number => a.t - b.t || a.leafIndex - b.leafIndex;

// ---- An independent, naive batch evaluation (projection of the result) ----

interface Projected {
  rule: string;
  dev: string;
  start: number;
  end: number | null;
  minutes: number;
  total: number;
  breached: boolean;
  peak: number | null;
  first: string | null;
  last: string | null;
  leaves: [number | null, number | null];
  shelf?: number | null;
}

function project(xs: readonly Excursion[]): Projected[] {
  return xs.map((x) => ({
    rule: x.ruleId,
    dev: x.deviceId,
    start: x.startedAt,
    end: x.endedAt,
    minutes: x.durationMinutes,
    total: x.minutesOutside,
    breached: x.breached,
    peak: 'peak' in x ? x.peak : null,
    first: x.evidence.readingIds.first,
    last: x.evidence.readingIds.last,
    leaves: [x.evidence.firstLeafIndex, x.evidence.lastLeafIndex],
    ...(x.kind === 'band' ? { shelf: x.shelfDaysLost } : {}),
  }));
}

function naive(s: Scenario, readings: readonly EvidencedReading[]): Projected[] {
  const ids = new Set<string>();
  const all = readings
    .filter((r) => s.devices.includes(r.deviceId) && !ids.has(r.readingId) && ids.add(r.readingId))
    .sort(
      (a, b) => a.t - b.t || a.leafIndex - b.leafIndex || (a.readingId < b.readingId ? -1 : a.readingId > b.readingId ? 1 : 0),
    );
  const devs = (k?: string): string[] =>
    [...new Set(all.filter((r) => k === undefined || r.k === k).map((r) => r.deviceId))].sort();
  const gapRule = s.rules.find((r) => r.kind === 'gap');
  const defaultHold = gapRule?.kind === 'gap' ? gapRule.maxSilenceMinutes * MIN : Infinity;
  const out: Projected[] = [];
  // Runs of "outside" readings; the interval after an outside reading counts, capped at hold.
  const runs = (rule: string, dev: string, list: EvidencedReading[], score: (r: EvidencedReading) => number, hold: number) => {
    const found: { p: Projected; hotMs: number; ms: number }[] = [];
    let cur: { p: Projected; hotMs: number; ms: number; lastT: number; lastHot: boolean; peakScore: number } | null = null;
    for (const r of list) {
      const sc = score(r);
      if (cur !== null) {
        const dt = Math.min(r.t - cur.lastT, hold);
        cur.ms += dt;
        if (cur.lastHot) cur.hotMs += dt;
        cur.p.leaves = [Math.min(cur.p.leaves[0]!, r.leafIndex), Math.max(cur.p.leaves[1]!, r.leafIndex)];
        cur.p.last = r.readingId;
        if (sc < 0) {
          cur.p.end = r.t;
          cur = null;
          continue;
        }
        cur.lastT = r.t;
        cur.lastHot = sc > 0 && (r.v as number) > 8;
        if (sc > cur.peakScore) {
          cur.peakScore = sc;
          cur.p.peak = r.v as number;
        }
        continue;
      }
      if (sc < 0) continue;
      cur = {
        p: {
          rule,
          dev,
          start: r.t,
          end: null,
          minutes: 0,
          total: 0,
          breached: false,
          peak: r.v as number,
          first: r.readingId,
          last: r.readingId,
          leaves: [r.leafIndex, r.leafIndex],
        },
        hotMs: 0,
        ms: 0,
        lastT: r.t,
        lastHot: (r.v as number) > 8,
        peakScore: sc,
      };
      found.push(cur);
    }
    return found;
  };
  const posAt = (t: number): LatLon | null => {
    let p: LatLon | null = null;
    for (const r of all) {
      if (r.t > t) break;
      if (r.k === 'pos') p = r.v;
    }
    return p;
  };
  for (const rule of s.rules) {
    if (rule.kind === 'band') {
      for (const dev of devs(rule.sensor)) {
        const list = all.filter((r) => r.deviceId === dev && r.k === rule.sensor);
        const score = (r: EvidencedReading) => {
          const v = r.v as number;
          return v > rule.max ? v - rule.max : v < rule.min ? rule.min - v : -1;
        };
        let total = 0;
        let hot = 0;
        for (const f of runs(rule.id, dev, list, score, (rule.maxHoldMinutes ?? defaultHold / MIN) * MIN)) {
          total += f.ms;
          hot += f.hotMs;
          const counted = rule.mode === 'cumulative' ? total : f.ms;
          const budget = rule.stabilityBudgetMinutes;
          out.push({
            ...f.p,
            minutes: f.ms / MIN,
            total: counted / MIN,
            breached: counted > rule.toleranceMinutes * MIN,
            shelf: budget === undefined ? null : Math.min(1, hot / (budget * MIN)) * rule.shelfLifeDays!,
          });
        }
      }
    } else if (rule.kind === 'threshold') {
      for (const dev of devs('shock')) {
        for (const r of all.filter((x) => x.deviceId === dev && x.k === 'shock' && (x.v as number) > rule.maxG)) {
          const p: Projected = {
            rule: rule.id,
            dev,
            start: r.t,
            end: r.t,
            minutes: 0,
            total: 0,
            breached: true,
            peak: r.v as number,
            first: r.readingId,
            last: r.readingId,
            leaves: [r.leafIndex, r.leafIndex],
          };
          out.push(p);
        }
      }
    } else if (rule.kind === 'light') {
      for (const dev of [...new Set([...devs('lux'), ...devs('door')])].sort()) {
        for (const sensor of ['lux', 'door'] as const) {
          const list = all.filter((r) => r.deviceId === dev && r.k === sensor);
          const score = (r: EvidencedReading) => {
            const v = r.v as number;
            const opened = sensor === 'lux' ? v > rule.luxAbove : v === 1;
            const p = posAt(r.t);
            return opened && (p === null || zoneAt(p, rule.allowedZones) === null) ? v : -1;
          };
          for (const f of runs(rule.id, dev, list, score, defaultHold)) {
            out.push({ ...f.p, minutes: f.ms / MIN, total: f.ms / MIN, breached: true });
          }
        }
      }
    } else {
      const { from, to } = rule.window;
      const max = rule.maxSilenceMinutes * MIN;
      for (const dev of [...new Set([...devs(), ...s.devices])].sort()) {
        const list = all.filter((r) => r.deviceId === dev);
        const pairs: [EvidencedReading | null, EvidencedReading | null][] = [];
        for (let i = 0; i <= list.length; i++) pairs.push([list[i - 1] ?? null, list[i] ?? null]);
        for (const [a, b] of pairs) {
          const lo = a === null ? from : Math.max(a.t, from);
          const hi = Math.min(b === null ? s.asOf : b.t, to);
          if (hi - lo <= max) continue;
          const leaves = [a?.leafIndex, b?.leafIndex].filter((x) => x !== undefined);
          out.push({
            rule: rule.id,
            dev,
            start: lo,
            end: b === null && s.asOf < to ? null : hi,
            minutes: (hi - lo) / MIN,
            total: (hi - lo) / MIN,
            breached: true,
            peak: null,
            first: a?.readingId ?? null,
            last: b?.readingId ?? null,
            leaves: [leaves.length ? Math.min(...leaves) : null, leaves.length ? Math.max(...leaves) : null],
          });
        }
      }
    }
  }
  return out;
}

describe('rules evaluator: order independence (seeded property test)', () => {
  const SEEDS = 150;

  it(`gives identical results in arrival order, sorted, shuffled, reversed, one batch and with redeliveries (${SEEDS} seeds)`, () => {
    let excursions = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const s = scenario(seed);
      const rnd = mulberry32(seed * 7919);
      const reference = run(s, [s.readings]);
      excursions += reference.length;
      const sorted = [...s.readings].sort(byTime);
      const shuffled = shuffle(rnd, [...s.readings]);
      const redelivered = shuffle(rnd, [...s.readings, ...s.readings.filter(() => rnd() < 0.1)]);
      // Store-and-forward: two thirds live, then the rest in one bulk push days later.
      const cut = Math.floor((s.readings.length * 2) / 3);
      const live = sorted.filter((_, i) => i % 3 !== 2 || i > cut);
      const bulk = sorted.filter((_, i) => i % 3 === 2 && i <= cut);
      const modes: Record<string, EvidencedReading[][]> = {
        arrival: chunks(rnd, s.readings, 8),
        sorted: chunks(rnd, sorted, 50),
        shuffled: chunks(rnd, shuffled, 30),
        reversed: [...sorted].reverse().map((r) => [r]),
        redelivered: chunks(rnd, redelivered, 20),
        lateBulk: [...chunks(rnd, live, 5), bulk],
      };
      for (const [mode, batches] of Object.entries(modes)) {
        assert.deepStrictEqual(run(s, batches), reference, `seed ${seed}, ${mode}`);
      }
      assert.deepStrictEqual(project(reference), naive(s, s.readings), `seed ${seed}: naive batch scan`);
    }
    assert.ok(excursions > SEEDS * 5, `the series should produce plenty of excursions, got ${excursions}`);
  });

  it('matches the naive scan after every single push of a shuffled stream (20 seeds)', () => {
    for (let seed = 1000; seed < 1020; seed++) {
      const s = scenario(seed);
      const rnd = mulberry32(seed);
      const ev = createRuleEvaluator({ shipmentId: 'ship-1', rules: s.rules, devices: s.devices });
      const pushed: EvidencedReading[] = [];
      for (const batch of chunks(rnd, shuffle(rnd, [...s.readings]), 12)) {
        ev.push(batch);
        pushed.push(...batch);
        assert.deepStrictEqual(
          project(ev.excursions({ asOf: s.asOf })),
          naive(s, pushed),
          `seed ${seed} after ${pushed.length} readings`,
        );
      }
    }
  });
});
