// COSE_Sign1 (RFC 9052 §4.2) exactly as docs/design.md fixes it:
//   #6.18([protected: bstr .cbor {1: alg}, unprotected: {4: kid}, payload: bstr, signature: bstr])
// The envelope is decoded strictly and canonically (shortest heads, nothing
// but alg and kid): the log stores these bytes verbatim, and the unsigned parts
// (tag, array, unprotected map, byte-string heads) must not admit a second
// encoding of the same signed message.
import {
  CborError,
  CborReader,
  CborTag,
  type CborValue,
  decodeCbor,
  describeCbor,
  encodeCbor,
  encodeHead,
  headLength,
  MAJOR,
  majorName,
  putHead,
} from './cbor.js';
import { CoseError } from './error.js';

export const COSE_SIGN1_TAG = 18;
export const HEADER_ALG = 1;
export const HEADER_KID = 4;

export const ALG_ES256 = -7;
export const ALG_EDDSA = -8;
export type CoseAlg = typeof ALG_ES256 | typeof ALG_EDDSA;

/** Both ES256 (raw r‖s) and EdDSA (Ed25519) signatures are 64 bytes. */
export const SIGNATURE_LENGTH = 64;

export interface Sign1 {
  /** The protected header exactly as encoded: it is part of what was signed. */
  protectedBytes: Uint8Array;
  alg: CoseAlg;
  /** The kid header as text: the device id. */
  kid: string;
  payload: Uint8Array;
  signature: Uint8Array;
}

export function isCoseAlg(alg: unknown): alg is CoseAlg {
  return alg === ALG_ES256 || alg === ALG_EDDSA;
}

/** The protected header bytes for an algorithm: `bstr .cbor {1: alg}`'s content. */
export function encodeProtectedHeader(alg: CoseAlg): Uint8Array {
  return encodeCbor(new Map([[HEADER_ALG, alg]]));
}

const SIGNATURE1_PREFIX = concat(encodeHead(MAJOR.array, 4), encodeCbor('Signature1'));

/** Length of sigStructure(protectedBytes, payload) for these lengths. */
export function sigStructureLength(protectedLength: number, payloadLength: number): number {
  return SIGNATURE1_PREFIX.length + headLength(protectedLength) + protectedLength + 1 + headLength(payloadLength) + payloadLength;
}

/** Write sigStructure(protectedBytes, payload) into `out` from 0 (sigStructureLength bytes); returns the end. */
export function writeSigStructure(out: Uint8Array, protectedBytes: Uint8Array, payload: Uint8Array): number {
  out.set(SIGNATURE1_PREFIX, 0);
  let at = putHead(out, SIGNATURE1_PREFIX.length, MAJOR.bytes, protectedBytes.length);
  out.set(protectedBytes, at);
  at = putHead(out, at + protectedBytes.length, MAJOR.bytes, 0);
  at = putHead(out, at, MAJOR.bytes, payload.length);
  out.set(payload, at);
  return at + payload.length;
}

/** Sig_structure = ["Signature1", protected, h'' (external_aad), payload], CBOR-encoded: the bytes that are signed. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  // Built in one allocation: this runs once per message on the ingest path.
  const out = new Uint8Array(sigStructureLength(protectedBytes.length, payload.length));
  writeSigStructure(out, protectedBytes, payload);
  return out;
}

export function encodeSign1(m: { alg: CoseAlg; kid: string; payload: Uint8Array; signature: Uint8Array }): Uint8Array {
  if (m.signature.length !== SIGNATURE_LENGTH) {
    throw new CoseError('malformed', `signature must be ${SIGNATURE_LENGTH} bytes, got ${m.signature.length}`);
  }
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [
      encodeProtectedHeader(m.alg),
      new Map([[HEADER_KID, new TextEncoder().encode(m.kid)]]),
      m.payload,
      m.signature,
    ]),
  );
}

/** Decode and structurally check a COSE_Sign1; throws CoseError 'malformed' or 'unsupported_alg'. */
export function decodeSign1(bytes: Uint8Array): Sign1 {
  try {
    return readSign1(new CborReader(bytes, true));
  } catch (err) {
    if (err instanceof CborError) throw new CoseError('malformed', `${err.message} at byte ${err.offset}`);
    throw err;
  }
}

function readSign1(r: CborReader): Sign1 {
  const tag = r.head();
  if (tag.major !== MAJOR.tag || tag.arg !== COSE_SIGN1_TAG) {
    throw new CoseError('malformed', `expected COSE_Sign1 tag 18 at byte 0, got ${describeHead(tag)}`);
  }
  const arr = r.head();
  if (arr.major !== MAJOR.array || arr.arg !== 4) {
    throw new CoseError('malformed', `COSE_Sign1 must be a 4-element array, got ${describeHead(arr)}`);
  }
  const protectedBytes = r.expectBytes('protected header');
  const alg = readProtected(protectedBytes);
  const kid = readUnprotected(r);
  const payloadHead = r.head();
  if (payloadHead.major === MAJOR.simple && payloadHead.arg === 22) {
    throw new CoseError('malformed', 'payload is nil: detached payloads are not accepted');
  }
  if (payloadHead.major !== MAJOR.bytes) {
    throw new CoseError('malformed', `payload must be a byte string, got ${majorName(payloadHead)}`);
  }
  const payload = r.take(payloadHead.arg, payloadHead.offset);
  const signature = r.expectBytes('signature');
  if (signature.length !== SIGNATURE_LENGTH) {
    throw new CoseError('malformed', `signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`);
  }
  if (!r.done) throw new CoseError('malformed', `${r.bytes.length - r.pos} trailing bytes after the COSE_Sign1`);
  return { protectedBytes, alg, kid, payload, signature };
}

function readProtected(bytes: Uint8Array): CoseAlg {
  if (bytes.length === 0) throw new CoseError('malformed', 'protected header is empty: alg (label 1) is required');
  let header: CborValue;
  try {
    header = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) throw new CoseError('malformed', `protected header: ${err.message} at byte ${err.offset}`);
    throw err;
  }
  if (!(header instanceof Map)) throw new CoseError('malformed', `protected header must be a map, got ${describeCbor(header)}`);
  for (const label of header.keys()) {
    if (label !== HEADER_ALG)
      throw new CoseError('malformed', `protected header has label ${JSON.stringify(label)}; only alg (1) is allowed`);
  }
  if (!header.has(HEADER_ALG)) throw new CoseError('malformed', 'protected header has no alg (label 1)');
  const alg = header.get(HEADER_ALG);
  if (!isCoseAlg(alg)) {
    const shown = typeof alg === 'number' || typeof alg === 'string' ? JSON.stringify(alg) : describeCbor(alg);
    throw new CoseError('unsupported_alg', `alg ${shown} is not supported; expected -7 (ES256) or -8 (EdDSA)`);
  }
  return alg;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readUnprotected(r: CborReader): string {
  const at = r.pos;
  const header = r.value();
  if (!(header instanceof Map))
    throw new CoseError('malformed', `unprotected header must be a map, got ${describeCbor(header)} at byte ${at}`);
  for (const label of header.keys()) {
    if (label !== HEADER_KID)
      throw new CoseError('malformed', `unprotected header has label ${JSON.stringify(label)}; only kid (4) is allowed`);
  }
  const kid = header.get(HEADER_KID);
  if (kid === undefined) throw new CoseError('malformed', 'unprotected header has no kid (label 4)');
  if (!(kid instanceof Uint8Array)) throw new CoseError('malformed', `kid must be a byte string, got ${describeCbor(kid)}`);
  try {
    return utf8.decode(kid);
  } catch {
    throw new CoseError('malformed', 'kid is not valid UTF-8');
  }
}

function describeHead(h: { major: number; info: number; arg: number }): string {
  return h.major === MAJOR.tag ? `tag ${h.arg}` : h.major === MAJOR.array ? `an array of ${h.arg}` : majorName(h);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
