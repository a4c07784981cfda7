// Signed actuator commands (scenario S10). A command is a COSE_Sign1 whose
// payload is a CBOR map naming the device, the shipment, a per-device sequence
// number, an expiry and one action. It is signed with a member organisation's
// operator key: the secp256k1 key of an account the MemberRegistry lists for
// that organisation (alg ES256K, -47, RFC 8812), kid = the account address
// ("0x…", lower case). Verifying recovers the public key from the signature
// and requires its address to equal the kid, so a verifier needs only the
// registry's account list, never a separate key distribution.
//
// Co-signature: a second organisation signs the *same payload bytes* with its
// own COSE_Sign1. The two messages travel together as a command bundle: a CBOR
// array of one or two byte strings, each a COSE_Sign1 ([command, cosignature]).
// Two Sign1s rather than one COSE_Sign (tag 98) because the issuer's message
// stays a plain Sign1 that is valid alone, the co-signer can add theirs later
// without touching it, and every part reuses the telemetry envelope's strict
// single-signer decoding rules.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { CborError, CborTag, type CborValue, decodeCbor, describeCbor, encodeCbor } from '../cose/cbor.js';
import { deviceIdProblem } from '../device/keys.js';

export const ALG_ES256K = -47;
const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_KID = 4;
export const COMMAND_VERSION = 1;
/** A bundle carries the command and at most one co-signature. */
export const MAX_SIGNATURES = 2;

export type CommandAction =
  | { kind: 'setpoint'; celsius: number }
  | { kind: 'door'; state: 'lock' | 'unlock' }
  | { kind: 'valve'; state: 'open' | 'close' };

export interface CommandPayload {
  device: string;
  shipment: string;
  seq: number;
  /** When the issuer signed, ms. */
  issuedAt: number;
  /** After this (ms) nobody may act on it. */
  expiresAt: number;
  action: CommandAction;
}

export type CommandErrorCode =
  | 'malformed'
  | 'bad_signature'
  | 'payload_mismatch'
  | 'unauthorised'
  | 'cosignature_required'
  | 'replayed'
  | 'expired'
  | 'out_of_range'
  | 'rate_limited'
  | 'wrong_device';

export class CommandError extends Error {
  constructor(
    readonly code: CommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** One verified signature of a bundle: who signed (the recovered account). */
export interface CommandSignature {
  account: `0x${string}`;
  /** The COSE_Sign1 bytes as received. */
  bytes: Uint8Array;
}

export interface VerifiedCommand {
  payload: CommandPayload;
  /** The exact payload bytes every signature covers. */
  payloadBytes: Uint8Array;
  /** Issuer first, then the co-signer (if any). */
  signatures: CommandSignature[];
  /** sha256 of the payload bytes, hex: the command's id. */
  id: string;
}

// ---------------------------------------------------------------- payload

export function encodeCommandPayload(p: CommandPayload): Uint8Array {
  checkPayload(p);
  const a = p.action;
  const act =
    a.kind === 'setpoint'
      ? new Map<string, string | number>([
          ['k', 'setpoint'],
          ['c', a.celsius],
        ])
      : new Map([
          ['k', a.kind],
          ['s', a.state],
        ]);
  return encodeCbor(
    new Map<string, string | number | Map<string, string | number>>([
      ['v', COMMAND_VERSION],
      ['dev', p.device],
      ['shp', p.shipment],
      ['seq', p.seq],
      ['iat', p.issuedAt],
      ['exp', p.expiresAt],
      ['act', act],
    ]),
  );
}

export function decodeCommandPayload(bytes: Uint8Array): CommandPayload {
  let v: CborValue;
  try {
    v = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) throw new CommandError('malformed', `command payload: ${err.message}`);
    throw err;
  }
  if (!(v instanceof Map)) throw new CommandError('malformed', `command payload must be a map, got ${describeCbor(v)}`);
  if (v.get('v') !== COMMAND_VERSION) throw new CommandError('malformed', `command payload v must be ${COMMAND_VERSION}`);
  const act = v.get('act');
  if (!(act instanceof Map)) throw new CommandError('malformed', 'command payload act must be a map');
  const kind = act.get('k');
  let action: CommandAction;
  if (kind === 'setpoint') action = { kind, celsius: act.get('c') as number };
  else if (kind === 'door' || kind === 'valve') action = { kind, state: act.get('s') } as CommandAction;
  else throw new CommandError('malformed', `unknown action ${JSON.stringify(kind)}; expected setpoint, door or valve`);
  const p: CommandPayload = {
    device: v.get('dev') as string,
    shipment: v.get('shp') as string,
    seq: v.get('seq') as number,
    issuedAt: v.get('iat') as number,
    expiresAt: v.get('exp') as number,
    action,
  };
  checkPayload(p);
  return p;
}

function checkPayload(p: CommandPayload): void {
  const idProblem = deviceIdProblem(p.device);
  if (idProblem) throw new CommandError('malformed', `dev: ${idProblem}`);
  if (typeof p.shipment !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(p.shipment))
    throw new CommandError('malformed', 'shp must be a shipment id');
  if (!Number.isSafeInteger(p.seq) || p.seq < 1) throw new CommandError('malformed', 'seq must be a positive integer');
  for (const [k, t] of [
    ['iat', p.issuedAt],
    ['exp', p.expiresAt],
  ] as const) {
    if (!Number.isSafeInteger(t) || t < 0) throw new CommandError('malformed', `${k} must be ms since epoch`);
  }
  if (p.expiresAt <= p.issuedAt) throw new CommandError('malformed', 'exp must be after iat');
  const a = p.action;
  if (a.kind === 'setpoint') {
    if (typeof a.celsius !== 'number' || !Number.isFinite(a.celsius))
      throw new CommandError('malformed', 'setpoint c must be a number (°C)');
  } else if (a.kind === 'door') {
    if (a.state !== 'lock' && a.state !== 'unlock') throw new CommandError('malformed', 'door s must be lock or unlock');
  } else if (a.kind === 'valve') {
    if (a.state !== 'open' && a.state !== 'close') throw new CommandError('malformed', 'valve s must be open or close');
  }
}

/** Human-readable action, for logs and the CLI. */
export function describeAction(a: CommandAction): string {
  return a.kind === 'setpoint' ? `setpoint ${a.celsius} °C` : `${a.kind} ${a.state}`;
}

// ---------------------------------------------------------------- operator keys

/** The account address of a secp256k1 public key (any encoding noble accepts). */
export function accountOf(publicKey: Uint8Array): `0x${string}` {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

export function operatorAccount(privateKey: Uint8Array): `0x${string}` {
  return accountOf(secp256k1.getPublicKey(privateKey, false));
}

const PROTECTED = encodeCbor(new Map([[HEADER_ALG, ALG_ES256K]]));

function sigStructure(payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', PROTECTED, new Uint8Array(0), payload]);
}

/** A COSE_Sign1 over `payloadBytes` with an operator's secp256k1 key. */
export function signCommandPart(payloadBytes: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const signature = secp256k1.sign(sigStructure(payloadBytes), privateKey, { prehash: true, lowS: true, format: 'compact' });
  const kid = new TextEncoder().encode(operatorAccount(privateKey));
  return encodeCbor(new CborTag(COSE_SIGN1_TAG, [PROTECTED, new Map([[HEADER_KID, kid]]), payloadBytes, signature]));
}

/** Sign a command as the issuer: its bundle with one signature. */
export function signCommand(p: CommandPayload, privateKey: Uint8Array): Uint8Array {
  return encodeBundle([signCommandPart(encodeCommandPayload(p), privateKey)]);
}

/** Add a co-signature (a second organisation's Sign1 over the same payload) to a bundle. */
export function cosignCommand(bundle: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const parts = decodeBundle(bundle);
  if (parts.length >= MAX_SIGNATURES) throw new CommandError('malformed', 'the command is already co-signed');
  const payload = decodeSign1Part(parts[0]!).payload;
  return encodeBundle([...parts, signCommandPart(payload, privateKey)]);
}

export function encodeBundle(parts: Uint8Array[]): Uint8Array {
  return encodeCbor(parts);
}

export function decodeBundle(bytes: Uint8Array): Uint8Array[] {
  let v: CborValue;
  try {
    v = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) throw new CommandError('malformed', `command bundle: ${err.message} at byte ${err.offset}`);
    throw err;
  }
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_SIGNATURES || !v.every((x) => x instanceof Uint8Array))
    throw new CommandError('malformed', `a command bundle is a CBOR array of 1–${MAX_SIGNATURES} byte strings (COSE_Sign1 each)`);
  return v as Uint8Array[];
}

function decodeSign1Part(bytes: Uint8Array): {
  kid: string;
  payload: Uint8Array;
  signature: Uint8Array;
  protectedBytes: Uint8Array;
} {
  let v: CborValue;
  try {
    v = decodeCbor(bytes);
  } catch (err) {
    if (err instanceof CborError) throw new CommandError('malformed', `COSE_Sign1: ${err.message}`);
    throw err;
  }
  if (!(v instanceof CborTag) || v.tag !== COSE_SIGN1_TAG || !Array.isArray(v.value) || v.value.length !== 4)
    throw new CommandError('malformed', 'each signature must be a tagged COSE_Sign1 (tag 18, 4 elements)');
  const [prot, unprot, payload, signature] = v.value;
  if (!(prot instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array))
    throw new CommandError('malformed', 'COSE_Sign1 protected, payload and signature must be byte strings');
  let header: CborValue;
  try {
    header = decodeCbor(prot);
  } catch {
    throw new CommandError('malformed', 'COSE_Sign1 protected header is not CBOR');
  }
  if (!(header instanceof Map) || header.size !== 1 || header.get(HEADER_ALG) !== ALG_ES256K)
    throw new CommandError('malformed', 'command signatures must be ES256K (alg -47) with nothing else protected');
  if (!(unprot instanceof Map) || !(unprot.get(HEADER_KID) instanceof Uint8Array))
    throw new CommandError('malformed', 'COSE_Sign1 unprotected header needs kid (the signer account)');
  if (signature.length !== 64) throw new CommandError('malformed', `signature must be 64 bytes, got ${signature.length}`);
  const kid = new TextDecoder().decode(unprot.get(HEADER_KID) as Uint8Array).toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(kid)) throw new CommandError('malformed', 'kid must be an account address 0x…');
  return { kid, payload, signature, protectedBytes: prot };
}

/** Whether `signature` over `message` is the account's: recover the key (both parities), compare addresses. */
function signedBy(account: string, message: Uint8Array, signature: Uint8Array): boolean {
  for (const bit of [0, 1]) {
    try {
      const recovered = new Uint8Array(65);
      recovered[0] = bit;
      recovered.set(signature, 1);
      const pub = secp256k1.recoverPublicKey(recovered, message, { prehash: true });
      if (accountOf(pub) === account) return secp256k1.verify(signature, message, pub, { prehash: true, lowS: false });
    } catch {
      // not this parity
    }
  }
  return false;
}

/**
 * Decode a bundle and check every signature: each must be ES256K by its kid's account over the same
 * payload, and no account may sign twice. Who the accounts belong to is the caller's question.
 */
export function verifyCommand(bundle: Uint8Array): VerifiedCommand {
  const parts = decodeBundle(bundle);
  const signatures: CommandSignature[] = [];
  let payloadBytes: Uint8Array | undefined;
  for (const [i, bytes] of parts.entries()) {
    const part = decodeSign1Part(bytes);
    if (payloadBytes && !sameBytes(payloadBytes, part.payload))
      throw new CommandError('payload_mismatch', `signature ${i + 1} covers a different payload than the command`);
    payloadBytes = part.payload;
    if (!sameBytes(part.protectedBytes, PROTECTED)) throw new CommandError('malformed', 'protected header is not canonical');
    if (!signedBy(part.kid, sigStructure(part.payload), part.signature))
      throw new CommandError('bad_signature', `signature ${i + 1} is not ${part.kid}'s`);
    if (signatures.some((s) => s.account === part.kid))
      throw new CommandError('malformed', `${part.kid} signed twice: a co-signature must come from another account`);
    signatures.push({ account: part.kid as `0x${string}`, bytes });
  }
  const payload = decodeCommandPayload(payloadBytes!);
  return { payload, payloadBytes: payloadBytes!, signatures, id: bytesToHex(sha256(payloadBytes!)) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
