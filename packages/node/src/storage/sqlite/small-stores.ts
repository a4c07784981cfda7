// The small stores on the embedded driver: each its own connection to node.db.
import type { SmallStores } from '../small-stores.js';
import { SqliteAccessStore } from './access.js';
import { SqliteAlertStore } from './alerts.js';
import { SqliteDcsaStore } from './dcsa.js';
import { SqliteCommandStore } from './commands.js';
import { SqliteShipmentStore } from './shipments.js';
import { SqliteSubscriptionStore } from './subscriptions.js';
import { SqliteSightingStore } from './tags.js';
import { SqliteWitnessStore } from './witness.js';
import { SqliteGrantStore } from './grants.js';
import { SqliteMirrorStore } from './mirror.js';
import { SqliteDocumentStore } from './documents.js';

export function openSqliteSmallStores(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SmallStores {
  const opened: { close(): Promise<void> }[] = [];
  const open = <T extends { close(): Promise<void> }>(make: () => T): T => {
    const s = make();
    opened.push(s);
    return s;
  };
  try {
    return {
      shipments: open(() => SqliteShipmentStore.open(opts)),
      access: open(() => SqliteAccessStore.open(opts)),
      tags: open(() => SqliteSightingStore.open(opts)),
      subscriptions: open(() => SqliteSubscriptionStore.open(opts)),
      alerts: open(() => SqliteAlertStore.open(opts)),
      dcsa: open(() => SqliteDcsaStore.open(opts)),
      commands: open(() => SqliteCommandStore.open(opts)),
      witness: open(() => SqliteWitnessStore.open(opts)),
      grants: open(() => SqliteGrantStore.open(opts)),
      mirror: open(() => SqliteMirrorStore.open(opts)),
      documents: open(() => SqliteDocumentStore.open(opts)),
    };
  } catch (err) {
    // A refused migration (e.g. a newer schema) leaves no connection open behind it.
    for (const s of opened) void s.close();
    throw err;
  }
}
