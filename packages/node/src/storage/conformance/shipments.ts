// Conformance of a ShipmentStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ShipmentDefinition } from '../../shipments/definition.js';
import type { PayoutRecord, PolicyRecord, ShipmentStore } from '../shipments.js';
import { type OpenStoreFixture, outcomes, rejectsWithCode, withFixture } from './fixture.js';

const COVER_A = '0x00000000000000000000000000000000000000a1' as const;
const COVER_B = '0x00000000000000000000000000000000000000b2' as const;

export function shipment(id: string, over: Partial<ShipmentDefinition> = {}): ShipmentDefinition {
  return {
    id,
    goods: { description: 'avocados, Hass — 20 t', quantity: 20, unit: 't' },
    parties: [
      { role: 'shipper', name: 'Mombasa Fresh', account: '0x0000000000000000000000000000000000000001' },
      { role: 'carrier', name: 'Ocean Reefer Line' },
    ],
    legs: [
      {
        from: { name: 'Mombasa', unlocode: 'KEMBA', lat: -4.04, lon: 39.66 },
        to: { name: 'Antwerp', unlocode: 'BEANR', lat: 51.26, lon: 4.4 },
        mode: 'sea',
        plannedDeparture: 1_700_000_000_000,
        plannedArrival: 1_701_500_000_000,
      },
    ],
    devices: [{ deviceId: 'dev-1', from: 1_700_000_000_000 }],
    rules: [{ kind: 'range', metric: 'temperature', min: 2, max: 8, forMs: 600_000 }],
    ...over,
  };
}

const policy = (policyId: number, over: Partial<PolicyRecord> = {}): PolicyRecord => ({
  policyId,
  shipmentId: 'SHP-1',
  cover: COVER_A,
  terms: { premium: '100', payout: '5000', rules: [{ metric: 'temperature' }] },
  state: 'offered',
  ...over,
});

const payout = (txHash: string, over: Partial<PayoutRecord> = {}): PayoutRecord => ({
  policyId: 1,
  excursionId: 'x-1',
  amount: '5000000000000000000000',
  txHash,
  paidAt: 1_700_000_100_000,
  signers: ['0x00000000000000000000000000000000000000c1', '0x00000000000000000000000000000000000000c2'],
  ...over,
});

export function shipmentStoreConformance(open: OpenStoreFixture<ShipmentStore>): void {
  it('empty: nothing found, every list empty', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.shipment('SHP-1'), null);
      assert.deepEqual(await store.shipments(), []);
      assert.deepEqual(await store.excursions(), []);
      assert.deepEqual(await store.excursions('SHP-1'), []);
      assert.deepEqual(await store.policies(), []);
      assert.deepEqual(await store.payouts(), []);
      assert.deepEqual(await store.payouts(1), []);
    }));

  it('a shipment comes back as written, byte for byte (keys in order)', () =>
    withFixture(open, async ({ store, another }) => {
      const s = shipment('SHP-1', { goods: { description: 'naïve “quotes” 🥑', gtin: '10614141073464' } });
      await store.putShipment(s, 1000);
      assert.equal(JSON.stringify(await store.shipment('SHP-1')), JSON.stringify(s));
      // Seen by another instance on the same database: committed when put resolved.
      assert.equal(JSON.stringify(await (await another()).shipment('SHP-1')), JSON.stringify(s));
    }));

  it('shipments are listed oldest first, ties by id in byte order', () =>
    withFixture(open, async ({ store }) => {
      await store.putShipment(shipment('c'), 2);
      await store.putShipment(shipment('b'), 1);
      await store.putShipment(shipment('B'), 1);
      await store.putShipment(shipment('a'), 1);
      assert.deepEqual(
        (await store.shipments()).map((s) => s.id),
        ['B', 'a', 'b', 'c'],
      );
    }));

  it('a second shipment with a known id is a conflict and changes nothing', () =>
    withFixture(open, async ({ store }) => {
      await store.putShipment(shipment('SHP-1'), 1);
      await rejectsWithCode(store.putShipment(shipment('SHP-1', { rules: [] }), 2), 'conflict');
      assert.equal((await store.shipment('SHP-1'))!.rules.length, 1);
      assert.equal((await store.shipments()).length, 1);
    }));

  it('two instances adding one id at once: one wins, the other is a conflict', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      const r = outcomes(
        await Promise.allSettled([store.putShipment(shipment('SHP-1'), 1), other.putShipment(shipment('SHP-1'), 1)]),
      );
      assert.deepEqual(r, { fulfilled: 1, codes: ['conflict'] });
    }));

  it('an excursion is replaced by id (record and time), listed per shipment by update time then id', () =>
    withFixture(open, async ({ store }) => {
      await store.putExcursion({ id: 'x-2', shipmentId: 'SHP-1', record: { state: 'open', peak: 9.1 }, updatedAt: 10 });
      await store.putExcursion({ id: 'x-1', shipmentId: 'SHP-1', record: { state: 'open' }, updatedAt: 10 });
      await store.putExcursion({ id: 'x-3', shipmentId: 'SHP-2', record: { state: 'open' }, updatedAt: 5 });
      await store.putExcursion({ id: 'x-2', shipmentId: 'SHP-1', record: { state: 'closed', peak: 11.4 }, updatedAt: 20 });
      assert.deepEqual(
        (await store.excursions()).map((e) => e.id),
        ['x-3', 'x-1', 'x-2'],
      );
      assert.deepEqual(await store.excursions('SHP-1'), [
        { id: 'x-1', shipmentId: 'SHP-1', record: { state: 'open' }, updatedAt: 10 },
        { id: 'x-2', shipmentId: 'SHP-1', record: { state: 'closed', peak: 11.4 }, updatedAt: 20 },
      ]);
      assert.deepEqual(await store.excursions('SHP-none'), []);
    }));

  it('a policy is added, then moves state; a bound tx once set stays; (cover, id) is the key', () =>
    withFixture(open, async ({ store }) => {
      await store.putPolicy(policy(2));
      await store.putPolicy(policy(1, { shipmentId: 'SHP-2' }));
      await store.putPolicy(policy(2, { cover: COVER_B, state: 'bound', boundTx: '0xbb' }));
      assert.deepEqual(await store.policies('SHP-1'), [
        policy(2),
        policy(2, { cover: COVER_B, state: 'bound', boundTx: '0xbb' }),
      ]);

      await store.putPolicy(policy(2, { state: 'bound', boundTx: '0xaa' }));
      await store.putPolicy(policy(2, { state: 'paid' }));
      const [p] = (await store.policies('SHP-1')).filter((x) => x.cover === COVER_A);
      assert.deepEqual(p, policy(2, { state: 'paid', boundTx: '0xaa' }));
      assert.deepEqual(
        (await store.policies()).map((x) => [x.policyId, x.cover]),
        [
          [1, COVER_A],
          [2, COVER_A],
          [2, COVER_B],
        ],
      );
      // A policy without a bound tx has no boundTx key at all.
      assert.equal('boundTx' in (await store.policies('SHP-2'))[0]!, false);
    }));

  it('a payout is recorded once per tx: the same tx again is ignored, the first kept', () =>
    withFixture(open, async ({ store }) => {
      await store.putPayout(payout('0x02', { paidAt: 20, policyId: 2 }));
      await store.putPayout(payout('0x01', { paidAt: 10 }));
      await store.putPayout(payout('0x01', { paidAt: 99, amount: '1' }));
      await store.putPayout(payout('0x03', { paidAt: 10, signers: [] }));
      assert.deepEqual(await store.payouts(1), [payout('0x01', { paidAt: 10 }), payout('0x03', { paidAt: 10, signers: [] })]);
      assert.deepEqual(
        (await store.payouts()).map((p) => p.txHash),
        ['0x01', '0x03', '0x02'],
      );
      assert.deepEqual(await store.payouts(7), []);
    }));

  it('two instances paying one tx at once: one payout row', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      await Promise.all([store.putPayout(payout('0x01')), other.putPayout(payout('0x01')), store.putPayout(payout('0x01'))]);
      assert.equal((await store.payouts()).length, 1);
    }));
}
