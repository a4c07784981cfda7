// C2SP signed-note (c2sp.org/signed-note): a text signed by one or more keys,
// key IDs, verifier keys (vkeys) and Ed25519 note signatures. Pure and isomorphic.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64, toBase64 } from './base64.js';
import { TlogError } from './errors.js';

/** Signature type bytes assigned by signed-note. */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** At least 16 must be accepted (spec); more than this many is refused as abuse. */
export const MAX_SIGNATURES = 100;

const EM_DASH = '\u2014';
const utf8 = new TextEncoder();

export interface NoteSignature {
  name: string;
  /** uint32 key ID (big-endian first four bytes of the signature blob). */
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string;
  signatures: NoteSignature[];
}

/** Something that checks signatures of one (name, key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(text: string, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(text: string): Uint8Array;
}

/** Key names are non-empty, without Unicode spaces or '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name);
}

/** key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian. */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const n = utf8.encode(name);
  const buf = new Uint8Array(n.length + 2 + publicKey.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf[n.length + 1] = type;
  buf.set(publicKey, n.length + 2);
  const h = sha256(buf);
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

export const keyIdHex = (id: number): string => id.toString(16).padStart(8, '0');

/** The text of a note must be UTF-8 without control characters other than newline. */
function checkText(s: string, what: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the spec forbids exactly these
  if (/[\u0000-\u0009\u000b-\u001f]/.test(s)) throw new TlogError('malformed', `${what} contains a control character`);
  if (s.includes('\ufffd')) throw new TlogError('malformed', `${what} is not valid UTF-8`);
}

/** Parses a signed note; signatures are not verified here (see openNote). */
export function parseNote(note: string): Note {
  checkText(note, 'note');
  if (!note.endsWith('\n')) throw new TlogError('malformed', 'note does not end in a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new TlogError('malformed', 'note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES) throw new TlogError('malformed', `note has more than ${MAX_SIGNATURES} signatures`);
  const signatures = sigLines.map(parseSignatureLine);
  if (signatures.length === 0) throw new TlogError('malformed', 'note has no signatures');
  return { text, signatures };
}

/** One line "— <name> <base64(key ID ‖ signature)>" (without its newline). */
export function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(`${EM_DASH} `)) throw new TlogError('malformed', `signature line does not start with "— ": ${line}`);
  const rest = line.slice(2);
  const space = rest.lastIndexOf(' ');
  if (space <= 0) throw new TlogError('malformed', `signature line has no key name: ${line}`);
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  const blob = decodeBase64(rest.slice(space + 1));
  if (!blob || blob.length < 5)
    throw new TlogError('malformed', `signature of ${name} is not base64 of a key ID and a signature`);
  const id = ((blob[0]! << 24) | (blob[1]! << 16) | (blob[2]! << 8) | blob[3]!) >>> 0;
  return { name, keyId: id, signature: blob.slice(4) };
}

export function formatSignatureLine(s: NoteSignature): string {
  const blob = new Uint8Array(4 + s.signature.length);
  new DataView(blob.buffer).setUint32(0, s.keyId);
  blob.set(s.signature, 4);
  return `${EM_DASH} ${s.name} ${toBase64(blob)}\n`;
}

export function formatNote(note: Note): string {
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/** Signs `text` (ending in a newline) with each signer; returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text, 'note text');
  if (!text.endsWith('\n')) throw new TlogError('malformed', 'note text must end in a newline');
  return formatNote({ text, signatures: signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(text) })) });
}

/**
 * Parses and verifies a note per signed-note: signatures from unknown (name, key ID) are ignored
 * (kept in `others`), a known key's failing signature rejects the note, and at least one known
 * key must have signed.
 */
export function openNote(
  note: string,
  verifiers: readonly NoteVerifier[],
): { text: string; verified: NoteSignature[]; others: NoteSignature[] } {
  const parsed = parseNote(note);
  const verified: NoteSignature[] = [];
  const others: NoteSignature[] = [];
  for (const sig of parsed.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) {
      others.push(sig);
      continue;
    }
    if (!v.verify(parsed.text, sig.signature)) {
      throw new TlogError('bad_signature', `signature by ${sig.name}+${keyIdHex(sig.keyId)} does not verify`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw new TlogError('unknown_key', 'note has no signature from a known key');
  return { text: parsed.text, verified, others };
}

// ---- Ed25519 note signatures (type 0x01) ----

export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  if (publicKey.length !== 32) throw new TlogError('malformed', 'an Ed25519 public key is 32 bytes');
  return {
    name,
    keyId: keyId(name, SIG_TYPE_ED25519, publicKey),
    verify: (text, sig) => sig.length === 64 && safeVerify(sig, utf8.encode(text), publicKey),
  };
}

export function ed25519NoteSigner(name: string, secretKey: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  const publicKey = ed25519.getPublicKey(secretKey);
  return { name, keyId: keyId(name, SIG_TYPE_ED25519, publicKey), sign: (text) => ed25519.sign(utf8.encode(text), secretKey) };
}

export function safeVerify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, publicKey);
  } catch {
    return false;
  }
}

// ---- verifier keys: <name>+hex(key ID)+base64(type ‖ public key) ----

export interface VerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

export function encodeVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  const material = new Uint8Array(1 + publicKey.length);
  material[0] = type;
  material.set(publicKey, 1);
  return `${name}+${keyIdHex(keyId(name, type, publicKey))}+${toBase64(material)}`;
}

/** Parses a vkey; the key ID must be the one the spec derives (the only kind this code makes or accepts). */
export function parseVerifierKey(vkey: string): VerifierKey {
  // Names hold no '+', key IDs are hex: the first two '+' split; base64 may contain more.
  const m = /^([^+]+)\+([^+]+)\+(.+)$/.exec(vkey);
  if (!m) throw new TlogError('malformed', `verifier key "${vkey}" is not name+id+key`);
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new TlogError('malformed', `invalid key name "${name}"`);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new TlogError('malformed', `key ID "${idHex}" is not 8 lowercase hex digits`);
  const material = decodeBase64(b64);
  if (!material || material.length < 2) throw new TlogError('malformed', `verifier key "${vkey}" has no key material`);
  const type = material[0]!;
  const publicKey = material.slice(1);
  if ((type === SIG_TYPE_ED25519 || type === SIG_TYPE_COSIGNATURE_V1) && publicKey.length !== 32) {
    throw new TlogError('malformed', `verifier key "${vkey}": an Ed25519 key is 32 bytes`);
  }
  const id = Number.parseInt(idHex, 16);
  if (keyId(name, type, publicKey) !== id)
    throw new TlogError('malformed', `verifier key "${vkey}" has a key ID that does not match its key`);
  return { name, keyId: id, type, publicKey };
}

// ---- private keys, in the encoding Go's golang.org/x/mod/sumdb/note uses (PRIVATE+KEY+name+id+base64(type ‖ seed)) ----

export function encodeSignerKey(name: string, secretKey: Uint8Array): string {
  const publicKey = ed25519.getPublicKey(secretKey);
  const material = new Uint8Array(33);
  material[0] = SIG_TYPE_ED25519;
  material.set(secretKey, 1);
  return `PRIVATE+KEY+${name}+${keyIdHex(keyId(name, SIG_TYPE_ED25519, publicKey))}+${toBase64(material)}`;
}

export function parseSignerKey(skey: string): { name: string; secretKey: Uint8Array; publicKey: Uint8Array } {
  const m = /^PRIVATE\+KEY\+([^+]+)\+([^+]+)\+(.+)$/.exec(skey.trim());
  if (!m) throw new TlogError('malformed', 'not a PRIVATE+KEY signer key');
  const parts = ['PRIVATE', 'KEY', m[1]!, m[2]!, m[3]!];
  const name = parts[2]!;
  const material = decodeBase64(parts[4]!);
  if (material?.length !== 33 || material[0] !== SIG_TYPE_ED25519)
    throw new TlogError('malformed', 'signer key is not an Ed25519 key');
  const secretKey = material.slice(1);
  const publicKey = ed25519.getPublicKey(secretKey);
  if (keyIdHex(keyId(name, SIG_TYPE_ED25519, publicKey)) !== parts[3])
    throw new TlogError('malformed', 'signer key ID does not match its key');
  return { name, secretKey, publicKey };
}
