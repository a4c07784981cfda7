// What becomes an alert, and what it says. Pure: each function takes what a
// watcher saw and returns the alert to raise (or null), with the key that makes
// one occurrence one alert however often it is seen.
//
//   excursion          a shipment's rule breached (the monitor's band, threshold, light and gap rules);
//                      raised once per excursion, when it first breaches (it may still be open)
//   payout             a claim on a policy was paid on chain
//   claim_refused      a claim was not paid: the contract refused it, or too few oracles attested
//   device_silent      a device attached to a shipment sent nothing for the configured time;
//                      once per silence (a new reading starts a new one)
//   anchoring_stalled  the anchoring outbox has not confirmed a head for the configured time; once per stuck head
//   replication_refused  a granted partner served a record that failed verification (tampered data, a wrong
//                      inclusion proof, a head not anchored or inconsistent with the anchored history): refused, never stored
//   equivocation       a peer's log signed two checkpoints that cannot both be true (raised by the witness, tlog/)
import type { Excursion } from '@tradetwin/core/rules/index';
import type { AlertRow } from '../storage/alerts.js';

export const ALERT_KINDS = [
  'excursion',
  'payout',
  'claim_refused',
  'device_silent',
  'anchoring_stalled',
  'equivocation',
  'replication_refused',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const isAlertKind = (v: unknown): v is AlertKind =>
  typeof v === 'string' && (ALERT_KINDS as readonly string[]).includes(v);

/** An alert before the store numbers it and the service stamps it. */
export type NewAlert = Omit<AlertRow, 'seq' | 'id' | 'raisedAt'> & { kind: AlertKind };

const minutes = (m: number) => (m >= 90 ? `${(m / 60).toFixed(1)} h` : `${Math.round(m)} min`);

function excursionWhat(x: Excursion): string {
  switch (x.kind) {
    case 'band':
      return `${x.sensor} ${x.direction} its band for ${minutes(x.minutesOutside)}, peak ${Number(x.peak.toFixed(2))}`;
    case 'threshold':
      return `${x.sensor} ${Number(x.peak.toFixed(2))} above its limit`;
    case 'light':
      return `${x.sensor === 'door' ? 'door opened' : 'light'} outside allowed places for ${minutes(x.durationMinutes)}`;
    case 'gap':
      return `no data for ${minutes(x.durationMinutes)}`;
  }
}

/** A breached excursion, once (the monitor reports every change; only the breach is news). */
export function excursionAlert(x: Excursion, recordedAt: number): NewAlert | null {
  if (!x.breached) return null;
  return {
    kind: 'excursion',
    severity: 'critical',
    shipmentId: x.shipmentId,
    title: `Shipment ${x.shipmentId}: ${excursionWhat(x)} (rule ${x.ruleId}, device ${x.deviceId})`,
    detail: { excursion: x as unknown as Record<string, unknown> },
    dedupeKey: `excursion:${x.id}`,
    occurredAt: recordedAt,
  };
}

/** What a claim came to (oracle/claims.ts ClaimOutcome, amounts as decimal strings). */
export interface ClaimResult {
  policyId: number;
  excursionId: string;
  status: 'paid' | 'refused' | 'not_enough_attestations';
  amount?: string;
  txHash?: string;
  detail?: string;
  signers: { oracle: string; error?: string }[];
}

/** A paid claim is a payout alert; a refused one (or too few attestations) a claim_refused alert. */
export function claimAlert(o: ClaimResult, shipmentId: string | null, at: number): NewAlert {
  const on = `policy ${o.policyId}${shipmentId ? ` (shipment ${shipmentId})` : ''}`;
  const detail = { claim: { ...o } as Record<string, unknown> };
  if (o.status === 'paid')
    return {
      kind: 'payout',
      severity: 'info',
      shipmentId,
      // Raw token units (the policy's token decimals are not known here); the full tx is in the detail.
      title: `Payout on ${on}: ${o.amount ?? '?'} token units paid, tx ${o.txHash ? `${o.txHash.slice(0, 10)}…${o.txHash.slice(-6)}` : '?'}`,
      detail,
      dedupeKey: `payout:${o.txHash ?? `${o.policyId}:${o.excursionId}`}`,
      occurredAt: at,
    };
  const why =
    o.status === 'refused'
      ? `the contract refused it${o.detail ? `: ${o.detail}` : ''}`
      : 'too few oracle organisations attested';
  return {
    kind: 'claim_refused',
    severity: 'warning',
    shipmentId,
    title: `Claim on ${on} for excursion ${o.excursionId} not paid: ${why}`,
    detail,
    dedupeKey: `claim_refused:${o.policyId}:${o.excursionId}:${o.status}`,
    occurredAt: at,
  };
}

/** A device attached to a shipment has been silent longer than allowed (lastSeenAt: the last reading received). */
export function deviceSilentAlert(
  d: { deviceId: string; lastSeenAt: number; shipmentId: string | null },
  silentForMs: number,
  now: number,
): NewAlert | null {
  if (now - d.lastSeenAt < silentForMs) return null;
  return {
    kind: 'device_silent',
    severity: 'warning',
    shipmentId: d.shipmentId,
    title: `Device ${d.deviceId}${d.shipmentId ? ` (shipment ${d.shipmentId})` : ''} silent for ${minutes((now - d.lastSeenAt) / 60_000)}`,
    detail: { deviceId: d.deviceId, lastSeenAt: d.lastSeenAt, silentForMs: now - d.lastSeenAt },
    dedupeKey: `device_silent:${d.deviceId}:${d.lastSeenAt}`,
    occurredAt: now,
  };
}

/** The oldest head still waiting in the anchoring outbox, if it has waited longer than allowed. */
export function anchoringStalledAlert(
  oldest: { size: number; enqueuedAt: number; attempts: number; lastError: string | null } | null,
  stalledAfterMs: number,
  now: number,
): NewAlert | null {
  if (!oldest || now - oldest.enqueuedAt < stalledAfterMs) return null;
  return {
    kind: 'anchoring_stalled',
    severity: 'critical',
    shipmentId: null,
    title: `Anchoring stalled: log head ${oldest.size} not confirmed on chain for ${minutes((now - oldest.enqueuedAt) / 60_000)}${oldest.lastError ? ` (last error: ${oldest.lastError})` : ''}`,
    detail: { ...oldest, waitingMs: now - oldest.enqueuedAt },
    dedupeKey: `anchoring_stalled:${oldest.size}`,
    occurredAt: now,
  };
}
