// Location rules on synthetic tracks (a clean crossing, a vehicle parked on the
// fence line, injected jumps, short and long deviations, stops in and outside
// allowed zones) and on the recorded route-14 bus trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LatLon } from '../telemetry/payload.js';
import type { LocationReading } from './fix.js';
import { greatCircleM } from './location-geometry.js';
import type { CorridorRule, GeofenceRule, GeoZone, StopRule } from './location-definition.js';
import { validateLocationRule } from './location-definition.js';
import { createLocationEvaluator, evaluateLocationRules } from './location-evaluator.js';
import type { CorridorEvent, GeofenceEvent, LocationEvent, StopEvent } from './location-event.js';
import { locationEventId } from './location-event.js';
import {
  drive,
  MIN,
  mulberry32,
  offset,
  park,
  readingsOf,
  route14Trips,
  SEC,
  T0,
  sequence,
  type TrackPoint,
  withJumps,
} from './location-tracks.test-support.js';

/** Seaforth container terminal, Port of Liverpool. */
const PORT: LatLon = [53.4627, -3.0214];
const PORT_ZONE: GeoZone = {
  id: 'seaforth',
  name: 'Seaforth terminal',
  unlocode: 'GBLIV',
  shape: 'circle',
  center: PORT,
  radiusM: 500,
};
/** A customer's yard 5 km east: a 1200 m × 400 m polygon. */
const YARD_C = offset(PORT, 5000, 0);
const YARD_ZONE: GeoZone = {
  id: 'yard',
  name: 'Customer yard',
  shape: 'polygon',
  ring: [offset(YARD_C, -600, -200), offset(YARD_C, 600, -200), offset(YARD_C, 600, 200), offset(YARD_C, -600, 200)],
};

const fences = (over: Partial<GeofenceRule> = {}): GeofenceRule =>
  validateLocationRule({ kind: 'geofence', id: 'places', zones: [PORT_ZONE, YARD_ZONE], ...over }) as GeofenceRule;

function run(rules: unknown[], track: TrackPoint[]): LocationEvent[] {
  return evaluateLocationRules({ shipmentId: 'SSCC-1', rules, readings: readingsOf(track, 'tracker-1') });
}

const geofences = (es: LocationEvent[]) => es.filter((e): e is GeofenceEvent => e.kind === 'geofence');
const iso = (t: number | null | undefined) => (t == null ? null : new Date(t).toISOString().slice(11, 19));

/** When the track first comes within distM of p (linear between fixes is close enough at these speeds). */
function firstWithin(track: TrackPoint[], p: LatLon, distM: number): number {
  const x = track.find((f) => greatCircleM(f.p, p) <= distM);
  assert.ok(x, `track never comes within ${distM} m`);
  return x.t;
}

describe('geofence entry and exit', () => {
  // West to east through the terminal's centre and the yard, 30 km/h, a fix every 10 s.
  const west = offset(PORT, -3000, 0);
  const east = offset(PORT, 9000, 0);
  const clean = drive([west, east], 30, 10, T0);

  it('a clean pass gives one visit per zone, with entry and exit crossings and their fixes', () => {
    const es = geofences(run([fences()], clean));
    assert.deepEqual(
      es.map((e) => [e.zone.id, e.open]),
      [
        ['seaforth', false],
        ['yard', false],
      ],
    );
    const [port, yard] = es as [GeofenceEvent, GeofenceEvent];
    assert.deepEqual(port.zone, { id: 'seaforth', name: 'Seaforth terminal', unlocode: 'GBLIV' });
    assert.deepEqual(yard.zone, { id: 'yard', name: 'Customer yard', unlocode: null });
    // Entry: the first fix clearly inside (≥ 50 m hysteresis + 10 m assumed accuracy within the fence).
    const entry = port.entry!;
    assert.equal(entry.at, firstWithin(clean, PORT, 440));
    // Three fixes confirm it, and the one that completes the 60 s dwell (fixes are 10 s apart here).
    assert.deepEqual(
      entry.fixes.map((x) => (x.t - entry.at) / SEC),
      [0, 10, 20, 60],
    );
    assert.ok(entry.after !== null && entry.after.t < entry.at && greatCircleM(entry.after.position, PORT) > 440);
    // Exit: the first fix ≥ 560 m out on the far side.
    const exitAt = clean.find((f) => f.t > entry.at && greatCircleM(f.p, PORT) >= 560)!.t;
    assert.equal(port.exit!.at, exitAt);
    assert.equal(port.startedAt, entry.at);
    assert.equal(port.endedAt, exitAt);
    assert.ok(Math.abs(port.durationMinutes - 1120 / (30 / 3.6) / 60) < 0.4);
    // Evidence names the fixes: leaves are the track's indices here.
    assert.equal(port.evidence.readingIds[0], entry.after!.readingId);
    for (const x of [...entry.fixes, ...port.exit!.fixes]) assert.ok(port.evidence.readingIds.includes(x.readingId));
    assert.equal(port.evidence.firstLeafIndex, entry.fixes[0]!.leafIndex);
    assert.equal(port.evidence.lastLeafIndex, port.exit!.fixes[3]!.leafIndex);
    assert.equal(port.id, locationEventId('SSCC-1', 'places', 'tracker-1', 'seaforth', entry.fixes[0]!.readingId));
    // The polygon: enters 60 m inside its western edge.
    assert.equal(yard.entry!.at, clean.find((f) => f.p[1] >= offset(YARD_C, -540, 0)[1])!.t);
  });

  it('a vehicle already inside at its first fixes has a visit without entry; one still inside has an open visit', () => {
    const track = sequence(
      (t) => park(PORT, 5, 10, t, 5, 1),
      (t) => drive([PORT, YARD_C], 30, 10, t),
    );
    const [port, yard] = geofences(run([fences()], track)) as [GeofenceEvent, GeofenceEvent];
    assert.equal(port.entry, null);
    assert.equal(port.startedAt, T0);
    assert.ok(port.exit !== null);
    assert.equal(yard.zone.id, 'yard');
    assert.equal(yard.exit, null);
    assert.equal(yard.open, true);
    assert.equal(yard.endedAt, null);
    assert.equal(yard.lastObservedAt, track[track.length - 1]!.t);
  });

  // Arrive from the west, park for two hours with the antenna right on the fence line, leave west.
  const fencePoint = offset(PORT, -500, 0);
  const parkedOnFence = sequence(
    (t) => drive([offset(PORT, -3000, 0), fencePoint], 30, 10, t),
    (t) => park(fencePoint, 120, 10, t, 8, 11),
    (t) => drive([fencePoint, offset(PORT, -3000, 0)], 30, 10, t),
  );

  it('a vehicle parked on the fence line, its fixes jittering across it, gives no event', () => {
    const crossings = parkedOnFence.filter(
      (f, i) => i > 0 && greatCircleM(f.p, PORT) <= 500 !== greatCircleM(parkedOnFence[i - 1]!.p, PORT) <= 500,
    );
    assert.ok(crossings.length > 100, `the jitter crosses the line (${crossings.length} times)`);
    assert.deepEqual(
      run([fences(), stopAnywhere()], parkedOnFence).filter((e) => e.kind === 'geofence'),
      [],
    );
  });

  it('… nor with 200 m jumps injected, at 10 s fixes (plausible speeds: the confirmation count holds) or 1 s (dropped as impossible)', () => {
    for (const seed of [1, 2, 3]) {
      assert.deepEqual(geofences(run([fences()], withJumps(parkedOnFence, 7, 200, seed))), [], `seed ${seed}`);
    }
    const dense = sequence(
      (t) => drive([offset(PORT, -3000, 0), fencePoint], 30, 1, t),
      (t) => park(fencePoint, 60, 1, t, 8, 12),
    );
    const ev = createLocationEvaluator({ shipmentId: 'SSCC-1', rules: [fences()] });
    ev.push(readingsOf(withJumps(dense, 3, 200, 4), 'tracker-1'));
    assert.deepEqual(ev.events(), []);
    const [tally] = ev.tallies();
    assert.ok(tally!.jumps > 1000, `jumps dropped: ${tally!.jumps}`);
  });

  it('200 m jumps on a clean pass change no event when dropped (1 s fixes) and add none when plausible (10 s fixes)', () => {
    const dense = drive([west, east], 30, 1, T0);
    const base = geofences(run([fences()], dense));
    const jumpy = geofences(run([fences()], withJumps(dense, 10, 200, 5)));
    assert.deepEqual(
      jumpy.map((e) => [e.zone.id, iso(e.startedAt), iso(e.endedAt)]),
      base.map((e) => [e.zone.id, iso(e.startedAt), iso(e.endedAt)]),
    );
    for (const seed of [6, 7, 8]) {
      const sparse = geofences(run([fences()], withJumps(clean, 8, 200, seed)));
      assert.deepEqual(
        sparse.map((e) => [e.zone.id, e.entry !== null, e.exit !== null]),
        [
          ['seaforth', true, true],
          ['yard', true, true],
        ],
        `seed ${seed}`,
      );
      const cleanEvents = geofences(run([fences()], clean));
      sparse.forEach((e, i) => {
        // A jump inside the confirming streak restarts it: the crossing is confirmed a few fixes later at most.
        assert.ok(Math.abs(e.startedAt - cleanEvents[i]!.startedAt) <= 60 * SEC);
        assert.ok(Math.abs(e.endedAt! - cleanEvents[i]!.endedAt!) <= 60 * SEC);
      });
    }
  });

  it('fixes reporting a poor accuracy are not believed, and accuracy widens the dead band', () => {
    const poor = clean.map((f) => ({ ...f, accuracyM: 150 }));
    assert.deepEqual(run([fences()], poor), []);
    // 80 m accuracy: entry only 50 + 80 m inside the fence.
    const fuzzy = clean.map((f) => ({ ...f, accuracyM: 80 }));
    const [port] = geofences(run([fences()], fuzzy));
    assert.equal(port!.entry!.at, firstWithin(clean, PORT, 370));
    assert.equal(port!.entry!.fixes[0]!.accuracyM, 80);
  });
});

describe('corridor deviation', () => {
  const start = offset(PORT, 0, -3000);
  const end = offset(start, 20_000, 0);
  const rule = (over: Partial<CorridorRule> = {}): CorridorRule =>
    validateLocationRule({
      kind: 'corridor',
      id: 'm62',
      route: [start, offset(start, 10_000, 0), end],
      maxDistanceKm: 1,
      minMinutes: 10,
      ...over,
    }) as CorridorRule;
  /** Along the route, with a detour 2 km north of it lasting about `minutes` at 40 km/h. */
  const detour = (minutes: number): TrackPoint[] => {
    const legM = (minutes * 60 * 40) / 3.6 / 2;
    const a = offset(start, 4000, 0);
    return drive([start, a, offset(a, legM / 2, 2000), offset(a, legM * 1.5, 2000), offset(a, legM * 2, 0), end], 40, 10, T0);
  };

  it('a detour shorter than minMinutes gives no event; a longer one gives one, with its start, peak, end and fixes', () => {
    assert.deepEqual(run([rule()], detour(8)), []);
    const es = run([rule()], detour(16)) as CorridorEvent[];
    assert.equal(es.length, 1);
    const d = es[0]!;
    assert.equal(d.kind, 'corridor');
    assert.equal(d.open, false);
    assert.ok(d.durationMinutes >= 10 && d.durationMinutes < 16, `${d.durationMinutes} min`);
    assert.ok(Math.abs(d.peak.distanceM - 2000) < 20, `peak ${d.peak.distanceM} m`);
    assert.ok(d.first.t < d.peak.t && d.peak.t <= d.last.t && d.last.t < d.end!.t);
    assert.equal(d.startedAt, d.first.t);
    assert.equal(d.endedAt, d.end!.t);
    assert.deepEqual(d.evidence.readingIds, [
      ...new Set([d.first.readingId, d.peak.readingId, d.last.readingId, d.end!.readingId]),
    ]);
    assert.equal(d.maxDistanceKm, 1);
  });

  it('a deviation still going is reported open once it has lasted minMinutes', () => {
    const track = detour(30).filter((f) => f.t <= T0 + 25 * MIN);
    const [d] = run([rule()], track) as CorridorEvent[];
    assert.equal(d!.open, true);
    assert.equal(d!.end, null);
    assert.equal(d!.endedAt, null);
  });

  it('200 m jumps off a tight corridor last one fix: no event', () => {
    const onRoute = drive([start, offset(start, 10_000, 0), end], 40, 10, T0);
    for (const seed of [1, 2, 3]) {
      assert.deepEqual(run([rule({ maxDistanceKm: 0.15, minMinutes: 1 })], withJumps(onRoute, 5, 200, seed)), [], `seed ${seed}`);
    }
  });
});

const stopAnywhere = (over: Partial<StopRule> = {}): StopRule =>
  validateLocationRule({ kind: 'stop', id: 'halt', ...over }) as StopRule;

describe('unscheduled stop', () => {
  const depot = offset(PORT, 8000, 0);
  const layby = offset(PORT, 4000, 0);
  const tour = (where: LatLon, minutes: number, sigmaM = 6): TrackPoint[] =>
    sequence(
      (t) => drive([PORT, where], 50, 10, t),
      (t) => park(where, minutes, 10, t, sigmaM, 21),
      (t) => drive([where, offset(where, 3000, 3000)], 50, 10, t),
    );
  const rule = stopAnywhere({
    allowedZones: [{ id: 'depot', name: 'Depot', shape: 'circle', center: depot, radiusM: 150 }],
  });

  it('25 minutes parked outside any allowed zone is one stop; 15 minutes is none', () => {
    const es = run([rule], tour(layby, 25)) as StopEvent[];
    assert.equal(es.length, 1);
    const s = es[0]!;
    assert.ok(s.durationMinutes >= 20 && s.durationMinutes <= 25, `${s.durationMinutes} min`);
    assert.ok(greatCircleM(s.position, layby) < 30);
    assert.ok(s.end !== null && s.end.t > s.last.t);
    assert.equal(s.open, false);
    assert.deepEqual(run([rule], tour(layby, 15)), []);
  });

  it('the same stop inside an allowed zone (here on its fence) is scheduled: no event', () => {
    assert.deepEqual(run([rule], tour(depot, 40)), []);
    assert.deepEqual(run([rule], tour(offset(depot, 150, 0), 40)), []);
  });

  it('crawling at 3 km/h counts as stopped; 10 km/h does not', () => {
    const crawl = (kmh: number) =>
      sequence(
        (t) => drive([PORT, layby], 50, 10, t),
        (t) => drive([layby, offset(layby, (kmh / 3.6) * 30 * 60, 0)], kmh, 10, t),
        (t) => drive([offset(layby, (kmh / 3.6) * 30 * 60, 0), offset(layby, 5000, 0)], 50, 10, t),
      );
    assert.equal(run([rule], crawl(3)).length, 1);
    assert.deepEqual(run([rule], crawl(10)), []);
  });

  it('a stop still going is reported open once it has lasted minMinutes', () => {
    const track = sequence(
      (t) => drive([PORT, layby], 50, 10, t),
      (t) => park(layby, 30, 10, t, 6, 3),
    );
    const [s] = run([rule], track) as StopEvent[];
    assert.equal(s!.open, true);
    assert.equal(s!.end, null);
  });
});

describe('the recorded route-14 bus trips (../shared/data/gps-route14-outbound.csv)', () => {
  const trips = [...route14Trips()].filter(([, fixes]) => fixes.length >= 85);
  // Zones along the line: the Queen Square bus station (where every full trip starts) and a
  // polygon around the stretch at Everton (53.4272, -2.9509) every full trip passes.
  const station: GeoZone = {
    id: 'queen-sq',
    name: 'Queen Square Bus Station',
    unlocode: 'GBLIV',
    shape: 'circle',
    center: [53.4077, -2.983],
    radiusM: 250,
  };
  const c: LatLon = [53.427158, -2.950905];
  const everton: GeoZone = {
    id: 'everton',
    name: 'Everton',
    shape: 'polygon',
    ring: [offset(c, -200, -220), offset(c, 200, -220), offset(c, 200, 220), offset(c, -200, 220)],
  };
  const rulesFor = (fixes: TrackPoint[]) => [
    { kind: 'geofence', id: 'places', zones: [station, everton] },
    // The planned route is the trip itself: any deviation found is false.
    { kind: 'corridor', id: 'route', route: fixes.map((f) => f.p), maxDistanceKm: 0.15, minMinutes: 2 },
    { kind: 'stop', id: 'halt' },
  ];
  const summary = (es: LocationEvent[]) =>
    es.map((e) => (e.kind === 'geofence' ? `${e.zone.id} ${iso(e.entry?.at)}–${iso(e.exit?.at)}` : e.kind));

  it('each full trip leaves the bus station and passes Everton; no deviation from its own route, no unscheduled stop', () => {
    assert.ok(trips.length >= 10, `${trips.length} full trips`);
    for (const [name, fixes] of trips) {
      const es = run(rulesFor(fixes), fixes);
      const s = summary(es);
      assert.equal(s.length, 2, `${name}: ${s.join(', ')}`);
      assert.match(s[0]!, /^queen-sq null–\d\d:\d\d:\d\d$/, name);
      assert.match(s[1]!, /^everton \d\d:\d\d:\d\d–\d\d:\d\d:\d\d$/, name);
    }
  });

  it('with 200 m jumps injected into every trip: no false event (each one found is one of the clean run’s, within 2 minutes)', () => {
    let found = 0;
    let clean = 0;
    for (const [name, fixes] of trips) {
      const reference = geofences(run(rulesFor(fixes), fixes));
      clean += reference.length;
      for (const seed of [1, 2, 3]) {
        const es = run(rulesFor(fixes), withJumps(fixes, 10, 200, seed));
        for (const e of es) {
          assert.equal(e.kind, 'geofence', `${name} seed ${seed}: ${summary([e])}`);
          const g = e as GeofenceEvent;
          const twin = reference.find(
            (r) =>
              r.zone.id === g.zone.id && (r.entry === null) === (g.entry === null) && (r.exit === null) === (g.exit === null),
          );
          assert.ok(twin, `${name} seed ${seed}: ${summary([e])} is not in the clean run`);
          assert.ok(Math.abs(g.startedAt - twin.startedAt) <= 2 * MIN && Math.abs(g.endedAt! - twin.endedAt!) <= 2 * MIN, name);
        }
        found += es.length;
      }
    }
    // Noise may delay a confirmation past a short visit, but most visits survive it.
    assert.ok(found >= clean * 3 * 0.8, `${found} of ${clean * 3}`);
  });

  it('all trips as one fleet, with jumps: shuffled or half held back and pushed late give the in-order events', () => {
    const readings: LocationReading[] = [];
    for (const [name, fixes] of trips) readings.push(...readingsOf(withJumps(fixes, 10, 200, 1), name, readings.length));
    const rules = [
      { kind: 'geofence', id: 'places', zones: [station, everton] },
      { kind: 'stop', id: 'halt' },
    ];
    const inOrder = createLocationEvaluator({ shipmentId: 'SSCC-1', rules });
    for (const r of [...readings].sort((a, b) => a.t - b.t)) inOrder.push([r]);
    const expected = inOrder.events();
    assert.ok(expected.length >= 2 * trips.length);
    const rnd = mulberry32(3);
    const shuffled = createLocationEvaluator({ shipmentId: 'SSCC-1', rules });
    for (const r of [...readings].sort(() => rnd() - 0.5)) shuffled.push([r]);
    assert.deepEqual(shuffled.events(), expected);
    const late = createLocationEvaluator({ shipmentId: 'SSCC-1', rules });
    const held = readings.filter((_, i) => Math.floor(i / 40) % 2 === 1);
    for (const r of readings.filter((_, i) => Math.floor(i / 40) % 2 === 0)) late.push([r]);
    late.push(held);
    assert.deepEqual(late.events(), expected);
    assert.deepEqual(late.tallies(), inOrder.tallies());
  });

  it('a 25-minute halt spliced into a trip, away from the allowed zones, is one stop', () => {
    const [name, fixes] = trips[0]!;
    const at = Math.floor(fixes.length / 2);
    const halt = park(fixes[at]!.p, 25, 20, fixes[at]!.t + 20 * SEC, 5, 9);
    const shift = 25 * MIN + 30 * SEC;
    const track = [...fixes.slice(0, at + 1), ...halt, ...fixes.slice(at + 1).map((f) => ({ ...f, t: f.t + shift }))];
    const stops = run(rulesFor(fixes), track).filter((e) => e.kind === 'stop');
    assert.equal(stops.length, 1, name);
    assert.ok(stops[0]!.durationMinutes >= 20);
    const allowed = [
      {
        kind: 'stop',
        id: 'halt',
        allowedZones: [{ id: 'here', name: 'Layover', shape: 'circle', center: fixes[at]!.p, radiusM: 500 }],
      },
    ];
    assert.deepEqual(run(allowed, track), []);
  });
});

describe('streaming', () => {
  it('events() grows with each push and equals the one-shot result', () => {
    const track = sequence(
      (t) => drive([offset(PORT, -3000, 0), offset(PORT, 6000, 0)], 30, 10, t),
      (t) => park(offset(PORT, 6000, 0), 30, 10, t, 6, 1),
    );
    const rules = [fences(), stopAnywhere()];
    const readings = readingsOf(track, 'tracker-1');
    const ev = createLocationEvaluator({ shipmentId: 'SSCC-1', rules, devices: ['tracker-1'] });
    let seen = 0;
    for (const r of readings) {
      assert.deepEqual(ev.push([r]), { accepted: 1, duplicates: 0, ignored: 0 });
      seen = Math.max(seen, ev.events().length);
    }
    assert.deepEqual(ev.events(), evaluateLocationRules({ shipmentId: 'SSCC-1', rules, readings }));
    assert.equal(ev.events().length, 3);
    // Redeliveries and other devices' or kinds' readings change nothing.
    assert.deepEqual(
      ev.push([
        readings[5]!,
        { ...readings[5]!, deviceId: 'someone-else', readingId: '99999:0' },
        { t: T0, k: 'temp', v: 5, deviceId: 'tracker-1', leafIndex: 99999, readingId: '99999:1' },
      ]),
      { accepted: 0, duplicates: 1, ignored: 2 },
    );
    assert.equal(ev.size, readings.length);
  });
});
