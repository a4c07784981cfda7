// Device keys (docs/design.md "Device message"): key type 1 = P-256 / ES256
// (SEC1 uncompressed public key, raw r‖s signature), 2 = Ed25519 / EdDSA (raw
// 32-byte public key). Signing and verifying through @noble/curves, so this
// runs unchanged in the browser; the node's fast path (node:crypto on worker
// threads) must agree with `verify` here verdict for verdict.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { keccak256, stringToBytes, type Hex } from 'viem';
import { ALG_EDDSA, ALG_ES256, type CoseAlg } from '../cose/sign1.js';

export const KEY_TYPE_P256 = 1;
export const KEY_TYPE_ED25519 = 2;
export type KeyType = typeof KEY_TYPE_P256 | typeof KEY_TYPE_ED25519;

export const PUBLIC_KEY_LENGTH: Record<KeyType, number> = { 1: 65, 2: 32 };
export const PRIVATE_KEY_LENGTH: Record<KeyType, number> = { 1: 32, 2: 32 };

export interface DevicePublicKey {
  keyType: KeyType;
  publicKey: Uint8Array;
}

export interface KeyPair extends DevicePublicKey {
  privateKey: Uint8Array;
}

/** A device's own key material, as a device (or the simulator) holds it. */
export interface DeviceKey extends KeyPair {
  deviceId: string;
}

export function isKeyType(v: unknown): v is KeyType {
  return v === KEY_TYPE_P256 || v === KEY_TYPE_ED25519;
}

export function algForKeyType(keyType: KeyType): CoseAlg {
  return keyType === KEY_TYPE_P256 ? ALG_ES256 : ALG_EDDSA;
}

export function keyTypeName(keyType: KeyType): string {
  return keyType === KEY_TYPE_P256 ? 'P-256/ES256' : 'Ed25519/EdDSA';
}

// ---------------------------------------------------------------- device ids

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Why `id` is not a valid device id, or null when it is. */
export function deviceIdProblem(id: unknown): string | null {
  if (typeof id !== 'string') return `device id must be a string, got ${typeof id}`;
  if (id.length === 0) return 'device id is empty';
  if (id.length > 64) return `device id is ${id.length} characters long; at most 64 are allowed`;
  if (!DEVICE_ID.test(id)) {
    const bad = [...id].find((c) => !/[A-Za-z0-9._:-]/.test(c)) ?? '';
    return `device id ${JSON.stringify(id)} contains ${JSON.stringify(bad)}; allowed are A–Z a–z 0–9 . _ : -`;
  }
  return null;
}

export function isValidDeviceId(id: unknown): id is string {
  return typeof id === 'string' && DEVICE_ID.test(id);
}

/** The on-chain device id: keccak256(utf8(deviceId)). */
export function deviceIdHash(deviceId: string): Hex {
  return keccak256(stringToBytes(deviceId));
}

// ---------------------------------------------------------------- keys and signatures

/** A fresh key pair; with `seed` (any bytes) the pair is derived deterministically (simulator, tests). */
export function generateDeviceKey(keyType: KeyType, seed?: Uint8Array): KeyPair {
  if (!isKeyType(keyType)) throw new RangeError(`unknown key type ${String(keyType)}; expected 1 (P-256) or 2 (Ed25519)`);
  const curve = keyType === KEY_TYPE_P256 ? p256 : ed25519;
  const material = seed === undefined ? undefined : sha512(seed).slice(0, curve.lengths.seed);
  const { secretKey } = curve.keygen(material);
  return { keyType, privateKey: secretKey, publicKey: publicKeyOf(keyType, secretKey) };
}

/** The public key in the on-chain format (P-256: 65-byte SEC1 uncompressed). */
export function publicKeyOf(keyType: KeyType, privateKey: Uint8Array): Uint8Array {
  return keyType === KEY_TYPE_P256 ? p256.getPublicKey(privateKey, false) : ed25519.getPublicKey(privateKey);
}

/** Why `publicKey` is not a usable key of this type, or null when it is. */
export function publicKeyProblem(keyType: KeyType, publicKey: Uint8Array): string | null {
  const want = PUBLIC_KEY_LENGTH[keyType];
  if (publicKey.length !== want) return `${keyTypeName(keyType)} public key must be ${want} bytes, got ${publicKey.length}`;
  if (keyType === KEY_TYPE_P256) {
    if (publicKey[0] !== 0x04) return 'P-256 public key must be SEC1 uncompressed (first byte 0x04)';
    if (!p256.utils.isValidPublicKey(publicKey, false)) return 'P-256 public key is not a point on the curve';
  } else {
    if (!ed25519.utils.isValidPublicKey(publicKey, false)) return 'Ed25519 public key is not a valid curve point encoding';
    // verify (strict RFC 8032 mode) refuses small-order keys: any signature would be ambiguous.
    if (ed25519.Point.fromBytes(publicKey, false).isSmallOrder()) return 'Ed25519 public key is a small-order point';
  }
  return null;
}

/** ES256: ECDSA over SHA-256(msg), raw r‖s. EdDSA: Ed25519 over msg. Always 64 bytes. */
export function sign(keyType: KeyType, privateKey: Uint8Array, msg: Uint8Array): Uint8Array {
  if (keyType === KEY_TYPE_P256) return p256.sign(msg, privateKey, { prehash: true, lowS: true, format: 'compact' });
  return ed25519.sign(msg, privateKey);
}

/**
 * Never throws: a malformed key or signature is simply "does not verify".
 * ES256 accepts high-S signatures (secure elements do not normalise S, and
 * OpenSSL accepts them too). Ed25519 is checked strictly (RFC 8032, no ZIP-215
 * leniency), as OpenSSL does.
 */
export function verify(keyType: KeyType, publicKey: Uint8Array, msg: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    if (keyType === KEY_TYPE_P256) {
      if (publicKey.length !== 65 || publicKey[0] !== 0x04) return false;
      return p256.verify(signature, msg, publicKey, { prehash: true, lowS: false, format: 'compact' });
    }
    if (keyType === KEY_TYPE_ED25519) {
      if (publicKey.length !== 32) return false;
      return ed25519.verify(signature, msg, publicKey, { zip215: false });
    }
    return false;
  } catch {
    return false;
  }
}
