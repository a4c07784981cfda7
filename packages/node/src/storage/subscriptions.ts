// EPCIS named queries, webhook subscriptions and their delivery outbox: rows
// only. When a subscription is due, what its documents hold and how retries back
// off is decided in epcis/subscriptions/service.ts.
//
//   named queries   name → the query object as created
//   subscriptions   one per webhook; `cursor` is the last leaf index whose events the
//                   destination has acknowledged (−1: none yet)
//   deliveries      the outbox: at most one per subscription, with the exact body (and id)
//                   every retry sends; removed, and the cursor advanced to its toCursor, in
//                   one transaction when the destination acknowledges it
//
// Deleting a named query deletes its subscriptions and their pending deliveries.
import type { ScheduleSpec } from '../epcis/subscriptions/schedule.js';

export interface NamedQueryRow {
  name: string;
  query: Record<string, unknown>;
  createdAt: number;
}

export interface SubscriptionRow {
  id: string;
  queryName: string;
  dest: string;
  signatureToken: string | null;
  stream: boolean;
  schedule: ScheduleSpec | null;
  reportIfEmpty: boolean;
  initialRecordTime: number | null;
  cursor: number;
  createdAt: number;
  lastNotifiedAt: number | null;
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  fromCursor: number;
  toCursor: number;
  eventCount: number;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

/** The longest lastError kept (a destination's error text is not ours to store in full). */
export const MAX_DELIVERY_ERROR_CHARS = 500;

export interface SubscriptionStore {
  /** False (and nothing changed) when the name exists. */
  createQuery(name: string, query: Record<string, unknown>, now: number): Promise<boolean>;
  query(name: string): Promise<NamedQueryRow | null>;
  /** Named queries by name (byte order), after `after` (a page's last name; '' from the start), at most `limit`. */
  queries(limit: number, after?: string): Promise<NamedQueryRow[]>;
  /** Deletes a named query, its subscriptions and their outbox in one transaction; the subscription ids removed, or null when unknown. */
  deleteQuery(name: string): Promise<string[] | null>;

  /** StoreError `conflict` when the id exists. lastNotifiedAt starts null whatever is given. */
  insertSubscription(s: SubscriptionRow): Promise<void>;
  subscription(id: string): Promise<SubscriptionRow | null>;
  /** A named query's subscriptions by id (byte order), after `after`, at most `limit`. */
  subscriptions(queryName: string, limit: number, after?: string): Promise<SubscriptionRow[]>;
  /** Every webhook subscription, by id. */
  allSubscriptions(): Promise<SubscriptionRow[]>;
  /** Deletes a subscription and its pending delivery; false when unknown. */
  deleteSubscription(id: string): Promise<boolean>;
  /** Moves the cursor forward to `to` without a delivery (never back). */
  skipTo(id: string, to: number): Promise<void>;

  /** The subscription's pending delivery. */
  pending(subscriptionId: string): Promise<DeliveryRow | null>;
  pendingCount(): Promise<number>;
  /** Puts a delivery in the outbox (attempts 0, no error); StoreError `conflict` when the subscription has one pending. */
  enqueue(d: DeliveryRow): Promise<void>;
  /**
   * The destination acknowledged: the delivery leaves the outbox and the subscription's cursor moves to
   * toCursor (never back), lastNotifiedAt to `now`, and initialRecordTime is dropped when it carried
   * events — atomically. True for the one call that removed it; false when it was gone already.
   */
  acknowledge(d: DeliveryRow, now: number): Promise<boolean>;
  /** An attempt failed: count it, keep the (truncated) error, retry at nextAttemptAt. */
  failed(d: DeliveryRow, nextAttemptAt: number, error: string): Promise<void>;
  close(): Promise<void>;
}

export const SUBSCRIPTIONS_AREA = 'subscriptions';
