// Conformance of a CommandStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { CommandEffect, CommandRow, CommandStore } from '../commands.js';
import { type OpenStoreFixture, outcomes, rejectsWithCode, withFixture } from './fixture.js';

const row = (id: string, over: Partial<CommandRow> = {}): CommandRow => ({
  n: 0,
  id,
  deviceId: 'reefer-1',
  shipmentId: 'S1',
  seq: 1,
  action: { kind: 'setpoint', celsius: 4.5 },
  issuedAt: 1_000,
  expiresAt: 61_000,
  authorisation: {
    issuer: { account: '0xaa', orgId: 1, as: 'shipper' },
    cosigner: null,
    cosignatureRequired: false,
    rule: 'setpoint move ≤ 2 °C — é ✓',
  },
  bundle: new Uint8Array([0x81, 0x40, 0, 255]),
  leafIndex: 7,
  receivedAt: 1_001,
  effect: null,
  ...over,
});

const effect = (over: Partial<CommandEffect> = {}): CommandEffect => ({
  outcome: 'applied',
  reason: null,
  detail: null,
  state: { setpoint: 4.5 },
  at: 1_500,
  leafIndex: 9,
  report: new Uint8Array([0xd2, 0, 1, 2]),
  receivedAt: 1_600,
  ...over,
});

export function commandStoreConformance(open: OpenStoreFixture<CommandStore>): void {
  it('commands: a command comes back as written, bytes and JSON intact, its n assigned', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.command('c1'), null);
      await store.insert(row('c1'));
      const got = await store.command('c1');
      assert.ok(got && got.n > 0);
      assert.deepEqual({ ...got, n: 0 }, row('c1'));
    }));

  it('commands: a second id, or a second (device, seq), is a conflict and changes nothing', () =>
    withFixture(open, async ({ store }) => {
      await store.insert(row('c1'));
      await rejectsWithCode(store.insert(row('c1', { seq: 2 })), 'conflict');
      await rejectsWithCode(store.insert(row('c2')), 'conflict');
      await store.insert(row('c3', { deviceId: 'reefer-2' }));
      assert.deepEqual(
        (await store.list({}, 10)).map((c) => c.id),
        ['c3', 'c1'],
      );
    }));

  it('commands: the same seq from two connections at once is accepted once', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      const settled = await Promise.allSettled([store.insert(row('a')), other.insert(row('b'))]);
      assert.deepEqual(outcomes(settled), { fulfilled: 1, codes: ['conflict'] });
    }));

  it('commands: listed newest first, by device or shipment, paged by n', () =>
    withFixture(open, async ({ store }) => {
      for (let i = 1; i <= 5; i++)
        await store.insert(row(`c${i}`, { seq: i, deviceId: i % 2 ? 'reefer-1' : 'reefer-2', shipmentId: i <= 3 ? 'S1' : 'S2' }));
      assert.deepEqual(
        (await store.list({}, 10)).map((c) => c.id),
        ['c5', 'c4', 'c3', 'c2', 'c1'],
      );
      assert.deepEqual(
        (await store.list({ deviceId: 'reefer-1' }, 10)).map((c) => c.id),
        ['c5', 'c3', 'c1'],
      );
      assert.deepEqual(
        (await store.list({ shipmentId: 'S1', deviceId: 'reefer-2' }, 10)).map((c) => c.id),
        ['c2'],
      );
      const first = await store.list({}, 2);
      assert.deepEqual(
        (await store.list({}, 2, first.at(-1)!.n)).map((c) => c.id),
        ['c3', 'c2'],
      );
      assert.deepEqual(await store.list({ deviceId: 'nobody' }, 10), []);
    }));

  it('commands: highest seq and the seqs above a floor, per device', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.highestSeq('reefer-1'), 0);
      for (const seq of [3, 70, 9]) await store.insert(row(`c${seq}`, { seq }));
      await store.insert(row('other', { deviceId: 'reefer-2', seq: 500 }));
      assert.equal(await store.highestSeq('reefer-1'), 70);
      assert.deepEqual(await store.seqsAbove('reefer-1', 6), [9, 70]);
      assert.deepEqual(await store.seqsAbove('reefer-1', 70), []);
    }));

  it('commands: an effect is recorded once, survives a reopen, and unknown ids change nothing', () =>
    withFixture(open, async ({ store, another }) => {
      await store.insert(row('c1'));
      assert.equal(await store.recordEffect('nope', effect()), false);
      assert.equal(await store.recordEffect('c1', effect()), true);
      assert.equal(await store.recordEffect('c1', effect({ outcome: 'refused', reason: 'out_of_range' })), false);
      const reread = await (await another()).command('c1');
      assert.deepEqual(reread?.effect, effect());
    }));
}
