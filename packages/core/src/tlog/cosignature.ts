// C2SP tlog-cosignature, Ed25519 "cosignature/v1": a witness's timestamped
// signature over a checkpoint. The signature blob is u64 timestamp ‖ Ed25519
// signature; the signed message is "cosignature/v1\ntime <t>\n" ‖ checkpoint text.
import { ed25519 } from '@noble/curves/ed25519.js';
import { TlogError } from './errors.js';
import { isValidKeyName, keyId, type NoteSignature, type NoteVerifier, SIG_TYPE_COSIGNATURE_V1, safeVerify } from './note.js';

const utf8 = new TextEncoder();
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export function cosignatureMessage(checkpointText: string, timestamp: number): string {
  return `cosignature/v1\ntime ${timestamp}\n${checkpointText}`;
}

export const cosignerKeyId = (name: string, publicKey: Uint8Array): number => keyId(name, SIG_TYPE_COSIGNATURE_V1, publicKey);

/** Cosigns checkpoint note text at `timestamp` (POSIX seconds). */
export function cosign(checkpointText: string, name: string, secretKey: Uint8Array, timestamp: number): NoteSignature {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0)
    throw new TlogError('malformed', 'a cosignature timestamp is a positive POSIX time');
  const publicKey = ed25519.getPublicKey(secretKey);
  const sig = ed25519.sign(utf8.encode(cosignatureMessage(checkpointText, timestamp)), secretKey);
  const blob = new Uint8Array(72);
  new DataView(blob.buffer).setBigUint64(0, BigInt(timestamp));
  blob.set(sig, 8);
  return { name, keyId: cosignerKeyId(name, publicKey), signature: blob };
}

/** The timestamp of a cosignature blob (after the key ID), or null when it is not 72 bytes / out of range. */
export function cosignatureTimestamp(signature: Uint8Array): number | null {
  if (signature.length !== 72) return null;
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  if (t > MAX_TIMESTAMP || t > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(t);
}

/** A note verifier for one witness's cosignatures (usable with openNote). */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  if (publicKey.length !== 32) throw new TlogError('malformed', 'an Ed25519 public key is 32 bytes');
  return {
    name,
    keyId: cosignerKeyId(name, publicKey),
    verify: (text, signature) => {
      const t = cosignatureTimestamp(signature);
      if (t === null) return false;
      return safeVerify(signature.subarray(8), utf8.encode(cosignatureMessage(text, t)), publicKey);
    },
  };
}
