// The dashboard's live feed as it travels: Server-Sent Events at
// GET /api/v1/events/stream, one JSON LiveEvent per message. The node publishes
// them (node http/dashboard/live.ts); the web app follows them.
import type { Hex } from 'viem';

export const LIVE_KINDS = ['ingest', 'anchor', 'excursion', 'payout', 'alert'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export interface LiveEvent {
  /** Increasing from 1 within one feed (one node run). */
  id: number;
  kind: LiveKind;
  /** ms since epoch, when published. */
  at: number;
  data: unknown;
}

/** What an `ingest` event carries once coalesced. */
export interface IngestSummary {
  commits: number;
  /** Leaves appended by these commits. */
  leaves: number;
  /** Log size after the last of them. */
  size: number;
  devices: string[];
}

/** What an `anchor` event carries: a head confirmed on chain. */
export interface AnchorLiveData {
  size: number;
  root: Hex;
  txHash: string | null;
  blockNumber: number | null;
  confirmedAt: number | null;
}

/** What an `excursion` event carries: one found or changed. */
export interface ExcursionLiveData {
  shipmentId: string;
  id: string;
  kind: string;
  ruleId: string;
  deviceId: string;
  startedAt: number;
  endedAt: number | null;
  open: boolean;
  breached: boolean;
  minutesOutside: number;
}

/** What a `payout` event carries: a claim paid (amount in the token's base units, decimal). */
export interface PayoutLiveData {
  policyId: number;
  excursionId: string;
  amount: string | null;
  txHash: string | null;
  latencyMs: number | null;
}
