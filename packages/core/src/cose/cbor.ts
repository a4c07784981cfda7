// The small CBOR (RFC 8949) subset that device messages use, written by hand so
// that encoding is deterministic by construction (definite lengths, shortest
// integer and float heads, map keys in bytewise order of their encoding, §4.2.1)
// and decoding is strict and bounded: no indefinite lengths, no integers beyond
// 2^53 − 1, no duplicate map keys, lengths checked against the input before any
// allocation. Isomorphic: no node: imports.

export type CborValue = number | string | boolean | null | undefined | Uint8Array | CborValue[] | CborMap | CborTag;

/** Decoded maps: keys are integers or text (the only key types device messages use). */
export type CborMap = Map<number | string, CborValue>;

/** What encodeCbor accepts: decoded values plus plain objects with text keys. */
export type CborEncodable =
  | number
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | readonly CborEncodable[]
  | ReadonlyMap<number | string, CborEncodable>
  | CborTag
  | { readonly [key: string]: CborEncodable };

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export class CborError extends Error {
  constructor(
    message: string,
    /** Byte offset in the input where decoding failed. */
    readonly offset: number,
  ) {
    super(message);
    this.name = 'CborError';
  }
}

export const MAJOR = { uint: 0, nint: 1, bytes: 2, text: 3, array: 4, map: 5, tag: 6, simple: 7 } as const;

const MAX_DEPTH = 16;

// ---------------------------------------------------------------- encoding

class ByteSink {
  buf = new Uint8Array(256);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** A major type and argument in the shortest form (RFC 8949 §4.2.1). */
function writeHead(out: ByteSink, major: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a CBOR argument`);
  const m = major << 5;
  if (value < 24) out.byte(m | value);
  else if (value < 0x100) {
    out.byte(m | 24);
    out.byte(value);
  } else if (value < 0x10000) {
    out.byte(m | 25);
    out.byte(value >> 8);
    out.byte(value & 0xff);
  } else if (value < 0x100000000) {
    out.byte(m | 26);
    for (let shift = 24; shift >= 0; shift -= 8) out.byte((value >>> shift) & 0xff);
  } else {
    out.byte(m | 27);
    const hi = Math.floor(value / 0x100000000);
    const lo = value >>> 0;
    for (let shift = 24; shift >= 0; shift -= 8) out.byte((hi >>> shift) & 0xff);
    for (let shift = 24; shift >= 0; shift -= 8) out.byte((lo >>> shift) & 0xff);
  }
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The binary16 bits of a float32 value when the conversion is exact, else null. */
function toHalfExact(bits32: number): number | null {
  const sign = (bits32 >>> 16) & 0x8000;
  const exp = (bits32 >>> 23) & 0xff;
  const mant = bits32 & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00; // Inf / canonical NaN
  if (exp === 0 && mant === 0) return sign; // ±0
  const e = exp - 127;
  if (e >= -14 && e <= 15) {
    if ((mant & 0x1fff) !== 0) return null;
    return sign | ((e + 15) << 10) | (mant >>> 13);
  }
  if (e >= -24 && e < -14) {
    // Subnormal half: value = m × 2^-24 with m < 1024.
    const full = mant | 0x800000;
    const shift = 13 + (-14 - e);
    if ((full & ((1 << shift) - 1)) !== 0) return null;
    return sign | (full >>> shift);
  }
  return null;
}

/** Floats in the shortest of binary16/32/64 that holds the value exactly (preferred serialisation). */
function writeFloat(out: ByteSink, v: number): void {
  f32[0] = v;
  const fitsSingle = Number.isNaN(v) || f32[0] === v;
  if (fitsSingle) {
    const half = toHalfExact(f32Bits[0]!);
    if (half !== null) {
      out.byte(0xf9);
      out.byte(half >> 8);
      out.byte(half & 0xff);
      return;
    }
    out.byte(0xfa);
    const b = f32Bits[0]!;
    for (let shift = 24; shift >= 0; shift -= 8) out.byte((b >>> shift) & 0xff);
    return;
  }
  out.byte(0xfb);
  f64[0] = v;
  for (let i = 0; i < 8; i++) out.byte(f64Bytes[LITTLE_ENDIAN ? 7 - i : i]!);
}

const utf8 = new TextEncoder();

function writeText(out: ByteSink, s: string): void {
  const b = utf8.encode(s);
  writeHead(out, MAJOR.text, b.length);
  out.bytes(b);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function writeMap(out: ByteSink, entries: [number | string, CborEncodable][], depth: number): void {
  // Deterministic: keys sorted by their encoded bytes (a Map or object cannot hold duplicates).
  const encoded = entries.map(([k, v]) => ({ key: encodeCbor(k), value: v }));
  encoded.sort((a, b) => compareBytes(a.key, b.key));
  writeHead(out, MAJOR.map, encoded.length);
  for (const e of encoded) {
    out.bytes(e.key);
    writeValue(out, e.value, depth + 1);
  }
}

function writeValue(out: ByteSink, v: CborEncodable, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError('CBOR value nested too deeply');
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) {
      if (v >= 0) writeHead(out, MAJOR.uint, v);
      else writeHead(out, MAJOR.nint, -1 - v);
    } else writeFloat(out, v);
  } else if (typeof v === 'string') writeText(out, v);
  else if (typeof v === 'boolean') out.byte(v ? 0xf5 : 0xf4);
  else if (v === null) out.byte(0xf6);
  else if (v === undefined) out.byte(0xf7);
  else if (v instanceof Uint8Array) {
    writeHead(out, MAJOR.bytes, v.length);
    out.bytes(v);
  } else if (Array.isArray(v)) {
    const arr = v as readonly CborEncodable[];
    writeHead(out, MAJOR.array, arr.length);
    for (const item of arr) writeValue(out, item, depth + 1);
  } else if (v instanceof Map) {
    writeMap(out, [...(v as ReadonlyMap<number | string, CborEncodable>)], depth);
  } else if (v instanceof CborTag) {
    writeHead(out, MAJOR.tag, v.tag);
    writeValue(out, v.value, depth + 1);
  } else if (typeof v === 'object') {
    writeMap(out, Object.entries(v as { [key: string]: CborEncodable }), depth);
  } else {
    throw new TypeError(`cannot encode a ${typeof v} as CBOR`);
  }
}

/** Byte length of a head in shortest form. */
export function headLength(value: number): number {
  return value < 24 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : value < 0x100000000 ? 5 : 9;
}

/** Write a head in shortest form into `out` at `at`; returns the offset after it. For callers that splice bytes themselves. */
export function putHead(out: Uint8Array, at: number, major: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a CBOR argument`);
  const n = headLength(value);
  const m = major << 5;
  if (n === 1) {
    out[at] = m | value;
    return at + 1;
  }
  out[at] = m | (n === 2 ? 24 : n === 3 ? 25 : n === 5 ? 26 : 27);
  let v = value;
  for (let i = n - 1; i >= 1; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return at + n;
}

/** Just a head (major type + argument) in shortest form. */
export function encodeHead(major: number, value: number): Uint8Array {
  const out = new Uint8Array(headLength(value));
  putHead(out, 0, major, value);
  return out;
}

/** Deterministically encoded CBOR (RFC 8949 §4.2.1). */
export function encodeCbor(value: CborEncodable): Uint8Array {
  const out = new ByteSink();
  writeValue(out, value, 0);
  return out.result();
}

// ---------------------------------------------------------------- decoding

export interface CborHead {
  major: number;
  /** The argument: a length, a count, an integer or a tag number; for major 7 the simple value or float bits' width. */
  arg: number;
  /** Additional information (low 5 bits of the initial byte). */
  info: number;
  /** Offset of the initial byte. */
  offset: number;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * A cursor over CBOR bytes. `canonical` additionally refuses non-shortest heads,
 * for structures whose bytes must have exactly one encoding.
 */
export class CborReader {
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly canonical = false,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  fail(message: string, offset = this.pos): never {
    throw new CborError(message, offset);
  }

  head(): CborHead {
    const offset = this.pos;
    const b = this.bytes[this.pos++];
    if (b === undefined) this.fail('unexpected end of CBOR input', offset);
    const major = b >> 5;
    const info = b & 0x1f;
    if (info < 24) return { major, arg: info, info, offset };
    if (info > 27) {
      this.fail(
        info === 31 ? 'indefinite-length CBOR item (only definite lengths are allowed)' : 'reserved CBOR additional information',
        offset,
      );
    }
    const n = 1 << (info - 24);
    if (this.pos + n > this.bytes.length) this.fail('CBOR head is truncated', offset);
    let arg = 0;
    for (let i = 0; i < n; i++) arg = arg * 256 + this.bytes[this.pos++]!;
    if (major === MAJOR.simple) return { major, arg, info, offset };
    if (!Number.isSafeInteger(arg)) this.fail('CBOR integer or length exceeds 2^53 − 1', offset);
    if (this.canonical && arg < (n === 1 ? 24 : 2 ** (8 * (n / 2)))) {
      this.fail('CBOR head is not in its shortest form', offset);
    }
    return { major, arg, info, offset };
  }

  /** A byte string or text string body of `len` bytes (the head already read). */
  take(len: number, offset: number): Uint8Array {
    if (len > this.bytes.length - this.pos) this.fail('CBOR string runs past the end of the input', offset);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  expectBytes(what: string): Uint8Array {
    const h = this.head();
    if (h.major !== MAJOR.bytes) this.fail(`${what} must be a byte string (got ${majorName(h)})`, h.offset);
    return this.take(h.arg, h.offset);
  }

  value(depth = 0): CborValue {
    if (depth > MAX_DEPTH) this.fail('CBOR nested too deeply');
    const h = this.head();
    switch (h.major) {
      case MAJOR.uint:
        return h.arg;
      case MAJOR.nint:
        if (h.arg === Number.MAX_SAFE_INTEGER) this.fail('CBOR negative integer is below −(2^53 − 1)', h.offset);
        return -1 - h.arg;
      case MAJOR.bytes:
        return this.take(h.arg, h.offset);
      case MAJOR.text:
        return decodeText(this.take(h.arg, h.offset), h.offset, this);
      case MAJOR.array: {
        // Every item takes at least one byte: refuse impossible counts before allocating.
        if (h.arg > this.bytes.length - this.pos) this.fail('CBOR array is longer than the input', h.offset);
        const out: CborValue[] = new Array(h.arg);
        for (let i = 0; i < h.arg; i++) out[i] = this.value(depth + 1);
        return out;
      }
      case MAJOR.map: {
        if (h.arg * 2 > this.bytes.length - this.pos) this.fail('CBOR map is longer than the input', h.offset);
        const out: CborMap = new Map();
        for (let i = 0; i < h.arg; i++) {
          const keyAt = this.pos;
          const key = this.value(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'string') this.fail('CBOR map key must be an integer or text', keyAt);
          if (out.has(key)) this.fail(`duplicate CBOR map key ${JSON.stringify(key)}`, keyAt);
          out.set(key, this.value(depth + 1));
        }
        return out;
      }
      case MAJOR.tag:
        return new CborTag(h.arg, this.value(depth + 1));
      default:
        return this.simple(h);
    }
  }

  private simple(h: CborHead): CborValue {
    switch (h.info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25:
        return halfToNumber(h.arg);
      case 26: {
        f32Bits[0] = h.arg;
        return f32[0]!;
      }
      case 27: {
        const bytes = this.bytes.subarray(h.offset + 1, h.offset + 9);
        for (let i = 0; i < 8; i++) f64Bytes[LITTLE_ENDIAN ? 7 - i : i] = bytes[i]!;
        return f64[0]!;
      }
      default:
        return this.fail(`unsupported CBOR simple value ${h.arg}`, h.offset);
    }
  }
}

// Interned short ASCII strings (map keys, kinds, device ids): decoded once, then looked up by their bytes.
const INTERN_MAX_LENGTH = 6;
const INTERN_MAX_ENTRIES = 4096;
const interned = new Map<number, string>();

function decodeText(b: Uint8Array, offset: number, r: CborReader): string {
  if (b.length <= INTERN_MAX_LENGTH) {
    let key = b.length;
    let ascii = true;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) ascii = false;
      key = key * 256 + c;
    }
    if (ascii) {
      const hit = interned.get(key);
      if (hit !== undefined) return hit;
      const s = String.fromCharCode.apply(null, b as unknown as number[]);
      if (interned.size < INTERN_MAX_ENTRIES) interned.set(key, s);
      return s;
    }
  } else if (b.length <= 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) return decodeUtf8(b, offset, r);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(b, offset, r);
}

function decodeUtf8(b: Uint8Array, offset: number, r: CborReader): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    return r.fail('CBOR text string is not valid UTF-8', offset);
  }
}

/** An IEEE 754 half-precision value (CBOR simple 25) as a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function majorName(h: Pick<CborHead, 'major' | 'info'>): string {
  const names = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag'];
  if (h.major < 7) return names[h.major]!;
  return h.info >= 25 && h.info <= 27 ? 'float' : 'simple value';
}

/** Decode exactly one CBOR item that spans all of `bytes`. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const r = new CborReader(bytes);
  const v = r.value();
  if (!r.done) r.fail(`${bytes.length - r.pos} trailing bytes after the CBOR item`);
  return v;
}

/** A short description of a decoded value's type, for error details. */
export function describeCbor(v: CborValue): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return 'byte string';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'map';
  if (v instanceof CborTag) return `tag ${v.tag}`;
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (typeof v === 'string') return 'text string';
  return typeof v;
}
