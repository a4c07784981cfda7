// The worker-thread side of the ingest verifier (./verifier.ts), and the
// node:crypto signature check both sides share. A worker opens envelopes with
// core's openTelemetry (same decoding, same check order, same details) and
// only swaps the signature primitive for OpenSSL's, which is several times
// faster than @noble/curves. Device keys are imported into OpenSSL once per
// device and cached here; a message whose device this worker has no key for is
// answered with { needKey } and the main thread resends it with the key.
import { createPublicKey, hash as cryptoHash, type KeyObject, verify as cryptoVerify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { type DevicePublicKey, KEY_TYPE_P256, publicKeyProblem } from '@tradetwin/core/device/keys';
import { ALG_EDDSA, ALG_ES256, decodeSign1, type Sign1 } from '@tradetwin/core/cose/sign1';
import {
  type OpenResult,
  openTelemetrySummary,
  summarisePayload,
  type VerifiedMessage,
} from '@tradetwin/core/telemetry/envelope';
import { createSigStructureWriter, summarisePayloadFast } from './fast-payload.js';

/** A device key imported into OpenSSL; `handle` is null for a key that can never verify anything. */
export interface NodeDeviceKey extends DevicePublicKey {
  handle: KeyObject | null;
}

export type VerifyResult = OpenResult<VerifiedMessage>;

// SubjectPublicKeyInfo DER prefixes: id-ecPublicKey + prime256v1, and id-Ed25519.
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Import a registered key. Keys that core's `verify` would never accept
 * (publicKeyProblem: not on the curve, non-canonical, Ed25519 small-order) get
 * no handle, so OpenSSL cannot be more lenient than the browser's verifier.
 */
export function importDeviceKey(key: DevicePublicKey): NodeDeviceKey {
  const base = { keyType: key.keyType, publicKey: key.publicKey };
  if (publicKeyProblem(key.keyType, key.publicKey) !== null) return { ...base, handle: null };
  try {
    const prefix = key.keyType === KEY_TYPE_P256 ? P256_SPKI_PREFIX : ED25519_SPKI_PREFIX;
    const der = Buffer.concat([prefix, key.publicKey]);
    return { ...base, handle: createPublicKey({ key: der, format: 'der', type: 'spki' }) };
  } catch {
    return { ...base, handle: null };
  }
}

/** Where the minimal DER INTEGER for a 32-byte big-endian unsigned value starts, and whether it needs a 0x00 pad. */
function derIntegerShape(sig: Uint8Array, from: number): { start: number; pad: number } {
  let start = from;
  while (start < from + 31 && sig[start] === 0) start++;
  return { start, pad: sig[start]! >= 0x80 ? 1 : 0 };
}

/**
 * Raw r‖s (COSE ES256) to the DER ECDSA-Sig-Value OpenSSL verifies natively:
 * Node's own ieee-p1363 conversion costs about a third more per verification.
 */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const r = derIntegerShape(sig, 0);
  const s = derIntegerShape(sig, 32);
  const rLen = 32 - (r.start - 0) + r.pad;
  const sLen = 64 - s.start + s.pad;
  const out = new Uint8Array(2 + 2 + rLen + 2 + sLen);
  out[0] = 0x30;
  out[1] = 4 + rLen + sLen;
  out[2] = 0x02;
  out[3] = rLen;
  out.set(sig.subarray(r.start, 32), 4 + r.pad);
  const sAt = 4 + rLen;
  out[sAt] = 0x02;
  out[sAt + 1] = sLen;
  out.set(sig.subarray(s.start, 64), sAt + 2 + s.pad);
  return out;
}

/** ES256 or Ed25519 through OpenSSL; never throws. */
export function verifyWithNodeCrypto(key: NodeDeviceKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.handle === null || signature.length !== 64) return false;
  try {
    if (key.keyType === KEY_TYPE_P256) return cryptoVerify('sha256', message, key.handle, p1363ToDer(signature));
    return cryptoVerify(null, message, key.handle, signature);
  } catch {
    return false;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Start and end of the canonical byte string at `at`, or null for anything else. */
function canonicalBytes(b: Uint8Array, at: number): { start: number; end: number } | null {
  const h = b[at];
  if (h === undefined || h >> 5 !== 2) return null;
  const info = h & 0x1f;
  let len: number;
  let start: number;
  if (info < 24) [len, start] = [info, at + 1];
  else if (info === 24 && at + 1 < b.length && b[at + 1]! >= 24) [len, start] = [b[at + 1]!, at + 2];
  else if (info === 25 && at + 2 < b.length && b[at + 1]! > 0) [len, start] = [(b[at + 1]! << 8) | b[at + 2]!, at + 3];
  else return null;
  return start + len <= b.length ? { start, end: start + len } : null;
}

/**
 * decodeSign1 for the shape every device sends, read at fixed offsets:
 *   d2 84 43 a1 01 26|27 a1 04 <kid bstr> <payload bstr> 58 40 <64-byte signature>
 * (canonical heads only). Any other input goes to decodeSign1, which then returns or throws exactly as
 * it always does; for this shape its result is the same. Saves a general CBOR decode per message.
 */
export function decodeSign1Fast(b: Uint8Array): Sign1 {
  if (
    b[0] === 0xd2 &&
    b[1] === 0x84 &&
    b[2] === 0x43 &&
    b[3] === 0xa1 &&
    b[4] === 0x01 &&
    (b[5] === 0x26 || b[5] === 0x27) &&
    b[6] === 0xa1 &&
    b[7] === 0x04
  ) {
    const kid = canonicalBytes(b, 8);
    const payload = kid && canonicalBytes(b, kid.end);
    if (payload && payload.end + 66 === b.length && b[payload.end] === 0x58 && b[payload.end + 1] === 0x40) {
      let kidText: string | null = null;
      try {
        kidText = utf8.decode(b.subarray(kid.start, kid.end));
      } catch {
        // not UTF-8: decodeSign1 says so
      }
      if (kidText !== null) {
        return {
          protectedBytes: b.subarray(3, 6),
          alg: b[5] === 0x26 ? ALG_ES256 : ALG_EDDSA,
          kid: kidText,
          payload: b.subarray(payload.start, payload.end),
          signature: b.subarray(payload.end + 2),
        };
      }
    }
  }
  return decodeSign1(b);
}

const OPEN_OPTIONS = {
  verifySignature: verifyWithNodeCrypto,
  decode: decodeSign1Fast,
  sigStructure: createSigStructureWriter(),
  summarise: (payload: Uint8Array, kid: string) => summarisePayloadFast(payload, kid) ?? summarisePayload(payload),
};

/**
 * openTelemetry's checks with the OpenSSL primitive and the fast paths (./fast-payload.ts), without the
 * payload (ingest needs only the summary): the same outcome, reason and detail for every input.
 */
export function openWithNodeCrypto(bytes: Uint8Array, lookup: (deviceId: string) => NodeDeviceKey | undefined): VerifyResult {
  return openTelemetrySummary(bytes, lookup, OPEN_OPTIONS);
}

// ---------------------------------------------------------------- log leaves

const LEAF_KIND = new TextEncoder().encode('telemetry');
/** The largest leaf prefix: 0x84, version, text head + "telemetry", uint64 head, bytes head (≤ 9 bytes). */
export const MAX_LEAF_PREFIX = 1 + 1 + 1 + LEAF_KIND.length + 9 + 9;

function putUint(out: Uint8Array, at: number, major: number, value: number): number {
  const m = major << 5;
  if (value < 24) {
    out[at] = m | value;
    return at + 1;
  }
  const bytes = value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x100000000 ? 4 : 8;
  out[at] = m | (24 + Math.log2(bytes));
  let v = value;
  for (let i = bytes; i >= 1; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return at + 1 + bytes;
}

/**
 * Write 0x00 ‖ leaf at `at`, where leaf is core's encodeLeaf({ kind: 'telemetry', receivedAt, body }):
 * with the 0x00 in front the leaf hash is one SHA-256 over the same bytes, no copy. Returns the end.
 */
export function writeTelemetryLeaf(out: Uint8Array, at: number, receivedAt: number, body: Uint8Array): number {
  if (!Number.isSafeInteger(receivedAt) || receivedAt < 0) throw new RangeError(`cannot encode receivedAt ${receivedAt}`);
  out[at] = 0x00;
  out[at + 1] = 0x84;
  out[at + 2] = 0x01;
  let p = putUint(out, at + 3, 3, LEAF_KIND.length);
  out.set(LEAF_KIND, p);
  p = putUint(out, p + LEAF_KIND.length, 0, receivedAt);
  p = putUint(out, p, 2, body.length);
  out.set(body, p);
  return p + body.length;
}

/** SHA-256 of bytes [from, to): the RFC 9162 leaf hash when `from` holds the 0x00 written above. */
export function sha256Range(buf: Uint8Array, from: number, to: number): Buffer {
  return cryptoHash('sha256', buf.subarray(from, to), 'buffer');
}

// ---------------------------------------------------------------- worker protocol

/** A device key sent along with a chunk: [deviceId, keyType, publicKey], or [deviceId, 0, null] for "not registered". */
export type KeyGrant = [deviceId: string, keyType: 0 | 1 | 2, publicKey: Uint8Array | null];

export interface VerifyRequest {
  id: number;
  /** The messages, concatenated. */
  data: ArrayBuffer;
  /** End offset of each message in `data`. */
  ends: Uint32Array;
  keys: KeyGrant[];
  /**
   * Per message: the node's receipt time when the log leaf is wanted (the worker then encodes the
   * leaf and hashes it, off the main thread), NaN when not. Absent: no leaves.
   */
  receivedAt?: Float64Array;
}

/** A refusal, or "I have no key for this device": the outcomes that travel as objects. */
export type WorkerException = Extract<VerifyResult, { ok: false }> | { needKey: string };

/**
 * Outcomes of one chunk, packed: verified messages (the common case) as columns,
 * so neither thread pays for cloning thousands of small objects.
 */
export interface VerifyResponse {
  id: number;
  /** Per message i: deviceId of a verified message, or '' when the outcome is in `exceptions`. */
  deviceIds: string[];
  /** Per message i, at 5i: seq, signedAt, firstAt, lastAt, readings (verified messages only). */
  numbers: Float64Array;
  exceptions: [index: number, outcome: WorkerException][];
  /**
   * When leaves were asked for: per verified message i, its leaf hash at 32i of `leafHashes`, and its
   * leaf bytes in `leaves` from leafStarts[i] to leafEnds[i] (empty for the others).
   */
  leafHashes?: ArrayBuffer;
  leaves?: ArrayBuffer;
  leafStarts?: Uint32Array;
  leafEnds?: Uint32Array;
}

export const NUMBERS_PER_MESSAGE = 5;

export type WorkerCommand = { forget: string | null };

class NeedKey {
  constructor(readonly deviceId: string) {}
}

/** A worker's state: its cache of imported keys and the chunk handler. */
export function createWorkerVerifier(): { handle(req: VerifyRequest): VerifyResponse; forget(deviceId: string | null): void } {
  const cache = new Map<string, NodeDeviceKey>();
  return {
    handle(req) {
      const granted = new Map<string, NodeDeviceKey | null>();
      for (const [deviceId, keyType, publicKey] of req.keys) {
        if (keyType === 0 || publicKey === null) {
          granted.set(deviceId, null);
          cache.delete(deviceId);
        } else {
          const key = importDeviceKey({ keyType, publicKey });
          granted.set(deviceId, key);
          cache.set(deviceId, key);
        }
      }
      const lookup = (deviceId: string): NodeDeviceKey | undefined => {
        const g = granted.get(deviceId);
        if (g !== undefined) return g ?? undefined;
        const cached = cache.get(deviceId);
        if (cached) return cached;
        throw new NeedKey(deviceId);
      };
      const all = new Uint8Array(req.data);
      const n = req.ends.length;
      const res: VerifyResponse = {
        id: req.id,
        deviceIds: new Array(n),
        numbers: new Float64Array(n * NUMBERS_PER_MESSAGE),
        exceptions: [],
      };
      let start = 0;
      for (let i = 0; i < n; i++) {
        const end = req.ends[i]!;
        let r: VerifyResult;
        try {
          r = openWithNodeCrypto(all.subarray(start, end), lookup);
        } catch (err) {
          if (!(err instanceof NeedKey)) throw err;
          res.deviceIds[i] = '';
          res.exceptions.push([i, { needKey: err.deviceId }]);
          start = end;
          continue;
        }
        if (r.ok) {
          const m = r.msg;
          res.deviceIds[i] = m.deviceId;
          const at = i * NUMBERS_PER_MESSAGE;
          res.numbers[at] = m.seq;
          res.numbers[at + 1] = m.signedAt;
          res.numbers[at + 2] = m.firstAt;
          res.numbers[at + 3] = m.lastAt;
          res.numbers[at + 4] = m.readings;
        } else {
          res.deviceIds[i] = '';
          res.exceptions.push([i, r]);
        }
        start = end;
      }
      if (req.receivedAt) addLeaves(req, all, res);
      return res;
    },
    forget(deviceId) {
      if (deviceId === null) cache.clear();
      else cache.delete(deviceId);
    },
  };
}

/** Encode and hash the log leaf of every verified message of a chunk that asked for one: all in three buffers. */
function addLeaves(req: VerifyRequest, all: Uint8Array, res: VerifyResponse): void {
  const n = req.ends.length;
  const receivedAt = req.receivedAt!;
  let size = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = req.ends[i]!;
    if (res.deviceIds[i] !== '' && !Number.isNaN(receivedAt[i]!)) size += MAX_LEAF_PREFIX + (end - start);
    start = end;
  }
  const leaves = new Uint8Array(size);
  const hashes = new Uint8Array(32 * n);
  const leafStarts = new Uint32Array(n);
  const leafEnds = new Uint32Array(n);
  let at = 0;
  start = 0;
  for (let i = 0; i < n; i++) {
    const end = req.ends[i]!;
    leafStarts[i] = at;
    leafEnds[i] = at;
    if (res.deviceIds[i] !== '' && !Number.isNaN(receivedAt[i]!)) {
      const leafEnd = writeTelemetryLeaf(leaves, at, receivedAt[i]!, all.subarray(start, end));
      hashes.set(sha256Range(leaves, at, leafEnd), 32 * i);
      // The leaf is what follows the 0x00 domain prefix.
      leafStarts[i] = at + 1;
      leafEnds[i] = leafEnd;
      at = leafEnd;
    }
    start = end;
  }
  res.leaves = leaves.buffer;
  res.leafHashes = hashes.buffer;
  res.leafStarts = leafStarts;
  res.leafEnds = leafEnds;
}

/** The buffers of a response that can move to the main thread instead of being copied. */
export function transferables(res: VerifyResponse): ArrayBuffer[] {
  const out = [res.numbers.buffer as ArrayBuffer];
  if (res.leaves)
    out.push(res.leaves, res.leafHashes!, res.leafStarts!.buffer as ArrayBuffer, res.leafEnds!.buffer as ArrayBuffer);
  return out;
}

/** Marks the worker's workerData so that importing this module elsewhere starts nothing. */
export const WORKER_MARK = 'tradetwin-verify-worker';

if (parentPort && (workerData as { role?: string } | null)?.role === WORKER_MARK) {
  const port = parentPort;
  const verifier = createWorkerVerifier();
  port.on('message', (m: VerifyRequest | WorkerCommand) => {
    if ('forget' in m) verifier.forget(m.forget);
    else {
      const res = verifier.handle(m);
      port.postMessage(res, transferables(res));
    }
  });
}
