// Conformance of an AlertStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  type AlertDeliveryRow,
  type AlertRow,
  type AlertStore,
  type AlertSubscriptionRow,
  MAX_ALERT_ERROR_CHARS,
} from '../alerts.js';
import { type OpenStoreFixture, outcomes, rejectsWithCode, withFixture } from './fixture.js';

const alertRow = (id: string, over: Partial<AlertRow> = {}): AlertRow => ({
  seq: 0,
  id,
  kind: 'excursion',
  severity: 'critical',
  shipmentId: 'S1',
  title: 'temperature above 8 °C for 95 min',
  detail: { excursionId: `x-${id}`, peak: 13.9, note: 'é ✓' },
  dedupeKey: `excursion:${id}`,
  occurredAt: 1_000,
  raisedAt: 1_001,
  ...over,
});

const sub = (id: string, over: Partial<AlertSubscriptionRow> = {}): AlertSubscriptionRow => ({
  id,
  ownerKind: 'credential',
  ownerName: '0123456789abcdef',
  shipmentId: 'S1',
  kinds: ['excursion', 'payout'],
  channel: 'webhook',
  target: 'https://receiver.example/hook',
  secret: 'token',
  createdAt: 1_000,
  ...over,
});

const delivery = (
  id: string,
  alertId: string,
  subscriptionId: string,
  over: Partial<AlertDeliveryRow> = {},
): AlertDeliveryRow => ({
  id,
  alertId,
  subscriptionId,
  channel: 'webhook',
  target: 'https://receiver.example/hook',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 2_000,
  lastError: null,
  createdAt: 2_000,
  deliveredAt: null,
  ...over,
});

export function alertStoreConformance(open: OpenStoreFixture<AlertStore>): void {
  it('empty: nothing found, lists empty, changes to unknown rows are no-ops', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.alert('a'), null);
      assert.deepEqual(await store.alerts(10), []);
      assert.equal(await store.subscription('s'), null);
      assert.deepEqual(await store.subscriptions(), []);
      assert.equal(await store.deleteSubscription('s'), false);
      assert.deepEqual(await store.due(10_000, 10), []);
      assert.equal(await store.nextDue(), null);
      assert.deepEqual(await store.deliveries('a'), []);
      assert.equal(await store.pendingCount(), 0);
      assert.equal(await store.delivered('d', 5), false);
      await store.failed('d', 5, 'x');
    }));

  it('an alert is raised once per dedupe key, with its deliveries, and reads back as written', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1'));
      await store.insertSubscription(
        sub('s2', { channel: 'email', target: 'ops@example.com', secret: null, kinds: null, shipmentId: null }),
      );
      const a = alertRow('a1');
      assert.equal(
        await store.raise(a, [
          delivery('d1', 'a1', 's1'),
          delivery('d2', 'a1', 's2', { channel: 'email', target: 'ops@example.com' }),
        ]),
        true,
      );
      const got = await store.alert('a1');
      assert.ok(got && got.seq > 0);
      assert.deepEqual({ ...got, seq: 0 }, a);
      // The same occurrence again (another id): refused as a whole, no delivery added.
      assert.equal(await store.raise(alertRow('a2', { dedupeKey: 'excursion:a1' }), [delivery('d3', 'a2', 's1')]), false);
      assert.equal(await store.alert('a2'), null);
      assert.deepEqual(
        (await store.deliveries('a1')).map((d) => d.id),
        ['d1', 'd2'],
      );
      assert.equal(await store.pendingCount(), 2);
      const d2 = (await store.deliveries('a1'))[1]!;
      assert.deepEqual(d2, delivery('d2', 'a1', 's2', { channel: 'email', target: 'ops@example.com' }));
    }));

  it('the same raise at once from two connections records one alert and one set of deliveries', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s1'));
      const other = await another();
      const settled = await Promise.allSettled([
        store.raise(alertRow('a1', { dedupeKey: 'k' }), [delivery('d1', 'a1', 's1')]),
        other.raise(alertRow('a2', { dedupeKey: 'k' }), [delivery('d2', 'a2', 's1')]),
      ]);
      const { fulfilled } = outcomes(settled);
      assert.equal(fulfilled, 2);
      const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
      assert.equal(results.filter((r) => r === true).length, 1);
      assert.equal((await store.alerts(10)).length, 1);
      assert.equal(await store.pendingCount(), 1);
    }));

  it('the history pages newest first by seq', () =>
    withFixture(open, async ({ store }) => {
      for (let i = 0; i < 5; i++) await store.raise(alertRow(`a${i}`, { raisedAt: 10 + i }), []);
      const first = await store.alerts(2);
      assert.deepEqual(
        first.map((a) => a.id),
        ['a4', 'a3'],
      );
      const next = await store.alerts(2, first[1]!.seq);
      assert.deepEqual(
        next.map((a) => a.id),
        ['a2', 'a1'],
      );
      assert.deepEqual(
        (await store.alerts(10, next[1]!.seq)).map((a) => a.id),
        ['a0'],
      );
      assert.deepEqual(await store.alerts(10, (await store.alerts(10, next[1]!.seq))[0]!.seq), []);
    }));

  it('subscriptions: inserted once, listed oldest first, deleted with their pending deliveries only', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s2', { createdAt: 2 }));
      await store.insertSubscription(sub('s1', { createdAt: 1, kinds: null, shipmentId: null }));
      await rejectsWithCode(store.insertSubscription(sub('s1')), 'conflict');
      assert.deepEqual(
        (await store.subscriptions()).map((s) => s.id),
        ['s1', 's2'],
      );
      assert.deepEqual(await store.subscription('s1'), sub('s1', { createdAt: 1, kinds: null, shipmentId: null }));
      await store.raise(alertRow('a1'), [delivery('d1', 'a1', 's2')]);
      await store.raise(alertRow('a2'), [delivery('d2', 'a2', 's2')]);
      assert.equal(await store.delivered('d1', 3_000), true);
      assert.equal(await store.deleteSubscription('s2'), true);
      assert.equal(await store.deleteSubscription('s2'), false);
      // The delivered one stays as the alert's record; the pending one is gone.
      assert.deepEqual(
        (await store.deliveries('a1')).map((d) => d.status),
        ['delivered'],
      );
      assert.deepEqual(await store.deliveries('a2'), []);
      assert.equal(await store.pendingCount(), 0);
    }));

  it('the outbox: due by time, failed attempts counted and pushed back, delivered exactly once', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s1'));
      await store.raise(alertRow('a1'), [delivery('d1', 'a1', 's1', { nextAttemptAt: 100 })]);
      await store.raise(alertRow('a2'), [delivery('d2', 'a2', 's1', { nextAttemptAt: 50 })]);
      assert.deepEqual(
        (await store.due(99, 10)).map((d) => d.id),
        ['d2'],
      );
      assert.deepEqual(
        (await store.due(100, 10)).map((d) => d.id),
        ['d2', 'd1'],
      );
      assert.deepEqual(
        (await store.due(100, 1)).map((d) => d.id),
        ['d2'],
      );
      assert.equal(await store.nextDue(), 50);

      await store.failed('d2', 500, 'x'.repeat(MAX_ALERT_ERROR_CHARS + 100));
      const d2 = (await store.deliveries('a2'))[0]!;
      assert.equal(d2.attempts, 1);
      assert.equal(d2.nextAttemptAt, 500);
      assert.equal(d2.lastError?.length, MAX_ALERT_ERROR_CHARS);
      assert.deepEqual(
        (await store.due(100, 10)).map((d) => d.id),
        ['d1'],
      );

      const other = await another();
      const settled = await Promise.all([store.delivered('d1', 700), other.delivered('d1', 701)]);
      assert.deepEqual(settled.sort(), [false, true]);
      const d1 = (await store.deliveries('a1'))[0]!;
      assert.equal(d1.status, 'delivered');
      assert.ok(d1.deliveredAt === 700 || d1.deliveredAt === 701);
      // A late failure report of a delivered row changes nothing.
      await store.failed('d1', 900, 'late');
      assert.equal((await store.deliveries('a1'))[0]!.attempts, 0);
      assert.equal(await store.pendingCount(), 1);
      assert.equal(await store.nextDue(), 500);
    }));

  it('what was raised survives a restart (another connection sees it all)', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s1'));
      await store.raise(alertRow('a1'), [delivery('d1', 'a1', 's1')]);
      const other = await another();
      assert.equal((await other.alert('a1'))?.title, alertRow('a1').title);
      assert.deepEqual(
        (await other.due(10_000, 10)).map((d) => d.id),
        ['d1'],
      );
      assert.equal((await other.subscriptions()).length, 1);
    }));
}
