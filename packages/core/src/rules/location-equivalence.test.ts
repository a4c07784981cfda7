// Property (fast-check): the location events depend only on the set of fixes
// pushed, never on arrival order or batching — in order, shuffled, reversed,
// in random batches, with redeliveries, or with a share held back and pushed
// late in bulk (store-and-forward) all give deep-equal events and filter
// tallies, equal to the one-shot evaluation. Tracks are long enough (several
// hundred fixes per device) that late fixes land before restored checkpoints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LatLon } from '../telemetry/payload.js';
import type { LocationReading } from './fix.js';
import { createLocationEvaluator, evaluateLocationRules } from './location-evaluator.js';
import { CHECKPOINT_EVERY } from './location-track.js';
import {
  drive,
  mulberry32,
  offset,
  park,
  readingsOf,
  SEC,
  T0,
  type TrackPoint,
  withJumps,
} from './location-tracks.test-support.js';

const PORT: LatLon = [51.9496, 4.1453];
const DEPOT = offset(PORT, 6000, 1500);

const RULES = [
  {
    kind: 'geofence',
    id: 'places',
    zones: [
      { id: 'port', name: 'Maasvlakte', unlocode: 'NLRTM', shape: 'circle', center: PORT, radiusM: 600 },
      {
        id: 'depot',
        name: 'Depot',
        shape: 'polygon',
        ring: [offset(DEPOT, -400, -300), offset(DEPOT, 400, -300), offset(DEPOT, 450, 300), offset(DEPOT, -400, 350)],
      },
    ],
    confirmFixes: 2,
    dwellSeconds: 30,
  },
  {
    kind: 'corridor',
    id: 'route',
    route: [PORT, offset(PORT, 3000, 0), DEPOT, offset(DEPOT, 8000, 0)],
    maxDistanceKm: 0.8,
    minMinutes: 3,
  },
  {
    kind: 'stop',
    id: 'halt',
    minMinutes: 10,
    allowedZones: [{ id: 'depot', name: 'Depot', shape: 'circle', center: DEPOT, radiusM: 500 }],
  },
];

/** A random day of one device: drives between places, detours, parks (some on fence lines), with jumps and accuracies. */
function deviceTrack(seed: number, dev: string, firstLeaf: number): LocationReading[] {
  const rnd = mulberry32(seed);
  const places: LatLon[] = [
    PORT,
    offset(PORT, 600, 0),
    DEPOT,
    offset(DEPOT, 0, 2000),
    offset(PORT, 3000, 800),
    offset(DEPOT, 8000, 0),
  ];
  const pick = () => places[Math.floor(rnd() * places.length)]!;
  let here = pick();
  let t = T0 + Math.floor(rnd() * 60) * SEC;
  let track: TrackPoint[] = [];
  while (track.length < 300 + rnd() * 700) {
    const interval = [1, 5, 10, 30][Math.floor(rnd() * 4)]!;
    const r = rnd();
    const part =
      r < 0.5
        ? drive([here, pick()], 20 + rnd() * 60, interval, t)
        : park(here, 2 + rnd() * 25, interval, t, 3 + rnd() * 15, Math.floor(rnd() * 1e9));
    if (part.length === 0) continue;
    track.push(...part);
    here = part[part.length - 1]!.p;
    t = part[part.length - 1]!.t + interval * SEC;
  }
  if (rnd() < 0.7) track = withJumps(track, 3 + Math.floor(rnd() * 10), 200, Math.floor(rnd() * 1e9));
  // Some fixes report an accuracy (a few too poor to believe); some share a timestamp.
  track = track.map((x) => (rnd() < 0.3 ? { ...x, accuracyM: Math.round(rnd() * 130) } : x));
  for (let i = 1; i < track.length; i++) if (rnd() < 0.03) track[i] = { ...track[i]!, t: track[i - 1]!.t };
  return readingsOf(track, dev, firstLeaf);
}

function scenario(seed: number): LocationReading[] {
  const rnd = mulberry32(seed);
  const out = deviceTrack(seed, 'truck-a', 0);
  if (rnd() < 0.5) out.push(...deviceTrack(seed + 1, 'truck-b', out.length));
  return out;
}

type Delivery = 'in-order' | 'shuffled' | 'reversed' | 'batches' | 'late' | 'redelivered';

function deliver(readings: LocationReading[], how: Delivery, seed: number): LocationReading[][] {
  const rnd = mulberry32(seed);
  const list = [...readings];
  switch (how) {
    case 'in-order':
      return list.map((r) => [r]);
    case 'shuffled':
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return list.map((r) => [r]);
    case 'reversed':
      return list.reverse().map((r) => [r]);
    case 'batches': {
      const out: LocationReading[][] = [];
      for (let i = 0; i < list.length; ) {
        const n = 1 + Math.floor(rnd() * 80);
        out.push(list.slice(i, i + n));
        i += n;
      }
      return out;
    }
    case 'late': {
      // Store-and-forward: stretches of fixes held back, pushed at the end as one bulk or a few.
      const held: LocationReading[] = [];
      const live: LocationReading[][] = [];
      for (let i = 0; i < list.length; ) {
        const n = 1 + Math.floor(rnd() * 2 * CHECKPOINT_EVERY);
        const part = list.slice(i, i + n);
        if (rnd() < 0.3) held.push(...part);
        else live.push(...part.map((r) => [r]));
        i += n;
      }
      const bulks = 1 + Math.floor(rnd() * 3);
      const size = Math.ceil(held.length / bulks);
      for (let b = 0; b < bulks; b++) live.push(held.slice(b * size, (b + 1) * size));
      return live;
    }
    case 'redelivered':
      return list.flatMap((r, i) => (rnd() < 0.2 ? [[r], [list[Math.floor(rnd() * (i + 1))]!]] : [[r]]));
  }
}

function evaluate(pushes: LocationReading[][]) {
  const ev = createLocationEvaluator({ shipmentId: 'SSCC-376123450000000017', rules: RULES, devices: ['truck-a', 'truck-b'] });
  for (const p of pushes) ev.push(p);
  return { events: ev.events(), tallies: ev.tallies() };
}

describe('location rules: the same events whatever the arrival order', () => {
  it('scenarios have events of every kind, jumps dropped and fixes refused for accuracy', () => {
    const kinds = new Set<string>();
    let jumps = 0;
    let inaccurate = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { events, tallies } = evaluate([scenario(seed)]);
      for (const e of events) kinds.add(e.kind);
      for (const t of tallies) {
        jumps += t.jumps;
        inaccurate += t.inaccurate;
      }
    }
    assert.deepEqual([...kinds].sort(), ['corridor', 'geofence', 'stop']);
    assert.ok(jumps > 0 && inaccurate > 0, `jumps ${jumps}, inaccurate ${inaccurate}`);
  });

  it('in order, shuffled, reversed, in batches, late in bulk and redelivered: deep-equal events and tallies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom<Delivery>('shuffled', 'reversed', 'batches', 'late', 'redelivered'),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (seed, how, orderSeed) => {
          const readings = scenario(seed);
          const reference = evaluate(deliver(readings, 'in-order', 0));
          assert.deepEqual(
            reference.events,
            evaluateLocationRules({
              shipmentId: 'SSCC-376123450000000017',
              rules: RULES,
              devices: ['truck-a', 'truck-b'],
              readings,
            }),
          );
          assert.deepEqual(evaluate(deliver(readings, how, orderSeed)), reference);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('after every push of a late delivery, events() equals the one-shot evaluation of what was pushed so far', () => {
    for (const seed of [101, 202, 303]) {
      const pushes = deliver(scenario(seed), 'late', seed);
      const ev = createLocationEvaluator({ shipmentId: 'S', rules: RULES });
      const sofar: LocationReading[] = [];
      pushes.forEach((p, i) => {
        ev.push(p);
        sofar.push(...p);
        if (i % 97 === 0 || i === pushes.length - 1) {
          assert.deepEqual(
            ev.events(),
            evaluateLocationRules({ shipmentId: 'S', rules: RULES, readings: sofar }),
            `seed ${seed} push ${i}`,
          );
        }
      });
    }
  });
});
