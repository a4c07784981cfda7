// Conformance of a SightingStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Sighting, SightingStore } from '../tags.js';
import { type OpenStoreFixture, withFixture } from './fixture.js';

const ITEM = 'https://id.gs1.org/01/10614141073464/21/BAG-1';
const OTHER = 'https://id.gs1.org/01/10614141073464/21/BAG-2';
const KEEP = { keepUntrusted: 1000 };

const sighting = (over: Partial<Omit<Sighting, 'id'>> = {}): Omit<Sighting, 'id'> => ({
  item: ITEM,
  epc: 'urn:epc:id:sgtin:0614141.107346.BAG-1',
  at: 1_000,
  lat: 53.551086,
  lon: 9.993682,
  by: 'credential:0123456789abcdef',
  issuer: '0x00000000000000000000000000000000000000aa',
  signatureValid: true,
  verdict: 'genuine',
  reasons: [],
  conflictWith: null,
  recordedAt: 1_001,
  trusted: true,
  ...over,
});

export function sightingStoreConformance(open: OpenStoreFixture<SightingStore>): void {
  it('empty: nothing found, counts zero', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.byId(1), null);
      assert.deepEqual(await store.ofItem(ITEM, 10), []);
      assert.deepEqual(await store.locatedBetween(ITEM, 0, Number.MAX_SAFE_INTEGER), []);
      assert.equal(await store.firstConflict(ITEM), null);
      assert.equal(await store.count(), 0);
      assert.equal(await store.count(ITEM), 0);
    }));

  it('a recorded sighting gets an increasing id and comes back exactly (floats, nulls, reasons)', () =>
    withFixture(open, async ({ store }) => {
      const a = await store.record(sighting({ reasons: ['travel_not_checked', 'unverified_scanner'] }), KEEP);
      const b = await store.record(sighting({ lat: null, lon: null, by: null, verdict: 'unknown', signatureValid: false }), KEEP);
      assert.ok(b.id > a.id && a.id > 0);
      assert.deepEqual(await store.byId(a.id), a);
      assert.deepEqual(await store.byId(b.id), b);
      assert.deepEqual(a, { ...sighting({ reasons: ['travel_not_checked', 'unverified_scanner'] }), id: a.id });
      assert.equal(await store.count(), 2);
      assert.equal(await store.count(ITEM), 2);
      assert.equal(await store.count(OTHER), 0);
    }));

  it('an untrusted sighting never keeps a conflict', () =>
    withFixture(open, async ({ store }) => {
      const first = await store.record(sighting(), KEEP);
      const anon = await store.record(sighting({ trusted: false, conflictWith: first.id }), KEEP);
      assert.equal(anon.conflictWith, null);
      assert.equal((await store.byId(anon.id))!.conflictWith, null);
      assert.equal(await store.firstConflict(ITEM), null);
    }));

  it("an item's sightings: latest scan first, ties latest recorded first, at most limit", () =>
    withFixture(open, async ({ store }) => {
      const s1 = await store.record(sighting({ at: 10 }), KEEP);
      const s2 = await store.record(sighting({ at: 30 }), KEEP);
      const s3 = await store.record(sighting({ at: 10 }), KEEP);
      await store.record(sighting({ item: OTHER, at: 50 }), KEEP);
      assert.deepEqual(
        (await store.ofItem(ITEM, 10)).map((s) => s.id),
        [s2.id, s3.id, s1.id],
      );
      assert.deepEqual(
        (await store.ofItem(ITEM, 2)).map((s) => s.id),
        [s2.id, s3.id],
      );
      assert.deepEqual(await store.ofItem(ITEM, 0), []);
    }));

  it('located between: trusted, validly signed, located, in [from, to] inclusive — by time then id', () =>
    withFixture(open, async ({ store }) => {
      const atFrom = await store.record(sighting({ at: 100 }), KEEP);
      const atTo = await store.record(sighting({ at: 200 }), KEEP);
      const mid = await store.record(sighting({ at: 150 }), KEEP);
      const midToo = await store.record(sighting({ at: 150 }), KEEP);
      await store.record(sighting({ at: 99 }), KEEP);
      await store.record(sighting({ at: 201 }), KEEP);
      await store.record(sighting({ at: 150, lat: null, lon: null }), KEEP);
      await store.record(sighting({ at: 150, signatureValid: false }), KEEP);
      await store.record(sighting({ at: 150, trusted: false }), KEEP);
      await store.record(sighting({ at: 150, item: OTHER }), KEEP);
      assert.deepEqual(
        (await store.locatedBetween(ITEM, 100, 200)).map((s) => s.id),
        [atFrom.id, mid.id, midToo.id, atTo.id],
      );
      assert.deepEqual(await store.locatedBetween(ITEM, 300, 400), []);
    }));

  it('first conflict: the earliest recorded trusted one, as [the sighting it names, itself]', () =>
    withFixture(open, async ({ store }) => {
      const hamburg = await store.record(sighting({ at: 100 }), KEEP);
      const lagos = await store.record(sighting({ at: 200, lat: 6.52, lon: 3.37 }), KEEP);
      const clone = await store.record(sighting({ at: 300, lat: 6.52, lon: 3.37, conflictWith: hamburg.id }), KEEP);
      await store.record(sighting({ at: 400, conflictWith: lagos.id }), KEEP);
      assert.deepEqual(await store.firstConflict(ITEM), [hamburg, clone]);
      assert.equal(await store.firstConflict(OTHER), null);
    }));

  it('a conflict naming a sighting that is gone is no conflict pair', () =>
    withFixture(open, async ({ store }) => {
      await store.record(sighting({ conflictWith: 999_999 }), KEEP);
      assert.equal(await store.firstConflict(ITEM), null);
    }));

  it("untrusted sightings are cut to the item's newest keepUntrusted; trusted ones and other items untouched", () =>
    withFixture(open, async ({ store }) => {
      const trusted = await store.record(sighting(), { keepUntrusted: 2 });
      const other = await store.record(sighting({ item: OTHER, trusted: false }), { keepUntrusted: 2 });
      const anon: Sighting[] = [];
      for (let i = 0; i < 5; i++)
        anon.push(await store.record(sighting({ at: 1_000 + i, trusted: false }), { keepUntrusted: 2 }));
      assert.deepEqual(
        (await store.ofItem(ITEM, 100)).map((s) => s.id),
        [anon[4]!.id, anon[3]!.id, trusted.id],
      );
      assert.ok(await store.byId(other.id));
      assert.equal(await store.count(), 4);
    }));

  it('two instances recording at once: every sighting kept, ids distinct', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).record(sighting({ at: i }), KEEP)),
      );
      assert.equal(new Set(made.map((s) => s.id)).size, 10);
      assert.equal(await store.count(ITEM), 10);
    }));
}
