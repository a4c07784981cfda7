// Conformance of a DcsaStore: the follower's indexing (cursor, repeats, newer versions of an event)
// and the GET query table — every filter the node supports, alone and combined, paged — which
// both drivers must answer identically.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DcsaEventQuery, DcsaEventRow, DcsaStore, DcsaSubscriptionRow } from '../dcsa.js';
import { MAX_DCSA_ERROR_CHARS } from '../dcsa.js';
import { type OpenStoreFixture, rejectsWithCode, withFixture } from './fixture.js';

const row = (rid: number, over: Partial<DcsaEventRow> = {}): DcsaEventRow => ({
  rid,
  key: `EXCO|SMDG|LCL|evt-${rid}`,
  eventId: `evt-${rid}`,
  eventType: 'EQUIPMENT',
  shipmentEventTypeCode: null,
  equipmentEventTypeCode: 'GTIN',
  transportEventTypeCode: null,
  equipmentReference: 'APZU4812090',
  bookingReferences: [],
  transportDocumentReferences: [],
  updatedAt: 1_000 + rid,
  origin: 'pushed',
  json: JSON.stringify({ eventID: `evt-${rid}`, note: 'é ✓' }),
  ...over,
});

/** A small world: 12 events over types, codes, references and times. */
const WORLD: DcsaEventRow[] = [
  row(0, {
    eventType: 'SHIPMENT',
    shipmentEventTypeCode: 'CONF',
    equipmentEventTypeCode: null,
    equipmentReference: null,
    bookingReferences: ['ABC709951'],
  }),
  row(1, { bookingReferences: ['ABC709951'], transportDocumentReferences: ['HHL71800000'] }),
  row(2, { equipmentEventTypeCode: 'LOAD', bookingReferences: ['ABC709951'] }),
  row(3, {
    eventType: 'TRANSPORT',
    transportEventTypeCode: 'DEPA',
    equipmentEventTypeCode: null,
    equipmentReference: null,
    transportDocumentReferences: ['HHL71800000'],
  }),
  row(4, { equipmentReference: 'MSKU0000000', bookingReferences: ['OTHER1'] }),
  row(5, { eventType: 'REEFER', equipmentEventTypeCode: null, origin: 'derived', bookingReferences: ['ABC709951'] }),
  row(6, { eventType: 'IOT', equipmentEventTypeCode: null, origin: 'derived' }),
  row(7, { equipmentEventTypeCode: 'DISC', transportDocumentReferences: ['HHL71800000', 'HHL71800001'] }),
  row(8, {
    eventType: 'SHIPMENT',
    shipmentEventTypeCode: 'ISSU',
    equipmentEventTypeCode: null,
    equipmentReference: null,
    transportDocumentReferences: ['HHL71800001'],
  }),
  row(9, { equipmentEventTypeCode: 'GTOT', equipmentReference: 'MSKU0000000' }),
  row(10, { eventType: 'TRANSPORT', transportEventTypeCode: 'ARRI', equipmentEventTypeCode: null, equipmentReference: null }),
  row(11, { bookingReferences: ['ABC709951', 'ABC709951'] }),
];

const rids = (rows: DcsaEventRow[]) => rows.map((r) => r.rid);

/** Each query and the rids it must answer, in order. */
const TABLE: [string, Omit<DcsaEventQuery, 'limit'>, number[]][] = [
  ['everything', {}, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]],
  ['carrierBookingReference', { carrierBookingReference: 'ABC709951' }, [0, 1, 2, 5, 11]],
  [
    'carrierBookingReference + equipmentReference',
    { carrierBookingReference: 'ABC709951', equipmentReference: 'APZU4812090' },
    [1, 2, 5, 11],
  ],
  ['transportDocumentReference', { transportDocumentReference: 'HHL71800000' }, [1, 3, 7]],
  ['transportDocumentReference (second of two)', { transportDocumentReference: 'HHL71800001' }, [7, 8]],
  [
    'transportDocumentReference + equipmentReference',
    { transportDocumentReference: 'HHL71800000', equipmentReference: 'APZU4812090' },
    [1, 7],
  ],
  ['equipmentReference', { equipmentReference: 'MSKU0000000' }, [4, 9]],
  ['eventTypes', { eventTypes: ['TRANSPORT', 'REEFER'] }, [3, 5, 10]],
  ['eventTypes, three, one repeated', { eventTypes: ['IOT', 'SHIPMENT', 'IOT'] }, [0, 6, 8]],
  ['eventTypes + booking', { eventTypes: ['SHIPMENT', 'REEFER'], carrierBookingReference: 'ABC709951' }, [0, 5]],
  ['shipmentEventTypeCode', { shipmentEventTypeCode: 'ISSU' }, [8]],
  ['equipmentEventTypeCode', { equipmentEventTypeCode: 'GTIN' }, [1, 4, 11]],
  ['transportEventTypeCode', { transportEventTypeCode: 'ARRI' }, [10]],
  ['updated min', { updatedMin: 1_009 }, [9, 10, 11]],
  ['updated max', { updatedMax: 1_001 }, [0, 1]],
  ['updated window + equipment', { updatedMin: 1_002, updatedMax: 1_009, equipmentReference: 'APZU4812090' }, [2, 5, 6, 7]],
  ['unknown reference', { carrierBookingReference: 'NOPE' }, []],
  ['after a cursor', { afterRid: 7 }, [8, 9, 10, 11]],
];

export function dcsaStoreConformance(open: OpenStoreFixture<DcsaStore>): void {
  it('dcsa: an empty index answers nothing, has no cursor, and keeps meta', () =>
    withFixture(open, async ({ store }) => {
      assert.deepEqual(await store.query({ limit: 10 }), []);
      assert.equal(await store.meta('scan_cursor'), null);
      await store.setMeta('token', 'x');
      assert.equal(await store.meta('token'), 'x');
      assert.equal(await store.event(0), null);
    }));

  it('dcsa: rows come back as written; the cursor only rises; a rid indexed twice is kept once', () =>
    withFixture(open, async ({ store }) => {
      await store.indexEvents(WORLD.slice(0, 6), 6);
      await store.indexEvents(WORLD.slice(3), 12);
      await store.indexEvents([], 4);
      assert.equal(await store.meta('scan_cursor'), '12');
      const back = await store.query({ limit: 100 });
      assert.deepEqual(rids(back), rids(WORLD));
      const one = await store.event(7);
      assert.deepEqual(one, { ...WORLD[7], bookingReferences: [], transportDocumentReferences: ['HHL71800000', 'HHL71800001'] });
      assert.deepEqual((await store.event(11))!.bookingReferences, ['ABC709951']);
      assert.deepEqual(await store.indexedAmong([0, 11, 12, 99]), new Set([0, 11]));
    }));

  it('dcsa: the query table (every filter, alone and combined), and paging walks it without gaps or repeats', () =>
    withFixture(open, async ({ store }) => {
      await store.indexEvents(WORLD, WORLD.length);
      for (const [name, q, want] of TABLE) {
        assert.deepEqual(rids(await store.query({ ...q, limit: 100 })), want, name);
        // Pages of 2, each after the previous page's last rid.
        const paged: number[] = [];
        let after = q.afterRid;
        for (;;) {
          const page = await store.query({ ...q, afterRid: after, limit: 2 });
          paged.push(...rids(page));
          if (page.length < 2) break;
          after = page.at(-1)!.rid;
        }
        assert.deepEqual(paged, want, `${name} (paged)`);
      }
    }));

  it('dcsa: a newer version of an event replaces it; an older one arriving late does not', () =>
    withFixture(open, async ({ store }) => {
      const key = 'EXCO|SMDG|LCL|same';
      await store.indexEvents([row(0, { key, updatedAt: 2_000, equipmentEventTypeCode: 'GTIN' })], 1);
      await store.indexEvents([row(1, { key, updatedAt: 3_000, equipmentEventTypeCode: 'LOAD' })], 2);
      await store.indexEvents([row(2, { key, updatedAt: 2_500, equipmentEventTypeCode: 'DISC' })], 3);
      assert.deepEqual(rids(await store.query({ limit: 10 })), [1]);
      assert.deepEqual(rids(await store.query({ equipmentEventTypeCode: 'GTIN', limit: 10 })), []);
      // Superseded rows stay readable by rid (the log holds them anyway).
      assert.equal((await store.event(0))!.equipmentEventTypeCode, 'GTIN');
    }));

  it('dcsa: versions of one event within one batch: the newest is current whatever the order', () =>
    withFixture(open, async ({ store }) => {
      const a = 'EXCO|SMDG|LCL|a';
      const b = 'EXCO|SMDG|LCL|b';
      await store.indexEvents([row(0, { key: b, updatedAt: 5_000 })], 1);
      await store.indexEvents(
        [
          row(1, { key: a, updatedAt: 1_000 }),
          row(2, { key: a, updatedAt: 3_000 }),
          row(3, { key: a, updatedAt: 2_000 }),
          row(4, { key: b, updatedAt: 4_000 }),
          row(5, { key: b, updatedAt: 6_000 }),
        ],
        6,
      );
      assert.deepEqual(rids(await store.query({ limit: 10 })), [2, 5]);
    }));

  it('dcsa: a second connection sees what the first indexed', () =>
    withFixture(open, async ({ store, another }) => {
      await store.indexEvents(WORLD.slice(0, 3), 3);
      const other = await another();
      assert.deepEqual(rids(await other.query({ limit: 10 })), [0, 1, 2]);
      assert.equal(await other.meta('scan_cursor'), '3');
    }));

  const sub = (id: string, createdAt = 1_000): DcsaSubscriptionRow => ({
    id,
    ownerKind: 'credential',
    ownerName: '0123456789abcdef',
    callbackUrl: 'https://consumer.example/dcsa/events',
    secret: 'k',
    filter: { eventTypes: ['REEFER'], equipmentReference: 'APZU4812090' },
    createdAt,
  });

  it('dcsa: subscriptions are kept as written, oldest first; a repeated id is a conflict; delete takes pending deliveries', () =>
    withFixture(open, async ({ store }) => {
      await store.insertSubscription(sub('b', 2_000));
      await store.insertSubscription(sub('a', 2_000));
      await store.insertSubscription(sub('c', 1_000));
      await rejectsWithCode(store.insertSubscription(sub('a')), 'conflict');
      assert.deepEqual(
        (await store.subscriptions()).map((s) => s.id),
        ['c', 'a', 'b'],
      );
      assert.deepEqual(await store.subscription('a'), sub('a', 2_000));
      await store.enqueue(
        [
          { subscriptionId: 'a', rid: 1 },
          { subscriptionId: 'a', rid: 2 },
        ],
        'fanout',
        3,
        10,
      );
      assert.equal(await store.delivered('a:1', 20), true);
      assert.equal(await store.deleteSubscription('a'), true);
      assert.equal(await store.deleteSubscription('a'), false);
      assert.equal(await store.subscription('a'), null);
      // The delivered one stays as history; the pending one went.
      assert.deepEqual(
        (await store.deliveries('a')).map((d) => [d.id, d.status]),
        [['a:1', 'delivered']],
      );
    }));

  it('dcsa: the outbox — enqueued once per (subscription, event) with its cursor, due, failed with back-off, delivered once', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insertSubscription(sub('s'));
      await store.enqueue(
        [
          { subscriptionId: 's', rid: 5 },
          { subscriptionId: 's', rid: 7 },
        ],
        'fanout',
        8,
        100,
      );
      // The same fan-out again (a restart before the cursor moved elsewhere): nothing twice; the cursor never falls.
      await store.enqueue([{ subscriptionId: 's', rid: 5 }], 'fanout', 6, 200);
      assert.equal(await store.meta('fanout'), '8');
      assert.deepEqual(
        (await store.due(100, 10)).map((d) => [d.id, d.rid, d.attempts, d.createdAt]),
        [
          ['s:5', 5, 0, 100],
          ['s:7', 7, 0, 100],
        ],
      );
      assert.deepEqual(await store.due(99, 10), []);
      assert.equal(await store.nextDue(), 100);
      await store.failed('s:5', 1_000, 'x'.repeat(MAX_DCSA_ERROR_CHARS + 50));
      const [failed] = (await store.deliveries('s')).filter((d) => d.id === 's:5');
      assert.equal(failed!.attempts, 1);
      assert.equal(failed!.lastError!.length, MAX_DCSA_ERROR_CHARS);
      assert.deepEqual(
        (await store.due(500, 10)).map((d) => d.id),
        ['s:7'],
      );
      // Two connections race to mark one delivery: exactly one wins.
      const other = await another();
      const wins = await Promise.all([store.delivered('s:7', 600), other.delivered('s:7', 601)]);
      assert.equal(wins.filter(Boolean).length, 1);
      await store.failed('s:7', 9_999, 'late');
      const seven = (await store.deliveries('s')).find((d) => d.id === 's:7')!;
      assert.equal(seven.status, 'delivered');
      assert.equal(seven.attempts, 0);
      assert.equal(await store.nextDue(), 1_000);
      assert.equal(await store.delivered('s:5', 1_100), true);
      assert.equal(await store.nextDue(), null);
    }));
}
