// Conformance of a WitnessStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { COSIGNED_KEPT, type WitnessStore } from '../witness.js';
import { type OpenStoreFixture, withFixture } from './fixture.js';

const NOTE = 'log.example/a\n3\nAAAA\n\n— log.example/a é✓ sig\n';

export function witnessStoreConformance(open: OpenStoreFixture<WitnessStore>): void {
  it('witness: advance from 0 stores the first checkpoint; then only from the stored size (409 semantics)', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.witnessed('log.example/a'), null);
      assert.deepEqual(await store.advance('log.example/a', 0, { size: 3, note: NOTE }, 10), { ok: true });
      assert.deepEqual(await store.witnessed('log.example/a'), { origin: 'log.example/a', size: 3, note: NOTE, updatedAt: 10 });
      // A stale old size (0 again, or 2) is refused with the stored size, and nothing changes.
      assert.deepEqual(await store.advance('log.example/a', 0, { size: 9, note: 'x' }, 11), { ok: false, size: 3 });
      assert.deepEqual(await store.advance('log.example/a', 2, { size: 9, note: 'x' }, 11), { ok: false, size: 3 });
      assert.deepEqual(await store.advance('log.example/a', 3, { size: 9, note: 'n9' }, 12), { ok: true });
      assert.equal((await store.witnessed('log.example/a'))?.size, 9);
      // Unknown origins on a non-zero old size conflict at 0.
      assert.deepEqual(await store.advance('log.example/b', 5, { size: 6, note: 'x' }, 1), { ok: false, size: 0 });
      assert.deepEqual(
        (await store.allWitnessed()).map((w) => w.origin),
        ['log.example/a'],
      );
    }));

  it('witness: concurrent advances from one size — exactly one wins (another connection too)', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      await store.advance('o', 0, { size: 1, note: 'n1' }, 1);
      const results = await Promise.all([
        store.advance('o', 1, { size: 5, note: 'n5' }, 2),
        other.advance('o', 1, { size: 7, note: 'n7' }, 2),
        store.advance('o', 1, { size: 6, note: 'n6' }, 2),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const size = (await store.witnessed('o'))!.size;
      for (const r of results) if (!r.ok) assert.equal(r.size, size);
    }));

  it('witness: own cosigned checkpoints by size; the latest is the largest', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.latestCosigned(), null);
      await store.saveCosigned({ size: 10, note: 'a', updatedAt: 1 });
      await store.saveCosigned({ size: 300, note: 'b', updatedAt: 2 });
      await store.saveCosigned({ size: 10, note: 'a+w', updatedAt: 3 });
      assert.deepEqual(await store.cosigned(10), { size: 10, note: 'a+w', updatedAt: 3 });
      assert.equal((await store.latestCosigned())?.size, 300);
      assert.equal(await store.cosigned(11), null);
      // Only the newest COSIGNED_KEPT sizes stay.
      for (let i = 1; i <= COSIGNED_KEPT + 5; i++) await store.saveCosigned({ size: 1000 + i, note: `n${i}`, updatedAt: i });
      assert.equal(await store.cosigned(300), null);
      assert.equal(await store.cosigned(1005), null);
      assert.equal((await store.cosigned(1006))?.note, 'n6');
      assert.equal((await store.latestCosigned())?.size, 1000 + COSIGNED_KEPT + 5);
    }));

  it('witness: an equivocation is recorded once per key, newest first', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.recordEquivocation({ key: 'k1', origin: 'o', proof: '{"a":1}', detectedAt: 5 }), true);
      assert.equal(await store.recordEquivocation({ key: 'k1', origin: 'o', proof: '{"a":2}', detectedAt: 6 }), false);
      assert.equal(await store.recordEquivocation({ key: 'k2', origin: 'p', proof: '{}', detectedAt: 7 }), true);
      const all = await store.equivocations();
      assert.deepEqual(
        all.map((e) => [e.key, e.proof]),
        [
          ['k2', '{}'],
          ['k1', '{"a":1}'],
        ],
      );
    }));
}
