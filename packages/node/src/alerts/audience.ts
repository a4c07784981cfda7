// Who gets an alert. Pure. A subscription matches an alert by shipment and
// kind; its owner receives it only if the access model lets the owner see what
// the alert is about: a shipment's alert needs shipments:read on that shipment
// (or the whole scope), the node's own alerts (anchoring, equivocation, a device
// on no shipment) need log:read — as reading the same facts through the API would.
import { satisfies } from '../access/scopes.js';
import type { AlertRow, AlertSubscriptionRow } from '../storage/alerts.js';

export function subscriptionMatches(s: AlertSubscriptionRow, a: Pick<AlertRow, 'kind' | 'shipmentId'>): boolean {
  if (s.shipmentId !== null && s.shipmentId !== a.shipmentId) return false;
  return s.kinds === null || s.kinds.includes(a.kind);
}

export function maySee(scopes: ReadonlySet<string>, a: Pick<AlertRow, 'shipmentId'>): boolean {
  return a.shipmentId !== null
    ? satisfies(scopes, { anyOf: ['shipments:read'], resource: a.shipmentId })
    : satisfies(scopes, { anyOf: ['log:read'] });
}
