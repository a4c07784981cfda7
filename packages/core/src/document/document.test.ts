import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeCbor } from '../cose/cbor.js';
import {
  DocumentFormatError,
  decodeDocumentBody,
  encodeDocumentBody,
  MAX_DOCUMENT_BYTES,
  validateDocumentMeta,
  verifyDocumentContent,
} from './document.js';

const meta = { shipmentId: 'SHP-1', type: 'bill-of-lading' as const, name: 'bl-0001.pdf', mediaType: 'application/pdf' };
const content = new TextEncoder().encode('%PDF-1.7 a bill of lading');
const salt = new Uint8Array(16).fill(7);

const refusedFor = (field: string) => (e: unknown) => e instanceof DocumentFormatError && e.field === field;

/** The body's map with one entry changed (or removed: undefined), re-encoded canonically. */
function altered(key: string, value: unknown): Uint8Array {
  const m = new Map<string, unknown>([
    ['v', 1],
    ['shipment', meta.shipmentId],
    ['type', meta.type],
    ['name', meta.name],
    ['mediaType', meta.mediaType],
    ['sha256', sha256(content)],
    ['size', content.length],
    ['salt', salt],
  ]);
  if (value === undefined) m.delete(key);
  else m.set(key, value);
  return encodeCbor(m as Map<string, never>);
}

describe('document leaf body', () => {
  it('round-trips, deterministically: the same document and salt give the same bytes', () => {
    const body = encodeDocumentBody(meta, content, salt);
    assert.deepEqual(body, encodeDocumentBody({ ...meta }, content.slice(), salt.slice()));
    const d = decodeDocumentBody(body);
    assert.equal(d.shipmentId, 'SHP-1');
    assert.equal(d.type, 'bill-of-lading');
    assert.equal(d.name, 'bl-0001.pdf');
    assert.equal(d.mediaType, 'application/pdf');
    assert.equal(d.size, content.length);
    assert.deepEqual(d.sha256, sha256(content));
    assert.deepEqual(d.salt, salt);
    assert.ok(!('content' in d), 'the leaf commits to the content, it does not hold it');
  });

  it('a body stays small whatever the content (a 4 MiB content: the body is under 200 bytes)', () => {
    const body = encodeDocumentBody(meta, new Uint8Array(MAX_DOCUMENT_BYTES), salt);
    assert.ok(body.length < 200, `${body.length} bytes`);
    assert.equal(decodeDocumentBody(body).size, MAX_DOCUMENT_BYTES);
  });

  it('verifyDocumentContent takes the committed content and refuses another size or another content', () => {
    const d = decodeDocumentBody(encodeDocumentBody(meta, content, salt));
    assert.doesNotThrow(() => verifyDocumentContent(d, content));
    const tampered = content.slice();
    tampered[0] = tampered[0]! ^ 1;
    assert.throws(() => verifyDocumentContent(d, tampered), refusedFor('sha256'));
    assert.throws(() => verifyDocumentContent(d, content.subarray(1)), refusedFor('size'));
    assert.throws(() => verifyDocumentContent(d, new Uint8Array(0)), refusedFor('size'));
  });

  it('another salt gives another body (a public hash reveals nothing of the content)', () => {
    assert.notDeepEqual(encodeDocumentBody(meta, content, salt), encodeDocumentBody(meta, content, new Uint8Array(16)));
  });

  it('refuses bad metadata, naming the field', () => {
    assert.throws(() => validateDocumentMeta({ ...meta, type: 'invoice' }), refusedFor('type'));
    assert.throws(() => validateDocumentMeta({ ...meta, name: '' }), refusedFor('name'));
    assert.throws(() => validateDocumentMeta({ ...meta, name: '../etc/passwd' }), refusedFor('name'));
    assert.throws(() => validateDocumentMeta({ ...meta, name: 'a\nb.pdf' }), refusedFor('name'));
    assert.throws(() => validateDocumentMeta({ ...meta, mediaType: 'pdf' }), refusedFor('mediaType'));
    assert.throws(() => validateDocumentMeta({ ...meta, mediaType: 'text/plain; charset=utf-8' }), refusedFor('mediaType'));
    assert.throws(() => validateDocumentMeta({ ...meta, shipmentId: 'a b' }), refusedFor('shipmentId'));
    assert.equal(validateDocumentMeta({ ...meta, mediaType: 'Application/PDF' }).mediaType, 'application/pdf');
  });

  it('refuses content over the limit and a salt of the wrong size', () => {
    assert.throws(() => encodeDocumentBody(meta, new Uint8Array(MAX_DOCUMENT_BYTES + 1), salt), refusedFor('content'));
    assert.throws(() => encodeDocumentBody(meta, content, new Uint8Array(8)), refusedFor('salt'));
  });

  it('refuses a malformed body: a content inside it, missing or unknown keys, bad fields, not CBOR, not canonical', () => {
    assert.doesNotThrow(() => decodeDocumentBody(altered('v', 1)));
    assert.throws(() => decodeDocumentBody(altered('content', content)), refusedFor('body'));
    assert.throws(() => decodeDocumentBody(altered('sha256', new Uint8Array(31))), refusedFor('sha256'));
    assert.throws(() => decodeDocumentBody(altered('size', -1)), refusedFor('size'));
    assert.throws(() => decodeDocumentBody(altered('size', MAX_DOCUMENT_BYTES + 1)), refusedFor('size'));
    assert.throws(() => decodeDocumentBody(altered('salt', undefined)), refusedFor('salt'));
    assert.throws(() => decodeDocumentBody(altered('extra', 1)), refusedFor('body'));
    assert.throws(() => decodeDocumentBody(altered('v', 2)), refusedFor('v'));
    assert.throws(() => decodeDocumentBody(altered('type', 'receipt')), refusedFor('type'));
    assert.throws(() => decodeDocumentBody(altered('mediaType', 'Application/PDF')), refusedFor('mediaType'));
    assert.throws(() => decodeDocumentBody(new Uint8Array([0xff])), refusedFor('body'));
    assert.throws(() => decodeDocumentBody(encodeCbor([1, 2])), refusedFor('body'));
    // The same map with a non-shortest integer head for `size` (0x19 00 xx): decodes, but is not the one encoding.
    const body = encodeDocumentBody(meta, content, salt);
    const at = findSize(body, content.length);
    const loose = new Uint8Array(body.length + 1);
    loose.set(body.subarray(0, at));
    loose.set([0x19, 0x00, content.length], at);
    loose.set(body.subarray(at + 2), at + 3);
    assert.throws(() => decodeDocumentBody(loose), refusedFor('body'));
  });
});

/** Where the one-byte-argument head of `size` (0x18 n) follows the "size" key in a body. */
function findSize(body: Uint8Array, size: number): number {
  const key = new TextEncoder().encode('size');
  for (let i = 0; i + 6 < body.length; i++) {
    if (body[i] === 0x64 && key.every((b, j) => body[i + 1 + j] === b) && body[i + 5] === 0x18 && body[i + 6] === size)
      return i + 5;
  }
  throw new Error('size not found');
}
