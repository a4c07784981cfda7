// Conformance of a SubscriptionStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type DeliveryRow, MAX_DELIVERY_ERROR_CHARS, type SubscriptionRow, type SubscriptionStore } from '../subscriptions.js';
import { type OpenStoreFixture, outcomes, rejectsWithCode, withFixture } from './fixture.js';

const QUERY = {
  queryType: 'events',
  eventTypes: ['ObjectEvent'],
  EQ_bizStep: ['shipping'],
  GE_eventTime: '2024-01-01T00:00:00Z',
};

const sub = (id: string, over: Partial<SubscriptionRow> = {}): SubscriptionRow => ({
  id,
  queryName: 'q',
  dest: 'https://receiver.example/hook',
  signatureToken: null,
  stream: true,
  schedule: null,
  reportIfEmpty: false,
  initialRecordTime: null,
  cursor: -1,
  createdAt: 1_000,
  lastNotifiedAt: null,
  ...over,
});

const delivery = (id: string, subscriptionId: string, over: Partial<DeliveryRow> = {}): DeliveryRow => ({
  id,
  subscriptionId,
  fromCursor: -1,
  toCursor: 41,
  eventCount: 3,
  body: '{"type":"EPCISQueryDocument","epcisBody":{"queryResults":{"resultsBody":{"eventList":[]}}},"note":"é ✓"}',
  attempts: 0,
  nextAttemptAt: 2_000,
  lastError: null,
  createdAt: 2_000,
  ...over,
});

export function subscriptionStoreConformance(open: OpenStoreFixture<SubscriptionStore>): void {
  it('empty: nothing found, lists empty, changes to unknown rows are no-ops', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.query('q'), null);
      assert.deepEqual(await store.queries(10), []);
      assert.equal(await store.deleteQuery('q'), null);
      assert.equal(await store.subscription('s'), null);
      assert.deepEqual(await store.subscriptions('q', 10), []);
      assert.deepEqual(await store.allSubscriptions(), []);
      assert.equal(await store.deleteSubscription('s'), false);
      assert.equal(await store.pending('s'), null);
      assert.equal(await store.pendingCount(), 0);
      assert.equal(await store.acknowledge(delivery('d', 's'), 5), false);
      await store.failed(delivery('d', 's'), 5, 'x');
      await store.skipTo('s', 5);
    }));

  it('a named query is created once: the same name again is refused and the first kept, as written', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.createQuery('q', QUERY, 1_000), true);
      assert.equal(await store.createQuery('q', { queryType: 'other' }, 2_000), false);
      const q = await store.query('q');
      assert.deepEqual(q, { name: 'q', query: QUERY, createdAt: 1_000 });
      assert.equal(JSON.stringify(q!.query), JSON.stringify(QUERY), 'keys in their order');
    }));

  it('two instances creating one name at once: exactly one creates it', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      const made = await Promise.all([
        store.createQuery('q', QUERY, 1),
        other.createQuery('q', QUERY, 2),
        store.createQuery('q', QUERY, 3),
      ]);
      assert.deepEqual(
        made.filter((m) => m),
        [true],
      );
    }));

  it('named queries page by name in byte order: `after` is the last name of the page before', () =>
    withFixture(open, async ({ store }) => {
      for (const name of ['b', 'a', 'C', 'aa', 'é']) await store.createQuery(name, QUERY, 1);
      const names = async (limit: number, after?: string) => (await store.queries(limit, after)).map((q) => q.name);
      assert.deepEqual(await names(2), ['C', 'a']);
      assert.deepEqual(await names(2, 'a'), ['aa', 'b']);
      assert.deepEqual(await names(2, 'b'), ['é']);
      assert.deepEqual(await names(2, 'é'), []);
      assert.deepEqual(await names(100, ''), ['C', 'a', 'aa', 'b', 'é']);
    }));

  it('a subscription comes back as written (lastNotifiedAt starts empty); a known id is a conflict', () =>
    withFixture(open, async ({ store }) => {
      const scheduled = sub('s1', {
        signatureToken: 'shared-secret',
        stream: false,
        schedule: { minute: '0,30', hour: '*' },
        reportIfEmpty: true,
        initialRecordTime: 1_700_000_000_000,
        lastNotifiedAt: 5,
      });
      await store.insertSubscription(scheduled);
      const got = await store.subscription('s1');
      assert.deepEqual(got, { ...scheduled, lastNotifiedAt: null });
      assert.equal(JSON.stringify(got!.schedule), JSON.stringify(scheduled.schedule));
      await rejectsWithCode(store.insertSubscription(sub('s1', { dest: 'https://other.example/' })), 'conflict');
      assert.equal((await store.subscription('s1'))!.dest, scheduled.dest);
    }));

  it("a query's subscriptions page by id; all subscriptions list by id", () =>
    withFixture(open, async ({ store }) => {
      for (const id of ['s3', 's1', 'S2', 's4']) await store.insertSubscription(sub(id));
      await store.insertSubscription(sub('r0', { queryName: 'other' }));
      const ids = async (limit: number, after?: string) => (await store.subscriptions('q', limit, after)).map((s) => s.id);
      assert.deepEqual(await ids(2), ['S2', 's1']);
      assert.deepEqual(await ids(2, 's1'), ['s3', 's4']);
      assert.deepEqual(await ids(2, 's4'), []);
      assert.deepEqual(
        (await store.allSubscriptions()).map((s) => s.id),
        ['S2', 'r0', 's1', 's3', 's4'],
      );
    }));

  it('deleting a subscription takes its pending delivery with it', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1'));
      await store.insertSubscription(sub('s2'));
      await store.enqueue(delivery('d1', 's1'));
      await store.enqueue(delivery('d2', 's2'));
      assert.equal(await store.deleteSubscription('s1'), true);
      assert.equal(await store.deleteSubscription('s1'), false);
      assert.equal(await store.pending('s1'), null);
      assert.equal(await store.pendingCount(), 1);
    }));

  it("deleting a named query deletes its subscriptions and their outbox, and names them; other queries' untouched", () =>
    withFixture(open, async ({ store }) => {
      await store.createQuery('q', QUERY, 1);
      await store.createQuery('keep', QUERY, 1);
      await store.insertSubscription(sub('s2'));
      await store.insertSubscription(sub('s1'));
      await store.insertSubscription(sub('k1', { queryName: 'keep' }));
      await store.enqueue(delivery('d1', 's1'));
      await store.enqueue(delivery('dk', 'k1'));
      assert.deepEqual(await store.deleteQuery('q'), ['s1', 's2']);
      assert.equal(await store.query('q'), null);
      assert.deepEqual(
        (await store.allSubscriptions()).map((s) => s.id),
        ['k1'],
      );
      assert.equal(await store.pendingCount(), 1);
      assert.equal(await store.deleteQuery('q'), null);
      assert.deepEqual(await store.deleteQuery('keep'), ['k1']);
      assert.equal(await store.pendingCount(), 0);
    }));

  it('skipTo moves the cursor forward, never back', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1', { cursor: 10 }));
      await store.skipTo('s1', 5);
      assert.equal((await store.subscription('s1'))!.cursor, 10);
      await store.skipTo('s1', 20);
      assert.equal((await store.subscription('s1'))!.cursor, 20);
    }));

  it('the outbox holds one delivery per subscription: a second is a conflict; failures count and keep a bounded error', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1'));
      await store.enqueue(delivery('d1', 's1', { attempts: 7, lastError: 'ignored' }));
      assert.deepEqual(await store.pending('s1'), delivery('d1', 's1'));
      await rejectsWithCode(store.enqueue(delivery('d2', 's1')), 'conflict');
      assert.equal((await store.pending('s1'))!.id, 'd1');
      await store.failed(delivery('d1', 's1'), 5_000, 'HTTP 503');
      await store.failed(delivery('d1', 's1'), 9_000, 'x'.repeat(2 * MAX_DELIVERY_ERROR_CHARS));
      const d = await store.pending('s1');
      assert.equal(d!.attempts, 2);
      assert.equal(d!.nextAttemptAt, 9_000);
      assert.equal(d!.lastError, 'x'.repeat(MAX_DELIVERY_ERROR_CHARS));
      assert.equal(d!.body, delivery('d1', 's1').body, 'the same bytes every retry');
      assert.equal(await store.pendingCount(), 1);
    }));

  it('two instances enqueuing for one subscription at once: one delivery, one conflict', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s1'));
      const other = await another();
      const r = outcomes(await Promise.allSettled([store.enqueue(delivery('d1', 's1')), other.enqueue(delivery('d2', 's1'))]));
      assert.deepEqual(r, { fulfilled: 1, codes: ['conflict'] });
      assert.equal(await store.pendingCount(), 1);
    }));

  it('acknowledging removes the delivery and moves the cursor (never back), once', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1', { cursor: 50, initialRecordTime: 1_700_000_000_000 }));
      const d = delivery('d1', 's1', { toCursor: 41 });
      await store.enqueue(d);
      assert.equal(await store.acknowledge(d, 7_000), true);
      assert.equal(await store.pending('s1'), null);
      const s = await store.subscription('s1');
      assert.equal(s!.cursor, 50, 'never back');
      assert.equal(s!.lastNotifiedAt, 7_000);
      assert.equal(s!.initialRecordTime, null, 'dropped once events were delivered');
      assert.equal(await store.acknowledge(d, 8_000), false);
      assert.equal((await store.subscription('s1'))!.lastNotifiedAt, 7_000);
    }));

  it('an acknowledged empty report keeps initialRecordTime and moves the cursor forward', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('s1', { cursor: 3, initialRecordTime: 1_700_000_000_000 }));
      const d = delivery('d1', 's1', { eventCount: 0, toCursor: 9 });
      await store.enqueue(d);
      assert.equal(await store.acknowledge(d, 7_000), true);
      const s = await store.subscription('s1');
      assert.equal(s!.cursor, 9);
      assert.equal(s!.initialRecordTime, 1_700_000_000_000);
    }));

  it('two instances acknowledging one delivery at once: claimed once', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s1'));
      const d = delivery('d1', 's1', { toCursor: 41 });
      await store.enqueue(d);
      const other = await another();
      const claimed = await Promise.all([store.acknowledge(d, 100), other.acknowledge(d, 200), store.acknowledge(d, 300)]);
      assert.equal(claimed.filter((c) => c).length, 1);
      const s = await store.subscription('s1');
      assert.equal(s!.cursor, 41);
      assert.equal(s!.lastNotifiedAt, [100, 200, 300][claimed.indexOf(true)]);
      assert.equal(await store.pendingCount(), 0);
    }));
}
