// A proof bundle: everything a third party needs to check one reading without
// trusting the node that served it. JSON, hex for hashes and keys, base64 for
// opaque bytes. Verified by verifyBundle (./verify-bundle.ts) in the node's
// CLI and in the browser.
import type { Hex } from 'viem';

export const BUNDLE_VERSION = 1;

export interface ProofBundle {
  version: typeof BUNDLE_VERSION;
  /** `<leafIndex>:<position>` */
  readingId: string;
  /** The device envelope exactly as signed (COSE_Sign1), base64. */
  envelope: string;
  device: {
    id: string;
    /** keccak256(utf8(id)), the on-chain key */
    idHash: Hex;
    keyType: 1 | 2;
    publicKey: Hex;
  };
  leaf: {
    index: number;
    /** Canonical leaf bytes, base64 (the envelope is inside). */
    data: string;
    hash: Hex;
  };
  inclusion: { treeSize: number; path: Hex[] };
  treeHead: { size: number; root: Hex; timestamp: number; signature: Hex; signer: Hex };
  /** Where the tree head was anchored; null while it is not yet. */
  anchor: null | {
    chainId: number;
    logAnchor: Hex;
    deviceRegistry: Hex;
    publisher: Hex;
    txHash: Hex | null;
    blockNumber: number | null;
  };
  /**
   * C2SP tlog-proof (c2sp.org/tlog-proof@v1) of the leaf: its inclusion in the node's latest checkpoint
   * with the witnesses' cosignatures (checked by `tradetwin verify --witnesses N | --policy FILE`).
   * Absent from nodes that do not witness, or before a checkpoint covers the leaf.
   */
  tlog?: string;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function parseReadingId(id: string): { leafIndex: number; position: number } | null {
  const m = /^(\d{1,15}):(\d{1,4})$/.exec(id);
  return m ? { leafIndex: Number(m[1]), position: Number(m[2]) } : null;
}
