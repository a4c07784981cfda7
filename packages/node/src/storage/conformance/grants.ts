// Conformance of a GrantStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { GrantRow, GrantStore } from '../grants.js';
import { type OpenStoreFixture, withFixture } from './fixture.js';

const grant = (over: Partial<GrantRow> = {}): GrantRow => ({
  grantId: 'a'.repeat(32),
  owner: 1,
  grantee: 2,
  scopeKind: 'shipment',
  scopeValue: 'SHP-1',
  from: 1_000,
  to: 9_000_000_000_000,
  issuedAt: 5_000,
  signature: 'ab'.repeat(64),
  leafIndex: 7,
  revokedAt: null,
  revocationSignature: null,
  revocationLeafIndex: null,
  ...over,
});

export function grantStoreConformance(open: OpenStoreFixture<GrantStore>): void {
  it('grants: empty, then a grant comes back exactly; the same id again is ignored', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.get(1, 'a'.repeat(32)), null);
      assert.deepEqual(await store.live(1, 2, 'shipment', 'SHP-1'), []);
      assert.equal(await store.put(grant()), true);
      assert.equal(await store.put(grant({ grantee: 3 })), false, 'first grant stays');
      assert.deepEqual(await store.get(1, 'a'.repeat(32)), grant());
      assert.deepEqual(await store.issuedBy(1), [grant()]);
      assert.deepEqual(await store.grantedTo(2), [grant()]);
      assert.deepEqual(await store.grantedTo(3), []);
    }));

  it('grants: live answers only the unrevoked grants of exactly that owner, grantee and scope', () =>
    withFixture(open, async ({ store }) => {
      await store.put(grant());
      await store.put(grant({ grantId: 'b'.repeat(32), scopeValue: 'SHP-2' }));
      await store.put(grant({ grantId: 'c'.repeat(32), grantee: 3 }));
      await store.put(grant({ grantId: 'd'.repeat(32), scopeKind: 'bizTransaction', scopeValue: 'urn:epcglobal:cbv:bt:po:1' }));
      assert.deepEqual(
        (await store.live(1, 2, 'shipment', 'SHP-1')).map((g) => g.grantId),
        ['a'.repeat(32)],
      );
      const r = { at: 6_000, signature: 'cd'.repeat(64), leafIndex: 9 };
      assert.equal(await store.revoke(1, 'a'.repeat(32), r), true);
      assert.equal(await store.revoke(1, 'a'.repeat(32), { ...r, at: 7_000 }), false, 'first revocation stays');
      assert.equal(await store.revoke(1, 'e'.repeat(32), r), false, 'unknown grant');
      assert.deepEqual(await store.live(1, 2, 'shipment', 'SHP-1'), []);
      const revoked = await store.get(1, 'a'.repeat(32));
      assert.equal(revoked?.revokedAt, 6_000);
      assert.equal(revoked?.revocationLeafIndex, 9);
      assert.equal((await store.live(1, 2, 'bizTransaction', 'urn:epcglobal:cbv:bt:po:1')).length, 1);
    }));

  it('grants: another connection sees what one wrote', () =>
    withFixture(open, async ({ store, another }) => {
      await store.put(grant());
      const other = await another();
      assert.equal((await other.live(1, 2, 'shipment', 'SHP-1')).length, 1);
    }));
}
