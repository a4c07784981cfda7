// Shipment documents on the owner's node, end to end over HTTP: a document is
// logged as one "document" leaf (salted, with its content and SHA-256), listed
// and read back from that leaf by whoever may read the shipment; bad metadata,
// an empty or too large body, an unknown shipment are refused naming what is
// wrong, and nothing is logged; the scopes decide who may add and who may read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DOCUMENT_LEAF_KIND, decodeDocumentBody, MAX_DOCUMENT_BYTES } from '@tradetwin/core/document/document';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import type { DocumentJson, DocumentListJson } from '@tradetwin/core/wire/documents';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';

const SHIPMENT = 'SHP-DOCS-1';
const OTHER = 'SHP-DOCS-2';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');

let t: TestNode;
let admin: string;

const url = (path: string) => `${t.node.httpUrl}/api/v1${path}`;
const add = (shipment: string, query: string, body: Uint8Array, opts: { token?: string; type?: string | null } = {}) =>
  fetch(url(`/shipments/${shipment}/documents?${query}`), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${opts.token ?? admin}`,
      ...(opts.type === null ? {} : { 'content-type': opts.type ?? 'application/pdf' }),
    },
    body: Buffer.from(body),
  });
const get = (path: string, token = admin) => fetch(url(path), { headers: { authorization: `Bearer ${token}` } });
const problem = async (res: Response) => (await res.json()) as { type: string; detail: string; field?: string };

before(async () => {
  t = await startTestNode();
  admin = t.node.adminToken;
  for (const id of [SHIPMENT, OTHER]) {
    await t.node.shipments.putShipment(
      { id, goods: { description: 'coffee' }, parties: [], legs: [], devices: [], rules: [] },
      Date.now(),
    );
  }
});
after(() => t?.dispose());

describe('shipment documents on the owner node', () => {
  let bl: DocumentJson;

  it('adds a document as one "document" leaf holding the content, its sha256 and a salt; lists it; serves it back', async () => {
    const before = t.node.log.size;
    const res = await add(SHIPMENT, 'type=bill-of-lading&name=BL%20n%C2%B0%201.pdf', PDF, { type: 'Application/PDF' });
    assert.equal(res.status, 201, await res.clone().text());
    bl = (await res.json()) as DocumentJson;
    const sha = createHash('sha256').update(PDF).digest('hex');
    assert.deepEqual(bl, {
      shipmentId: SHIPMENT,
      type: 'bill-of-lading',
      name: 'BL n° 1.pdf',
      mediaType: 'application/pdf',
      sha256: sha,
      size: PDF.length,
      leafIndex: before,
      addedAt: bl.addedAt,
    });
    assert.equal(t.node.log.size, before + 1, 'one leaf');
    const leaf = decodeLeaf((await t.node.store.leaf(bl.leafIndex))!.data);
    assert.equal(leaf.kind, DOCUMENT_LEAF_KIND);
    assert.equal(leaf.receivedAt, bl.addedAt);
    const body = decodeDocumentBody(leaf.body);
    assert.deepEqual(Buffer.from(body.content), PDF);
    assert.equal(body.salt.length, 16);
    assert.equal(body.shipmentId, SHIPMENT);

    // The same bytes again: another leaf, another salt (the leaf hashes differ).
    const again = (await (
      await add(SHIPMENT, 'type=packing-list&name=list.txt', Buffer.from('12 bags'), { type: 'text/plain; charset=utf-8' })
    ).json()) as DocumentJson;
    assert.equal(again.mediaType, 'text/plain', 'parameters dropped');

    const list = (await (await get(`/shipments/${SHIPMENT}/documents`)).json()) as DocumentListJson;
    assert.deepEqual(list, { shipmentId: SHIPMENT, documents: [bl, again] });
    assert.deepEqual(((await (await get(`/shipments/${OTHER}/documents`)).json()) as DocumentListJson).documents, []);

    const content = await get(`/shipments/${SHIPMENT}/documents/${bl.leafIndex}`);
    assert.equal(content.status, 200);
    assert.equal(content.headers.get('content-type'), 'application/pdf');
    assert.match(
      content.headers.get('content-disposition') ?? '',
      /^attachment; filename="BL n_ 1\.pdf"; filename\*=UTF-8''BL%20n%C2%B0%201\.pdf$/,
    );
    assert.equal(content.headers.get('repr-digest'), `sha-256=:${createHash('sha256').update(PDF).digest('base64')}:`);
    assert.match(content.headers.get('content-security-policy') ?? '', /sandbox/, 'never runs as a page of the node');
    assert.deepEqual(Buffer.from(await content.arrayBuffer()), PDF);
  });

  it('refuses bad input naming the field, an unknown shipment, an empty or too large body — and logs nothing', async () => {
    const size = t.node.log.size;
    const listed = (await (await get(`/shipments/${SHIPMENT}/documents`)).json()) as DocumentListJson;
    const cases: [Promise<Response>, number, string, string?][] = [
      [add(SHIPMENT, 'type=invoice&name=a.pdf', PDF), 400, 'bad_document', 'type'],
      [add(SHIPMENT, 'name=a.pdf', PDF), 400, 'bad_document', 'type'],
      [add(SHIPMENT, 'type=other', PDF), 400, 'bad_document', 'name'],
      [add(SHIPMENT, 'type=other&name=..%2Fa.pdf', PDF), 400, 'bad_document', 'name'],
      [add(SHIPMENT, 'type=other&name=a.pdf', PDF, { type: null }), 400, 'bad_document', 'mediaType'],
      [add(SHIPMENT, 'type=other&name=a.pdf', PDF, { type: 'pdf' }), 400, 'bad_document', 'mediaType'],
      [add(SHIPMENT, 'type=other&name=a.pdf', new Uint8Array(0)), 400, 'bad_document', 'content'],
      [add('SHP-NOPE', 'type=other&name=a.pdf', PDF), 404, 'unknown_shipment'],
      [add(SHIPMENT, 'type=other&name=big.bin', new Uint8Array(MAX_DOCUMENT_BYTES + 1)), 413, 'too_large'],
    ];
    for (const [pending, status, code, field] of cases) {
      const res = await pending;
      const p = await problem(res);
      assert.equal(res.status, status, p.detail);
      assert.equal(p.type, `https://tradetwin.dev/problems/${code}`, p.detail);
      if (field) assert.equal(p.field, field, p.detail);
    }
    assert.equal(t.node.log.size, size, 'nothing logged');
    assert.deepEqual(await (await get(`/shipments/${SHIPMENT}/documents`)).json(), listed, 'nothing indexed');
  });

  it('takes a document of exactly the limit', async () => {
    const big = new Uint8Array(MAX_DOCUMENT_BYTES).fill(0x41);
    const res = await add(OTHER, 'type=other&name=big.bin', big, { type: 'application/octet-stream' });
    assert.equal(res.status, 201, await res.clone().text());
    const d = (await res.json()) as DocumentJson;
    const back = await get(`/shipments/${OTHER}/documents/${d.leafIndex}`);
    assert.equal((await back.arrayBuffer()).byteLength, MAX_DOCUMENT_BYTES);
  });

  it("reads only a shipment's own documents: another shipment's, a leaf beyond the log, an unknown shipment are 404", async () => {
    const other = ((await (await get(`/shipments/${OTHER}/documents`)).json()) as DocumentListJson).documents[0]!;
    for (const [path, status, code] of [
      [`/shipments/${SHIPMENT}/documents/${other.leafIndex}`, 404, 'no_such_document'],
      [`/shipments/${SHIPMENT}/documents/999999`, 404, 'no_such_document'],
      [`/shipments/SHP-NOPE/documents`, 404, 'unknown_shipment'],
      [`/shipments/SHP-NOPE/documents/${bl.leafIndex}`, 404, 'unknown_shipment'],
      [`/shipments/${SHIPMENT}/documents/abc`, 400, 'bad_request'],
    ] as const) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      assert.equal((await problem(res)).type, `https://tradetwin.dev/problems/${code}`, path);
    }
  });

  it('documents:write adds; reading takes shipments:read, or shipments:read:<id> for that shipment only', async () => {
    const token = async (scopes: string[]) => (await t.node.access.createCredential(`docs ${scopes.join(' ')}`, scopes)).token;
    const writer = await token(['documents:write']);
    const oneReader = await token([`shipments:read:${SHIPMENT}`]);
    const logReader = await token(['log:read', 'shipments:write']);
    const size = t.node.log.size;
    assert.equal((await add(SHIPMENT, 'type=other&name=a.pdf', PDF, { token: oneReader })).status, 403);
    assert.equal((await add(SHIPMENT, 'type=other&name=a.pdf', PDF, { token: logReader })).status, 403);
    assert.equal(t.node.log.size, size, 'nothing logged');
    const made = await add(SHIPMENT, 'type=certificate-of-origin&name=coo.pdf', PDF, { token: writer });
    assert.equal(made.status, 201);
    assert.equal((await get(`/shipments/${SHIPMENT}/documents`, writer)).status, 403, 'writing is not reading');
    assert.equal((await get(`/shipments/${SHIPMENT}/documents`, oneReader)).status, 200);
    assert.equal((await get(`/shipments/${SHIPMENT}/documents/${bl.leafIndex}`, oneReader)).status, 200);
    assert.equal((await get(`/shipments/${OTHER}/documents`, oneReader)).status, 403);
    assert.equal((await get(`/shipments/${SHIPMENT}/documents`, logReader)).status, 403);
  });
});
