// Sign a telemetry payload into a COSE_Sign1 envelope, and open one: the full
// check a message must pass before anything else (device status, clocks,
// sequence) is looked at. The order of checks fixes which reason a message
// gets, and the node's worker-thread verifier reproduces it exactly:
//   malformed / unsupported_alg → unknown_device → alg_mismatch
//   → bad_signature → bad_payload → device_mismatch
// The signature is checked before the payload is parsed, so bad_payload always
// means "the device itself signed this".
import { CoseError } from '../cose/error.js';
import { decodeSign1, encodeProtectedHeader, encodeSign1, type Sign1, sigStructure } from '../cose/sign1.js';
import {
  algForKeyType,
  type DeviceKey,
  type DevicePublicKey,
  deviceIdProblem,
  keyTypeName,
  sign,
  verify,
} from '../device/keys.js';
import { decodePayload, encodePayload, readingSpan, type TelemetryPayload } from './payload.js';
import type { EnvelopeRejectReason } from './reasons.js';

/** What a verified envelope says (the node's ingest VerifiedMessage). */
export interface VerifiedMessage {
  deviceId: string;
  seq: number;
  /** Payload ts: when the device signed, ms. */
  signedAt: number;
  firstAt: number;
  lastAt: number;
  /** Number of readings. */
  readings: number;
}

export interface OpenedTelemetry extends VerifiedMessage {
  payload: TelemetryPayload;
}

export type OpenResult<M = OpenedTelemetry> =
  | { ok: true; msg: M }
  | { ok: false; reason: EnvelopeRejectReason; detail: string; deviceId?: string };

/** Checks one signature under a looked-up key; the default is core's (noble) `verify`. */
export type SignatureVerifier<K extends DevicePublicKey> = (key: K, message: Uint8Array, signature: Uint8Array) => boolean;

const nobleVerify: SignatureVerifier<DevicePublicKey> = (key, message, signature) =>
  verify(key.keyType, key.publicKey, message, signature);

/** Produces the 64-byte signature over a Sig_structure; the default is core's (noble) `sign`. */
export type Signer = (keyType: DeviceKey['keyType'], privateKey: Uint8Array, message: Uint8Array) => Uint8Array;

/** Sign a payload as the device: validates, encodes deterministically, signs, wraps. */
export function signTelemetry(payload: TelemetryPayload, key: DeviceKey, signer: Signer = sign): Uint8Array {
  if (payload.dev !== key.deviceId) {
    throw new CoseError(
      'device_mismatch',
      `payload dev ${JSON.stringify(payload.dev)} is not the key's device ${JSON.stringify(key.deviceId)}`,
    );
  }
  const bytes = encodePayload(payload);
  const alg = algForKeyType(key.keyType);
  const signature = signer(key.keyType, key.privateKey, sigStructure(encodeProtectedHeader(alg), bytes));
  return encodeSign1({ alg, kid: key.deviceId, payload: bytes, signature });
}

/** What a payload contributes to a VerifiedMessage, plus its dev (checked against the kid). */
export type PayloadSummary = Omit<VerifiedMessage, 'deviceId'> & { dev: string };

/**
 * The ingest variant of openTelemetry's steps, for hot paths: the same checks in the same order with the
 * same results and details, but the payload only summarised and the primitives swappable.
 */
export interface OpenSummaryOptions<K extends DevicePublicKey> {
  verifySignature: SignatureVerifier<K>;
  /** decodeSign1, or a faster decoder that gives the same result (and the same CoseError) for every input. */
  decode: (bytes: Uint8Array) => Sign1;
  /** sigStructure, or one that writes the same bytes into a reused buffer (used once, right away). */
  sigStructure: (protectedBytes: Uint8Array, payload: Uint8Array) => Uint8Array;
  /**
   * summarisePayload, or a faster reader that returns the same summary or throws the same CoseError;
   * `kid` (the envelope's, a valid device id) is what dev must equal, so a reader may compare bytes to it.
   */
  summarise: (payload: Uint8Array, kid: string) => PayloadSummary;
}

/** decodePayload's summary of a payload; throws CoseError 'bad_payload' as decodePayload does. */
export function summarisePayload(payload: Uint8Array): PayloadSummary {
  const p = decodePayload(payload);
  const { firstAt, lastAt } = readingSpan(p);
  return { dev: p.dev, seq: p.seq, signedAt: p.ts, firstAt, lastAt, readings: p.r.length };
}

/**
 * Verify an envelope against the device key `lookupKey` returns for its kid.
 * Never throws for bad input; the result names the reason and the detail.
 */
export function openTelemetry<K extends DevicePublicKey>(
  bytes: Uint8Array,
  lookupKey: (deviceId: string) => K | undefined,
  verifySignature: SignatureVerifier<K> = nobleVerify,
): OpenResult {
  let payload: TelemetryPayload | undefined;
  const r = openTelemetrySummary(bytes, lookupKey, {
    verifySignature,
    decode: decodeSign1,
    sigStructure,
    summarise: (b) => {
      payload = decodePayload(b);
      const { firstAt, lastAt } = readingSpan(payload);
      return { dev: payload.dev, seq: payload.seq, signedAt: payload.ts, firstAt, lastAt, readings: payload.r.length };
    },
  });
  return r.ok ? { ok: true, msg: { ...r.msg, payload: payload! } } : r;
}

/** openTelemetry without the decoded payload, with the primitives `opts` gives (the node's verify workers). */
export function openTelemetrySummary<K extends DevicePublicKey>(
  bytes: Uint8Array,
  lookupKey: (deviceId: string) => K | undefined,
  opts: OpenSummaryOptions<K>,
): OpenResult<VerifiedMessage> {
  let deviceId: string | undefined;
  try {
    const env = opts.decode(bytes);
    const idProblem = deviceIdProblem(env.kid);
    if (idProblem) return { ok: false, reason: 'malformed', detail: `kid: ${idProblem}` };
    deviceId = env.kid;
    const key = lookupKey(deviceId);
    if (!key) return { ok: false, reason: 'unknown_device', detail: `device ${deviceId} is not registered`, deviceId };
    if (algForKeyType(key.keyType) !== env.alg) {
      return {
        ok: false,
        reason: 'alg_mismatch',
        detail: `alg ${env.alg} does not match device ${deviceId}'s ${keyTypeName(key.keyType)} key (alg ${algForKeyType(key.keyType)})`,
        deviceId,
      };
    }
    if (!opts.verifySignature(key, opts.sigStructure(env.protectedBytes, env.payload), env.signature)) {
      return {
        ok: false,
        reason: 'bad_signature',
        detail: `signature does not verify under device ${deviceId}'s registered key`,
        deviceId,
      };
    }
    const { dev, seq, signedAt, firstAt, lastAt, readings } = opts.summarise(env.payload, deviceId);
    if (dev !== deviceId) {
      return {
        ok: false,
        reason: 'device_mismatch',
        detail: `payload dev ${JSON.stringify(dev)} differs from kid ${JSON.stringify(deviceId)}`,
        deviceId,
      };
    }
    return { ok: true, msg: { deviceId, seq, signedAt, firstAt, lastAt, readings } };
  } catch (err) {
    if (err instanceof CoseError) {
      return deviceId === undefined
        ? { ok: false, reason: err.code, detail: err.message }
        : { ok: false, reason: err.code, detail: err.message, deviceId };
    }
    throw err;
  }
}
