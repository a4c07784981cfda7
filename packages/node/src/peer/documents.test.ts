// Shipment documents shared by grant, end to end: three member nodes over one
// real chain (carrier = owner, insurer = grantee, bank = a member without a
// grant). The owner's shipment answer carries its document leaves with their
// proofs and, beside each, the content the leaf commits to, to a grantee only;
// the grantee's node verifies each (inclusion in the anchored head, the body,
// the content's size and sha256, its shipment) before mirroring leaf and
// content, and serves it from the mirror while the owner's node is down; a
// tampered leaf, a content changed or missing, one whose content does not match
// its hash, or another shipment's slipped in refuses the whole answer with an
// alert, and nothing is stored. The owner does not serve a content changed in
// its own store.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bytesToHex } from 'viem';
import { encodeCbor } from '@tradetwin/core/cose/cbor';
import { DOCUMENT_LEAF_KIND } from '@tradetwin/core/document/document';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { DocumentJson, SharedDocumentListJson } from '@tradetwin/core/wire/documents';
import type { PeerShipmentJson } from '@tradetwin/core/wire/peer';
import type { RunningNode } from '../node.js';
import { openRawDatabase } from '../storage/test-support.js';
import { startTestConsortium, type TestConsortium } from '../test-support/consortium.js';
import { testDatabaseUrl } from '../test-support/node-fixture.js';
import { peerGet } from './client.js';
import { ReplicationRefused } from './replicate.js';
import { listOwnerAt, tamperingPartner, waitFor } from './test-support.js';

let c: TestConsortium;
let owner: RunningNode;
let grantee: RunningNode;
let bank: RunningNode;
const SHIPMENT = 'SHP-DOCS-PEER-1';
const OTHER = 'SHP-DOCS-PEER-2';
const INVOICE = Buffer.from('%PDF-1.7 commercial invoice 4711: 40 bags of coffee, USD 12,400');
const PHYTO = Buffer.from('<certificate>phytosanitary: free from quarantine pests</certificate>');
const added: DocumentJson[] = [];
let otherDoc: DocumentJson;
/** A "document" leaf of SHIPMENT in the owner's log committing to INVOICE's sha256 with PHYTO's size (not indexed, no content held). */
let badLeaf: number;

const keyOf = (n: RunningNode) => ({ orgId: n.orgId, secretKey: n.peerKeys.httpSig.secretKey });
const shipmentUrl = (id = SHIPMENT) => `${owner.httpUrl}/peer/v1/shipments/${id}`;
const withoutInstance = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
const api = (n: RunningNode, path: string) =>
  fetch(`${n.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${n.adminToken}` } });

async function addDocument(shipment: string, type: string, name: string, mediaType: string, content: Uint8Array) {
  const res = await fetch(
    `${owner.httpUrl}/api/v1/shipments/${shipment}/documents?type=${type}&name=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.adminToken}`, 'content-type': mediaType },
      body: Buffer.from(content),
    },
  );
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as DocumentJson;
}

const documentIndices = (body: PeerShipmentJson) =>
  body.records.filter((r) => decodeLeaf(Buffer.from(r.data, 'base64')).kind === DOCUMENT_LEAF_KIND).map((r) => r.index);

before(async () => {
  c = await startTestConsortium(['Carrier', 'Insurer', 'Bank']);
  [owner, grantee, bank] = c.nodes.map((t) => t.node) as [RunningNode, RunningNode, RunningNode];
  for (const id of [SHIPMENT, OTHER]) {
    await owner.shipments.putShipment(
      { id, goods: { description: 'coffee' }, parties: [], legs: [], devices: [], rules: [] },
      Date.now(),
    );
  }
  added.push(await addDocument(SHIPMENT, 'commercial-invoice', 'invoice 4711.pdf', 'application/pdf', INVOICE));
  added.push(await addDocument(SHIPMENT, 'phytosanitary-certificate', 'phyto.xml', 'application/xml', PHYTO));
  otherDoc = await addDocument(OTHER, 'bill-of-lading', 'bl.pdf', 'application/pdf', INVOICE);
  // What a faulty or dishonest owner could log: a well-formed body that a served content (PHYTO, of that size) does not match.
  const body = encodeCbor(
    new Map<string, unknown>([
      ['v', 1],
      ['shipment', SHIPMENT],
      ['type', 'other'],
      ['name', 'swapped.pdf'],
      ['mediaType', 'application/pdf'],
      ['sha256', createHash('sha256').update(INVOICE).digest()],
      ['size', PHYTO.length],
      ['salt', new Uint8Array(16)],
    ]) as Map<string, never>,
  );
  badLeaf = (await owner.log.append([{ data: encodeLeaf({ kind: DOCUMENT_LEAF_KIND, receivedAt: Date.now(), body }) }]))
    .firstIndex;
  await owner.grants.issue({ grantee: grantee.orgId, scope: { shipment: SHIPMENT } });
  await owner.anchorer.anchorNow();
});
after(() => c?.dispose());

describe('documents shared by grant, default deny', () => {
  it("serves the grantee the shipment's documents with proofs, and none of another shipment's", async () => {
    const res = await peerGet(shipmentUrl(), keyOf(grantee));
    assert.equal(res.status, 200);
    const body = (await res.json()) as PeerShipmentJson;
    assert.deepEqual(
      documentIndices(body),
      added.map((d) => d.leafIndex),
    );
    assert.ok(body.records.every((r) => r.path.length > 0 || body.head.size === 1));
    // Each document leaf with the content it commits to beside it; no other record carries one.
    const contents = body.records.filter((r) => r.content !== undefined);
    assert.deepEqual(
      contents.map((r) => [r.index, Buffer.from(r.content!, 'base64')]),
      [
        [added[0]!.leafIndex, INVOICE],
        [added[1]!.leafIndex, PHYTO],
      ],
    );
  });

  it('does not serve a document whose content was changed in its own store (the grantee would refuse the whole answer)', async () => {
    const dataDir = c.nodes[0]!.dataDir;
    const db = await openRawDatabase({ dataDir, url: testDatabaseUrl(dataDir) });
    try {
      await db.run('UPDATE documents SET content = ? WHERE leaf_index = ?', new Uint8Array(INVOICE), added[1]!.leafIndex);
      const body = (await (await peerGet(shipmentUrl(), keyOf(grantee))).json()) as PeerShipmentJson;
      assert.deepEqual(documentIndices(body), [added[0]!.leafIndex]);
    } finally {
      await db.run('UPDATE documents SET content = ? WHERE leaf_index = ?', new Uint8Array(PHYTO), added[1]!.leafIndex);
      await db.close();
    }
    const body = (await (await peerGet(shipmentUrl(), keyOf(grantee))).json()) as PeerShipmentJson;
    assert.deepEqual(
      documentIndices(body),
      added.map((d) => d.leafIndex),
    );
  });

  it('gives a member without a grant, then one whose grant was revoked, exactly the answer for a shipment that does not exist', async () => {
    const absent = withoutInstance(
      (await (await peerGet(shipmentUrl('SHP-NOPE'), keyOf(bank))).json()) as Record<string, unknown>,
    );
    const denied = await peerGet(shipmentUrl(), keyOf(bank));
    assert.equal(denied.status, 404);
    assert.deepEqual(withoutInstance((await denied.json()) as Record<string, unknown>), absent);
    const g = await owner.grants.issue({ grantee: bank.orgId, scope: { shipment: SHIPMENT } });
    await owner.anchorer.anchorNow();
    const granted = await peerGet(shipmentUrl(), keyOf(bank));
    assert.equal(granted.status, 200);
    assert.equal(documentIndices((await granted.json()) as PeerShipmentJson).length, 2);
    await owner.grants.revoke(g.grantId);
    const revoked = await peerGet(shipmentUrl(), keyOf(bank));
    assert.equal(revoked.status, 404);
    assert.deepEqual(withoutInstance((await revoked.json()) as Record<string, unknown>), absent);
  });
});

describe("the grantee's verified mirror of the documents", () => {
  it('pulls the documents, verified, and lists and serves them from the mirror with their owner', async () => {
    assert.equal(await grantee.replicator!.pullGrants(owner.orgId), 1);
    const [pulled] = await grantee.replicator!.replicate(owner.orgId);
    assert.equal(pulled!.documents, 2);
    assert.deepEqual(await grantee.storage.mirror.documentContent(owner.orgId, added[0]!.leafIndex), new Uint8Array(INVOICE));
    assert.deepEqual(await grantee.storage.mirror.documentContent(owner.orgId, added[1]!.leafIndex), new Uint8Array(PHYTO));
    const list = (await (await api(grantee, `/sharing/shipments/${SHIPMENT}/documents`)).json()) as SharedDocumentListJson;
    assert.equal(list.shipmentId, SHIPMENT);
    assert.deepEqual(
      list.documents.map(({ owner: o, verified, headSize, ...d }) => {
        assert.equal(o, owner.orgId);
        assert.equal(verified, true);
        assert.ok(headSize > d.leafIndex);
        return d;
      }),
      added,
    );
    const res = await api(grantee, `/sharing/shipments/${SHIPMENT}/documents/${added[0]!.leafIndex}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.equal(res.headers.get('tradetwin-owner'), String(owner.orgId));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), INVOICE);
    assert.equal((await api(grantee, `/sharing/shipments/${OTHER}/documents`)).status, 200);
    assert.deepEqual(
      ((await (await api(grantee, `/sharing/shipments/${OTHER}/documents`)).json()) as SharedDocumentListJson).documents,
      [],
    );
    const missing = await api(grantee, `/sharing/shipments/${OTHER}/documents/${otherDoc.leafIndex}`);
    assert.equal(missing.status, 404);
  });

  it('checks a mirrored content on every read: one changed in the mirror is refused (document_tampered), one gone is 409', async () => {
    const dataDir = c.nodes[1]!.dataDir;
    const index = added[0]!.leafIndex;
    const path = `/sharing/shipments/${SHIPMENT}/documents/${index}`;
    const db = await openRawDatabase({ dataDir, url: testDatabaseUrl(dataDir) });
    try {
      await db.run(
        'UPDATE mirror_documents SET content = ? WHERE owner = ? AND idx = ?',
        new Uint8Array(PHYTO),
        owner.orgId,
        index,
      );
      const tampered = await api(grantee, path);
      assert.equal(tampered.status, 500);
      const p = (await tampered.json()) as { type: string; detail: string };
      assert.equal(p.type, 'https://tradetwin.dev/problems/document_tampered');
      assert.match(p.detail, new RegExp(`leaf ${index}\\b`));
      await db.run('DELETE FROM mirror_documents WHERE owner = ? AND idx = ?', owner.orgId, index);
      const gone = await api(grantee, path);
      assert.equal(gone.status, 409);
      assert.equal(((await gone.json()) as { type: string }).type, 'https://tradetwin.dev/problems/document_content_missing');
      await db.run(
        'INSERT INTO mirror_documents (owner, idx, content) VALUES (?, ?, ?)',
        owner.orgId,
        index,
        new Uint8Array(INVOICE),
      );
    } finally {
      await db.close();
    }
    assert.deepEqual(Buffer.from(await (await api(grantee, path)).arrayBuffer()), INVOICE);
  });

  it("refuses a tampered document, one whose content is not its sha256, or another shipment's slipped in: alert raised, nothing stored", async () => {
    const proxy = await tamperingOwner();
    await listOwnerAt(owner, proxy.url);
    try {
      for (const [mode, code, detail] of [
        ['leaf', 'not_included', ''],
        ['content', 'bad_document', 'sha256'],
        ['no-content', 'bad_document', 'without its content'],
        ['bad-sha256', 'bad_document', 'sha256'],
        ['foreign', 'bad_document', OTHER],
      ] as const) {
        const count = await grantee.storage.mirror.count(owner.orgId);
        const head = await grantee.storage.mirror.head(owner.orgId);
        const docs = await grantee.storage.mirror.leavesOf({ scope: SHIPMENT, kind: DOCUMENT_LEAF_KIND });
        proxy.mode = mode;
        await assert.rejects(
          grantee.replicator!.pullShipment(owner.orgId, SHIPMENT),
          (e: unknown) => e instanceof ReplicationRefused && e.code === code,
          mode,
        );
        assert.equal(await grantee.storage.mirror.count(owner.orgId), count, `${mode}: nothing stored`);
        assert.deepEqual(await grantee.storage.mirror.head(owner.orgId), head, `${mode}: head kept`);
        assert.deepEqual(await grantee.storage.mirror.leavesOf({ scope: SHIPMENT, kind: DOCUMENT_LEAF_KIND }), docs, mode);
        await waitFor(async () =>
          (await grantee.storage.alerts.alerts(50)).some(
            (a) =>
              a.kind === 'replication_refused' &&
              (a.detail as { code?: string; detail?: string }).code === code &&
              (a.detail as { detail: string }).detail.includes(detail),
          ),
        );
      }
    } finally {
      await listOwnerAt(owner, owner.httpUrl);
      await proxy.close();
    }
  });

  it("serves the documents from the mirror while the owner's node is down", async () => {
    await c.nodes[0]!.stop();
    await assert.rejects(peerGet(shipmentUrl(), keyOf(grantee), 2000));
    const list = (await (await api(grantee, `/sharing/shipments/${SHIPMENT}/documents`)).json()) as SharedDocumentListJson;
    assert.equal(list.documents.length, 2);
    const res = await api(grantee, `/sharing/shipments/${SHIPMENT}/documents/${added[1]!.leafIndex}?owner=${owner.orgId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="phyto\.xml"/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PHYTO);
    assert.equal((await api(grantee, `/sharing/shipments/${SHIPMENT}/documents/${added[1]!.leafIndex}?owner=x`)).status, 400);
  });
});

type Mode = 'leaf' | 'content' | 'no-content' | 'bad-sha256' | 'foreign';

/** A partner that answers with the owner's real response, altered (it asks the owner as the grantee). */
const tamperingOwner = () =>
  tamperingPartner<Mode>(
    'content',
    (path) => peerGet(`${owner.httpUrl}${path}`, keyOf(grantee)),
    async (body, mode) => {
      const rec = body.records.find((r) => r.index === added[0]!.leafIndex)!;
      if (mode === 'leaf') {
        // One byte of a document's leaf changed in transit: its proof no longer holds.
        const data = Buffer.from(rec.data, 'base64');
        data[data.length - 1] = data[data.length - 1]! ^ 1;
        rec.data = data.toString('base64');
      } else if (mode === 'content') {
        // One byte of a document's content changed in transit (same size: only its sha256 tells).
        const content = Buffer.from(rec.content!, 'base64');
        content[0] = content[0]! ^ 1;
        rec.content = content.toString('base64');
      } else if (mode === 'no-content') {
        delete rec.content;
      } else {
        // A leaf that really is in the owner's anchored log, with its true proof — but not one to serve here.
        const index = mode === 'bad-sha256' ? badLeaf : otherDoc.leafIndex;
        const [path] = await owner.log.inclusionProofs([index], body.head.size);
        const leaf = (await owner.store.leaf(index))!;
        body.records.push({
          index,
          data: Buffer.from(leaf.data).toString('base64'),
          path: path!.map((p) => bytesToHex(p)),
          // With a content of the size it states (bad-sha256), or the one it commits to (foreign).
          content: (mode === 'bad-sha256' ? PHYTO : INVOICE).toString('base64'),
        });
        body.records.sort((a, b) => a.index - b.index);
      }
    },
  );
