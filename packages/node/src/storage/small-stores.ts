// The node's small stores — shipments, access, tag sightings, EPCIS subscriptions, alerts, DCSA events,
// commands, grants, the mirror, documents — as the Storage aggregate carries them, built by each driver's index.ts.
import type { AccessStore } from './access.js';
import type { AlertStore } from './alerts.js';
import type { CommandStore } from './commands.js';
import type { DcsaStore } from './dcsa.js';
import type { DocumentStore } from './documents.js';
import type { GrantStore } from './grants.js';
import type { MirrorStore } from './mirror.js';
import type { ShipmentStore } from './shipments.js';
import type { SubscriptionStore } from './subscriptions.js';
import type { SightingStore } from './tags.js';
import type { WitnessStore } from './witness.js';

export interface SmallStores {
  /** Shipments, excursions, policies and payouts. */
  readonly shipments: ShipmentStore;
  /** Accounts, sessions and API credentials. */
  readonly access: AccessStore;
  /** Tag sightings (clone detection). */
  readonly tags: SightingStore;
  /** EPCIS named queries, webhook subscriptions and their outbox. */
  readonly subscriptions: SubscriptionStore;
  /** Alerts, alert subscriptions and their delivery outbox. */
  readonly alerts: AlertStore;
  /** DCSA Track & Trace events (a follower of the log's "dcsa" leaves). */
  readonly dcsa: DcsaStore;
  /** Signed actuator commands and their effects. */
  readonly commands: CommandStore;
  /** Witnessing: peers' checkpoints cosigned, own cosigned checkpoints, equivocation proofs. */
  readonly witness: WitnessStore;
  /** Grants issued and received between organisations. */
  readonly grants: GrantStore;
  /** Records other members granted, stored once verified against their anchored heads. */
  readonly mirror: MirrorStore;
  /** The index of this node's shipment documents (their content is in the log). */
  readonly documents: DocumentStore;
}

/** Closes each store (a PostgreSQL store's close is a no-op: the pool is the Storage's). */
export async function closeSmallStores(s: SmallStores): Promise<void> {
  await Promise.all([
    s.shipments.close(),
    s.access.close(),
    s.tags.close(),
    s.subscriptions.close(),
    s.alerts.close(),
    s.dcsa.close(),
    s.commands.close(),
    s.witness.close(),
    s.grants.close(),
    s.mirror.close(),
    s.documents.close(),
  ]);
}
