// One conformance suite for every storage driver (in the style of Trillian's
// storage/testonly): each area's checks, run through openStorage on a fresh
// database of each driver. SQLite runs everywhere; PostgreSQL where
// TRADETWIN_CI_SERVICES=1 (each test in its own database).
import { anchorOutboxConformance } from './conformance/anchor-outbox.js';
import { deviceCacheConformance } from './conformance/device-cache.js';
import type { FreshStorage } from './conformance/harness.js';
import { logConformance } from './conformance/log.js';
import { settingsConformance } from './conformance/settings.js';
import { telemetryIndexConformance } from './conformance/telemetry-index.js';
import { openStorage } from './index.js';
import { type DriverName, forEachDriver, freshDriver } from './test-support.js';
import type { Storage } from './types.js';

function freshStorage(driver: DriverName): FreshStorage {
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

forEachDriver('storage conformance', (driver) => {
  const fresh = freshStorage(driver);
  logConformance(fresh);
  anchorOutboxConformance(fresh);
  deviceCacheConformance(fresh);
  telemetryIndexConformance(fresh);
  settingsConformance(fresh);
});
