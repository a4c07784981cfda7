// Anchors the node records against the anchors the chain holds. A chain can
// lose recent blocks (the embedded anvil saves its state once a second, so a
// kill of node and chain together rolls it back; an external network can
// reorganise), and then heads the node recorded as confirmed are no longer on
// chain. Pure comparison: the anchorer re-queues what is missing, the audit
// reports it.
import { bytesToHex, type Hex } from 'viem';
import type { AnchorRecord } from '../storage/types.js';

/** One head this node's account anchored, as the chain has it (a HeadPublished event). */
export interface ChainAnchor {
  size: number;
  root: Hex;
  txHash: Hex;
  blockNumber: number;
}

export type AnchorDiscrepancyKind =
  /** The chain has no head of ours at this size. */
  | 'missing'
  /** The chain has a different root at this size: evidence conflicts, nothing to re-publish. */
  | 'root_mismatch'
  /** The root is there, but in another transaction or block than the node recorded. */
  | 'tx_mismatch';

export interface AnchorDiscrepancy {
  kind: AnchorDiscrepancyKind;
  size: number;
  recorded: { root: Hex; txHash: string | null; blockNumber: number | null; status: AnchorRecord['status'] };
  onChain: ChainAnchor | null;
  detail: string;
}

/**
 * The records a chain must hold: every anchor the node ever confirmed — still confirmed, or
 * re-queued (or being re-sent) after the chain lost it. confirmedAt stays set through a re-queue.
 */
export function mustBeOnChain(records: readonly AnchorRecord[]): AnchorRecord[] {
  return records.filter(
    (a) => a.status === 'confirmed' || a.status === 'requeued' || (a.status === 'sent' && a.confirmedAt !== null),
  );
}

/**
 * Compare recorded anchors (confirmed and re-queued) with the chain's heads of
 * this publisher. A record whose txHash is null (confirmed by finding the head
 * already on chain) is checked by root only.
 */
export function compareAnchors(records: readonly AnchorRecord[], onChain: readonly ChainAnchor[]): AnchorDiscrepancy[] {
  const bySize = new Map(onChain.map((h) => [h.size, h]));
  const out: AnchorDiscrepancy[] = [];
  for (const a of mustBeOnChain(records)) {
    const root = bytesToHex(a.root);
    const recorded = { root, txHash: a.txHash, blockNumber: a.blockNumber, status: a.status };
    const chain = bySize.get(a.size) ?? null;
    if (!chain) {
      out.push({
        kind: 'missing',
        size: a.size,
        recorded,
        onChain: null,
        detail:
          a.status !== 'confirmed'
            ? `head at size ${a.size} is missing from the chain; re-queued, not yet re-anchored`
            : `head at size ${a.size}, recorded as confirmed${a.txHash ? ` in tx ${a.txHash} (block ${a.blockNumber})` : ''}, is not on the chain`,
      });
    } else if (chain.root.toLowerCase() !== root.toLowerCase()) {
      out.push({
        kind: 'root_mismatch',
        size: a.size,
        recorded,
        onChain: chain,
        detail: `the chain holds root ${chain.root} at size ${a.size}, the node recorded ${root}`,
      });
    } else if (
      a.status !== 'confirmed' ||
      (a.txHash !== null && (a.txHash.toLowerCase() !== chain.txHash.toLowerCase() || a.blockNumber !== chain.blockNumber))
    ) {
      out.push({
        kind: 'tx_mismatch',
        size: a.size,
        recorded,
        onChain: chain,
        detail: `head at size ${a.size} is on chain in tx ${chain.txHash} (block ${chain.blockNumber}), recorded as ${a.txHash ?? 'none'} (block ${a.blockNumber})`,
      });
    }
  }
  return out;
}
