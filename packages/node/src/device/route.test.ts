import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GPS_TRACK_CSV } from '../test-support/shared.js';
import { createPrng } from './prng.js';
import { DEFAULT_ROUTE, haversineMeters, loadRouteCsv, parseRouteCsv, positionAt, RouteError, timeRoute } from './route.js';

const TRACK = GPS_TRACK_CSV;

describe('routes', () => {
  it('drive untimed waypoints at a constant speed', () => {
    const r = timeRoute(DEFAULT_ROUTE, 60);
    const meters = DEFAULT_ROUTE.waypoints.slice(1).reduce((m, w, i) => m + haversineMeters(DEFAULT_ROUTE.waypoints[i]!, w), 0);
    assert.ok(meters > 45_000 && meters < 55_000, `${meters} m Liverpool–Manchester`);
    assert.ok(Math.abs(r.durationMs - (meters / 60_000) * 3_600_000) < 1);
    assert.deepEqual(positionAt(r, -5), DEFAULT_ROUTE.waypoints[0]);
    assert.deepEqual(positionAt(r, r.durationMs + 1), DEFAULT_ROUTE.waypoints.at(-1));
    // Half way along the first leg is the midpoint of the first two waypoints.
    const mid = positionAt(r, r.points[1]!.atMs / 2);
    assert.ok(Math.abs(mid.lat - (53.4627 + 53.4399) / 2) < 1e-9 && Math.abs(mid.lon - (-3.0214 + -2.9664) / 2) < 1e-9);
    assert.deepEqual(positionAt(r, r.durationMs + r.points[1]!.atMs, true), positionAt(r, r.points[1]!.atMs));
  });

  it('replay a CSV track with its own timing, one trip at a time', () => {
    const csv = [
      '"id","vehicle_id","trip_id","timestamp","latitude","longitude"',
      '1,"7","A","2026-01-26 10:00:20",53.0,-2.0',
      '2,"7","A","2026-01-26 10:00:00",52.0,-2.0',
      '3,"8","B","2026-01-26 11:00:00",40.0,5.0',
      '4,"7","A","2026-01-26 10:01:00",53.0,-1.0',
    ].join('\n');
    const route = parseRouteCsv(csv);
    assert.equal(route.name, 'trip 7/A');
    assert.deepEqual(
      route.waypoints.map((w) => [w.lat, w.lon]),
      [
        [52, -2],
        [53, -2],
        [53, -1],
      ],
    );
    const timed = timeRoute(route);
    assert.deepEqual(
      timed.points.map((p) => p.atMs),
      [0, 20_000, 60_000],
    );
    assert.deepEqual(positionAt(timed, 10_000), { lat: 52.5, lon: -2 });
    assert.deepEqual(parseRouteCsv(csv, { trip: 'B' }).waypoints, [{ lat: 40, lon: 5, atMs: Date.UTC(2026, 0, 26, 11) }]);
  });

  it('name what is wrong with a CSV track', () => {
    const cases: [string, RegExp][] = [
      ['lat,lon\n1,2', /needs latitude and longitude columns; it has lat, lon/],
      ['latitude,longitude\n', /no rows/],
      ['latitude,longitude\n1,2\nx,3', /CSV line 3: latitude "x" is not a number/],
      ['latitude,longitude\n1,2\n91,3', /CSV line 3: latitude 91 is not within -90…90/],
      ['latitude,longitude,timestamp\n1,2,yesterday', /CSV line 2: timestamp "yesterday" is not a date/],
    ];
    for (const [csv, err] of cases)
      assert.throws(
        () => parseRouteCsv(csv),
        (e: unknown) => e instanceof RouteError && err.test(e.message),
        csv,
      );
    assert.throws(() => parseRouteCsv('latitude,longitude,trip_id\n1,2,A', { trip: 'Z' }), /has no trip "Z"; trips: \/A/);
    assert.throws(() => timeRoute({ name: 'x', waypoints: [] }), /has no waypoints/);
  });

  it('load the recorded bus route 14 track (the longest trip) and follow it', {
    skip: !existsSync(TRACK) && `${TRACK} is not here`,
  }, () => {
    const route = loadRouteCsv(TRACK);
    assert.equal(route.name, 'trip 4836/1105');
    assert.equal(route.waypoints.length, 154);
    const timed = timeRoute(route);
    // 16:43:24 to 17:41:07 on 2026-01-26.
    assert.equal(timed.durationMs, (57 * 60 + 43) * 1000);
    assert.deepEqual(positionAt(timed, 0), { lat: 53.406735, lon: -2.984873 });
    assert.deepEqual(positionAt(timed, timed.durationMs), { lat: 53.462205, lon: -2.895206 });
    // Every interpolated position lies within the track's bounding box.
    const lats = route.waypoints.map((w) => w.lat);
    const lons = route.waypoints.map((w) => w.lon);
    for (let t = 0; t <= timed.durationMs; t += 30_000) {
      const p = positionAt(timed, t);
      assert.ok(
        p.lat >= Math.min(...lats) && p.lat <= Math.max(...lats) && p.lon >= Math.min(...lons) && p.lon <= Math.max(...lons),
      );
    }
  });
});

describe('seeded PRNG', () => {
  it('repeats for a seed, differs across seeds and forks, and is roughly uniform / normal', () => {
    const a = createPrng('s');
    const b = createPrng('s');
    const xs = Array.from({ length: 20_000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 50),
      Array.from({ length: 50 }, () => b.next()),
    );
    assert.notEqual(createPrng('t').next(), createPrng('s').next());
    assert.notEqual(createPrng('s').fork('temp').next(), createPrng('s').fork('rh').next());
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    const n = createPrng(1);
    const ys = Array.from({ length: 20_000 }, () => n.normal(10, 2));
    const m = ys.reduce((s, y) => s + y, 0) / ys.length;
    const sd = Math.sqrt(ys.reduce((s, y) => s + (y - m) ** 2, 0) / ys.length);
    assert.ok(Math.abs(m - 10) < 0.05 && Math.abs(sd - 2) < 0.05, `normal ${m} ± ${sd}`);
  });
});
