// Conformance of a MirrorStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MirrorHead, MirrorLeaf, MirrorStore } from '../mirror.js';
import { type OpenStoreFixture, withFixture } from './fixture.js';

const h32 = (b: number) => new Uint8Array(32).fill(b);
const head = (over: Partial<MirrorHead> = {}): MirrorHead => ({
  owner: 1,
  publisher: '0x00000000000000000000000000000000000000aa',
  size: 10,
  root: h32(1),
  timestamp: 1_000,
  verifiedAt: 2_000,
  ...over,
});
const leaf = (index: number, over: Partial<MirrorLeaf> = {}): MirrorLeaf => ({
  owner: 1,
  index,
  data: new Uint8Array([index, 1, 2]),
  kind: 'telemetry',
  scope: 'SHP-1',
  deviceId: 'reefer-1',
  firstAt: index * 1000,
  lastAt: index * 1000 + 500,
  headSize: 10,
  path: [h32(index), h32(index + 1)],
  ...over,
});

export function mirrorStoreConformance(open: OpenStoreFixture<MirrorStore>): void {
  it('mirror: empty, then leaves and the head come back exactly', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.head(1), null);
      assert.equal(await store.count(), 0);
      await store.putVerified(head(), [
        leaf(0),
        leaf(3),
        leaf(5, { kind: 'grant', deviceId: null, firstAt: null, lastAt: null }),
      ]);
      assert.deepEqual(await store.head(1), head());
      assert.deepEqual(await store.heads(), [head()]);
      assert.deepEqual(await store.leaves(1), [
        leaf(0),
        leaf(3),
        leaf(5, { kind: 'grant', deviceId: null, firstAt: null, lastAt: null }),
      ]);
      assert.equal(await store.count(1), 3);
      assert.equal(await store.count(2), 0);
      assert.deepEqual(await store.leaves(1, 'SHP-2'), []);
    }));

  it('mirror: telemetry by device and time overlap; a larger head replaces proofs, a smaller one does not', () =>
    withFixture(open, async ({ store }) => {
      await store.putVerified(head(), [leaf(0), leaf(3), leaf(4, { deviceId: 'reefer-2' })]);
      const hits = await store.telemetry({ deviceId: 'reefer-1', from: 3_200, to: 9_000, limit: 10 });
      assert.deepEqual(
        hits.map((l) => l.index),
        [3],
      );
      assert.equal((await store.telemetry({ deviceId: 'reefer-1', from: 0, to: 9_000, limit: 1 })).length, 1, 'limit');
      await store.putVerified(head({ size: 20, root: h32(2) }), [leaf(3, { headSize: 20, path: [h32(9)] })]);
      assert.equal((await store.head(1))?.size, 20);
      assert.deepEqual((await store.leaves(1))[1]?.path, [h32(9)]);
      await store.putVerified(head({ size: 12, root: h32(3) }), [leaf(3, { headSize: 12, path: [h32(8)] })]);
      assert.equal((await store.head(1))?.size, 20, 'the larger head stays');
      assert.deepEqual((await store.leaves(1))[1]?.path, [h32(9)], 'the proof to the larger head stays');
    }));

  it('mirror: the leaves of one kind under one scope, of every owner or one, by owner then index', () =>
    withFixture(open, async ({ store }) => {
      const doc = { kind: 'document', deviceId: null, firstAt: null, lastAt: null };
      await store.putVerified(head(), [leaf(0), leaf(6, doc), leaf(2, doc), leaf(4, { ...doc, scope: 'SHP-2' })]);
      await store.putVerified(head({ owner: 2 }), [leaf(1, { ...doc, owner: 2 })]);
      const of = (q: Parameters<MirrorStore['leavesOf']>[0]) => store.leavesOf(q).then((ls) => ls.map((l) => [l.owner, l.index]));
      assert.deepEqual(await of({ scope: 'SHP-1', kind: 'document' }), [
        [1, 2],
        [1, 6],
        [2, 1],
      ]);
      assert.deepEqual(await of({ scope: 'SHP-1', kind: 'document', owner: 2 }), [[2, 1]]);
      assert.deepEqual(await of({ scope: 'SHP-2', kind: 'document' }), [[1, 4]]);
      assert.deepEqual(await of({ scope: 'SHP-1', kind: 'telemetry' }), [[1, 0]]);
      assert.deepEqual(await of({ scope: 'SHP-3', kind: 'document' }), []);
      assert.deepEqual((await store.leavesOf({ scope: 'SHP-1', kind: 'document', owner: 1 }))[0], leaf(2, doc));
    }));

  it('mirror: document contents are stored with their leaves, per owner, and one held is kept', () =>
    withFixture(open, async ({ store, another }) => {
      const doc = { kind: 'document', deviceId: null, firstAt: null, lastAt: null };
      const content = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) & 0xff);
      assert.equal(await store.documentContent(1, 6), null);
      await store.putVerified(head(), [leaf(6, doc)], [{ owner: 1, index: 6, content }]);
      assert.deepEqual(await store.documentContent(1, 6), content);
      assert.deepEqual(await (await another()).documentContent(1, 6), content);
      assert.equal(await store.documentContent(2, 6), null, "another owner's leaf 6 is another document");
      await store.putVerified(head({ size: 30 }), [leaf(6, doc)], [{ owner: 1, index: 6, content: new Uint8Array([9]) }]);
      assert.deepEqual(await store.documentContent(1, 6), content, 'the content held stays');
      await store.putVerified(head({ size: 31 }), [leaf(7, doc)]);
      assert.equal(await store.documentContent(1, 7), null, 'a leaf stored without a content has none');
    }));
}
