// Records an issued dossier in the node's transparency log: one leaf of kind
// 'dossier' holding the manifest hash and the issuer's signature, then a
// signed head covering it and the inclusion proof (the package's log receipt).
// The anchorer publishes a head covering it with the next anchor.
import { bytesToHex, type Hex } from 'viem';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { toBase64 } from '@tradetwin/core/proof/bundle';
import { hashLeaf, type TransparencyLog } from '../../log/transparency-log.js';
import { DOSSIER_LEAF_KIND, type DossierReceipt, type DossierSignature, encodeLeafBody } from './package-format.js';

export async function logDossier(log: TransparencyLog, sig: DossierSignature, at: number): Promise<DossierReceipt> {
  const data = encodeLeaf({
    kind: DOSSIER_LEAF_KIND,
    receivedAt: at,
    body: encodeLeafBody({ manifestSha256: sig.manifestSha256, signer: sig.signer, signature: sig.signature }),
  });
  const { firstIndex } = await log.append([{ data }]);
  const head = await log.signHead();
  const path = await log.inclusionProof(firstIndex, head.size);
  return {
    leaf: { index: firstIndex, data: toBase64(data), hash: bytesToHex(hashLeaf(data)) },
    inclusion: { treeSize: head.size, path: path.map((p) => bytesToHex(p)) },
    treeHead: {
      size: head.size,
      root: bytesToHex(head.root),
      timestamp: head.timestamp,
      signature: bytesToHex(head.signature),
      signer: head.signer as Hex,
    },
  };
}
