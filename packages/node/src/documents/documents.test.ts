// Shipment documents on the owner's node, end to end over HTTP: a document is
// logged as one small "document" leaf (salted, committing to the content's
// SHA-256 and size), its content stored beside the log, listed and read back —
// checked against the leaf — by whoever may read the shipment; a content
// changed in the store is refused naming the leaf; bad metadata, an empty or
// too large body, an unknown shipment are refused naming what is wrong, and
// nothing is logged; the scopes decide who may add and who may read; a
// document logged but not indexed (a crash between the two) is indexed from the
// log with its pending content by the next add, or at the next start; a tile
// holding a large document's leaf is served.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DOCUMENT_LEAF_KIND,
  decodeDocumentBody,
  encodeDocumentBody,
  MAX_DOCUMENT_BYTES,
} from '@tradetwin/core/document/document';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import { parseEntryBundle, TILE_WIDTH, tilePath } from '@tradetwin/core/tlog/tiles';
import { openRawDatabase } from '../storage/test-support.js';
import type { DocumentJson, DocumentListJson } from '@tradetwin/core/wire/documents';
import { startTestNode, type TestNode, testDatabaseUrl } from '../test-support/node-fixture.js';

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
  const t0 = Date.now();
  for (const id of [SHIPMENT, OTHER]) {
    const res = await fetch(url('/shipments'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        id,
        goods: { description: 'coffee' },
        parties: [{ role: 'carrier', name: 'Ocean Line' }],
        legs: [
          {
            from: { name: 'Santos', unlocode: 'BRSSZ', lat: -23.96, lon: -46.33 },
            to: { name: 'Antwerp', unlocode: 'BEANR', lat: 51.26, lon: 4.4 },
            mode: 'sea',
            plannedDeparture: t0,
            plannedArrival: t0 + 20 * 86_400_000,
          },
        ],
        devices: [],
        rules: [{ kind: 'gap', id: 'silence', maxSilenceMinutes: 60, window: { from: t0, to: t0 + 86_400_000 } }],
      }),
    });
    assert.equal(res.status, 201, await res.text());
  }
});
after(() => t?.dispose());

describe('shipment documents on the owner node', () => {
  let bl: DocumentJson;

  it('adds a document as one small "document" leaf committing to the content (sha256, size, salt); lists it; serves it back', async () => {
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
    assert.equal(body.sha256.length, 32);
    assert.equal(Buffer.from(body.sha256).toString('hex'), createHash('sha256').update(PDF).digest('hex'));
    assert.equal(body.size, PDF.length);
    assert.equal(body.salt.length, 16);
    assert.equal(body.shipmentId, SHIPMENT);
    assert.ok(!Buffer.from(leaf.body).includes(PDF), 'the content is not in the leaf');

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
    assert.ok((await t.node.store.leaf(d.leafIndex))!.data.length < 300, 'the leaf stays small');
  });

  it('serves the entry bundle of a tile holding the leaf of a 1 MiB document (the leaf is small, the content beside)', async () => {
    const mib = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const res = await add(OTHER, 'type=other&name=scan.tiff', mib, { type: 'image/tiff' });
    assert.equal(res.status, 201, await res.clone().text());
    const d = (await res.json()) as DocumentJson;
    const index = Math.floor(d.leafIndex / TILE_WIDTH);
    const width = Math.min(TILE_WIDTH, t.node.log.size - index * TILE_WIDTH);
    const tile = await fetch(`${t.node.httpUrl}/${tilePath({ level: 'entries', index, width })}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(tile.status, 200, await tile.clone().text());
    const entries = parseEntryBundle(new Uint8Array(await tile.arrayBuffer()));
    assert.equal(entries.length, width);
    const entry = entries[d.leafIndex - index * TILE_WIDTH]!;
    assert.deepEqual(entry, (await t.node.store.leaf(d.leafIndex))!.data);
    assert.equal(decodeDocumentBody(decodeLeaf(entry).body).size, mib.length);
    assert.deepEqual(new Uint8Array(await (await get(`/shipments/${OTHER}/documents/${d.leafIndex}`)).arrayBuffer()), mib);
  });

  it('refuses to serve a content changed in the store (document_tampered, naming the leaf), and serves it again once restored', async () => {
    const made = (await (
      await add(SHIPMENT, 'type=commercial-invoice&name=inv.pdf', PDF, { type: 'application/pdf' })
    ).json()) as DocumentJson;
    const db = await openRawDatabase({ dataDir: t.dataDir, url: testDatabaseUrl(t.dataDir) });
    try {
      const altered = Buffer.from(PDF);
      altered[10] = altered[10]! ^ 1;
      await db.run('UPDATE documents SET content = ? WHERE leaf_index = ?', new Uint8Array(altered), made.leafIndex);
      const res = await get(`/shipments/${SHIPMENT}/documents/${made.leafIndex}`);
      assert.equal(res.status, 500);
      const p = await problem(res);
      assert.equal(p.type, 'https://tradetwin.dev/problems/document_tampered');
      assert.match(p.detail, new RegExp(`leaf ${made.leafIndex}\\b`));
      assert.match(p.detail, /sha256/);
      await db.run('UPDATE documents SET content = ? WHERE leaf_index = ?', new Uint8Array(PDF.subarray(1)), made.leafIndex);
      assert.match((await problem(await get(`/shipments/${SHIPMENT}/documents/${made.leafIndex}`))).detail, /size/);
      await db.run('UPDATE documents SET content = ? WHERE leaf_index = ?', new Uint8Array(PDF), made.leafIndex);
    } finally {
      await db.close();
    }
    const back = await get(`/shipments/${SHIPMENT}/documents/${made.leafIndex}`);
    assert.equal(back.status, 200);
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), PDF);
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

  /**
   * What a crash right after the append leaves: the pending add set (the mark and the content staged), the
   * leaf logged, no row. `staged`: the content staged, when not the one logged (a fault that cannot happen
   * with one add at a time; recovery must then not index a content the leaf does not commit to).
   */
  async function appendedNotIndexed(name: string, staged: Uint8Array = PDF): Promise<number> {
    await t.node.storage.documents.setPending({ fromSize: t.node.log.size, content: staged });
    const body = encodeDocumentBody({ shipmentId: OTHER, type: 'other', name, mediaType: 'text/plain' }, PDF, new Uint8Array(16));
    const at = Date.now();
    return (await t.node.log.append([{ data: encodeLeaf({ kind: DOCUMENT_LEAF_KIND, receivedAt: at, body }) }])).firstIndex;
  }
  const names = async () =>
    ((await (await get(`/shipments/${OTHER}/documents`)).json()) as DocumentListJson).documents.map((d) => d.name);

  it('a document logged but not indexed is indexed from the log by the next add', async () => {
    const lost = await appendedNotIndexed('lost-1.txt');
    assert.ok(!(await names()).includes('lost-1.txt'));
    assert.equal((await add(OTHER, 'type=other&name=next.txt', PDF, { type: 'text/plain' })).status, 201);
    assert.deepEqual((await names()).slice(-2), ['lost-1.txt', 'next.txt']);
    assert.equal((await t.node.storage.documents.get(OTHER, lost))?.hasContent, true);
    assert.deepEqual(Buffer.from(await (await get(`/shipments/${OTHER}/documents/${lost}`)).arrayBuffer()), PDF);
    assert.equal(await t.node.storage.documents.pending(), null);
  });

  it('a logged document whose staged content is not the one it commits to is indexed as content missing, not served', async () => {
    const lost = await appendedNotIndexed('lost-3.txt', Buffer.from('another content'));
    assert.equal((await add(OTHER, 'type=other&name=after.txt', PDF, { type: 'text/plain' })).status, 201);
    const listed = ((await (await get(`/shipments/${OTHER}/documents`)).json()) as DocumentListJson).documents;
    const missing = listed.find((d) => d.leafIndex === lost)!;
    assert.equal(missing.name, 'lost-3.txt');
    assert.equal(missing.contentMissing, true);
    assert.equal(listed.find((d) => d.name === 'after.txt')!.contentMissing, undefined);
    const res = await get(`/shipments/${OTHER}/documents/${lost}`);
    assert.equal(res.status, 409);
    const p = await problem(res);
    assert.equal(p.type, 'https://tradetwin.dev/problems/document_content_missing');
    assert.match(p.detail, new RegExp(`leaf ${lost}\\b`));
    assert.equal(await t.node.storage.documents.pending(), null);
  });

  it('… and at the next start', async () => {
    const lost = await appendedNotIndexed('lost-2.txt');
    await t.stop();
    t = await startTestNode({ dataDir: t.dataDir });
    admin = t.node.adminToken;
    assert.equal((await names()).at(-1), 'lost-2.txt');
    const back = await get(`/shipments/${OTHER}/documents/${lost}`);
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), PDF);
    assert.equal(await t.node.storage.documents.pending(), null);
  });
});
