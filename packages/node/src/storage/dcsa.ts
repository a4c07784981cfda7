// DCSA Track & Trace 3.0 events: an index that follows the transparency log's
// "dcsa" leaves (dcsa/repository.ts appends and orchestrates), rows only. Which
// events are accepted, how one is derived from evidence and how a query pages
// is decided in dcsa/.
//
//   events   one row per leaf (rid = leaf index), what the GET query filters on and the event's JSON.
//            The spec identifies an event by (originating party, eventID) — `key` here — and a later
//            eventUpdatedDateTime overrides an earlier one: only the newest row of a key is current,
//            and queries return current rows only.
//   refs     the event's booking / transport-document references (an event may carry several).
//   meta     the scan cursor (how far the log has been indexed), moved with the rows it covers.
//   subscriptions, deliveries   webhook subscriptions to events and their outbox: one delivery per
//            (subscription, event rid) — its id — enqueued with the fan-out cursor in one transaction,
//            so an event is enqueued once for each subscription, never twice, never skipped.

export type DcsaOrigin = 'pushed' | 'derived';

export interface DcsaEventRow {
  /** The leaf index of the event in the log: the order of answers and the paging cursor. */
  rid: number;
  /** originatingParty (partyCode|codeListProvider|codeListName) + "|" + eventID. */
  key: string;
  eventId: string;
  /** SHIPMENT, TRANSPORT, EQUIPMENT, IOT or REEFER. */
  eventType: string;
  shipmentEventTypeCode: string | null;
  equipmentEventTypeCode: string | null;
  transportEventTypeCode: string | null;
  equipmentReference: string | null;
  bookingReferences: string[];
  transportDocumentReferences: string[];
  /** eventUpdatedDateTime in ms (eventDateTime, else the receive time, when absent). */
  updatedAt: number;
  origin: DcsaOrigin;
  json: string;
}

export interface DcsaEventQuery {
  eventTypes?: readonly string[];
  shipmentEventTypeCode?: string;
  equipmentEventTypeCode?: string;
  transportEventTypeCode?: string;
  carrierBookingReference?: string;
  transportDocumentReference?: string;
  equipmentReference?: string;
  /** eventUpdatedDateTime at or after / at or before, ms. */
  updatedMin?: number;
  updatedMax?: number;
  /** Only rows with rid > afterRid (the previous page's last). */
  afterRid?: number;
  limit: number;
}

export interface DcsaStore extends DcsaSubscriptionStore {
  meta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * Index the rows (in rid order) in one transaction with the scan cursor raised to `cursor` (never
   * lowered). A row whose key has a current row with an earlier-or-equal updatedAt replaces it as
   * current; one with an earlier updatedAt is kept but not current. A rid already indexed is skipped.
   */
  indexEvents(rows: readonly DcsaEventRow[], cursor: number): Promise<void>;
  /** Which of these rids are indexed. */
  indexedAmong(rids: readonly number[]): Promise<Set<number>>;
  /** Current rows matching every given filter, by rid ascending, at most `limit`. */
  query(q: DcsaEventQuery): Promise<DcsaEventRow[]>;
  /** The row at this rid (current or not). */
  event(rid: number): Promise<DcsaEventRow | null>;
  /** Refresh the planner's statistics (after bulk loads). */
  optimize(): Promise<void>;
  close(): Promise<void>;
}

export interface DcsaSubscriptionRow {
  id: string;
  /** Who subscribed (access/): the principal's kind and name. */
  ownerKind: 'admin-token' | 'user' | 'credential';
  ownerName: string;
  callbackUrl: string;
  /** The HMAC key of the callbacks' signature. */
  secret: string;
  /** Which events (eventTypes and references, as the GET query's); JSON. */
  filter: Omit<DcsaEventQuery, 'afterRid' | 'limit' | 'updatedMin' | 'updatedMax'>;
  createdAt: number;
}

export interface DcsaDeliveryRow {
  /** `${subscriptionId}:${rid}`: one per subscription and event. */
  id: string;
  subscriptionId: string;
  rid: number;
  status: 'pending' | 'delivered';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** The longest lastError kept. */
export const MAX_DCSA_ERROR_CHARS = 500;

export interface DcsaSubscriptionStore {
  /** StoreError `conflict` when the id exists. */
  insertSubscription(s: DcsaSubscriptionRow): Promise<void>;
  subscription(id: string): Promise<DcsaSubscriptionRow | null>;
  /** Oldest first (ties by id). */
  subscriptions(): Promise<DcsaSubscriptionRow[]>;
  /** Deletes it and its pending deliveries (delivered ones stay); false when unknown. */
  deleteSubscription(id: string): Promise<boolean>;
  /**
   * Enqueue deliveries (one already there — same id — is left alone) and raise the meta key
   * `cursorKey` to `cursor`, in one transaction.
   */
  enqueue(
    deliveries: readonly { subscriptionId: string; rid: number }[],
    cursorKey: string,
    cursor: number,
    now: number,
  ): Promise<void>;
  due(now: number, limit: number): Promise<DcsaDeliveryRow[]>;
  nextDue(): Promise<number | null>;
  /** A subscription's deliveries, by rid. */
  deliveries(subscriptionId: string): Promise<DcsaDeliveryRow[]>;
  /** pending → delivered; true for the one call that moved it. */
  delivered(id: string, now: number): Promise<boolean>;
  /** Count a failed attempt, keep the (truncated) error, retry at nextAttemptAt (a delivered row is left alone). */
  failed(id: string, nextAttemptAt: number, error: string): Promise<void>;
}

export const DCSA_AREA = 'dcsa';

export const dcsaDeliveryId = (subscriptionId: string, rid: number): string => `${subscriptionId}:${rid}`;

export function dcsaSubscriptionOf(r: Record<string, unknown>): DcsaSubscriptionRow {
  return {
    id: String(r.id),
    ownerKind: String(r.owner_kind) as DcsaSubscriptionRow['ownerKind'],
    ownerName: String(r.owner_name),
    callbackUrl: String(r.callback_url),
    secret: String(r.secret),
    filter: JSON.parse(String(r.filter)) as DcsaSubscriptionRow['filter'],
    createdAt: Number(r.created_at),
  };
}

export function dcsaDeliveryOf(r: Record<string, unknown>): DcsaDeliveryRow {
  return {
    id: String(r.id),
    subscriptionId: String(r.subscription_id),
    rid: Number(r.rid),
    status: String(r.status) as DcsaDeliveryRow['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
    createdAt: Number(r.created_at),
    deliveredAt: r.delivered_at === null || r.delivered_at === undefined ? null : Number(r.delivered_at),
  };
}

/** Booking (BKG) and transport-document (TRD) reference kinds in the refs table. */
export const REF_BOOKING = 'BKG';
export const REF_TRANSPORT_DOCUMENT = 'TRD';

/**
 * The query as SQL with `?` placeholders (each driver numbers them as it needs). Reference filters
 * go through the refs table's (kind, ref, rid) key, equipment through (equipment_ref, rid), one event
 * type through (event_type, rid): a filtered page is an index range, not a scan of every event.
 * Several event types are one ordered range each, merged (UNION ALL of per-type pages, then the page).
 */
export function dcsaQuerySql(q: DcsaEventQuery): { sql: string; params: (string | number)[] } {
  const types = [...new Set(q.eventTypes ?? [])];
  if (types.length > 1) {
    const parts = types.map((t) => dcsaQuerySql({ ...q, eventTypes: [t] }));
    return {
      sql: `${parts.map((p, i) => `SELECT * FROM (${p.sql}) AS t${i}`).join(' UNION ALL ')} ORDER BY rid LIMIT ?`,
      params: [...parts.flatMap((p) => p.params), q.limit],
    };
  }
  const where = ['e.current = 1', 'e.rid > ?'];
  const params: (string | number)[] = [q.afterRid ?? -1];
  if (types.length === 1) {
    where.push('e.event_type = ?');
    params.push(types[0]!);
  }
  const eq = (column: string, v: string | undefined) => {
    if (v === undefined) return;
    where.push(`e.${column} = ?`);
    params.push(v);
  };
  eq('shipment_code', q.shipmentEventTypeCode);
  eq('equipment_code', q.equipmentEventTypeCode);
  eq('transport_code', q.transportEventTypeCode);
  eq('equipment_ref', q.equipmentReference);
  const ref = (kind: string, v: string | undefined) => {
    if (v === undefined) return;
    where.push('e.rid IN (SELECT r.rid FROM dcsa_event_refs r WHERE r.kind = ? AND r.ref = ?)');
    params.push(kind, v);
  };
  ref(REF_BOOKING, q.carrierBookingReference);
  ref(REF_TRANSPORT_DOCUMENT, q.transportDocumentReference);
  if (q.updatedMin !== undefined) {
    where.push('e.updated_at >= ?');
    params.push(q.updatedMin);
  }
  if (q.updatedMax !== undefined) {
    where.push('e.updated_at <= ?');
    params.push(q.updatedMax);
  }
  params.push(q.limit);
  return { sql: `SELECT e.* FROM dcsa_events e WHERE ${where.join(' AND ')} ORDER BY e.rid LIMIT ?`, params };
}

/** The columns of a dcsa_events row as both drivers write them (refs go to their own table). */
export function dcsaColumns(r: DcsaEventRow, current: boolean): (string | number | null)[] {
  return [
    r.rid,
    r.key,
    r.eventId,
    r.eventType,
    r.shipmentEventTypeCode,
    r.equipmentEventTypeCode,
    r.transportEventTypeCode,
    r.equipmentReference,
    r.updatedAt,
    r.origin,
    current ? 1 : 0,
    r.json,
  ];
}

export const DCSA_INSERT_COLUMNS =
  'rid, key, event_id, event_type, shipment_code, equipment_code, transport_code, equipment_ref, updated_at, origin, current, json';

/** A stored row back, given its refs (kind, ref) pairs. */
export function dcsaRowOf(r: Record<string, unknown>, refs: readonly { kind: string; ref: string }[]): DcsaEventRow {
  const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    rid: Number(r.rid),
    key: String(r.key),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    shipmentEventTypeCode: s(r.shipment_code),
    equipmentEventTypeCode: s(r.equipment_code),
    transportEventTypeCode: s(r.transport_code),
    equipmentReference: s(r.equipment_ref),
    bookingReferences: refs.filter((x) => x.kind === REF_BOOKING).map((x) => x.ref),
    transportDocumentReferences: refs.filter((x) => x.kind === REF_TRANSPORT_DOCUMENT).map((x) => x.ref),
    updatedAt: Number(r.updated_at),
    origin: String(r.origin) as DcsaOrigin,
    json: String(r.json),
  };
}

/** The refs rows of an event, deduplicated. */
export function dcsaRefsOf(r: DcsaEventRow): { kind: string; ref: string }[] {
  const out = new Map<string, { kind: string; ref: string }>();
  for (const ref of r.bookingReferences) out.set(`${REF_BOOKING}\u0000${ref}`, { kind: REF_BOOKING, ref });
  for (const ref of r.transportDocumentReferences)
    out.set(`${REF_TRANSPORT_DOCUMENT}\u0000${ref}`, { kind: REF_TRANSPORT_DOCUMENT, ref });
  return [...out.values()];
}
