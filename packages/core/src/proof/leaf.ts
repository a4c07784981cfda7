// The canonical bytes of a log leaf (docs/design.md "Log leaf"): a CBOR array
// [1, kind, receivedAtMs, body]. Written by hand rather than through a general
// CBOR library so the encoding is deterministic by construction (definite
// lengths, shortest integer heads) and identical in Node and the browser.

export const LEAF_VERSION = 1;

export interface LeafRecord {
  kind: string;
  receivedAt: number;
  body: Uint8Array;
}

export class LeafFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeafFormatError';
  }
}

function head(major: number, value: number, out: number[]): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new LeafFormatError(`cannot encode ${value} as a CBOR length`);
  const m = major << 5;
  if (value < 24) out.push(m | value);
  else if (value < 0x100) out.push(m | 24, value);
  else if (value < 0x10000) out.push(m | 25, value >> 8, value & 0xff);
  else if (value < 0x100000000)
    out.push(m | 26, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  else {
    const hi = Math.floor(value / 0x100000000);
    const lo = value >>> 0;
    out.push(m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    out.push((lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

export function encodeLeaf(rec: LeafRecord): Uint8Array {
  const kind = new TextEncoder().encode(rec.kind);
  const prefix: number[] = [0x84];
  head(0, LEAF_VERSION, prefix);
  head(3, kind.length, prefix);
  prefix.push(...kind);
  head(0, rec.receivedAt, prefix);
  head(2, rec.body.length, prefix);
  const out = new Uint8Array(prefix.length + rec.body.length);
  out.set(prefix, 0);
  out.set(rec.body, prefix.length);
  return out;
}

export function decodeLeaf(bytes: Uint8Array): LeafRecord {
  let pos = 0;
  const readHead = (expectMajor: number): number => {
    const b = bytes[pos++];
    if (b === undefined) throw new LeafFormatError('leaf is truncated');
    if (b >> 5 !== expectMajor) throw new LeafFormatError(`expected CBOR major type ${expectMajor} at byte ${pos - 1}`);
    const info = b & 0x1f;
    if (info < 24) return info;
    const n = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : -1;
    if (n < 0) throw new LeafFormatError('indefinite or reserved CBOR length in leaf');
    if (pos + n > bytes.length) throw new LeafFormatError('leaf is truncated');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[pos++]!;
    if (!Number.isSafeInteger(v)) throw new LeafFormatError('integer too large in leaf');
    return v;
  };
  if (bytes[pos++] !== 0x84) throw new LeafFormatError('leaf is not a 4-element CBOR array');
  const version = readHead(0);
  if (version !== LEAF_VERSION) throw new LeafFormatError(`unknown leaf version ${version}`);
  const kindLen = readHead(3);
  if (pos + kindLen > bytes.length) throw new LeafFormatError('leaf is truncated');
  const kind = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(pos, pos + kindLen));
  pos += kindLen;
  const receivedAt = readHead(0);
  const bodyLen = readHead(2);
  if (pos + bodyLen !== bytes.length) throw new LeafFormatError('leaf body length does not match');
  return { kind, receivedAt, body: bytes.subarray(pos, pos + bodyLen) };
}
