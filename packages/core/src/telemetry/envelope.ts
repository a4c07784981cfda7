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

/**
 * Verify an envelope against the device key `lookupKey` returns for its kid.
 * Never throws for bad input; the result names the reason and the detail.
 */
export function openTelemetry<K extends DevicePublicKey>(
  bytes: Uint8Array,
  lookupKey: (deviceId: string) => K | undefined,
  verifySignature: SignatureVerifier<K> = nobleVerify,
  /** decodeSign1, or a faster decoder that gives the same result (and the same CoseError) for every input. */
  decode: (bytes: Uint8Array) => Sign1 = decodeSign1,
): OpenResult {
  let deviceId: string | undefined;
  try {
    const env = decode(bytes);
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
    if (!verifySignature(key, sigStructure(env.protectedBytes, env.payload), env.signature)) {
      return {
        ok: false,
        reason: 'bad_signature',
        detail: `signature does not verify under device ${deviceId}'s registered key`,
        deviceId,
      };
    }
    const payload = decodePayload(env.payload);
    if (payload.dev !== deviceId) {
      return {
        ok: false,
        reason: 'device_mismatch',
        detail: `payload dev ${JSON.stringify(payload.dev)} differs from kid ${JSON.stringify(deviceId)}`,
        deviceId,
      };
    }
    const { firstAt, lastAt } = readingSpan(payload);
    return {
      ok: true,
      msg: { deviceId, seq: payload.seq, signedAt: payload.ts, firstAt, lastAt, readings: payload.r.length, payload },
    };
  } catch (err) {
    if (err instanceof CoseError) {
      return deviceId === undefined
        ? { ok: false, reason: err.code, detail: err.message }
        : { ok: false, reason: err.code, detail: err.message, deviceId };
    }
    throw err;
  }
}
