// The storage conformance suite, in the style of Trillian's storage/testonly:
// every area's checks, given nothing but a driver name. Each check opens a fresh
// database through openStorage — the same path a node takes — so both drivers
// answer exactly the same questions. Run by conformance.test.ts through
// forEachDriver: SQLite everywhere, PostgreSQL where TRADETWIN_CI_SERVICES=1.
import { accessStoreConformance } from './conformance/access.js';
import { alertStoreConformance } from './conformance/alerts.js';
import { dcsaStoreConformance } from './conformance/dcsa.js';
import { commandStoreConformance } from './conformance/commands.js';
import { witnessStoreConformance } from './conformance/witness.js';
import { anchorOutboxConformance } from './conformance/anchor-outbox.js';
import { deviceCacheConformance } from './conformance/device-cache.js';
import { epcisIndexConformance, epcisSchemaConformance } from './conformance/epcis.js';
import type { OpenStoreFixture } from './conformance/fixture.js';
import type { FreshStorage } from './conformance/harness.js';
import { logConformance } from './conformance/log.js';
import { settingsConformance } from './conformance/settings.js';
import { shipmentStoreConformance } from './conformance/shipments.js';
import { subscriptionStoreConformance } from './conformance/subscriptions.js';
import { sightingStoreConformance } from './conformance/tags.js';
import { telemetryIndexConformance } from './conformance/telemetry-index.js';
import { grantStoreConformance } from './conformance/grants.js';
import { mirrorStoreConformance } from './conformance/mirror.js';
import { documentStoreConformance } from './conformance/documents.js';
import { openStorage } from './index.js';
import type { SmallStores } from './small-stores.js';
import { type DriverName, freshDriver } from './test-support.js';
import type { Storage } from './types.js';

/** A fresh, empty Storage on `driver`, which a check may reopen (a restart) or open twice (another process). */
export function freshStorage(driver: DriverName): FreshStorage {
  return async () => {
    const fx = await freshDriver(driver);
    const open = () => openStorage({ dataDir: fx.dataDir, store: fx.store });
    let storage: Storage = await open();
    return {
      get storage() {
        return storage;
      },
      reopen: async () => {
        await storage.close();
        storage = await open();
        return storage;
      },
      openAnother: open,
      dispose: async () => {
        await storage.close();
        await fx.dispose();
      },
    };
  };
}

/** One area of a fresh Storage; another() opens the same database again (a second connection or pool). */
export function areaOfFreshStorage<K extends keyof SmallStores>(driver: DriverName, area: K): OpenStoreFixture<SmallStores[K]> {
  return async () => {
    const fx = await freshDriver(driver);
    const opened: Storage[] = [];
    const open = async () => {
      const s = await openStorage({ dataDir: fx.dataDir, store: fx.store });
      opened.push(s);
      return s[area];
    };
    return {
      store: await open(),
      another: open,
      dispose: async () => {
        for (const s of opened) await s.close();
        await fx.dispose();
      },
    };
  };
}

/** Registers every area's checks for one driver. */
export function storageConformance(driver: DriverName): void {
  const fresh = freshStorage(driver);
  logConformance(fresh);
  anchorOutboxConformance(fresh);
  deviceCacheConformance(fresh);
  telemetryIndexConformance(fresh);
  settingsConformance(fresh);
  shipmentStoreConformance(areaOfFreshStorage(driver, 'shipments'));
  accessStoreConformance(areaOfFreshStorage(driver, 'access'));
  sightingStoreConformance(areaOfFreshStorage(driver, 'tags'));
  subscriptionStoreConformance(areaOfFreshStorage(driver, 'subscriptions'));
  alertStoreConformance(areaOfFreshStorage(driver, 'alerts'));
  dcsaStoreConformance(areaOfFreshStorage(driver, 'dcsa'));
  commandStoreConformance(areaOfFreshStorage(driver, 'commands'));
  witnessStoreConformance(areaOfFreshStorage(driver, 'witness'));
  grantStoreConformance(areaOfFreshStorage(driver, 'grants'));
  mirrorStoreConformance(areaOfFreshStorage(driver, 'mirror'));
  documentStoreConformance(areaOfFreshStorage(driver, 'documents'));
  epcisIndexConformance(driver);
  epcisSchemaConformance(driver);
}
