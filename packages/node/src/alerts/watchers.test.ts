// The timer-driven alerts over a real store on each driver: a device attached
// to a shipment under way that sends nothing past the limit is silent (once per
// silence), a head waiting in the anchoring outbox past the limit means
// anchoring stalled (once per head); nothing after arrival or once confirmed.
// The checks take `now` as an argument: a later instant is passed, nobody waits.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openStorage } from '../storage/index.js';
import { forEachDriver, freshDriver } from '../storage/test-support.js';
import type { Storage } from '../storage/types.js';
import { AlertService } from './service.js';
import { silentAndStalled, type WatcherSources } from './watchers.js';

const MIN = 60_000;

async function withStorage(driver: 'sqlite' | 'postgres', body: (s: Storage) => Promise<void>): Promise<void> {
  const fx = await freshDriver(driver);
  const storage = await openStorage({ dataDir: fx.dataDir, store: fx.store });
  try {
    await body(storage);
  } finally {
    await storage.close();
    await fx.dispose();
  }
}

const sources = (s: Storage): WatcherSources => ({
  shipments: s.shipments,
  deviceStates: () => s.telemetry.deviceStates(),
  anchors: (status) => s.anchors.anchors(status),
});

forEachDriver('alert watchers', (driver) => {
  it('a device silent past the limit on a shipment under way is one device_silent alert; none after arrival', () =>
    withStorage(driver, async (storage) => {
      const now = Date.now();
      await storage.shipments.putShipment(
        {
          id: 'SHP-QUIET',
          goods: { description: 'insulin' },
          parties: [{ role: 'shipper', name: 'Pharma Manufacturer NV' }],
          legs: [
            {
              from: { name: 'Antwerp', lat: 51.26, lon: 4.4 },
              to: { name: 'Mombasa', lat: -4.04, lon: 39.67 },
              mode: 'sea',
              plannedDeparture: now - 60 * MIN,
              plannedArrival: now + 600 * MIN,
            },
          ],
          devices: [{ deviceId: 'reefer-quiet', from: now - 45 * MIN }],
          rules: [],
        },
        now,
      );
      const opts = { deviceSilentMs: 30 * MIN, anchoringStalledMs: 0 };
      // Attached 45 min ago and never heard from: silent since it was attached.
      const found = await silentAndStalled(sources(storage), opts, now);
      assert.equal(found.length, 1);
      const a = found[0]!;
      assert.equal(a.kind, 'device_silent');
      assert.equal(a.shipmentId, 'SHP-QUIET');
      assert.equal(a.dedupeKey, `device_silent:reefer-quiet:${now - 45 * MIN}`);
      assert.match(a.title, /Device reefer-quiet \(shipment SHP-QUIET\) silent for 45 min/);
      // Within the limit: nothing; after the planned arrival: nothing.
      assert.deepEqual(await silentAndStalled(sources(storage), { ...opts, deviceSilentMs: 50 * MIN }, now), []);
      assert.deepEqual(await silentAndStalled(sources(storage), opts, now + 601 * MIN), []);

      // Seen again and again by the checks: raised once.
      const service = new AlertService(storage.alerts, {
        node: '0x0000000000000000000000000000000000000001',
        scopesOf: async () => null,
        shipmentExists: async () => true,
      });
      assert.ok(await service.raise(a));
      const again = (await silentAndStalled(sources(storage), opts, now + MIN))[0]!;
      assert.equal(again.dedupeKey, a.dedupeKey);
      assert.equal(await service.raise(again), null);
      assert.equal((await storage.alerts.alerts(10)).length, 1);
      await service.close();
    }));

  it('a head waiting in the anchoring outbox past the limit is one anchoring_stalled alert; none once confirmed', () =>
    withStorage(driver, async (storage) => {
      const opts = { deviceSilentMs: 0, anchoringStalledMs: 15 * MIN };
      assert.deepEqual(await silentAndStalled(sources(storage), opts, Date.now()), []);
      await storage.anchors.enqueueAnchor({ size: 7, root: new Uint8Array(32).fill(7), timestamp: Date.now() });
      await storage.anchors.enqueueAnchor({ size: 9, root: new Uint8Array(32).fill(9), timestamp: Date.now() });
      await storage.anchors.updateAnchor(7, { status: 'sent', attempts: 3, lastError: 'nonce too low' });
      assert.deepEqual(await silentAndStalled(sources(storage), opts, Date.now()), [], 'within the limit');
      const later = Date.now() + 16 * MIN;
      const [a] = await silentAndStalled(sources(storage), opts, later);
      assert.equal(a?.kind, 'anchoring_stalled');
      assert.equal(a.shipmentId, null);
      assert.equal(a.dedupeKey, 'anchoring_stalled:7', 'the oldest head waiting');
      assert.match(a.title, /log head 7 not confirmed on chain for 16 min \(last error: nonce too low\)/);
      await storage.anchors.updateAnchor(7, { status: 'confirmed', confirmedAt: Date.now() });
      await storage.anchors.updateAnchor(9, { status: 'confirmed', confirmedAt: Date.now() });
      assert.deepEqual(await silentAndStalled(sources(storage), opts, later), []);
    }));
});
