// An EPCIS event proof: a captured event, the log leaf that holds it, an RFC
// 9162 inclusion proof to a signed tree head, and where that head was anchored
// on chain. The node builds it from its storage (node epcis/proof.ts, served at
// GET /epcis/events/{eventID}/proof); verifyEventProof checks it without
// trusting that node — in the CLI, in tests and in the browser's /verify page.
// Each step is a named check with what it found, as for reading bundles.
import { bytesToHex, type Hex, hexToBytes, isAddress, isAddressEqual, isHex } from 'viem';
import { type CborValue, decodeCbor, encodeHead } from '../cose/cbor.js';
import { eventHashId, hashIdVersion } from '../epcis/hash.js';
import { canonicalJson } from '../json/canonical-json.js';
import { leafHash } from '../merkle/hash.js';
import { verifyInclusion } from '../merkle/verify.js';
import { fromBase64 } from './bundle.js';
import { recoverTreeHeadSigner } from './head.js';
import { decodeLeaf } from './leaf.js';
import type { AnchorQuery } from './verify-bundle.js';

export const EVENT_PROOF_VERSION = 1;

/** The log leaf kind of a captured EPCIS event. */
export const EPCIS_LEAF_KIND = 'epcis';

export interface SignedTreeHeadJson {
  size: number;
  root: Hex;
  /** ms since epoch */
  timestamp: number;
  signature: Hex;
  signer: Hex;
}

export interface EventAnchorJson {
  /** Null when the node serving the proof names no chain. */
  chainId: number | null;
  logAnchor: Hex | null;
  publisher: Hex;
  txHash: Hex | null;
  blockNumber: number | null;
}

export interface EventProof {
  version: number;
  eventID: string;
  eventHashId: string;
  /** The event as logged: canonical JSON (RFC 8785) without recordTime. */
  event: Record<string, unknown>;
  recordTime: string;
  /** Set when an error declaration marks this event erroneous: that declaration's leaf. */
  declaredBy: number | null;
  isDeclaration: boolean;
  leaf: { index: number; data: string; hash: Hex };
  inclusion: { treeSize: number; path: Hex[] };
  treeHead: SignedTreeHeadJson;
  /** Where the head was anchored; null while it is not yet. */
  anchor: EventAnchorJson | null;
}

export class EpcisLeafError extends Error {
  readonly code = 'corrupt_epcis_leaf';
  constructor(message: string) {
    super(message);
    this.name = 'EpcisLeafError';
  }
}

/**
 * Bytes of random salt in an "epcis" leaf body. Hash tiles go to every consortium
 * member; without it an event guessed byte for byte (and its receipt ms) could be
 * confirmed against a tile's leaf hash.
 */
export const EPCIS_SALT_BYTES = 16;

/** An "epcis" leaf body; `salt` is null for a legacy leaf (logged before salts, docs/design.md "Log leaf"). */
export interface EpcisBody {
  hashId: string;
  json: string;
  salt: Uint8Array | null;
}

const BODY_SHAPE = `CBOR [text hashId, bytes canonicalJson, bytes salt (${EPCIS_SALT_BYTES})] (or, logged before salts, [text hashId, bytes canonicalJson])`;

/**
 * CBOR [hashId, canonicalJsonBytes, salt]: the body of an "epcis" leaf (docs/design.md
 * "Log leaf"). The caller draws the salt (EPCIS_SALT_BYTES random bytes, fresh per leaf): core stays pure.
 */
export function encodeEpcisBody(hashId: string, json: string, salt: Uint8Array): Uint8Array {
  if (!(salt instanceof Uint8Array) || salt.length !== EPCIS_SALT_BYTES)
    throw new EpcisLeafError(
      `an epcis leaf salt must be ${EPCIS_SALT_BYTES} bytes, got ${salt instanceof Uint8Array ? salt.length : typeof salt}`,
    );
  const id = new TextEncoder().encode(hashId);
  const js = new TextEncoder().encode(json);
  const h1 = encodeHead(3, id.length);
  const h2 = encodeHead(2, js.length);
  const h3 = encodeHead(2, salt.length);
  const out = new Uint8Array(1 + h1.length + id.length + h2.length + js.length + h3.length + salt.length);
  out[0] = 0x83;
  let at = 1;
  for (const part of [h1, id, h2, js, h3, salt]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function decodeEpcisBody(body: Uint8Array): EpcisBody {
  const v: CborValue = decodeCbor(body);
  if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3) || typeof v[0] !== 'string' || !(v[1] instanceof Uint8Array)) {
    throw new EpcisLeafError(`an epcis leaf body must be ${BODY_SHAPE}`);
  }
  const salt = v.length === 3 ? v[2] : null;
  if (salt !== null && !(salt instanceof Uint8Array && salt.length === EPCIS_SALT_BYTES)) {
    const got = salt instanceof Uint8Array ? `${salt.length} bytes` : 'not a byte string';
    throw new EpcisLeafError(`an epcis leaf salt must be ${EPCIS_SALT_BYTES} bytes, got ${got}`);
  }
  return { hashId: v[0], json: new TextDecoder('utf-8', { fatal: true }).decode(v[1]), salt };
}

export const EVENT_CHECKS = ['leaf', 'leaf-hash', 'event', 'hash-id', 'inclusion', 'tree-head', 'anchor'] as const;
export type EventCheckName = (typeof EVENT_CHECKS)[number];

export interface EventCheck {
  name: EventCheckName;
  ok: boolean;
  detail: string;
  /** Not performed (no chain access given): neither passed nor failed. */
  skipped?: true;
}

export interface EventProofReport {
  /** No check failed (skipped checks do not fail a proof; see `complete`). */
  ok: boolean;
  /** Every check was performed, none skipped. */
  complete: boolean;
  checks: EventCheck[];
}

export interface VerifyEventProofOptions {
  /** The node account expected to sign heads (else the proof's named signer is taken at its word for this check). */
  expectedSigner?: string;
  /** LogAnchor.rootAt(publisher, size); null when nothing is anchored at that size. Absent: the anchor check is skipped. */
  readAnchor?: (a: AnchorQuery) => Promise<Hex | null>;
}

const pass = (name: EventCheckName, detail: string): EventCheck => ({ name, ok: true, detail });
const fail = (name: EventCheckName, detail: string): EventCheck => ({ name, ok: false, detail });
const skip = (name: EventCheckName, detail: string): EventCheck => ({ name, ok: false, detail, skipped: true });
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function hexBytes(field: string, v: unknown, length?: number): Uint8Array {
  if (typeof v !== 'string' || !isHex(v, { strict: true })) throw new Error(`${field} is not 0x-hex`);
  const b = hexToBytes(v);
  if (length !== undefined && b.length !== length) throw new Error(`${field} must be ${length} bytes, got ${b.length}`);
  return b;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkLeaf(data: Uint8Array): { check: EventCheck; body: EpcisBody | null } {
  const rec = decodeLeaf(data);
  if (rec.kind !== EPCIS_LEAF_KIND) {
    return { check: fail('leaf', `leaf holds a ${JSON.stringify(rec.kind)} record, not ${EPCIS_LEAF_KIND}`), body: null };
  }
  const body = decodeEpcisBody(rec.body);
  const salted = body.salt ? 'salted' : 'unsalted (logged before salts)';
  return { check: pass('leaf', `epcis leaf recorded at ${new Date(rec.receivedAt).toISOString()}, ${salted}`), body };
}

function checkLeafHash(p: EventProof, data: Uint8Array): EventCheck {
  const claimed = hexBytes('leaf.hash', p.leaf.hash, 32);
  const actual = leafHash(data);
  if (!sameBytes(actual, claimed))
    return fail('leaf-hash', `SHA-256(0x00‖leaf) is ${bytesToHex(actual)}, the proof says ${p.leaf.hash}`);
  return pass('leaf-hash', `SHA-256(0x00‖leaf) = ${p.leaf.hash}`);
}

function checkEvent(p: EventProof, body: { hashId: string; json: string }): EventCheck {
  if (body.json !== canonicalJson(p.event)) return fail('event', 'the event shown is not the one in the leaf (JSON differs)');
  if (body.hashId !== p.eventHashId)
    return fail('event', `the leaf logs hash ID ${body.hashId}, the proof says ${p.eventHashId}`);
  if (p.event.eventID !== p.eventID)
    return fail('event', `the logged event's eventID is ${String(p.event.eventID)}, the proof names ${p.eventID}`);
  return pass('event', `the leaf holds event ${p.eventID} byte for byte (canonical JSON) with its hash ID`);
}

/** The CBV hash ID recomputed from the event itself, under the CBV version the ID names. */
function checkHashId(p: EventProof): EventCheck {
  const version = hashIdVersion(p.eventHashId);
  if (!version) return fail('hash-id', `${p.eventHashId} names no CBV version this verifier knows (?ver=CBV2.0 or CBV2.1)`);
  const recomputed = eventHashId(p.event, undefined, version);
  if (recomputed !== p.eventHashId) return fail('hash-id', `the event hashes to ${recomputed}, the proof says ${p.eventHashId}`);
  return pass('hash-id', `CBV ${version} hash of the event = ${recomputed}`);
}

function checkInclusion(p: EventProof, data: Uint8Array): EventCheck {
  if (p.inclusion.treeSize !== p.treeHead.size)
    return fail('inclusion', `proof is for a tree of ${p.inclusion.treeSize} leaves, the tree head has ${p.treeHead.size}`);
  if (!Array.isArray(p.inclusion.path)) return fail('inclusion', 'inclusion.path is not an array');
  const path = p.inclusion.path.map((x, i) => hexBytes(`inclusion.path[${i}]`, x, 32));
  const root = hexBytes('treeHead.root', p.treeHead.root, 32);
  const r = verifyInclusion(p.leaf.index, p.treeHead.size, leafHash(data), path, root);
  if (!r.ok) return fail('inclusion', `leaf ${p.leaf.index} in a tree of ${p.treeHead.size}: ${r.reason}`);
  return pass('inclusion', `leaf ${p.leaf.index} is in the tree of ${p.treeHead.size} leaves with root ${p.treeHead.root}`);
}

async function checkTreeHead(p: EventProof, expectedSigner: string | undefined): Promise<EventCheck> {
  const h = p.treeHead;
  if (typeof h.signer !== 'string' || !isAddress(h.signer, { strict: false }))
    return fail('tree-head', `treeHead.signer ${String(h.signer)} is not an address`);
  hexBytes('treeHead.signature', h.signature, 65);
  const recovered = await recoverTreeHeadSigner({ size: h.size, root: h.root, timestamp: h.timestamp }, h.signature);
  if (!isAddressEqual(recovered, h.signer))
    return fail('tree-head', `head signature recovers to ${recovered}, not the named signer ${h.signer}`);
  if (expectedSigner && !isAddressEqual(recovered, expectedSigner as Hex))
    return fail('tree-head', `head signed by ${recovered}, expected ${expectedSigner}`);
  if (p.anchor && !isAddressEqual(p.anchor.publisher, h.signer))
    return fail('tree-head', `head signed by ${h.signer}, but the anchor publisher is ${p.anchor.publisher}`);
  return pass('tree-head', `head (size ${h.size}, ${new Date(h.timestamp).toISOString()}) signed by ${recovered}`);
}

async function checkAnchor(p: EventProof, opts: VerifyEventProofOptions): Promise<EventCheck> {
  const a = p.anchor;
  if (!a) return fail('anchor', 'not yet anchored: the proof names no on-chain anchor for this tree head');
  if (a.chainId === null || a.logAnchor === null)
    return fail('anchor', 'the proof says anchored but names no chain or LogAnchor');
  if (!opts.readAnchor) return skip('anchor', `not checked (no chain access): LogAnchor ${a.logAnchor} on chain ${a.chainId}`);
  let root: Hex | null;
  try {
    root = await opts.readAnchor({ chainId: a.chainId, logAnchor: a.logAnchor, publisher: a.publisher, size: p.treeHead.size });
  } catch (err) {
    return fail('anchor', `could not read LogAnchor ${a.logAnchor} on chain ${a.chainId}: ${message(err)}`);
  }
  if (root === null)
    return fail(
      'anchor',
      `LogAnchor ${a.logAnchor} on chain ${a.chainId} has no root for ${a.publisher} at size ${p.treeHead.size}`,
    );
  if (root.toLowerCase() !== p.treeHead.root.toLowerCase())
    return fail('anchor', `root anchored at size ${p.treeHead.size} is ${root}, the tree head says ${p.treeHead.root}`);
  return pass(
    'anchor',
    `root anchored by ${a.publisher} at size ${p.treeHead.size} on chain ${a.chainId}${a.blockNumber !== null ? ` (block ${a.blockNumber})` : ''}`,
  );
}

/** Verify an event proof; never throws for a malformed proof (the failing check says what is wrong). */
export async function verifyEventProof(proof: EventProof, opts: VerifyEventProofOptions = {}): Promise<EventProofReport> {
  const checks: EventCheck[] = [];
  const guarded = async (name: EventCheckName, f: () => EventCheck | Promise<EventCheck>): Promise<EventCheck> => {
    try {
      return await f();
    } catch (err) {
      return fail(name, message(err));
    }
  };
  let data: Uint8Array | null = null;
  try {
    if (typeof proof.leaf?.data !== 'string') throw new Error('leaf.data is not base64');
    data = fromBase64(proof.leaf.data);
  } catch {
    data = null;
  }
  const needsLeaf = (name: EventCheckName, f: (d: Uint8Array) => EventCheck | Promise<EventCheck>) =>
    data ? guarded(name, () => f(data)) : Promise.resolve(fail(name, 'leaf.data is not base64'));

  let body: { hashId: string; json: string } | null = null;
  checks.push(
    await needsLeaf('leaf', (d) => {
      const r = checkLeaf(d);
      body = r.body;
      return r.check;
    }),
  );
  checks.push(await needsLeaf('leaf-hash', (d) => checkLeafHash(proof, d)));
  const logged = body as { hashId: string; json: string } | null;
  checks.push(
    logged ? await guarded('event', () => checkEvent(proof, logged)) : fail('event', 'no event could be read from the leaf'),
  );
  checks.push(await guarded('hash-id', () => checkHashId(proof)));
  checks.push(await needsLeaf('inclusion', (d) => checkInclusion(proof, d)));
  checks.push(await guarded('tree-head', () => checkTreeHead(proof, opts.expectedSigner)));
  checks.push(await guarded('anchor', () => checkAnchor(proof, opts)));
  return { ok: checks.every((c) => c.ok || c.skipped), complete: checks.every((c) => !c.skipped), checks };
}
