// Location rules as plain JSON, parsed as strictly as the condition rules
// (definition.ts): every oracle replaying a shipment's GPS fixes must reach the
// same events, so unknown fields are refused and each error names its field.
import type { LatLon } from '../telemetry/payload.js';
import { checkId, finite, nonNegative, onlyFields, positive, record, shown } from './definition.js';
import { RuleError } from './error.js';

/** UN/LOCODE: two-letter country code, then three letters or digits 2–9 (UNECE Rec. 16). */
export const UNLOCODE_PATTERN = /^[A-Z]{2}[A-Z2-9]{3}$/;

interface ZoneBase {
  /** Unique within the rule; goes into event ids. */
  id: string;
  name: string;
  /** The UN/LOCODE of the place, where one applies (a port, a terminal's town). */
  unlocode?: string;
}

export interface CircleZone extends ZoneBase {
  shape: 'circle';
  center: LatLon;
  radiusM: number;
}

export interface PolygonZone extends ZoneBase {
  shape: 'polygon';
  /** Outer ring as [lat, lon] vertices, at least 3 distinct; the closing vertex is optional. */
  ring: LatLon[];
}

export type GeoZone = CircleZone | PolygonZone;

/**
 * Which fixes are believed. Every location rule carries its own, so a policy
 * is self-contained; defaults suit road and sea freight tracked by GNSS.
 */
export interface FixNoise {
  /** Fixes reporting a worse accuracy (metres) are dropped. Default 100. */
  maxAccuracyM: number;
  /** The accuracy assumed for a fix that reports none, metres. Default 10. */
  assumedAccuracyM: number;
  /** A fix implying a faster move from the last believed fix is a jump and dropped. Default 200 km/h. */
  maxSpeedKmh: number;
}

export const DEFAULT_NOISE: Readonly<FixNoise> = { maxAccuracyM: 100, assumedAccuracyM: 10, maxSpeedKmh: 200 };

/** Entry into and exit from each zone of a configured set. */
export interface GeofenceRule {
  kind: 'geofence';
  id: string;
  zones: GeoZone[];
  /** Dead band on each side of the fence line, metres: a fix counts only when this far (plus its accuracy) inside or outside. Default 50. */
  hysteresisM: number;
  /** Consecutive fixes on the new side that confirm a crossing. Default 3. */
  confirmFixes: number;
  /** And the time they must span, seconds. Default 60. */
  dwellSeconds: number;
  noise: FixNoise;
}

/** Farther than maxDistanceKm from the planned route for at least minMinutes. */
export interface CorridorRule {
  kind: 'corridor';
  id: string;
  /** The planned route as [lat, lon] vertices, at least 2. */
  route: LatLon[];
  maxDistanceKm: number;
  minMinutes: number;
  /** A deviation ends only at a fix this much closer than maxDistanceKm, metres. Default 100. */
  hysteresisM: number;
  noise: FixNoise;
}

/** Slower than slowerThanKmh for at least minMinutes outside every allowed zone. */
export interface StopRule {
  kind: 'stop';
  id: string;
  /** Default 5 km/h. */
  slowerThanKmh: number;
  /** Default 20 minutes. */
  minMinutes: number;
  /** Speed is the average over this window, seconds, so position jitter does not read as motion. Default 120. */
  speedWindowSeconds: number;
  /** Depots, customers, rest areas: stops here are scheduled. May be empty. */
  allowedZones: GeoZone[];
  /** Margin around allowed zones, metres (a truck parked at a depot's fence is at the depot). Default 50. */
  hysteresisM: number;
  noise: FixNoise;
}

export type LocationRule = GeofenceRule | CorridorRule | StopRule;
export type LocationRuleKind = LocationRule['kind'];
export const LOCATION_RULE_KINDS = ['geofence', 'corridor', 'stop'] as const satisfies readonly LocationRuleKind[];

const COMMON = ['kind', 'id'];
const FIELDS: Record<LocationRuleKind, { required: readonly string[]; optional: readonly string[] }> = {
  geofence: { required: [...COMMON, 'zones'], optional: ['hysteresisM', 'confirmFixes', 'dwellSeconds', 'noise'] },
  corridor: { required: [...COMMON, 'route', 'maxDistanceKm', 'minMinutes'], optional: ['hysteresisM', 'noise'] },
  stop: {
    required: [...COMMON],
    optional: ['slowerThanKmh', 'minMinutes', 'speedWindowSeconds', 'allowedZones', 'hysteresisM', 'noise'],
  },
};

function fail(path: string, detail: string): never {
  throw new RuleError(path, detail);
}

function latLon(path: string, v: unknown): LatLon {
  if (!Array.isArray(v) || v.length !== 2) fail(path, `must be [lat, lon], got ${shown(v)}`);
  const lat = finite(`${path}[0]`, v[0]);
  const lon = finite(`${path}[1]`, v[1]);
  if (lat < -90 || lat > 90) fail(`${path}[0]`, `latitude ${lat} is outside -90…90`);
  if (lon < -180 || lon > 180) fail(`${path}[1]`, `longitude ${lon} is outside -180…180`);
  return [lat, lon];
}

function optional<T>(o: Record<string, unknown>, key: string, parse: (v: unknown) => T, fallback: T): T {
  return o[key] === undefined ? fallback : parse(o[key]);
}

function wholeAtLeast(path: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    fail(path, `must be a whole number ≥ ${min}, got ${shown(v)}`);
  return v;
}

function noise(path: string, v: unknown): FixNoise {
  const o = record(path, v);
  onlyFields(path, o, [], ['maxAccuracyM', 'assumedAccuracyM', 'maxSpeedKmh']);
  const n: FixNoise = {
    maxAccuracyM: optional(o, 'maxAccuracyM', (x) => positive(`${path}.maxAccuracyM`, x), DEFAULT_NOISE.maxAccuracyM),
    assumedAccuracyM: optional(
      o,
      'assumedAccuracyM',
      (x) => nonNegative(`${path}.assumedAccuracyM`, x),
      DEFAULT_NOISE.assumedAccuracyM,
    ),
    maxSpeedKmh: optional(o, 'maxSpeedKmh', (x) => positive(`${path}.maxSpeedKmh`, x), DEFAULT_NOISE.maxSpeedKmh),
  };
  if (n.assumedAccuracyM > n.maxAccuracyM) {
    fail(`${path}.assumedAccuracyM`, `must not exceed maxAccuracyM (${n.maxAccuracyM}), got ${n.assumedAccuracyM}`);
  }
  return n;
}

/** Check one zone; throws RuleError naming the field. */
export function validateZone(raw: unknown, path: string): GeoZone {
  const o = record(path, raw);
  const shape = o['shape'];
  if (shape !== 'circle' && shape !== 'polygon') fail(`${path}.shape`, `must be "circle" or "polygon", got ${shown(shape)}`);
  onlyFields(
    path,
    o,
    ['id', 'name', 'shape', shape === 'circle' ? 'center' : 'ring', ...(shape === 'circle' ? ['radiusM'] : [])],
    ['unlocode'],
  );
  const id = checkId(`${path}.id`, o['id']);
  const name = o['name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    fail(`${path}.name`, `must be a string of 1–256 characters, got ${shown(name)}`);
  }
  const base: ZoneBase = { id, name };
  const unlocode = o['unlocode'];
  if (unlocode !== undefined) {
    if (typeof unlocode !== 'string' || !UNLOCODE_PATTERN.test(unlocode)) {
      fail(`${path}.unlocode`, `must be a UN/LOCODE such as "NLRTM" (2 letters, then 3 of A–Z or 2–9), got ${shown(unlocode)}`);
    }
    base.unlocode = unlocode;
  }
  if (shape === 'circle') {
    return { ...base, shape, center: latLon(`${path}.center`, o['center']), radiusM: positive(`${path}.radiusM`, o['radiusM']) };
  }
  const raw_ = o['ring'];
  if (!Array.isArray(raw_)) fail(`${path}.ring`, `must be an array of [lat, lon], got ${shown(raw_)}`);
  const ring = raw_.map((p, i) => latLon(`${path}.ring[${i}]`, p));
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first![0] === last![0] && first![1] === last![1]) ring.pop();
  if (new Set(ring.map((p) => `${p[0]},${p[1]}`)).size < 3) fail(`${path}.ring`, 'must have at least 3 distinct vertices');
  for (const p of ring) {
    if (Math.abs(p[1] - first![1]) > 180) fail(`${path}.ring`, 'must not cross the antimeridian (split the zone in two)');
  }
  return { ...base, shape, ring };
}

function zones(path: string, v: unknown, nonEmpty: boolean): GeoZone[] {
  if (!Array.isArray(v)) fail(path, `must be an array of zones, got ${shown(v)}`);
  if (nonEmpty && v.length === 0) fail(path, 'must hold at least one zone');
  const seen = new Map<string, number>();
  return v.map((z, i) => {
    const zone = validateZone(z, `${path}[${i}]`);
    const first = seen.get(zone.id);
    if (first !== undefined) fail(`${path}[${i}].id`, `${JSON.stringify(zone.id)} is already the id of ${path}[${first}]`);
    seen.set(zone.id, i);
    return zone;
  });
}

function geofence(path: string, o: Record<string, unknown>, id: string, n: FixNoise): GeofenceRule {
  return {
    kind: 'geofence',
    id,
    zones: zones(`${path}.zones`, o['zones'], true),
    hysteresisM: optional(o, 'hysteresisM', (x) => nonNegative(`${path}.hysteresisM`, x), 50),
    confirmFixes: optional(o, 'confirmFixes', (x) => wholeAtLeast(`${path}.confirmFixes`, x, 1), 3),
    dwellSeconds: optional(o, 'dwellSeconds', (x) => nonNegative(`${path}.dwellSeconds`, x), 60),
    noise: n,
  };
}

function corridor(path: string, o: Record<string, unknown>, id: string, n: FixNoise): CorridorRule {
  const raw = o['route'];
  if (!Array.isArray(raw) || raw.length < 2)
    fail(`${path}.route`, `must be an array of at least 2 [lat, lon], got ${shown(raw)}`);
  const route = raw.map((p, i) => latLon(`${path}.route[${i}]`, p));
  for (let i = 1; i < route.length; i++) {
    if (Math.abs(route[i]![1] - route[i - 1]![1]) > 180) fail(`${path}.route[${i}]`, 'a leg must not cross the antimeridian');
  }
  const maxDistanceKm = positive(`${path}.maxDistanceKm`, o['maxDistanceKm']);
  const hysteresisM = optional(o, 'hysteresisM', (x) => nonNegative(`${path}.hysteresisM`, x), 100);
  if (hysteresisM >= maxDistanceKm * 1000) {
    fail(`${path}.hysteresisM`, `must be less than maxDistanceKm (${maxDistanceKm * 1000} m), got ${hysteresisM}`);
  }
  return {
    kind: 'corridor',
    id,
    route,
    maxDistanceKm,
    minMinutes: nonNegative(`${path}.minMinutes`, o['minMinutes']),
    hysteresisM,
    noise: n,
  };
}

function stop(path: string, o: Record<string, unknown>, id: string, n: FixNoise): StopRule {
  return {
    kind: 'stop',
    id,
    slowerThanKmh: optional(o, 'slowerThanKmh', (x) => positive(`${path}.slowerThanKmh`, x), 5),
    minMinutes: optional(o, 'minMinutes', (x) => nonNegative(`${path}.minMinutes`, x), 20),
    speedWindowSeconds: optional(o, 'speedWindowSeconds', (x) => positive(`${path}.speedWindowSeconds`, x), 120),
    allowedZones: o['allowedZones'] === undefined ? [] : zones(`${path}.allowedZones`, o['allowedZones'], false),
    hysteresisM: optional(o, 'hysteresisM', (x) => nonNegative(`${path}.hysteresisM`, x), 50),
    noise: n,
  };
}

/** Check one location rule and return a fresh, typed copy with every default filled in. */
export function validateLocationRule(raw: unknown, path = 'rule'): LocationRule {
  const o = record(path, raw);
  const kind = o['kind'];
  if (typeof kind !== 'string' || !(LOCATION_RULE_KINDS as readonly string[]).includes(kind)) {
    fail(`${path}.kind`, `must be one of ${LOCATION_RULE_KINDS.map((k) => JSON.stringify(k)).join(', ')}, got ${shown(kind)}`);
  }
  const k = kind as LocationRuleKind;
  onlyFields(path, o, FIELDS[k].required, FIELDS[k].optional);
  const id = checkId(`${path}.id`, o['id']);
  const n = o['noise'] === undefined ? { ...DEFAULT_NOISE } : noise(`${path}.noise`, o['noise']);
  switch (k) {
    case 'geofence':
      return geofence(path, o, id, n);
    case 'corridor':
      return corridor(path, o, id, n);
    case 'stop':
      return stop(path, o, id, n);
  }
}

/** Check a location rule set (at least one rule, ids unique); throws RuleError naming the field. */
export function validateLocationRules(raw: unknown, path = 'rules'): LocationRule[] {
  if (!Array.isArray(raw)) fail(path, `must be an array of rules, got ${shown(raw)}`);
  if (raw.length === 0) fail(path, 'must hold at least one rule');
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    const rule = validateLocationRule(r, `${path}[${i}]`);
    const first = seen.get(rule.id);
    if (first !== undefined) fail(`${path}[${i}].id`, `${JSON.stringify(rule.id)} is already the id of ${path}[${first}]`);
    seen.set(rule.id, i);
    return rule;
  });
}
