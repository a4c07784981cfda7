// The anchoring outbox: signed heads waiting to be published on chain, and
// what became of them. Written in the node's own transactions, so a head is
// never published without being recorded first.
import { StoreError } from './errors.js';

/**
 * pending → sent → confirmed; superseded when a newer pending head covers it. A confirmed head the
 * chain later lost (rollback) becomes requeued and is published again at its own size.
 */
export type AnchorStatus = 'pending' | 'sent' | 'confirmed' | 'superseded' | 'requeued';

export interface AnchorRecord {
  size: number;
  root: Uint8Array;
  timestamp: number;
  status: AnchorStatus;
  txHash: string | null;
  blockNumber: number | null;
  attempts: number;
  lastError: string | null;
  enqueuedAt: number;
  confirmedAt: number | null;
}

export type AnchorPatch = Partial<Omit<AnchorRecord, 'size' | 'root' | 'timestamp'>>;

export interface AnchorOutbox {
  /** Queue a head as pending; a size already queued is left as it is. */
  enqueueAnchor(a: { size: number; root: Uint8Array; timestamp: number }): Promise<void>;
  /** Every anchor (or those in `status`), by size. */
  anchors(status?: AnchorStatus): Promise<AnchorRecord[]>;
  updateAnchor(size: number, patch: AnchorPatch): Promise<void>;
  latestConfirmedAnchor(): Promise<AnchorRecord | null>;
}

/** AnchorRecord fields and their columns, the same on both drivers (an update names only these). */
export const ANCHOR_COLUMNS: Record<keyof AnchorPatch, string> = {
  status: 'status',
  txHash: 'tx_hash',
  blockNumber: 'block',
  attempts: 'attempts',
  lastError: 'last_error',
  enqueuedAt: 'enqueued_at',
  confirmedAt: 'confirmed_at',
};

export function anchorColumn(field: string): string {
  const col = (ANCHOR_COLUMNS as Record<string, string>)[field];
  if (!col) throw new StoreError('corrupt', `unknown anchor field ${field}`);
  return col;
}
