// Condition rules as plain, JSON-serialisable data: a policy carries them, every
// oracle parses the same JSON and must reach the same excursions, so parsing is
// strict (unknown fields refused) and every error names the field that is wrong.
import type { LatLon } from '../telemetry/payload.js';
import { RuleError } from './error.js';

export type BandSensor = 'temp' | 'rh';
export type BandMode = 'continuous' | 'cumulative';
export type LightSensor = 'lux' | 'door';

/** Keep a reading's value within [min, max] (bounds inclusive). */
export interface BandRule {
  kind: 'band';
  id: string;
  sensor: BandSensor;
  min: number;
  max: number;
  /** Breached when minutes outside > tolerance (whole minutes: the contract's uint32). */
  toleranceMinutes: number;
  /** continuous: each excursion on its own; cumulative: running total over the shipment. */
  mode: BandMode;
  /** Longest interval a reading's state is held for; default: the smallest gap rule's maxSilenceMinutes. */
  maxHoldMinutes?: number;
  /** Minutes above max the product tolerates in its whole life (vaccine stability budget). */
  stabilityBudgetMinutes?: number;
  /** Shelf life the budget protects; required with stabilityBudgetMinutes. */
  shelfLifeDays?: number;
}

/** Every reading above maxG is an event (shock loggers report peaks, not a level). */
export interface ThresholdRule {
  kind: 'threshold';
  id: string;
  sensor: 'shock';
  maxG: number;
}

export interface Zone {
  name: string;
  center: LatLon;
  radiusM: number;
}

/** The load is exposed (lux above a level, or door open) outside every allowed zone. */
export interface LightRule {
  kind: 'light';
  id: string;
  luxAbove: number;
  allowedZones: Zone[];
  /** Which signals count as "opened"; default both. */
  sensors?: LightSensor[];
  maxHoldMinutes?: number;
}

/** A device is silent for longer than maxSilenceMinutes within [from, to] (ms since epoch). */
export interface GapRule {
  kind: 'gap';
  id: string;
  maxSilenceMinutes: number;
  window: { from: number; to: number };
}

export type Rule = BandRule | ThresholdRule | LightRule | GapRule;
export type RuleKind = Rule['kind'];

export const RULE_KINDS = ['band', 'threshold', 'light', 'gap'] as const satisfies readonly RuleKind[];

const FIELDS: Record<RuleKind, { required: readonly string[]; optional: readonly string[] }> = {
  band: {
    required: ['kind', 'id', 'sensor', 'min', 'max', 'toleranceMinutes', 'mode'],
    optional: ['maxHoldMinutes', 'stabilityBudgetMinutes', 'shelfLifeDays'],
  },
  threshold: { required: ['kind', 'id', 'sensor', 'maxG'], optional: [] },
  light: { required: ['kind', 'id', 'luxAbove', 'allowedZones'], optional: ['sensors', 'maxHoldMinutes'] },
  gap: { required: ['kind', 'id', 'maxSilenceMinutes', 'window'], optional: [] },
};

/** Ids end up in excursion ids and URLs: keep them to a safe, unambiguous alphabet. */
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export function shown(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function fail(path: string, detail: string): never {
  throw new RuleError(path, detail);
}

export function record(path: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `must be an object, got ${shown(v)}`);
  return v as Record<string, unknown>;
}

export function onlyFields(
  path: string,
  obj: Record<string, unknown>,
  required: readonly string[],
  optional: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) {
      fail(`${path}.${key}`, `unknown field (allowed: ${[...required, ...optional].join(', ')})`);
    }
  }
  for (const key of required) if (obj[key] === undefined) fail(`${path}.${key}`, 'is required');
}

export function checkId(path: string, v: unknown): string {
  if (typeof v !== 'string') fail(path, `must be a string, got ${shown(v)}`);
  if (!ID_PATTERN.test(v)) fail(path, `${JSON.stringify(v)} must be 1–64 characters of [A-Za-z0-9._:-]`);
  return v;
}

export function finite(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a finite number, got ${shown(v)}`);
  return v;
}

export function positive(path: string, v: unknown): number {
  const n = finite(path, v);
  if (n <= 0) fail(path, `must be > 0, got ${n}`);
  return n;
}

export function nonNegative(path: string, v: unknown): number {
  const n = finite(path, v);
  if (n < 0) fail(path, `must be ≥ 0, got ${n}`);
  return n;
}

function oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${shown(v)}`);
  }
  return v as T;
}

function timestamp(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(path, `must be a time in ms since epoch (a non-negative integer), got ${shown(v)}`);
  }
  return v;
}

function band(path: string, o: Record<string, unknown>): BandRule {
  const sensor = oneOf(`${path}.sensor`, o['sensor'], ['temp', 'rh'] as const);
  const min = finite(`${path}.min`, o['min']);
  const max = finite(`${path}.max`, o['max']);
  if (sensor === 'temp' && min < -273.15) fail(`${path}.min`, `${min} °C is below absolute zero`);
  if (sensor === 'rh' && (min < 0 || min > 100)) fail(`${path}.min`, `${min} % is outside 0…100 %`);
  if (sensor === 'rh' && (max < 0 || max > 100)) fail(`${path}.max`, `${max} % is outside 0…100 %`);
  if (!(min < max)) fail(`${path}.max`, `must be greater than min (${min}), got ${max}`);
  const tolerance = o['toleranceMinutes'];
  if (typeof tolerance !== 'number' || !Number.isInteger(tolerance) || tolerance < 0 || tolerance > 0xffffffff) {
    fail(`${path}.toleranceMinutes`, `must be a whole number of minutes 0…4294967295, got ${shown(tolerance)}`);
  }
  const rule: BandRule = {
    kind: 'band',
    id: checkId(`${path}.id`, o['id']),
    sensor,
    min,
    max,
    toleranceMinutes: tolerance,
    mode: oneOf(`${path}.mode`, o['mode'], ['continuous', 'cumulative'] as const),
  };
  if (o['maxHoldMinutes'] !== undefined) rule.maxHoldMinutes = positive(`${path}.maxHoldMinutes`, o['maxHoldMinutes']);
  const budget = o['stabilityBudgetMinutes'];
  const shelf = o['shelfLifeDays'];
  if (budget !== undefined && shelf === undefined) fail(`${path}.shelfLifeDays`, 'is required with stabilityBudgetMinutes');
  if (shelf !== undefined && budget === undefined) fail(`${path}.stabilityBudgetMinutes`, 'is required with shelfLifeDays');
  if (budget !== undefined) {
    rule.stabilityBudgetMinutes = positive(`${path}.stabilityBudgetMinutes`, budget);
    rule.shelfLifeDays = positive(`${path}.shelfLifeDays`, shelf);
  }
  return rule;
}

function zone(path: string, v: unknown): Zone {
  const o = record(path, v);
  onlyFields(path, o, ['name', 'center', 'radiusM'], []);
  const name = o['name'];
  if (typeof name !== 'string' || name.length === 0) fail(`${path}.name`, `must be a non-empty string, got ${shown(name)}`);
  const center = o['center'];
  if (!Array.isArray(center) || center.length !== 2) fail(`${path}.center`, `must be [lat, lon], got ${shown(center)}`);
  const lat = finite(`${path}.center[0]`, center[0]);
  const lon = finite(`${path}.center[1]`, center[1]);
  if (lat < -90 || lat > 90) fail(`${path}.center[0]`, `latitude ${lat} is outside -90…90`);
  if (lon < -180 || lon > 180) fail(`${path}.center[1]`, `longitude ${lon} is outside -180…180`);
  return { name, center: [lat, lon], radiusM: positive(`${path}.radiusM`, o['radiusM']) };
}

function light(path: string, o: Record<string, unknown>): LightRule {
  const zones = o['allowedZones'];
  if (!Array.isArray(zones)) fail(`${path}.allowedZones`, `must be an array of zones, got ${shown(zones)}`);
  const rule: LightRule = {
    kind: 'light',
    id: checkId(`${path}.id`, o['id']),
    luxAbove: nonNegative(`${path}.luxAbove`, o['luxAbove']),
    allowedZones: zones.map((z, i) => zone(`${path}.allowedZones[${i}]`, z)),
  };
  const sensors = o['sensors'];
  if (sensors !== undefined) {
    if (!Array.isArray(sensors) || sensors.length === 0) {
      fail(`${path}.sensors`, `must be a non-empty array of "lux" / "door", got ${shown(sensors)}`);
    }
    const list = sensors.map((s, i) => oneOf(`${path}.sensors[${i}]`, s, ['lux', 'door'] as const));
    if (new Set(list).size !== list.length) fail(`${path}.sensors`, 'lists a sensor twice');
    rule.sensors = list;
  }
  if (o['maxHoldMinutes'] !== undefined) rule.maxHoldMinutes = positive(`${path}.maxHoldMinutes`, o['maxHoldMinutes']);
  return rule;
}

function gap(path: string, o: Record<string, unknown>): GapRule {
  const w = record(`${path}.window`, o['window']);
  onlyFields(`${path}.window`, w, ['from', 'to'], []);
  const from = timestamp(`${path}.window.from`, w['from']);
  const to = timestamp(`${path}.window.to`, w['to']);
  if (!(from < to)) fail(`${path}.window.to`, `must be after window.from (${from}), got ${to}`);
  return {
    kind: 'gap',
    id: checkId(`${path}.id`, o['id']),
    maxSilenceMinutes: positive(`${path}.maxSilenceMinutes`, o['maxSilenceMinutes']),
    window: { from, to },
  };
}

/** Check one rule and return a fresh, typed copy; throws RuleError naming the field. */
export function validateRule(raw: unknown, path = 'rule'): Rule {
  const o = record(path, raw);
  const kind = oneOf(`${path}.kind`, o['kind'], RULE_KINDS);
  onlyFields(path, o, FIELDS[kind].required, FIELDS[kind].optional);
  switch (kind) {
    case 'band':
      return band(path, o);
    case 'threshold':
      oneOf(`${path}.sensor`, o['sensor'], ['shock'] as const);
      return { kind, id: checkId(`${path}.id`, o['id']), sensor: 'shock', maxG: nonNegative(`${path}.maxG`, o['maxG']) };
    case 'light':
      return light(path, o);
    case 'gap':
      return gap(path, o);
  }
}

/** Check a rule set (at least one rule, ids unique); throws RuleError naming the field. */
export function validateRules(raw: unknown, path = 'rules'): Rule[] {
  if (!Array.isArray(raw)) fail(path, `must be an array of rules, got ${shown(raw)}`);
  if (raw.length === 0) fail(path, 'must hold at least one rule');
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    const rule = validateRule(r, `${path}[${i}]`);
    const first = seen.get(rule.id);
    if (first !== undefined) fail(`${path}[${i}].id`, `${JSON.stringify(rule.id)} is already the id of ${path}[${first}]`);
    seen.set(rule.id, i);
    return rule;
  });
}
