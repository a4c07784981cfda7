// Building the proof that a captured EPCIS event is in the node's transparency log: the
// event's leaf, an RFC 9162 inclusion proof to a signed tree head, and where
// that head was anchored on chain. The head is the newest one confirmed on
// chain that covers the leaf; before any such anchor, the newest signed head
// (anchor: null, "not yet anchored"), signed on the spot if none covers it.
// The format and its verifier live in core (core/proof/epcis-event.ts).
import { bytesToHex, type Hex } from 'viem';
import { toBase64 } from '@tradetwin/core/proof/bundle';
import { EVENT_PROOF_VERSION, type EventProof, type SignedTreeHeadJson } from '@tradetwin/core/proof/epcis-event';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore, SignedTreeHead } from '../storage/types.js';
import { ProofError } from '../proof/errors.js';
import type { EpcisRepository } from './repository.js';
import { isoTime } from './time.js';

export interface ChainRef {
  chainId: number;
  logAnchor: Hex;
}

export interface ProofDeps {
  repo: EpcisRepository;
  store: NodeStore;
  log: TransparencyLog;
  chain?: ChainRef;
}

/** The newest anchored head covering `maxLeaf` (else the newest signed head, signing one if needed). */
export async function coveringHead(
  store: NodeStore,
  log: TransparencyLog,
  maxLeaf: number,
): Promise<{ head: SignedTreeHead; anchor: { txHash: string | null; blockNumber: number | null } | null }> {
  const confirmed = await store.latestConfirmedAnchor();
  if (confirmed && confirmed.size > maxLeaf) {
    const head = await store.head(confirmed.size);
    if (head) return { head, anchor: confirmed };
  }
  let head = await store.latestHead();
  if (!head || head.size <= maxLeaf) head = await log.signHead();
  return { head, anchor: null };
}

function headJson(h: SignedTreeHead): SignedTreeHeadJson {
  return {
    size: h.size,
    root: bytesToHex(h.root),
    timestamp: h.timestamp,
    signature: bytesToHex(h.signature),
    signer: h.signer as Hex,
  };
}

/** Proofs for several events (a trace's evidence) against one head. */
export async function buildEventProofs(leafIndexes: readonly number[], deps: ProofDeps): Promise<EventProof[]> {
  if (leafIndexes.length === 0) return [];
  const { repo, store, log } = deps;
  const { head, anchor } = await coveringHead(store, log, Math.max(...leafIndexes));
  const out: EventProof[] = [];
  for (const index of leafIndexes) {
    const e = await repo.byLeaf(index);
    const leaf = index < log.size ? await store.leaf(index) : null;
    if (!e || !leaf) throw new ProofError('no_such_event', `no EPCIS event at leaf ${index}`);
    const path = await log.inclusionProof(index, head.size);
    out.push({
      version: EVENT_PROOF_VERSION,
      eventID: e.eventId,
      eventHashId: e.hashId,
      event: JSON.parse(e.json) as Record<string, unknown>,
      recordTime: isoTime(e.recordTime),
      declaredBy: e.declaredBy,
      isDeclaration: e.isDeclaration,
      leaf: { index, data: toBase64(leaf.data), hash: bytesToHex(leaf.hash) },
      inclusion: { treeSize: head.size, path: path.map((p) => bytesToHex(p)) },
      treeHead: headJson(head),
      anchor: anchor
        ? {
            chainId: deps.chain?.chainId ?? null,
            logAnchor: deps.chain?.logAnchor ?? null,
            publisher: head.signer as Hex,
            txHash: anchor.txHash as Hex | null,
            blockNumber: anchor.blockNumber,
          }
        : null,
    });
  }
  return out;
}
