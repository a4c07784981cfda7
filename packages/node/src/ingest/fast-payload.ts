// The verify workers' shortcuts past core's general decoders, for the shapes
// devices actually send. Each returns exactly what the general path would, or
// declines (null) and leaves the input to the general path, which then decides,
// refusals and their details included. Differential tests: fast-payload.test.ts.
import { halfToNumber } from '@tradetwin/core/cose/cbor';
import { sigStructureLength, writeSigStructure } from '@tradetwin/core/cose/sign1';
import { isValidDeviceId } from '@tradetwin/core/device/keys';
import type { PayloadSummary } from '@tradetwin/core/telemetry/envelope';
import { MAX_READINGS } from '@tradetwin/core/telemetry/payload';

// One reader state per thread: the functions below are synchronous and not reentrant.
let b: Uint8Array = new Uint8Array(0);
/** Over b's whole buffer (floats are read at b.byteOffset + pos): made when a float32/64 needs it. */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function floats(): DataView {
  if (view.buffer !== b.buffer) view = new DataView(b.buffer);
  return view;
}
let pos = 0;

/** A CBOR unsigned integer at pos, as decodeCbor computes it; -1 (pos unchanged) for anything else. */
function uint(): number {
  const h = b[pos];
  if (h === undefined || h >> 5 !== 0) return -1;
  return arg(h);
}

/** The argument of the head `h` at pos (major 0/1), as CborReader.head computes it; -1 if truncated or unsafe. */
function arg(h: number): number {
  const info = h & 0x1f;
  if (info < 24) {
    pos++;
    return info;
  }
  if (info > 27) return -1;
  const n = 1 << (info - 24);
  if (pos + 1 + n > b.length) return -1;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + b[pos + i]!;
  if (!Number.isSafeInteger(v)) return -1;
  pos += 1 + n;
  return v;
}

/** An integer or float at pos, as decodeCbor decodes it; undefined for anything else. */
function num(): number | undefined {
  const h = b[pos];
  if (h === undefined) return undefined;
  const major = h >> 5;
  if (major === 0) {
    const v = arg(h);
    return v < 0 ? undefined : v;
  }
  if (major === 1) {
    const v = arg(h);
    return v < 0 || v === Number.MAX_SAFE_INTEGER ? undefined : -1 - v;
  }
  if (h === 0xf9 && pos + 3 <= b.length) {
    pos += 3;
    return halfToNumber((b[pos - 2]! << 8) | b[pos - 1]!);
  }
  if (h === 0xfa && pos + 5 <= b.length) {
    pos += 5;
    return floats().getFloat32(b.byteOffset + pos - 4);
  }
  if (h === 0xfb && pos + 9 <= b.length) {
    pos += 9;
    return floats().getFloat64(b.byteOffset + pos - 8);
  }
  return undefined;
}

/** Is the one-byte-head text key at pos `key` (ASCII)? Moves past it if so. */
function key(k: string): boolean {
  if (b[pos] !== (0x60 | k.length)) return false;
  for (let i = 0; i < k.length; i++) if (b[pos + 1 + i] !== k.charCodeAt(i)) return false;
  pos += 1 + k.length;
  return true;
}

// payload.ts's value rules for the scalar kinds (pos, an array, goes the general way).
const finiteIn = (v: number, min: number, max: number) => Number.isFinite(v) && v >= min && v <= max;
const RULES = {
  temp: (v: number) => finiteIn(v, -273.15, 1e4),
  rh: (v: number) => finiteIn(v, 0, 100),
  batt: (v: number) => finiteIn(v, 0, 100),
  shock: (v: number) => finiteIn(v, 0, 1e6),
  lux: (v: number) => finiteIn(v, 0, 1e7),
  door: (v: number) => v === 0 || v === 1,
  meter: (v: number) => Number.isInteger(v) && v >= 0 && Number.isSafeInteger(v),
};

/** The value rule of the scalar kind named by the one-byte-head text at pos; moves past it. */
function kindRule(): ((v: number) => boolean) | null {
  switch (b[pos + 1]) {
    case 0x74: // t
      return key('temp') ? RULES.temp : null;
    case 0x72: // r
      return key('rh') ? RULES.rh : null;
    case 0x62: // b
      return key('batt') ? RULES.batt : null;
    case 0x73: // s
      return key('shock') ? RULES.shock : null;
    case 0x6c: // l
      return key('lux') ? RULES.lux : null;
    case 0x64: // d
      return key('door') ? RULES.door : null;
    case 0x6d: // m
      return key('meter') ? RULES.meter : null;
    default:
      return null;
  }
}

/** One reading {t, k, v} (keys in any order, each once); its t, or -1 to decline. */
function reading(): number {
  if (b[pos] !== 0xa3) return -1;
  pos++;
  let t = -1;
  let rule: ((v: number) => boolean) | null = null;
  let v: number | undefined;
  let seen = 0;
  for (let e = 0; e < 3; e++) {
    if (!(seen & 1) && key('t')) {
      seen |= 1;
      t = uint();
      if (t < 0) return -1;
    } else if (!(seen & 2) && key('k')) {
      seen |= 2;
      rule = kindRule();
      if (!rule) return -1;
    } else if (!(seen & 4) && key('v')) {
      seen |= 4;
      v = num();
      if (v === undefined) return -1;
    } else return -1;
  }
  return rule!(v!) ? t : -1;
}

/**
 * summarisePayload (decodePayload's checks) for payloads of scalar readings with one-byte-head keys,
 * in any key order, whose dev is `kid` (the envelope's, compared byte for byte rather than decoded);
 * null for anything else — including every payload decodePayload would refuse.
 */
export function summarisePayloadFast(payload: Uint8Array, kid: string): PayloadSummary | null {
  b = payload;
  if (b[0] !== 0xa4) return null;
  pos = 1;
  let seen = 0;
  let dev = '';
  let seq = -1;
  let ts = -1;
  let readings = 0;
  let firstAt = Number.POSITIVE_INFINITY;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (let e = 0; e < 4; e++) {
    if (!(seen & 1) && key('r')) {
      seen |= 1;
      const h = b[pos];
      if (h === undefined || h >> 5 !== 4) return null;
      const info = h & 0x1f;
      if (info < 24) {
        readings = info;
        pos++;
      } else if (info === 24 && pos + 2 <= b.length) {
        readings = b[pos + 1]!;
        pos += 2;
      } else if (info === 25 && pos + 3 <= b.length) {
        readings = (b[pos + 1]! << 8) | b[pos + 2]!;
        pos += 3;
      } else return null;
      if (readings < 1 || readings > MAX_READINGS) return null;
      for (let i = 0; i < readings; i++) {
        const t = reading();
        if (t < 0) return null;
        if (t < firstAt) firstAt = t;
        if (t > lastAt) lastAt = t;
      }
    } else if (!(seen & 2) && key('ts')) {
      seen |= 2;
      ts = uint();
      if (ts < 0) return null;
    } else if (!(seen & 4) && key('seq')) {
      seen |= 4;
      seq = uint();
      if (seq < 1) return null;
    } else if (!(seen & 8) && key('dev')) {
      seen |= 8;
      // dev must be the kid for this path: a device id (1–64 ASCII characters, so bytes = characters).
      const len = kid.length;
      if (len < 1 || len > 64 || !isValidDeviceId(kid)) return null;
      const h = b[pos];
      const start = pos + (len < 24 ? 1 : 2);
      if (len < 24 ? h !== 0x60 + len : h !== 0x78 || b[pos + 1] !== len) return null;
      if (start + len > b.length) return null;
      for (let i = 0; i < len; i++) if (b[start + i] !== kid.charCodeAt(i)) return null;
      dev = kid;
      pos = start + len;
    } else return null;
  }
  if (pos !== b.length) return null;
  return { dev, seq, signedAt: ts, firstAt, lastAt, readings };
}

/**
 * core's sigStructure written into one buffer per thread, reused for every message: the result is only
 * valid until the next call (openTelemetrySummary hands it straight to the signature check).
 */
export function createSigStructureWriter(): (protectedBytes: Uint8Array, payload: Uint8Array) => Uint8Array {
  let buf = new Uint8Array(4096);
  return (protectedBytes, payload) => {
    const size = sigStructureLength(protectedBytes.length, payload.length);
    if (size > buf.length) buf = new Uint8Array(Math.max(size, 2 * buf.length));
    return buf.subarray(0, writeSigStructure(buf, protectedBytes, payload));
  };
}
