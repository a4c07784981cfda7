// Location rule definitions: defaults, strictness, one case per error; bad
// readings refused whole; the geometry's local approximations against turf.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineString } from '@turf/helpers';
import { pointToLineDistance } from '@turf/point-to-line-distance';
import type { LatLon } from '../telemetry/payload.js';
import { RuleError } from './error.js';
import { DEFAULT_NOISE, validateLocationRule, validateLocationRules } from './location-definition.js';
import { createLocationEvaluator } from './location-evaluator.js';
import { RouteShape, ZoneShape } from './location-geometry.js';
import { mulberry32, offset, T0 } from './location-tracks.test-support.js';

const circle = { id: 'rtm', name: 'Rotterdam', unlocode: 'NLRTM', shape: 'circle', center: [51.95, 4.14], radiusM: 2000 };
const square = {
  id: 'sq',
  name: 'Yard',
  shape: 'polygon',
  ring: [
    [51, 4],
    [51, 4.01],
    [51.01, 4.01],
    [51.01, 4],
    [51, 4],
  ],
};
const geofence = { kind: 'geofence', id: 'places', zones: [circle, square] };
const corridor = {
  kind: 'corridor',
  id: 'route',
  route: [
    [51, 4],
    [52, 5],
  ],
  maxDistanceKm: 2,
  minMinutes: 15,
};
const stop = { kind: 'stop', id: 'halt' };

function refused(raw: unknown, path: string, detail: RegExp): void {
  assert.throws(
    () => validateLocationRules(raw),
    (err: unknown) => {
      assert.ok(err instanceof RuleError, String(err));
      assert.equal(err.path, path);
      assert.match(err.detail, detail);
      return true;
    },
  );
}

describe('location rule definitions', () => {
  it('fills in the documented defaults, drops a polygon’s closing vertex, and is idempotent', () => {
    const rules = validateLocationRules(JSON.parse(JSON.stringify([geofence, corridor, stop])));
    assert.deepEqual(rules, [
      {
        kind: 'geofence',
        id: 'places',
        zones: [circle, { ...square, ring: square.ring.slice(0, 4) }],
        hysteresisM: 50,
        confirmFixes: 3,
        dwellSeconds: 60,
        noise: DEFAULT_NOISE,
      },
      { ...corridor, hysteresisM: 100, noise: DEFAULT_NOISE },
      {
        ...stop,
        slowerThanKmh: 5,
        minMinutes: 20,
        speedWindowSeconds: 120,
        allowedZones: [],
        hysteresisM: 50,
        noise: DEFAULT_NOISE,
      },
    ]);
    assert.deepEqual(DEFAULT_NOISE, { maxAccuracyM: 100, assumedAccuracyM: 10, maxSpeedKmh: 200 });
    assert.deepEqual(validateLocationRules(rules), rules);
    assert.deepEqual(validateLocationRule({ ...stop, noise: { maxSpeedKmh: 60 } }).noise, { ...DEFAULT_NOISE, maxSpeedKmh: 60 });
  });

  const zone = (over: Record<string, unknown>) => [{ ...geofence, zones: [{ ...circle, ...over }] }];
  const cases: [string, unknown, string, RegExp][] = [
    ['empty', [], 'rules', /at least one rule/],
    ['unknown kind', [{ kind: 'teleport', id: 'x' }], 'rules[0].kind', /must be one of "geofence", "corridor", "stop"/],
    ['unknown field', [{ ...stop, speedKmh: 5 }], 'rules[0].speedKmh', /unknown field/],
    ['duplicate rule id', [stop, stop], 'rules[1].id', /already the id of rules\[0\]/],
    ['no zones', [{ ...geofence, zones: [] }], 'rules[0].zones', /at least one zone/],
    [
      'duplicate zone id',
      [{ ...geofence, zones: [circle, circle] }],
      'rules[0].zones[1].id',
      /already the id of rules\[0\]\.zones\[0\]/,
    ],
    ['bad UN/LOCODE (lower case)', zone({ unlocode: 'nlrtm' }), 'rules[0].zones[0].unlocode', /must be a UN\/LOCODE/],
    ['bad UN/LOCODE (digit 1)', zone({ unlocode: 'NLRT1' }), 'rules[0].zones[0].unlocode', /must be a UN\/LOCODE/],
    ['bad UN/LOCODE (length)', zone({ unlocode: 'NLRTMX' }), 'rules[0].zones[0].unlocode', /must be a UN\/LOCODE/],
    ['unknown shape', zone({ shape: 'square' }), 'rules[0].zones[0].shape', /"circle" or "polygon"/],
    ['circle without radius', zone({ radiusM: undefined }), 'rules[0].zones[0].radiusM', /is required/],
    ['negative radius', zone({ radiusM: -5 }), 'rules[0].zones[0].radiusM', /must be > 0/],
    ['latitude out of range', zone({ center: [91, 4] }), 'rules[0].zones[0].center[0]', /latitude 91 is outside/],
    ['empty name', zone({ name: '' }), 'rules[0].zones[0].name', /1–256 characters/],
    [
      'polygon of two vertices',
      [
        {
          ...geofence,
          zones: [
            {
              ...square,
              ring: [
                [51, 4],
                [51, 4.01],
                [51, 4],
              ],
            },
          ],
        },
      ],
      'rules[0].zones[0].ring',
      /at least 3 distinct vertices/,
    ],
    [
      'polygon with a radius',
      [{ ...geofence, zones: [{ ...square, radiusM: 5 }] }],
      'rules[0].zones[0].radiusM',
      /unknown field/,
    ],
    ['confirmFixes 0', [{ ...geofence, confirmFixes: 0 }], 'rules[0].confirmFixes', /whole number ≥ 1/],
    ['route of one point', [{ ...corridor, route: [[51, 4]] }], 'rules[0].route', /at least 2/],
    [
      'route point out of range',
      [
        {
          ...corridor,
          route: [
            [51, 4],
            [51, 200],
          ],
        },
      ],
      'rules[0].route[1][1]',
      /longitude 200/,
    ],
    [
      'hysteresis wider than the corridor',
      [{ ...corridor, maxDistanceKm: 0.05 }],
      'rules[0].hysteresisM',
      /less than maxDistanceKm \(50 m\)/,
    ],
    ['negative minutes', [{ ...corridor, minMinutes: -1 }], 'rules[0].minMinutes', /≥ 0/],
    ['unknown noise field', [{ ...stop, noise: { hdop: 2 } }], 'rules[0].noise.hdop', /unknown field/],
    [
      'assumed accuracy beyond the maximum',
      [{ ...stop, noise: { maxAccuracyM: 20, assumedAccuracyM: 30 } }],
      'rules[0].noise.assumedAccuracyM',
      /must not exceed maxAccuracyM \(20\)/,
    ],
    ['zero stop speed', [{ ...stop, slowerThanKmh: 0 }], 'rules[0].slowerThanKmh', /must be > 0/],
  ];
  for (const [name, raw, path, detail] of cases) it(`refuses: ${name}`, () => refused(raw, path, detail));
});

describe('bad readings are refused whole, naming the field', () => {
  const ok = { t: T0, k: 'pos' as const, v: [51, 4] as LatLon, deviceId: 'gps', leafIndex: 1, readingId: '1:0' };
  const cases: [string, unknown, string, RegExp][] = [
    ['negative accuracy', { ...ok, readingId: '1:1', accuracyM: -3 }, 'readings[1].accuracyM', /finite number of metres ≥ 0/],
    ['latitude out of range', { ...ok, readingId: '1:1', v: [95, 4] }, 'readings[1].v[0]', /latitude must be -90…90/],
    ['no reading id', { ...ok, readingId: '' }, 'readings[1].readingId', /non-empty string/],
    [
      'an id reused with another position',
      { ...ok, v: [51, 4.5] },
      'readings[1].readingId',
      /already pushed with different content/,
    ],
    [
      'an id reused with another accuracy',
      { ...ok, accuracyM: 5 },
      'readings[1].readingId',
      /already pushed with different content/,
    ],
  ];
  for (const [name, bad, path, detail] of cases) {
    it(name, () => {
      const ev = createLocationEvaluator({ shipmentId: 'S', rules: [stop] });
      ev.push([ok]);
      const fine = { ...ok, readingId: '2:0', leafIndex: 2, t: T0 + 1000 };
      assert.throws(
        () => ev.push([fine, bad as typeof ok]),
        (err: unknown) => err instanceof RuleError && err.path === path && detail.test(err.detail),
      );
      // Nothing of the refused push was taken: the good reading in it is new on the next push.
      assert.equal(ev.size, 1);
      assert.deepEqual(ev.push([fine]), { accepted: 1, duplicates: 0, ignored: 0 });
    });
  }
  it('refuses bad options', () => {
    assert.throws(() => createLocationEvaluator({ shipmentId: '', rules: [stop] }), /shipmentId/);
    assert.throws(() => createLocationEvaluator({ shipmentId: 'S', rules: [stop], devices: ['a', 'a'] }), /listed twice/);
    assert.throws(() => createLocationEvaluator({ shipmentId: 'S', rules: [] }), /at least one rule/);
  });
});

describe('geometry', () => {
  it('route distance (per-leg local projection) agrees with turf’s geodesic pointToLineDistance within 0.1 % (or 1 m)', () => {
    const rnd = mulberry32(5);
    for (const start of [
      [53.46, -3.02],
      [1.29, 103.85],
      [-33.9, 18.4],
      [64.1, -21.9],
    ] as LatLon[]) {
      const route: LatLon[] = [start];
      for (let i = 0; i < 8; i++) route.push(offset(route[i]!, (rnd() - 0.3) * 50_000, (rnd() - 0.5) * 50_000));
      const shape = new RouteShape(route);
      const line = lineString(route.map(([lat, lon]) => [lon, lat]));
      for (let k = 0; k < 40; k++) {
        const p = offset(route[Math.floor(rnd() * route.length)]!, (rnd() - 0.5) * 20_000, (rnd() - 0.5) * 20_000);
        const ours = shape.nearest(p[0], p[1], Math.floor(rnd() * 8)).distanceM;
        const turf = pointToLineDistance([p[1], p[0]], line, { units: 'meters' });
        assert.ok(Math.abs(ours - turf) <= Math.max(1, turf * 0.001), `${start}: ${ours} vs ${turf}`);
      }
    }
  });

  it('zone sides: a polygon’s dead band is measured from its edges; the box test never decides a fix near the fence', () => {
    const c: LatLon = [53.46, -3.02];
    const poly = new ZoneShape(
      {
        id: 'z',
        name: 'Z',
        shape: 'polygon',
        ring: [offset(c, -500, -500), offset(c, 500, -500), offset(c, 500, 500), offset(c, -500, 500)],
      },
      150,
    );
    const at = (dx: number) => offset(c, dx, 0);
    assert.equal(poly.side(...at(0), 60), 'in');
    assert.equal(poly.side(...at(430), 60), 'in');
    assert.equal(poly.side(...at(450), 60), 'edge');
    assert.equal(poly.side(...at(545), 60), 'edge');
    assert.equal(poly.side(...at(570), 60), 'out');
    assert.equal(poly.side(...at(640), 150), 'edge');
    assert.equal(poly.side(...at(660), 150), 'out');
    const circle = new ZoneShape({ id: 'c', name: 'C', shape: 'circle', center: c, radiusM: 500 }, 150);
    assert.equal(circle.side(...at(439), 60), 'in');
    assert.equal(circle.side(...at(500), 60), 'edge');
    assert.equal(circle.side(...at(561), 60), 'out');
    assert.equal(circle.side(...offset(c, 0, 649), 150), 'edge');
  });
});
