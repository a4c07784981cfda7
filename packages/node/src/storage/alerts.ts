// Alerts, alert subscriptions and their delivery outbox: rows only. Which
// events become alerts, who may receive them and how retries back off is
// decided in alerts/.
//
//   alerts          the persistent history, newest first by `seq` (assigned by the store);
//                   `dedupeKey` is unique, so one occurrence is raised once however often
//                   the node sees it (a replay after a restart, two watchers at once)
//   subscriptions   who wants which alerts (a shipment, kinds, or all they may see), on one channel
//   deliveries      one row per (alert, subscription), written in the same transaction as the
//                   alert: nothing raised is lost, nothing is enqueued twice. A delivery stays as
//                   the record of what happened to it (pending → delivered; attempts, last error).

export type AlertChannel = 'webhook' | 'email';

export interface AlertRow {
  /** Assigned by the store on raise (ignored when given): the history's order and paging cursor. */
  seq: number;
  id: string;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  shipmentId: string | null;
  title: string;
  /** What the alert is about, as JSON (the excursion, the payout, the device…). */
  detail: Record<string, unknown>;
  dedupeKey: string;
  /** When the occurrence was recorded (the excursion stored, the payout confirmed…), ms. */
  occurredAt: number;
  raisedAt: number;
}

export interface AlertSubscriptionRow {
  id: string;
  /** Who subscribed: the principal's kind and name (access/), re-checked when an alert is raised. */
  ownerKind: 'admin-token' | 'user' | 'credential';
  ownerName: string;
  /** Only this shipment's alerts (null: any shipment the owner may see, and the node's own). */
  shipmentId: string | null;
  /** Only these kinds (null: every kind). */
  kinds: string[] | null;
  channel: AlertChannel;
  /** The webhook URL or the e-mail address. */
  target: string;
  /** The webhook's HMAC key (null for e-mail). */
  secret: string | null;
  createdAt: number;
}

export interface AlertDeliveryRow {
  id: string;
  alertId: string;
  subscriptionId: string;
  channel: AlertChannel;
  target: string;
  status: 'pending' | 'delivered';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** The longest lastError kept. */
export const MAX_ALERT_ERROR_CHARS = 500;

export interface AlertStore {
  /**
   * Records the alert (its seq assigned) and its deliveries in one transaction; false, and nothing
   * written, when an alert with its dedupeKey exists.
   */
  raise(alert: AlertRow, deliveries: readonly AlertDeliveryRow[]): Promise<boolean>;
  alert(id: string): Promise<AlertRow | null>;
  /** The history, newest first: alerts with seq < `before` (all when absent), at most `limit`. */
  alerts(limit: number, before?: number): Promise<AlertRow[]>;

  /** StoreError `conflict` when the id exists. */
  insertSubscription(s: AlertSubscriptionRow): Promise<void>;
  subscription(id: string): Promise<AlertSubscriptionRow | null>;
  /** Every subscription, oldest first (ties by id). */
  subscriptions(): Promise<AlertSubscriptionRow[]>;
  /** Deletes a subscription and its pending deliveries (delivered ones stay as history); false when unknown. */
  deleteSubscription(id: string): Promise<boolean>;

  /** Pending deliveries whose nextAttemptAt ≤ now, earliest first, at most `limit`. */
  due(now: number, limit: number): Promise<AlertDeliveryRow[]>;
  /** The earliest nextAttemptAt of a pending delivery (null: none pending). */
  nextDue(): Promise<number | null>;
  /** An alert's deliveries, by creation then id. */
  deliveries(alertId: string): Promise<AlertDeliveryRow[]>;
  pendingCount(): Promise<number>;
  /** The delivery arrived: pending → delivered at `now`. True for the one call that moved it. */
  delivered(id: string, now: number): Promise<boolean>;
  /** An attempt failed: count it, keep the (truncated) error, retry at nextAttemptAt (a delivered row is left alone). */
  failed(id: string, nextAttemptAt: number, error: string): Promise<void>;
  close(): Promise<void>;
}

export const ALERTS_AREA = 'alerts';
