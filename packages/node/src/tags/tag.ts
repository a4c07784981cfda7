// Brand-signed item tags: a GS1 Digital Link URI (GS1 Digital Link 1.2) that
// names one item instance, with the issuing brand's account and signature in
// its query string so that the whole tag is one URI — it fits a QR code or an
// NFC NDEF URI record, and a phone that knows nothing of TradeTwin still opens
// the brand's resolver page:
//
//   https://id.gs1.org/01/10614141073464/21/2018?iss=0xAbC…(40 hex)&sig=<base64url, 87 chars>
//
// What is signed: the constrained canonical Digital Link of the item (CBV 2.0
// §8.9: https://id.gs1.org, AIs not short names, GTIN-14, finest key level, no
// query) — so the resolver domain the brand prints, short names and extra
// query attributes (unsigned, e.g. ?17=expiry) do not change the signed identity:
//
//   digest    = keccak256(utf8("TradeTwin tag v1") ‖ 0x00 ‖ utf8(canonical Digital Link))
//   signature = EIP-191 personal_sign(digest)        (65 bytes r ‖ s ‖ v, v ∈ {27, 28}, low s)
//
// Why EIP-191 over a domain-separated digest rather than a compact JWS ES256K:
// - a brand is a member organisation, and the MemberRegistry knows its
//   *accounts* (addresses), not public keys: ECDSA public-key recovery gives the
//   address straight from the signature, so the verifier needs no key directory;
//   JWS ES256K (RFC 8812) has no recovery and would need one;
// - members already hold these keys as viem local accounts (they sign their
//   transactions), and wallets/HSMs sign personal_sign messages; a contract can
//   check a tag with OpenZeppelin ECDSA.recover(toEthSignedMessageHash(digest));
// - size: 87 base64url characters here against ~110 for a detached-payload JWS
//   (header + separators + signature) — this URI goes on a QR code or an NTAG;
// - the EIP-191 prefix keeps the signature from ever being a transaction, and
//   the "TradeTwin tag v1" domain (with a 0x00 separator, which no Digital Link
//   contains) from being any other TradeTwin signature.
// The stated issuer (`iss`) is what lets a verifier tell a tampered URI (the
// signature recovers to someone else) from a tag a non-member signed (it
// recovers to `iss`, but `iss` is no member); it is bound by the recovery itself.
import {
  type Address,
  getAddress,
  type Hex,
  isAddress,
  keccak256,
  type LocalAccount,
  recoverMessageAddress,
  toBytes,
} from 'viem';
import {
  canonicalDigitalLink,
  digitalLinkToEpc,
  epcToDigitalLink,
  GS1_RESOLVER,
  parseDigitalLink,
} from '@tradetwin/core/epcis/index';

export const TAG_DOMAIN = 'TradeTwin tag v1';
/** Query parameters the tag adds to the Digital Link. */
export const ISSUER_PARAM = 'iss';
export const SIGNATURE_PARAM = 'sig';
/** Longest tag URI accepted (a QR code holds ~2900 bytes; real tags are ~190 characters). */
export const MAX_TAG_URI = 2048;

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A tag that cannot be read: always the caller's input (the HTTP edge answers 400), with a precise code. */
export class TagError extends Error {
  constructor(
    readonly code: TagErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'TagError';
  }
}

export type TagErrorCode =
  | 'malformed_uri'
  | 'not_a_digital_link'
  | 'invalid_gs1_key'
  | 'not_an_item'
  | 'missing_signature'
  | 'missing_issuer'
  | 'duplicate_parameter'
  | 'bad_signature_format'
  | 'bad_issuer'
  | 'bad_base'
  | 'bad_coordinates'
  | 'bad_time'
  | 'bad_scanner'
  | 'client_time_refused';

export interface TagOptions {
  /** GS1 Company Prefix length used to spell the item's EPC URN (display only; the repository keys by Digital Link). Default 7. */
  gcpLength?: number;
}

/** The item a Digital Link (or EPC URN) names: its canonical Digital Link and EPC URN; instance level only. */
export interface TagItem {
  /** Constrained canonical Digital Link (https://id.gs1.org/…): what is signed and what sightings are keyed by. */
  item: string;
  /** EPC URN (urn:epc:id:…). */
  epc: string;
}

export interface IssuedTag extends TagItem {
  /** The tag: Digital Link + ?iss=…&sig=… */
  uri: string;
  issuer: Address;
  /** 0x-hex, 65 bytes. */
  signature: Hex;
}

export interface ParsedTag extends TagItem {
  uri: string;
  /** The issuer the tag states (checksummed). */
  issuer: Address;
  signature: Hex;
}

/** The 32-byte digest a brand signs for an item (see the file header). */
export function tagDigest(canonicalItem: string): Hex {
  return keccak256(new Uint8Array([...toBytes(TAG_DOMAIN), 0, ...toBytes(canonicalItem)]));
}

/** Resolve an EPC URN or a Digital Link URI to the item it names; throws TagError when it is not one item instance. */
export function itemOf(input: string, opts: TagOptions = {}): TagItem {
  const text = input.trim();
  let dl: string;
  if (/^urn:epc:/i.test(text)) {
    const converted = epcToDigitalLink(text);
    if (!converted) throw new TagError('invalid_gs1_key', `${text} is not an EPC URN with a GS1 Digital Link form`);
    dl = converted;
  } else {
    dl = httpUri(text).toString();
  }
  const key = parseDigitalLink(dl);
  const canonical = key ? canonicalDigitalLink(dl) : null;
  if (!key || !canonical) {
    throw new TagError('not_a_digital_link', `${text} carries no GS1 key in its path (e.g. /01/{GTIN}/21/{serial})`);
  }
  const epc = digitalLinkToEpc(canonical, { gcpLength: opts.gcpLength ?? 7 });
  if (!epc) {
    throw new TagError(
      'invalid_gs1_key',
      `the GS1 key in ${text} is not valid (AI ${key.ai} ${key.value}): a wrong check digit, or no EPC form`,
    );
  }
  if (!epc.startsWith('urn:epc:id:')) {
    throw new TagError(
      'not_an_item',
      `${text} names a class of items (${epc}), not one item: a tag needs a serialised key such as /01/{GTIN}/21/{serial}`,
    );
  }
  return { item: canonical, epc };
}

/** The Digital Link of GTIN + serial at the GS1 resolver (the check digit is verified by itemOf). */
export function gtinSerialLink(gtin: string, serial: string): string {
  if (!/^(\d{8}|\d{12,14})$/.test(gtin))
    throw new TagError('invalid_gs1_key', `GTIN must have 8, 12, 13 or 14 digits, got "${gtin}"`);
  if (serial.length < 1 || serial.length > 20)
    throw new TagError('invalid_gs1_key', 'a GTIN serial (AI 21) has 1 to 20 characters');
  return `${GS1_RESOLVER}/01/${gtin.padStart(14, '0')}/21/${encodeURIComponent(serial)}`;
}

function httpUri(text: string): URL {
  if (text.length > MAX_TAG_URI)
    throw new TagError('malformed_uri', `the URI has ${text.length} characters; at most ${MAX_TAG_URI}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TagError('malformed_uri', `"${text.slice(0, 200)}" is not an absolute URI`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TagError('malformed_uri', `a GS1 Digital Link is an http(s) URI, not ${url.protocol}`);
  }
  return url;
}

/** Where the tag's path goes: the brand's resolver (scheme, host, optional path prefix), no query. */
function baseOf(base: string): string {
  const b = base.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(b);
  } catch {
    throw new TagError('bad_base', `resolver base "${base}" is not an absolute URI`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || b.includes('?') || b.includes('#')) {
    throw new TagError(
      'bad_base',
      `resolver base "${base}" must be an http(s) URI without query or fragment, e.g. https://brand.example`,
    );
  }
  return b;
}

/**
 * Issue a tag: sign the item's canonical Digital Link with the brand's account.
 * `item` is an EPC URN or a Digital Link; the tag keeps a Digital Link's own
 * domain and spelling unless `base` (the brand's resolver) is given, and an
 * EPC URN goes to `base` or https://id.gs1.org.
 */
export async function issueTag(opts: {
  account: Pick<LocalAccount, 'address' | 'signMessage'>;
  item: string;
  base?: string;
  gcpLength?: number;
}): Promise<IssuedTag> {
  const it = itemOf(opts.item, opts);
  const path = it.item.slice(GS1_RESOLVER.length);
  let head: string;
  if (opts.base !== undefined) head = `${baseOf(opts.base)}${path}`;
  else if (/^urn:/i.test(opts.item.trim())) head = it.item;
  else {
    const url = httpUri(opts.item.trim());
    head = `${url.origin}${url.pathname}`;
  }
  const signature = await opts.account.signMessage({ message: { raw: tagDigest(it.item) } });
  const issuer = getAddress(opts.account.address);
  const uri = `${head}?${ISSUER_PARAM}=${issuer}&${SIGNATURE_PARAM}=${Buffer.from(signature.slice(2), 'hex').toString('base64url')}`;
  return { ...it, uri, issuer, signature };
}

/** Read a tag URI: its item, stated issuer and signature, all checked for form (not for validity: see recoverTagSigner). */
export function parseTag(uri: string, opts: TagOptions = {}): ParsedTag {
  const text = uri.trim();
  const url = httpUri(text);
  const it = itemOf(`${url.origin}${url.pathname}`, opts);
  const one = (name: string, missing: 'missing_signature' | 'missing_issuer', what: string) => {
    const values = url.searchParams.getAll(name);
    if (values.length === 0)
      throw new TagError(missing, `the URI has no "${name}" query parameter (${what}): it is not a TradeTwin tag`);
    if (values.length > 1)
      throw new TagError('duplicate_parameter', `the URI has ${values.length} "${name}" query parameters; a tag has one`);
    return values[0]!;
  };
  const sigText = one(SIGNATURE_PARAM, 'missing_signature', 'the brand signature');
  const issText = one(ISSUER_PARAM, 'missing_issuer', "the issuing brand's account");
  if (!isAddress(issText, { strict: false })) {
    throw new TagError('bad_issuer', `"${issText.slice(0, 80)}" is not an account address (0x and 40 hex digits)`);
  }
  return { ...it, uri: text, issuer: getAddress(issText), signature: decodeSignature(sigText) };
}

/** base64url (no padding) of r ‖ s ‖ v: 65 bytes, v 27 or 28, 0 < r < n, 0 < s ≤ n/2. */
export function decodeSignature(text: string): Hex {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new TagError('bad_signature_format', 'the signature must be base64url (A–Z a–z 0–9 - _), without padding');
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== 65 || bytes.toString('base64url') !== text) {
    throw new TagError(
      'bad_signature_format',
      `the signature must encode 65 bytes (r ‖ s ‖ v) in 87 base64url characters, got ${text.length} characters`,
    );
  }
  const r = BigInt(`0x${bytes.subarray(0, 32).toString('hex')}`);
  const s = BigInt(`0x${bytes.subarray(32, 64).toString('hex')}`);
  const v = bytes[64]!;
  if (v !== 27 && v !== 28)
    throw new TagError('bad_signature_format', `the signature's recovery byte v must be 27 or 28, got ${v}`);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N) {
    throw new TagError('bad_signature_format', 'the signature values r and s must lie in 1…n-1 of secp256k1');
  }
  if (s > SECP256K1_N / 2n) throw new TagError('bad_signature_format', 'the signature is not in canonical low-s form (EIP-2)');
  return `0x${bytes.toString('hex')}`;
}

/** The account whose key made the tag's signature over its item; null when it recovers to no key. */
export async function recoverTagSigner(tag: Pick<ParsedTag, 'item' | 'signature'>): Promise<Address | null> {
  try {
    return getAddress(await recoverMessageAddress({ message: { raw: tagDigest(tag.item) }, signature: tag.signature }));
  } catch {
    return null;
  }
}
