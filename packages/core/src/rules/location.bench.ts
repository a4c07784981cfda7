// Throughput of the location rules on one core (a script, not a test):
//   node --import tsx packages/core/src/rules/location.bench.ts [fixes]
// and the `geo` phase of `npm run bench` (runLocationBench).
// A fleet of 10 trucks, a fix every 10 s each, touring 12 places (8 circular
// and 4 polygonal geofences, 3 with a UN/LOCODE) along a planned route, with
// scheduled halts inside the places, unscheduled ones outside, detours off
// the route, receiver jitter and 1 % of fixes jumped by 200 m. Three rules:
// geofence (12 zones), corridor (the tour, 84 legs after splitting) and stop
// (4 allowed zones). Envelopes of 10 fixes are pushed one at a time, as the
// node would after ingest:
//   in-order   every envelope arrives in time order
//   10% ≤1 h   one envelope in ten is held back for up to 1 hour
//   10% ≤3 d   … for up to 3 days (store-and-forward)
// Baseline, same run and data: the same geometry asked of turf directly per
// fix (point-in-polygon / distance per zone, geodesic pointToLineDistance to
// the route), with no noise filter, no state and no events — what the engine
// would cost without its local projection for the route.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { distance } from '@turf/distance';
import { lineString, polygon } from '@turf/helpers';
import { pointToLineDistance } from '@turf/point-to-line-distance';
import type { LatLon } from '../telemetry/payload.js';
import type { LocationReading } from './fix.js';
import type { GeoZone } from './location-definition.js';
import { createLocationEvaluator } from './location-evaluator.js';
import { mulberry32, offset } from './location-tracks.test-support.js';

const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
const DEVICES = 10;
const ROUNDS = 3;
const T0 = 1_764_000_000_000;
const SEC = 1000;
const MIN = 60 * SEC;
const FIX_EVERY = 10 * SEC;
const PER_ENVELOPE = 10;

// A loop of 12 places around the Netherlands' ports, ~40 km apart.
const ORIGIN: LatLon = [51.95, 4.14];
const PLACES: LatLon[] = Array.from({ length: 12 }, (_, i) => {
  const a = (i / 12) * 2 * Math.PI;
  return offset(ORIGIN, Math.cos(a) * 60_000, Math.sin(a) * 60_000);
});
const LOCODES = ['NLRTM', 'NLAMS', 'BEANR'];
const ZONES: GeoZone[] = PLACES.map((p, i) => {
  const base = { id: `place-${i}`, name: `Place ${i}`, ...(i < 3 ? { unlocode: LOCODES[i]! } : {}) };
  if (i % 3 !== 2) return { ...base, shape: 'circle', center: p, radiusM: 800 };
  // A 20-vertex irregular polygon of ~1 km radius.
  const ring = Array.from({ length: 20 }, (_, k) => {
    const a = (k / 20) * 2 * Math.PI;
    const r = 800 + ((k * 37) % 5) * 100;
    return offset(p, Math.cos(a) * r, Math.sin(a) * r);
  });
  return { ...base, shape: 'polygon', ring };
});

const RULES = [
  { kind: 'geofence', id: 'places', zones: ZONES },
  { kind: 'corridor', id: 'route', route: [...PLACES, PLACES[0]!], maxDistanceKm: 2, minMinutes: 10 },
  {
    kind: 'stop',
    id: 'halt',
    allowedZones: ZONES,
  },
];

interface Envelope {
  dev: string;
  sentAt: number;
  fixes: { t: number; p: LatLon }[];
}

/** One truck's tour: drive between places at 70 km/h, halt 30 min at each, sometimes halt or detour on the way. */
function truckFixes(n: number, seed: number): { t: number; p: LatLon }[] {
  const rnd = mulberry32(seed);
  const out: { t: number; p: LatLon }[] = [];
  const jitter = (p: LatLon, m: number): LatLon => offset(p, (rnd() - 0.5) * 2 * m, (rnd() - 0.5) * 2 * m);
  let t = T0 + Math.floor(rnd() * FIX_EVERY);
  let place = seed % PLACES.length;
  const emit = (p: LatLon) => {
    out.push({ t, p: rnd() < 0.01 ? jitter(p, 200) : jitter(p, 5) });
    t += FIX_EVERY;
  };
  while (out.length < n) {
    for (let k = 0; k < 180 && out.length < n; k++) emit(PLACES[place]!); // 30 min at the place
    const from = PLACES[place]!;
    place = (place + 1) % PLACES.length;
    const to = PLACES[place]!;
    const legM = 2 * 60_000 * Math.sin(Math.PI / 12);
    const steps = Math.round(legM / ((70 / 3.6) * (FIX_EVERY / SEC)));
    const detour = rnd() < 0.3;
    const halt = rnd() < 0.3 ? Math.floor(steps / 2) : -1;
    for (let s = 1; s <= steps && out.length < n; s++) {
      const f = s / steps;
      let p: LatLon = [from[0] + (to[0] - from[0]) * f, from[1] + (to[1] - from[1]) * f];
      if (detour && f > 0.3 && f < 0.6) p = offset(p, 0, 3000);
      emit(p);
      if (s === halt) for (let k = 0; k < 150 && out.length < n; k++) emit(p); // 25 min unscheduled
    }
  }
  return out;
}

function fleet(total: number): Envelope[] {
  const out: Envelope[] = [];
  for (let d = 0; d < DEVICES; d++) {
    const fixes = truckFixes(Math.ceil(total / DEVICES), d + 1);
    for (let i = 0; i < fixes.length; i += PER_ENVELOPE) {
      const part = fixes.slice(i, i + PER_ENVELOPE);
      out.push({ dev: `truck-${d}`, sentAt: part[part.length - 1]!.t, fixes: part });
    }
  }
  return out;
}

function deliveries(envelopes: Envelope[], lateShare: number, maxLateMinutes = 0): LocationReading[][] {
  const rnd = mulberry32(7);
  const arriving = envelopes.map((e) => ({
    e,
    at: rnd() < lateShare ? e.sentAt + Math.floor(rnd() * maxLateMinutes) * MIN : e.sentAt,
  }));
  arriving.sort((a, b) => a.at - b.at);
  return arriving.map(({ e }, leaf) =>
    e.fixes.map((f, i) => ({ t: f.t, k: 'pos' as const, v: f.p, deviceId: e.dev, leafIndex: leaf, readingId: `${leaf}:${i}` })),
  );
}

function measure(name: string, pushes: LocationReading[][], outcomes: string[], log: (s: string) => void): number {
  const n = pushes.reduce((s, p) => s + p.length, 0);
  let best = Infinity;
  let summary = '';
  let outcome = '';
  for (let round = 0; round < ROUNDS; round++) {
    const ev = createLocationEvaluator({ shipmentId: 'bench', rules: RULES });
    const start = performance.now();
    for (const p of pushes) ev.push(p);
    const ms = performance.now() - start;
    best = Math.min(best, ms);
    const outStart = performance.now();
    const events = ev.events();
    const outMs = performance.now() - outStart;
    // Leaves (arrival order) differ between deliveries, so compare what does not name them.
    outcome = JSON.stringify(
      events.map((e) => [e.kind, e.deviceId, e.kind === 'geofence' ? e.zone.id : null, e.startedAt, e.endedAt, e.lastObservedAt]),
    );
    const kinds = ['geofence', 'corridor', 'stop'].map((k) => `${events.filter((e) => e.kind === k).length} ${k}`).join(', ');
    const jumps = ev.tallies().reduce((s, t) => s + t.jumps, 0);
    summary = `${kinds}; ${jumps} jumps dropped; events() ${outMs.toFixed(0)} ms`;
  }
  outcomes.push(outcome);
  const rate = Math.round(n / (best / 1000));
  log(
    `${name.padEnd(10)} ${n.toLocaleString('en')} fixes in ${best.toFixed(0)} ms: ${rate.toLocaleString('en')} fixes/s (${summary})`,
  );
  return rate;
}

/** The turf-per-fix baseline on the first `count` fixes. */
function baseline(pushes: LocationReading[][], count: number, log: (s: string) => void): number {
  const fixes = pushes.flat().slice(0, count);
  const shapes = ZONES.map((z) =>
    z.shape === 'circle'
      ? { circle: z, poly: null }
      : { circle: null, poly: polygon([[...z.ring.map(([a, b]) => [b, a]), [z.ring[0]![1], z.ring[0]![0]]]]) },
  );
  const line = lineString([...PLACES, PLACES[0]!].map(([a, b]) => [b, a]));
  let inside = 0;
  let far = 0;
  const start = performance.now();
  for (const f of fixes) {
    const [lat, lon] = f.v as LatLon;
    const pt = [lon, lat];
    for (const s of shapes) {
      if (
        s.circle !== null
          ? distance(pt, [s.circle.center[1], s.circle.center[0]], { units: 'meters' }) <= s.circle.radiusM
          : booleanPointInPolygon(pt, s.poly!)
      )
        inside++;
    }
    if (pointToLineDistance(pt, line, { units: 'meters' }) > 2000) far++;
  }
  const ms = performance.now() - start;
  const rate = Math.round(fixes.length / (ms / 1000));
  log(
    `${'baseline'.padEnd(10)} ${fixes.length.toLocaleString('en')} fixes in ${ms.toFixed(0)} ms: ${rate.toLocaleString('en')} fixes/s (turf per fix, no filter/state/events; ${inside} in zones, ${far} off route)`,
  );
  return rate;
}

export interface LocationFigures {
  fixes: number;
  devices: number;
  /** turf per fix (zones + geodesic route distance), no filter / state / events, on the first 20,000 fixes. */
  baselineFixesPerSec: number;
  inOrderFixesPerSec: number;
  /** 10 % of envelopes up to 1 hour / 3 days late. */
  lateHourFixesPerSec: number;
  lateDaysFixesPerSec: number;
  /** Every delivery gave the same events. */
  sameEvents: boolean;
}

/** Run the three deliveries and the baseline; best of ROUNDS each. */
export function runLocationBench(options: { fixes: number; log?: (s: string) => void }): LocationFigures {
  const log = options.log ?? ((s: string) => console.log(s));
  const envelopes = fleet(options.fixes);
  log(
    `location rules, ${RULES.length} rules (${ZONES.length} zones), ${DEVICES} devices, pushes of ${PER_ENVELOPE} fixes, best of ${ROUNDS}`,
  );
  const outcomes: string[] = [];
  const inOrder = deliveries(envelopes, 0);
  const base = baseline(inOrder, 20_000, log);
  const a = measure('in-order', inOrder, outcomes, log);
  const b = measure('10% ≤1 h', deliveries(envelopes, 0.1, 60), outcomes, log);
  const c = measure('10% ≤3 d', deliveries(envelopes, 0.1, 3 * 1440), outcomes, log);
  const sameEvents = outcomes.length === 3 && outcomes.every((o) => o === outcomes[0]);
  log(`every delivery gave the same events: ${sameEvents ? 'yes' : 'NO'}`);
  log(
    `in-order ${(a / base).toFixed(0)}× the baseline, 10% ≤1 h late ${(b / base).toFixed(0)}×, 10% ≤3 days late ${(c / base).toFixed(0)}×; target ≥ 500,000 fixes/s`,
  );
  return {
    fixes: inOrder.reduce((n, p) => n + p.length, 0),
    devices: DEVICES,
    baselineFixesPerSec: base,
    inOrderFixesPerSec: a,
    lateHourFixesPerSec: b,
    lateDaysFixesPerSec: c,
    sameEvents,
  };
}

// Run as a script (not when imported by bench/).
if (argv[1]?.endsWith('location.bench.ts')) runLocationBench({ fixes: Number(argv[2] ?? 1_000_000) });
