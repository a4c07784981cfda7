// Signed tree heads. The digest is what a node signs (EIP-191 personal_sign
// over these 32 bytes) and what a verifier recovers the node's account from;
// that account is the one that publishes the same head to LogAnchor.
import { encodePacked, keccak256, recoverMessageAddress, type Hex, bytesToHex } from 'viem';

export const STH_DOMAIN = 'TradeTwin/STH/v1';

export interface TreeHead {
  size: number;
  /** 32-byte root, 0x-hex */
  root: Hex;
  /** ms since epoch */
  timestamp: number;
}

export function treeHeadDigest(h: TreeHead): Hex {
  return keccak256(
    encodePacked(['string', 'uint64', 'bytes32', 'uint64'], [STH_DOMAIN, BigInt(h.size), h.root, BigInt(h.timestamp)]),
  );
}

/** The account that signed this head (compare with the LogAnchor publisher). */
export async function recoverTreeHeadSigner(h: TreeHead, signature: Hex | Uint8Array): Promise<Hex> {
  const sig = typeof signature === 'string' ? signature : bytesToHex(signature);
  return recoverMessageAddress({ message: { raw: treeHeadDigest(h) }, signature: sig });
}
