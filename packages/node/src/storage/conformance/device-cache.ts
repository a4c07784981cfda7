// Conformance of the DeviceCache: upsert, update, revocation.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DeviceRecord } from '../device-cache.js';
import { type FreshStorage, withStorage } from './harness.js';

const device = (id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord => ({
  deviceId: id,
  keyType: 1,
  publicKey: new Uint8Array(65).fill(id.length),
  ownerOrg: 7,
  metadataHash: `0x${'ab'.repeat(32)}`,
  registeredAt: 1_764_000_000_000,
  revokedAt: null,
  ...extra,
});
const plain = (d: DeviceRecord | null) => d && { ...d, publicKey: [...d.publicKey] };

export function deviceCacheConformance(fresh: FreshStorage): void {
  it('device cache: upsert inserts and replaces, a revocation is kept, devices list by id', () =>
    withStorage(fresh, async (s) => {
      const d = s.storage.devices;
      assert.equal(await d.device('nope'), null);
      assert.deepEqual(await d.devices(), []);
      await d.upsertDevice(device('tt-b'));
      await d.upsertDevice(device('tt-a', { keyType: 2, publicKey: new Uint8Array(32).fill(9) }));
      assert.deepEqual(
        plain(await d.device('tt-a')),
        plain(device('tt-a', { keyType: 2, publicKey: new Uint8Array(32).fill(9) })),
      );
      await d.upsertDevice(device('tt-b', { revokedAt: 1_764_000_100_000, ownerOrg: 8 }));
      const after = (await s.reopen()).devices;
      assert.deepEqual(
        (await after.devices()).map((x) => [x.deviceId, x.keyType, x.ownerOrg, x.revokedAt]),
        [
          ['tt-a', 2, 7, null],
          ['tt-b', 1, 8, 1_764_000_100_000],
        ],
      );
      // A revocation lifted by the registry (an upsert with revokedAt null) is stored as such.
      await after.upsertDevice(device('tt-b'));
      assert.equal((await after.device('tt-b'))?.revokedAt, null);
    }));
}
