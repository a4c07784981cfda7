// The small stores on PostgreSQL: every area on the Storage's one PgDatabase.
import type { SmallStores } from '../small-stores.js';
import { PostgresAccessStore } from './access.js';
import { PostgresAlertStore } from './alerts.js';
import { PostgresDcsaStore } from './dcsa.js';
import { PostgresCommandStore } from './commands.js';
import type { PgDatabase } from './database.js';
import { PostgresShipmentStore } from './shipments.js';
import { PostgresSubscriptionStore } from './subscriptions.js';
import { PostgresSightingStore } from './tags.js';
import { PostgresWitnessStore } from './witness.js';
import { PostgresGrantStore } from './grants.js';
import { PostgresMirrorStore } from './mirror.js';
import { PostgresDocumentStore } from './documents.js';

export async function openPostgresSmallStores(db: PgDatabase): Promise<SmallStores> {
  return {
    shipments: await PostgresShipmentStore.open(db),
    access: await PostgresAccessStore.open(db),
    tags: await PostgresSightingStore.open(db),
    subscriptions: await PostgresSubscriptionStore.open(db),
    alerts: await PostgresAlertStore.open(db),
    dcsa: await PostgresDcsaStore.open(db),
    commands: await PostgresCommandStore.open(db),
    witness: await PostgresWitnessStore.open(db),
    grants: await PostgresGrantStore.open(db),
    mirror: await PostgresMirrorStore.open(db),
    documents: await PostgresDocumentStore.open(db),
  };
}
