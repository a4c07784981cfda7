// Conformance of the AnchorOutbox: enqueue once per size, status transitions, filters.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StoreError } from '../errors.js';
import { type FreshStorage, hash32, withStorage } from './harness.js';

const pending = (size: number) => ({ size, root: hash32(size, 3), timestamp: 1_764_000_000_000 + size });

export function anchorOutboxConformance(fresh: FreshStorage): void {
  it('anchor outbox: pending → sent → confirmed, superseded and requeued; filters by status; survives a reopen', () =>
    withStorage(fresh, async (s) => {
      const a = s.storage.anchors;
      assert.deepEqual(await a.anchors(), []);
      assert.equal(await a.latestConfirmedAnchor(), null);
      for (const size of [10, 20, 30]) await a.enqueueAnchor(pending(size));
      await a.enqueueAnchor({ ...pending(20), timestamp: 1 });
      const all = await a.anchors();
      assert.deepEqual(
        all.map((r) => [r.size, r.status, r.attempts, r.txHash, r.blockNumber, r.lastError, r.confirmedAt, r.timestamp]),
        [10, 20, 30].map((n) => [n, 'pending', 0, null, null, null, null, pending(n).timestamp]),
        'a size enqueued twice keeps its first record',
      );
      assert.deepEqual([...all[0]!.root], [...hash32(10, 3)]);
      assert.ok(all[0]!.enqueuedAt > 0);

      await a.updateAnchor(10, { status: 'superseded' });
      await a.updateAnchor(20, { status: 'sent', txHash: '0xabc', attempts: 1, lastError: 'nonce too low' });
      assert.deepEqual(
        (await a.anchors('sent')).map((r) => [r.size, r.txHash, r.attempts, r.lastError]),
        [[20, '0xabc', 1, 'nonce too low']],
      );
      await a.updateAnchor(20, {
        status: 'confirmed',
        blockNumber: 12_345_678_901,
        confirmedAt: 1_764_000_000_999,
        lastError: null,
      });
      const confirmed = await a.latestConfirmedAnchor();
      assert.deepEqual(confirmed && [confirmed.size, confirmed.blockNumber, confirmed.confirmedAt, confirmed.lastError], [
        20,
        12_345_678_901,
        1_764_000_000_999,
        null,
      ]);
      await a.updateAnchor(30, { status: 'confirmed', blockNumber: 5 });
      assert.equal((await a.latestConfirmedAnchor())?.size, 30);
      await a.updateAnchor(30, { status: 'requeued' });
      assert.equal((await a.latestConfirmedAnchor())?.size, 20);
      await a.updateAnchor(30, {});
      await assert.rejects(
        a.updateAnchor(30, { bogus: 1 } as never),
        (e) => e instanceof StoreError && /unknown anchor field bogus/.test(e.message),
      );

      const after = (await s.reopen()).anchors;
      assert.deepEqual(
        (await after.anchors()).map((r) => [r.size, r.status]),
        [
          [10, 'superseded'],
          [20, 'confirmed'],
          [30, 'requeued'],
        ],
      );
      assert.deepEqual(
        (await after.anchors('pending')).map((r) => r.size),
        [],
      );
    }));
}
