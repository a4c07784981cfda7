// What a delivery carries. The webhook body is JSON, signed as the EPCIS
// subscription webhooks are (epcis/subscriptions/signature.ts: "sha256=" + hex
// HMAC-SHA256 of the exact body bytes, keyed with the subscription's secret),
// and carries the delivery's id as Idempotency-Key: a retry sends the same bytes
// with the same key, so a receiver drops repeats. The e-mail says the same in
// words. Pure.
import type { AlertDeliveryRow, AlertRow } from '../storage/alerts.js';

export const ALERT_SIGNATURE_HEADER = 'TradeTwin-Signature';
export { IDEMPOTENCY_HEADER, signBody, verifySignature } from '../epcis/subscriptions/signature.js';

export interface AlertPayload {
  type: 'tradetwin.alert.v1';
  /** The delivery (= Idempotency-Key): the same on every retry. */
  deliveryId: string;
  subscriptionId: string;
  alert: {
    id: string;
    kind: string;
    severity: AlertRow['severity'];
    shipmentId: string | null;
    title: string;
    occurredAt: string;
    raisedAt: string;
    detail: Record<string, unknown>;
  };
  /** The node that raised it (its account address). */
  node: string;
}

export function alertPayload(a: AlertRow, d: Pick<AlertDeliveryRow, 'id' | 'subscriptionId'>, node: string): AlertPayload {
  return {
    type: 'tradetwin.alert.v1',
    deliveryId: d.id,
    subscriptionId: d.subscriptionId,
    alert: {
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      shipmentId: a.shipmentId,
      title: a.title,
      occurredAt: new Date(a.occurredAt).toISOString(),
      raisedAt: new Date(a.raisedAt).toISOString(),
      detail: a.detail,
    },
    node,
  };
}

/** Subject and plain-text body of the alert's e-mail. */
export function alertEmail(a: AlertRow, node: string): { subject: string; text: string } {
  return {
    subject: `[TradeTwin ${a.severity}] ${a.title}`.slice(0, 250),
    text: [
      a.title,
      '',
      `Kind:      ${a.kind}`,
      `Severity:  ${a.severity}`,
      ...(a.shipmentId ? [`Shipment:  ${a.shipmentId}`] : []),
      `Occurred:  ${new Date(a.occurredAt).toISOString()}`,
      `Alert id:  ${a.id}`,
      `Node:      ${node}`,
      '',
      'Details (JSON):',
      JSON.stringify(a.detail, null, 2),
      '',
    ].join('\n'),
  };
}
