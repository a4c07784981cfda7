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
  ...over,
});

export function documentStoreConformance(open: OpenStoreFixture<DocumentStore>): void {
  it('documents: empty, then a document comes back exactly; the same leaf again is ignored', () =>
    withFixture(open, async ({ store }) => {
      assert.deepEqual(await store.ofShipment('SHP-1'), []);
      assert.equal(await store.get('SHP-1', 7), null);
      assert.equal(await store.put(doc()), true);
      assert.equal(await store.put(doc({ name: 'other.pdf' })), false, 'the first row stays');
      assert.deepEqual(await store.get('SHP-1', 7), doc());
      assert.deepEqual(await store.ofShipment('SHP-1'), [doc()]);
    }));

  it("documents: a shipment's documents by leaf index, none of another shipment's; get is per shipment", () =>
    withFixture(open, async ({ store }) => {
      await store.put(doc({ leafIndex: 30 }));
      await store.put(doc({ leafIndex: 4, type: 'bill-of-lading' }));
      await store.put(doc({ leafIndex: 12, shipmentId: 'SHP-2' }));
      // Ids differing only in case are different shipments (the drivers compare bytes).
      await store.put(doc({ leafIndex: 13, shipmentId: 'shp-1' }));
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

  it('documents: the pending mark is set, moved, read by another connection and cleared', () =>
    withFixture(open, async ({ store, another }) => {
      assert.equal(await store.pendingFrom(), null);
      await store.setPendingFrom(41);
      await store.setPendingFrom(9_000_000_000_000);
      assert.equal(await (await another()).pendingFrom(), 9_000_000_000_000);
      await store.setPendingFrom(null);
      assert.equal(await store.pendingFrom(), null);
      await store.setPendingFrom(null);
      assert.equal(await store.pendingFrom(), null, 'clearing twice is harmless');
    }));

  it('documents: another connection sees what one wrote', () =>
    withFixture(open, async ({ store, another }) => {
      await store.put(doc());
      const other = await another();
      assert.deepEqual(await other.ofShipment('SHP-1'), [doc()]);
    }));
}
