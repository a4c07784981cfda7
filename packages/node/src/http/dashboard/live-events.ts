// What the node publishes into the LiveFeed (./live.ts), shaped from its own
// event hooks: ingest onCommit, anchorer onConfirmed, monitor onExcursion,
// claim aggregator onOutcome. Structural inputs; the shapes sent are core/wire/live.ts.
import type { AnchorLiveData, ExcursionLiveData, PayoutLiveData } from '@tradetwin/core/wire/live';
import { bytesToHex } from 'viem';

export function ingestEvent(batch: { firstIndex: number; size: number; accepted: readonly { deviceId: string }[] }) {
  return { firstIndex: batch.firstIndex, size: batch.size, devices: [...new Set(batch.accepted.map((m) => m.deviceId))] };
}

export function anchorEvent(a: {
  size: number;
  root: Uint8Array;
  txHash: string | null;
  blockNumber: number | null;
  confirmedAt?: number | null;
}): AnchorLiveData {
  return {
    size: a.size,
    root: bytesToHex(a.root),
    txHash: a.txHash,
    blockNumber: a.blockNumber,
    confirmedAt: a.confirmedAt ?? null,
  };
}

export function excursionEvent(
  x: {
    id: string;
    kind: string;
    ruleId: string;
    deviceId: string;
    startedAt: number;
    endedAt: number | null;
    open: boolean;
    breached: boolean;
    minutesOutside: number;
  },
  shipment: { id: string },
): ExcursionLiveData {
  return {
    shipmentId: shipment.id,
    id: x.id,
    kind: x.kind,
    ruleId: x.ruleId,
    deviceId: x.deviceId,
    startedAt: x.startedAt,
    endedAt: x.endedAt,
    open: x.open,
    breached: x.breached,
    minutesOutside: x.minutesOutside,
  };
}

/** A claim outcome; only a paid one is a payout (null otherwise: publish nothing). */
export function payoutEvent(o: {
  status: string;
  policyId: number;
  excursionId: string;
  amount?: bigint;
  txHash?: string;
  latencyMs?: number;
}): PayoutLiveData | null {
  if (o.status !== 'paid') return null;
  return {
    policyId: o.policyId,
    excursionId: o.excursionId,
    amount: o.amount?.toString() ?? null,
    txHash: o.txHash ?? null,
    latencyMs: o.latencyMs ?? null,
  };
}
