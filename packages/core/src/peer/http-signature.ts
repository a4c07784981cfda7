// HTTP Message Signatures (RFC 9421) between member nodes, with the request
// body bound by Content-Digest (RFC 9530, sha-256). One profile, fixed:
//   label "tt", alg "ed25519", keyid = the signing organisation's MemberRegistry id,
//   covered components ("@method" "@authority" "@path" "@query" "content-digest"),
//   parameters created, expires, nonce, keyid, alg (RFC 8941 structured fields).
// Pure and isomorphic: signing and checking the signature base; who the key
// belongs to, and whether a nonce was seen, is the caller's (node peer/auth.ts).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const SIGNATURE_LABEL = 'tt';
export const SIGNATURE_ALG = 'ed25519';
/** The components every inter-node request signature must cover, in this order. */
export const COVERED_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest'] as const;
/** Longest validity a signature may claim (expires − created), seconds. */
export const MAX_SIGNATURE_LIFETIME_S = 300;
/** Clock skew tolerated between nodes, seconds. */
export const MAX_CLOCK_SKEW_S = 30;

export interface SignableRequest {
  method: string;
  /** Absolute URL of the request. */
  url: string;
  body?: Uint8Array;
}

export interface SignatureParams {
  created: number;
  expires: number;
  nonce: string;
  keyid: string;
}

/** Headers to add to a request: Content-Digest, Signature-Input, Signature. */
export type SignatureHeaders = {
  'content-digest': string;
  'signature-input': string;
  signature: string;
};

export type SignatureErrorCode =
  | 'unsigned'
  | 'malformed_signature'
  | 'unsupported_signature'
  | 'digest_mismatch'
  | 'expired_signature'
  | 'unknown_key'
  | 'bad_signature';

export class SignatureError extends Error {
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** RFC 9530 Content-Digest with sha-256 (an absent body digests as empty). */
export function contentDigest(body: Uint8Array = new Uint8Array(0)): string {
  return `sha-256=:${toBase64(sha256(body))}:`;
}

/** Sign a request as organisation `keyid` with its node's Ed25519 key. */
export function signRequest(
  req: SignableRequest,
  key: { secretKey: Uint8Array; keyid: string },
  opts: { now?: number; lifetimeS?: number; nonce?: string } = {},
): SignatureHeaders {
  const created = Math.floor((opts.now ?? Date.now()) / 1000);
  const params: SignatureParams = {
    created,
    expires: created + (opts.lifetimeS ?? 60),
    nonce: opts.nonce ?? toBase64Url(ed25519.utils.randomSecretKey().subarray(0, 16)),
    keyid: key.keyid,
  };
  const digest = contentDigest(req.body);
  const paramsValue = serializeParams(params);
  const base = signatureBase(req, digest, paramsValue);
  const sig = ed25519.sign(new TextEncoder().encode(base), key.secretKey);
  return {
    'content-digest': digest,
    'signature-input': `${SIGNATURE_LABEL}=${paramsValue}`,
    signature: `${SIGNATURE_LABEL}=:${toBase64(sig)}:`,
  };
}

export interface ReceivedRequest extends SignableRequest {
  headers: { get(name: string): string | null };
}

/**
 * Check a request's signature: well formed, the required components covered, within its validity
 * window, the body matching its digest, and the signature verifying under the key `keyOf(keyid)`
 * returns (null: unknown). Returns the parameters (the caller checks the nonce).
 */
export async function verifyRequest(
  req: ReceivedRequest,
  keyOf: (keyid: string) => Promise<Uint8Array | null>,
  opts: { now?: number } = {},
): Promise<SignatureParams> {
  const input = req.headers.get('signature-input');
  const signature = req.headers.get('signature');
  if (!input && !signature) throw new SignatureError('unsigned', 'the request carries no Signature-Input and Signature');
  if (!input || !signature) throw new SignatureError('malformed_signature', 'Signature-Input and Signature must come together');
  const paramsValue = dictionaryMember(input, SIGNATURE_LABEL, 'Signature-Input');
  const params = parseParams(paramsValue);
  const sigValue = dictionaryMember(signature, SIGNATURE_LABEL, 'Signature');
  const sigMatch = /^:([A-Za-z0-9+/]*={0,2}):$/.exec(sigValue);
  if (!sigMatch) throw new SignatureError('malformed_signature', 'Signature is not a byte sequence');
  const sig = fromBase64(sigMatch[1]!);
  if (sig.length !== 64) throw new SignatureError('malformed_signature', 'an Ed25519 signature is 64 bytes');

  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (params.created > now + MAX_CLOCK_SKEW_S)
    throw new SignatureError('expired_signature', 'the signature is created in the future');
  if (params.expires <= params.created || params.expires - params.created > MAX_SIGNATURE_LIFETIME_S) {
    throw new SignatureError('expired_signature', `a signature may be valid for at most ${MAX_SIGNATURE_LIFETIME_S} s`);
  }
  if (now >= params.expires + MAX_CLOCK_SKEW_S) throw new SignatureError('expired_signature', 'the signature has expired');

  const digest = req.headers.get('content-digest');
  if (!digest) throw new SignatureError('malformed_signature', 'the request carries no Content-Digest');
  if (digest !== contentDigest(req.body))
    throw new SignatureError('digest_mismatch', 'the body does not match its Content-Digest');

  const key = await keyOf(params.keyid);
  if (!key) throw new SignatureError('unknown_key', `no node key for keyid ${JSON.stringify(params.keyid)}`);
  const base = signatureBase(req, digest, paramsValue);
  let ok = false;
  try {
    ok = ed25519.verify(sig, new TextEncoder().encode(base), key);
  } catch {
    ok = false;
  }
  if (!ok) throw new SignatureError('bad_signature', 'the signature does not verify under the key of its keyid');
  return params;
}

/** RFC 9421 §2.5 signature base for the fixed profile. */
export function signatureBase(req: SignableRequest, digest: string, paramsValue: string): string {
  const u = new URL(req.url);
  const lines = [
    `"@method": ${req.method.toUpperCase()}`,
    `"@authority": ${u.host.toLowerCase()}`,
    `"@path": ${u.pathname || '/'}`,
    `"@query": ${u.search || '?'}`,
    `"content-digest": ${digest}`,
    `"@signature-params": ${paramsValue}`,
  ];
  return lines.join('\n');
}

function serializeParams(p: SignatureParams): string {
  const list = COVERED_COMPONENTS.map((c) => `"${c}"`).join(' ');
  return `(${list});created=${p.created};expires=${p.expires};nonce=${sfString(p.nonce)};keyid=${sfString(p.keyid)};alg="${SIGNATURE_ALG}"`;
}

function sfString(s: string): string {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new RangeError('a structured-field string holds printable ASCII only');
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * The member `label` of an RFC 8941 dictionary header (several signatures may be present; only ours
 * is read). Members are split at top-level commas, outside strings, inner lists and byte sequences.
 */
function dictionaryMember(header: string, label: string, name: string): string {
  const members: string[] = [];
  let depth = 0;
  let inString = false;
  let inBytes = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const ch = header[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (inBytes) {
      if (ch === ':') inBytes = false;
    } else if (ch === '"') inString = true;
    else if (ch === ':') inBytes = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      members.push(header.slice(start, i));
      start = i + 1;
    }
  }
  members.push(header.slice(start));
  for (const m of members) {
    const t = m.trim();
    const eq = t.indexOf('=');
    if (eq > 0 && t.slice(0, eq) === label) return t.slice(eq + 1);
  }
  throw new SignatureError('unsupported_signature', `${name} has no member "${label}"`);
}

const PARAMS_RE =
  /^\(((?:"[a-z0-9@-]+"(?: "[a-z0-9@-]+")*)?)\)((?:;[a-z]+=(?:\d{1,15}|"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"))*)$/;

/** Strict parse of our Signature-Input member: the covered components and parameters (RFC 8941 inner list). */
function parseParams(value: string): SignatureParams {
  const m = PARAMS_RE.exec(value);
  if (!m) throw new SignatureError('malformed_signature', 'Signature-Input is not an inner list of components with parameters');
  const components = m[1] ? m[1].split(' ').map((c) => c.slice(1, -1)) : [];
  const params = new Map<string, string | number>();
  for (const p of m[2]!.split(';').slice(1)) {
    const eq = p.indexOf('=');
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (params.has(k)) throw new SignatureError('malformed_signature', `parameter ${k} is repeated`);
    params.set(k, v.startsWith('"') ? v.slice(1, -1).replace(/\\(["\\])/g, '$1') : Number(v));
  }
  if (components.join(' ') !== COVERED_COMPONENTS.join(' ')) {
    throw new SignatureError('unsupported_signature', `the signature must cover exactly ${COVERED_COMPONENTS.join(' ')}`);
  }
  if (params.get('alg') !== SIGNATURE_ALG) throw new SignatureError('unsupported_signature', `alg must be "${SIGNATURE_ALG}"`);
  const created = params.get('created');
  const expires = params.get('expires');
  const nonce = params.get('nonce');
  const keyid = params.get('keyid');
  if (typeof created !== 'number' || typeof expires !== 'number') {
    throw new SignatureError('malformed_signature', 'created and expires are required integers');
  }
  if (typeof nonce !== 'string' || nonce.length < 8 || nonce.length > 128) {
    throw new SignatureError('malformed_signature', 'nonce is required (8–128 characters)');
  }
  if (typeof keyid !== 'string' || !/^[1-9]\d{0,15}$/.test(keyid)) {
    throw new SignatureError('malformed_signature', 'keyid must be the signing organisation id');
  }
  return { created, expires, nonce, keyid };
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function toBase64Url(b: Uint8Array): string {
  return toBase64(b).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64(s: string): Uint8Array {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    throw new SignatureError('malformed_signature', 'bad base64 in Signature');
  }
}
