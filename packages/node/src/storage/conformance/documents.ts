// Conformance of a DocumentStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DocumentRow, DocumentStore } from '../documents.js';
import { type OpenStoreFixture, withFixture } from './fixture.js';

const doc = (over: Partial<DocumentRow> = {}): DocumentRow => ({
  shipmentId: 'SHP-1',
  leafIndex: 7,
  type: 'commercial-invoice',
  name: 'invoice ü 1.pdf',
  mediaType: 'application/pdf',
  sha256: 'ab'.repeat(32),
  size: 4 * 1024 * 1024,
  addedAt: 1_700_000_000_123,
  hasContent: true,
  ...over,
});
/** A content of the area's largest size, not all one byte (a driver truncating or re-encoding it shows). */
const CONTENT = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
const put = (store: DocumentStore, d: DocumentRow, content: Uint8Array | null = CONTENT) => {
  const { hasContent: _has, ...row } = d;
  return store.put(row, content);
};

export function documentStoreConformance(open: OpenStoreFixture<DocumentStore>): void {
  it('documents: empty, then a document and its content come back exactly; the same leaf again is ignored', () =>
    withFixture(open, async ({ store }) => {
      assert.deepEqual(await store.ofShipment('SHP-1'), []);
      assert.equal(await store.get('SHP-1', 7), null);
      assert.equal(await store.content(7), null);
      assert.equal(await put(store, doc()), true);
      assert.equal(await put(store, doc({ name: 'other.pdf' }), new Uint8Array([1])), false, 'the first row stays');
      assert.deepEqual(await store.get('SHP-1', 7), doc());
      assert.deepEqual(await store.ofShipment('SHP-1'), [doc()]);
      assert.deepEqual(await store.content(7), CONTENT);
    }));

  it('documents: a document without its content is listed as such, and its content is null', () =>
    withFixture(open, async ({ store }) => {
      await put(store, doc({ leafIndex: 9 }), null);
      await put(store, doc({ leafIndex: 10 }), new Uint8Array(0));
      assert.deepEqual(await store.get('SHP-1', 9), doc({ leafIndex: 9, hasContent: false }));
      assert.equal(await store.content(9), null);
      assert.deepEqual(await store.content(10), new Uint8Array(0), 'an empty content is held, not missing');
      assert.deepEqual(
        (await store.ofShipment('SHP-1')).map((d) => d.hasContent),
        [false, true],
      );
    }));

  it("documents: a shipment's documents by leaf index, none of another shipment's; get is per shipment", () =>
    withFixture(open, async ({ store }) => {
      await put(store, doc({ leafIndex: 30 }));
      await put(store, doc({ leafIndex: 4, type: 'bill-of-lading' }));
      await put(store, doc({ leafIndex: 12, shipmentId: 'SHP-2' }));
      // Ids differing only in case are different shipments (the drivers compare bytes).
      await put(store, doc({ leafIndex: 13, shipmentId: 'shp-1' }));
      assert.deepEqual(
        (await store.ofShipment('SHP-1')).map((d) => [d.leafIndex, d.type]),
        [
          [4, 'bill-of-lading'],
          [30, 'commercial-invoice'],
        ],
      );
      assert.deepEqual(
        (await store.ofShipment('SHP-2')).map((d) => d.leafIndex),
        [12],
      );
      assert.equal(await store.get('SHP-1', 12), null, "another shipment's leaf is not this shipment's document");
      assert.equal((await store.get('SHP-2', 12))?.shipmentId, 'SHP-2');
    }));

  it('documents: the pending add (mark and content) is set, replaced, read by another connection and cleared', () =>
    withFixture(open, async ({ store, another }) => {
      assert.equal(await store.pending(), null);
      await store.setPending({ fromSize: 41, content: new Uint8Array([1, 2, 3]) });
      await store.setPending({ fromSize: 9_000_000_000_000, content: CONTENT });
      assert.deepEqual(await (await another()).pending(), { fromSize: 9_000_000_000_000, content: CONTENT });
      await store.setPending(null);
      assert.equal(await store.pending(), null);
      await store.setPending(null);
      assert.equal(await store.pending(), null, 'clearing twice is harmless');
    }));

  it('documents: another connection sees what one wrote', () =>
    withFixture(open, async ({ store, another }) => {
      await put(store, doc());
      const other = await another();
      assert.deepEqual(await other.ofShipment('SHP-1'), [doc()]);
      assert.deepEqual(await other.content(7), CONTENT);
    }));
}
