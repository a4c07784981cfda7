// The telemetry payload inside a device envelope (docs/design.md "Device
// message"): { dev, seq, ts, r: [{ t, k, v }, …] }. Validation is strict and
// names the field and the rule that failed, because the detail goes back to the
// device owner as the reason a message was refused.
import { type CborMap, type CborValue, CborError, decodeCbor, describeCbor, encodeCbor } from '../cose/cbor.js';
import { CoseError } from '../cose/error.js';
import { deviceIdProblem } from '../device/keys.js';

export const MAX_READINGS = 1000;

export const READING_KINDS = ['temp', 'rh', 'shock', 'lux', 'pos', 'door', 'meter', 'batt'] as const;
export type ReadingKind = (typeof READING_KINDS)[number];
export type ScalarKind = Exclude<ReadingKind, 'pos'>;

/** [latitude, longitude] in degrees. */
export type LatLon = [number, number];

/**
 * A position may carry the receiver's horizontal accuracy `acc` (metres, optional: payloads
 * without it stay valid); the location rules judge a fix by it. No other kind has extra fields.
 */
export type Reading = { t: number; k: 'pos'; v: LatLon; acc?: number } | { t: number; k: ScalarKind; v: number };

export interface TelemetryPayload {
  /** Device id (equals the COSE kid). */
  dev: string;
  /** Strictly increasing per device, from 1. */
  seq: number;
  /** When the device signed, ms since epoch. */
  ts: number;
  /** One reading or a store-and-forward buffer, at most 1000. */
  r: Reading[];
}

const PAYLOAD_FIELDS = ['dev', 'seq', 'ts', 'r'] as const;
const READING_FIELDS = ['t', 'k', 'v'] as const;
/** A position reading's fields: `acc` optional. */
const POS_FIELDS = ['t', 'k', 'v', 'acc'] as const;
/** No receiver reports a horizontal accuracy worse than this (metres); beyond it the value is garbage. */
export const MAX_ACCURACY_M = 100_000;

function bad(field: string, why: string): never {
  throw new CoseError('bad_payload', `${field}: ${why}`);
}

function shown(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'string') return `${describeCbor(v)} ${JSON.stringify(v) ?? String(v)}`;
  return describeCbor(v as CborValue);
}

function expectUint(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(field, `must be an unsigned integer, got ${shown(v)}`);
  if (v < 0) bad(field, `must not be negative, got ${v}`);
  if (!Number.isSafeInteger(v)) bad(field, `${v} exceeds 2^53 − 1`);
  return v;
}

function expectFinite(field: string, v: unknown): number {
  if (typeof v !== 'number') bad(field, `must be a number, got ${shown(v)}`);
  if (!Number.isFinite(v)) bad(field, `must be finite, got ${v}`);
  return v;
}

function expectRange(field: string, v: number, min: number, max: number, unit: string): number {
  if (v < min || v > max) bad(field, `${v} ${unit} is outside ${min}…${max} ${unit}`);
  return v;
}

/** Value rules per kind: the type, and only the bounds no real sensor can exceed. */
function checkValue(field: string, k: ReadingKind, v: unknown): number | LatLon {
  switch (k) {
    case 'pos': {
      if (!Array.isArray(v) || v.length !== 2)
        bad(field, `pos must be [lat, lon], got ${Array.isArray(v) ? `an array of ${v.length}` : shown(v)}`);
      const lat = expectRange(`${field}[0]`, expectFinite(`${field}[0]`, v[0]), -90, 90, '°');
      const lon = expectRange(`${field}[1]`, expectFinite(`${field}[1]`, v[1]), -180, 180, '°');
      return [lat, lon];
    }
    case 'temp':
      return expectRange(field, expectFinite(field, v), -273.15, 1e4, '°C');
    case 'rh':
      return expectRange(field, expectFinite(field, v), 0, 100, '%');
    case 'batt':
      return expectRange(field, expectFinite(field, v), 0, 100, '%');
    case 'shock':
      return expectRange(field, expectFinite(field, v), 0, 1e6, 'g');
    case 'lux':
      return expectRange(field, expectFinite(field, v), 0, 1e7, 'lx');
    case 'door':
      if (v !== 0 && v !== 1) bad(field, `door must be 0 (closed) or 1 (open), got ${shown(v)}`);
      return v;
    case 'meter':
      return expectUint(field, v);
  }
}

function isKind(k: unknown): k is ReadingKind {
  return typeof k === 'string' && (READING_KINDS as readonly string[]).includes(k);
}

/** Field access over a decoded map or a plain object, refusing unknown fields. */
function fieldsOf(where: string, v: unknown, allowed: readonly string[]): (name: string) => unknown {
  const get = optionalFieldsOf(where, v, allowed);
  return (name) => {
    const x = get(name);
    if (x === undefined) bad(where, `missing field "${name}"`);
    return x;
  };
}

/** Like fieldsOf, but an absent field reads as undefined. */
function optionalFieldsOf(where: string, v: unknown, allowed: readonly string[]): (name: string) => unknown {
  if (v instanceof Map) {
    for (const key of (v as CborMap).keys()) {
      if (typeof key !== 'string') bad(where, `keys must be text, got ${shown(key)}`);
      if (!allowed.includes(key)) bad(where, `unknown field ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
    }
    return (name) => (v as CborMap).get(name);
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    const obj = v as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) bad(where, `unknown field ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
    }
    return (name) => (Object.hasOwn(obj, name) ? obj[name] : undefined);
  }
  return bad(where, `must be a map, got ${shown(v)}`);
}

function checkReading(i: number, raw: unknown): Reading {
  const where = `r[${i}]`;
  // The kind decides which fields are allowed: peek at it first (a missing or unknown kind is named below).
  const peek = optionalFieldsOf(where, raw, POS_FIELDS)('k');
  const get = fieldsOf(where, raw, peek === 'pos' ? POS_FIELDS : READING_FIELDS);
  const t = expectUint(`${where}.t`, get('t'));
  const k = get('k');
  if (!isKind(k)) bad(`${where}.k`, `unknown kind ${shown(k)} (kinds: ${READING_KINDS.join(', ')})`);
  const v = checkValue(`${where}.v`, k, get('v'));
  if (k !== 'pos') return { t, k, v } as Reading;
  const acc = optionalFieldsOf(where, raw, POS_FIELDS)('acc');
  if (acc === undefined) return { t, k, v: v as LatLon };
  return { t, k, v: v as LatLon, acc: expectRange(`${where}.acc`, expectFinite(`${where}.acc`, acc), 0, MAX_ACCURACY_M, 'm') };
}

/**
 * Check a payload (decoded CBOR map or a plain object) and return it as a
 * typed, fresh TelemetryPayload; throws CoseError 'bad_payload' naming the field.
 */
export function validatePayload(raw: unknown): TelemetryPayload {
  const get = fieldsOf('payload', raw, PAYLOAD_FIELDS);
  const dev = get('dev');
  const idProblem = deviceIdProblem(dev);
  if (idProblem) bad('dev', idProblem);
  const seq = expectUint('seq', get('seq'));
  if (seq < 1) bad('seq', 'must be ≥ 1 (sequence numbers start at 1)');
  const ts = expectUint('ts', get('ts'));
  const r = get('r');
  if (!Array.isArray(r)) bad('r', `must be an array of readings, got ${shown(r)}`);
  if (r.length === 0) bad('r', 'must hold at least one reading');
  if (r.length > MAX_READINGS) bad('r', `holds ${r.length} readings; at most ${MAX_READINGS} are allowed`);
  return { dev: dev as string, seq, ts, r: r.map((reading, i) => checkReading(i, reading)) };
}

/** Deterministic CBOR of a payload (validated first). */
export function encodePayload(p: TelemetryPayload): Uint8Array {
  const valid = validatePayload(p);
  return encodeCbor({
    dev: valid.dev,
    seq: valid.seq,
    ts: valid.ts,
    r: valid.r.map((x) =>
      x.k === 'pos' && x.acc !== undefined ? { t: x.t, k: x.k, v: x.v, acc: x.acc } : { t: x.t, k: x.k, v: x.v },
    ),
  });
}

/** Decode and validate payload bytes; throws CoseError 'bad_payload'. */
export function decodePayload(bytes: Uint8Array): TelemetryPayload {
  let raw: CborValue;
  try {
    raw = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) bad('payload', `not valid CBOR: ${err.message} at byte ${err.offset}`);
    throw err;
  }
  return validatePayload(raw);
}

/** Earliest and latest reading time (a payload always holds at least one reading). */
export function readingSpan(p: TelemetryPayload): { firstAt: number; lastAt: number } {
  let firstAt = Infinity;
  let lastAt = -Infinity;
  for (const x of p.r) {
    if (x.t < firstAt) firstAt = x.t;
    if (x.t > lastAt) lastAt = x.t;
  }
  return { firstAt, lastAt };
}
