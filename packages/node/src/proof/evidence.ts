// Building an evidence package (format and verifier: core/proof/evidence.ts):
// every leaf holding a device's readings in a time window, each with its
// inclusion proof to one head already anchored on chain. An oracle of another
// organisation re-verifies it from the chain alone and runs the rules itself.
import { bytesToHex, type Hex } from 'viem';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore } from '../storage/types.js';
import { ProofError } from './errors.js';

/** Most leaves in one package: a day of one-minute envelopes with room to spare. */
export const MAX_EVIDENCE_LEAVES = 5000;

export async function buildEvidence(
  q: { deviceId: string; from: number; to: number },
  deps: { store: NodeStore; log: TransparencyLog; publisher: Hex },
): Promise<EvidencePackage> {
  const rows = await deps.store.telemetry({ deviceId: q.deviceId, from: q.from, to: q.to, limit: MAX_EVIDENCE_LEAVES + 1 });
  if (rows.length > MAX_EVIDENCE_LEAVES) {
    throw new ProofError('too_much_evidence', `more than ${MAX_EVIDENCE_LEAVES} envelopes in the window: ask for a shorter one`);
  }
  const anchor = await deps.store.latestConfirmedAnchor();
  const highest = rows.reduce((m, r) => Math.max(m, r.index), -1);
  if (!anchor || anchor.size <= highest) {
    throw new ProofError(
      'not_anchored',
      `the evidence up to leaf ${highest} is not anchored yet (anchored size ${anchor?.size ?? 0}); retry shortly`,
      {
        neededSize: highest + 1,
      },
    );
  }
  const leaves = [];
  for (const row of rows) {
    const leaf = await deps.store.leaf(row.index);
    if (!leaf) throw new ProofError('leaf_missing', `leaf ${row.index} is indexed but missing`);
    const path = await deps.log.inclusionProof(row.index, anchor.size);
    leaves.push({ index: row.index, data: Buffer.from(leaf.data).toString('base64'), path: path.map((p) => bytesToHex(p)) });
  }
  return {
    deviceId: q.deviceId,
    from: q.from,
    to: q.to,
    publisher: deps.publisher,
    head: { size: anchor.size, root: bytesToHex(anchor.root), timestamp: anchor.timestamp, txHash: anchor.txHash },
    leaves,
  };
}
