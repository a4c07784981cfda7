// A device key file: the JSON a device (or the simulator, or `tradetwin device`)
// keeps its key in.
//   { "deviceId": "reefer-7", "keyType": 1, "privateKey": "<hex>", "publicKey": "<hex>" }
// Parsing checks everything, including that the public key belongs to the
// private key, so a file mixed up by hand fails here and not as a stream of
// bad_signature rejections at the node.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  type DeviceKey,
  deviceIdProblem,
  isKeyType,
  keyTypeName,
  PRIVATE_KEY_LENGTH,
  PUBLIC_KEY_LENGTH,
  publicKeyOf,
} from './keys.js';

export interface DeviceKeyFile {
  deviceId: string;
  keyType: 1 | 2;
  /** hex, no 0x prefix */
  privateKey: string;
  /** hex, no 0x prefix; P-256: 65-byte SEC1 uncompressed */
  publicKey: string;
}

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export function toKeyFile(key: DeviceKey): DeviceKeyFile {
  return {
    deviceId: key.deviceId,
    keyType: key.keyType,
    privateKey: bytesToHex(key.privateKey),
    publicKey: bytesToHex(key.publicKey),
  };
}

/** The key file's text (pretty JSON, trailing newline). */
export function encodeKeyFile(key: DeviceKey): string {
  return `${JSON.stringify(toKeyFile(key), null, 2)}\n`;
}

function hexField(name: string, v: unknown, length: number): Uint8Array {
  if (typeof v !== 'string') throw new KeyFileError(`${name} must be a hex string, got ${v === null ? 'null' : typeof v}`);
  const hex = v.startsWith('0x') || v.startsWith('0X') ? v.slice(2) : v;
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new KeyFileError(`${name} is not an even-length hex string`);
  if (hex.length !== length * 2) throw new KeyFileError(`${name} must be ${length} bytes, got ${hex.length / 2}`);
  return hexToBytes(hex);
}

/** Check a parsed key file object; throws KeyFileError naming the field. */
export function validateKeyFile(v: unknown): DeviceKey {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new KeyFileError('key file must be a JSON object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['deviceId', 'keyType', 'privateKey', 'publicKey'].includes(k))
      throw new KeyFileError(`unknown field "${k}" in key file`);
  }
  const idProblem = deviceIdProblem(o.deviceId);
  if (idProblem) throw new KeyFileError(`deviceId: ${idProblem}`);
  if (!isKeyType(o.keyType)) throw new KeyFileError(`keyType must be 1 (P-256) or 2 (Ed25519), got ${JSON.stringify(o.keyType)}`);
  const keyType = o.keyType;
  const privateKey = hexField('privateKey', o.privateKey, PRIVATE_KEY_LENGTH[keyType]);
  const publicKey = hexField('publicKey', o.publicKey, PUBLIC_KEY_LENGTH[keyType]);
  let derived: Uint8Array;
  try {
    derived = publicKeyOf(keyType, privateKey);
  } catch (err) {
    throw new KeyFileError(`privateKey is not a valid ${keyTypeName(keyType)} private key: ${(err as Error).message}`);
  }
  if (bytesToHex(derived) !== bytesToHex(publicKey)) throw new KeyFileError('publicKey does not belong to privateKey');
  return { deviceId: o.deviceId as string, keyType, privateKey, publicKey };
}

/** Parse a key file's text; throws KeyFileError. */
export function parseKeyFile(text: string): DeviceKey {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new KeyFileError(`key file is not JSON: ${(err as Error).message}`);
  }
  return validateKeyFile(v);
}
