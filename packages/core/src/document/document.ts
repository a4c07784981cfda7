// A shipment document (S4: commercial invoice, certificate of origin,
// phytosanitary certificate, bill of lading, …) anchored in the owner's log as
// a leaf of kind "document". The body is deterministic CBOR holding the
// metadata and the content's SHA-256 and size, with a random salt: a salted
// commitment. The content itself lives beside the log (the owner's documents
// area, a grantee's mirror) and is checked against the leaf on every read
// (verifyDocumentContent): log entries stay small (tlog-tiles entry bundles
// have 16-bit lengths) and a content can be erased while the log still
// verifies. The salt keeps the public hash tiles from revealing anything, not
// even whether a guessed file was added. Pure and isomorphic.
import { sha256 } from '@noble/hashes/sha2.js';
import { CborError, type CborValue, decodeCbor, encodeCbor } from '../cose/cbor.js';

/** The log leaf kind of a shipment document. */
export const DOCUMENT_LEAF_KIND = 'document';

export const DOCUMENT_BODY_VERSION = 1;

/** The largest document content a node takes, bytes (the node's default request body limit). */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

export const DOCUMENT_SALT_BYTES = 16;

/** The document types a node takes: the trade documents of S4, and `other`. */
export const DOCUMENT_TYPES = [
  'commercial-invoice',
  'certificate-of-origin',
  'phytosanitary-certificate',
  'bill-of-lading',
  'packing-list',
  'other',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** A document as logged (the leaf commits to the content; the content is not in it). */
export interface ShipmentDocument {
  shipmentId: string;
  type: DocumentType;
  /** The file name (no directories). */
  name: string;
  /** An RFC 6838 media type, `type/subtype` without parameters. */
  mediaType: string;
  /** SHA-256 of the content. */
  sha256: Uint8Array;
  size: number;
  salt: Uint8Array;
}

/** A document's metadata or body that cannot be taken; `field` names what is wrong. */
export class DocumentFormatError extends Error {
  readonly code = 'bad_document';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentFormatError';
  }
}

// The node's shipment id syntax (node shipments/definition.ts).
const SHIPMENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
// RFC 6838 §4.2 restricted-name, type "/" subtype; parameters are not taken (the bytes say the charset).
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isDocumentType(v: unknown): v is DocumentType {
  return typeof v === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(v);
}

/** Checks the metadata a caller gives; throws DocumentFormatError naming the field. */
export function validateDocumentMeta(m: { shipmentId: unknown; type: unknown; name: unknown; mediaType: unknown }): {
  shipmentId: string;
  type: DocumentType;
  name: string;
  mediaType: string;
} {
  if (typeof m.shipmentId !== 'string' || !SHIPMENT_ID.test(m.shipmentId))
    throw new DocumentFormatError('shipmentId', 'shipmentId must be 1-64 characters of [A-Za-z0-9._:-]');
  if (!isDocumentType(m.type))
    throw new DocumentFormatError('type', `type must be one of ${DOCUMENT_TYPES.join(', ')}, got ${JSON.stringify(m.type)}`);
  const name = m.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 255)
    throw new DocumentFormatError('name', 'name must be a file name of 1-255 characters');
  // A file name, not a path, and nothing a terminal or a header would interpret.
  const unfit = [...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u007f' || ch === '/' || ch === '\\');
  if (unfit || name === '.' || name === '..')
    throw new DocumentFormatError('name', 'name must be a file name: no directories (/ or \\) and no control characters');
  if (typeof m.mediaType !== 'string' || !MEDIA_TYPE.test(m.mediaType))
    throw new DocumentFormatError('mediaType', `mediaType must be an RFC 6838 type/subtype, got ${JSON.stringify(m.mediaType)}`);
  return { shipmentId: m.shipmentId, type: m.type, name, mediaType: m.mediaType.toLowerCase() };
}

/**
 * The body of a "document" leaf: deterministic CBOR (RFC 8949 §4.2.1: keys in bytewise order) of
 * {v, shipment, type, name, mediaType, sha256, size, salt}: it commits to `content` without holding it.
 * `salt` must be 16 random bytes.
 */
export function encodeDocumentBody(
  meta: { shipmentId: string; type: DocumentType; name: string; mediaType: string },
  content: Uint8Array,
  salt: Uint8Array,
): Uint8Array {
  const m = validateDocumentMeta(meta);
  if (content.length > MAX_DOCUMENT_BYTES)
    throw new DocumentFormatError('content', `the content is ${content.length} bytes; at most ${MAX_DOCUMENT_BYTES}`);
  if (salt.length !== DOCUMENT_SALT_BYTES) throw new DocumentFormatError('salt', `salt must be ${DOCUMENT_SALT_BYTES} bytes`);
  return encodeCbor(
    new Map<string, CborValue>([
      ['v', DOCUMENT_BODY_VERSION],
      ['shipment', m.shipmentId],
      ['type', m.type],
      ['name', m.name],
      ['mediaType', m.mediaType],
      ['sha256', sha256(content)],
      ['size', content.length],
      ['salt', salt],
    ]),
  );
}

const KEYS = ['v', 'shipment', 'type', 'name', 'mediaType', 'sha256', 'size', 'salt'];

/**
 * Reads a "document" leaf body, refusing anything malformed: not canonical CBOR, a missing or
 * unknown key (a content inside the body included), a bad field.
 */
export function decodeDocumentBody(body: Uint8Array): ShipmentDocument {
  let v: CborValue;
  try {
    v = decodeCbor(body);
  } catch (err) {
    throw new DocumentFormatError(
      'body',
      `a document body must be CBOR: ${err instanceof CborError ? err.message : String(err)}`,
    );
  }
  if (!(v instanceof Map)) throw new DocumentFormatError('body', 'a document body must be a CBOR map');
  for (const k of v.keys())
    if (typeof k !== 'string' || !KEYS.includes(k)) throw new DocumentFormatError('body', `unknown key ${JSON.stringify(k)}`);
  for (const k of KEYS) if (!v.has(k)) throw new DocumentFormatError(k, `the document body has no ${k}`);
  if (v.get('v') !== DOCUMENT_BODY_VERSION)
    throw new DocumentFormatError('v', `unknown document body version ${String(v.get('v'))}`);
  const meta = validateDocumentMeta({
    shipmentId: v.get('shipment'),
    type: v.get('type'),
    name: v.get('name'),
    mediaType: v.get('mediaType'),
  });
  if (meta.mediaType !== v.get('mediaType')) throw new DocumentFormatError('mediaType', 'mediaType must be lower case');
  const digest = v.get('sha256');
  const size = v.get('size');
  const salt = v.get('salt');
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new DocumentFormatError('sha256', 'sha256 must be 32 bytes');
  if (!(salt instanceof Uint8Array) || salt.length !== DOCUMENT_SALT_BYTES)
    throw new DocumentFormatError('salt', `salt must be ${DOCUMENT_SALT_BYTES} bytes`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_DOCUMENT_BYTES)
    throw new DocumentFormatError('size', `size must be 0-${MAX_DOCUMENT_BYTES}`);
  // One encoding per document: a body that is not the canonical encoding of what it holds is refused.
  if (!sameBytes(encodeCbor(v), body)) throw new DocumentFormatError('body', 'the document body is not deterministic CBOR');
  return { ...meta, sha256: digest, size, salt };
}

/**
 * Checks a content against the document leaf that commits to it: its size and SHA-256 must be the
 * ones the body states. Throws DocumentFormatError (field `size` or `sha256`) saying which differs.
 */
export function verifyDocumentContent(doc: { sha256: Uint8Array; size: number }, content: Uint8Array): void {
  if (content.length !== doc.size)
    throw new DocumentFormatError('size', `the leaf states ${doc.size} bytes, the content is ${content.length}`);
  if (!sameBytes(sha256(content), doc.sha256))
    throw new DocumentFormatError('sha256', 'the content does not hash to the sha256 the leaf states');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
