// The verified mirror (peer/replicate.ts fills it): records other members
// granted this node, each stored only after its inclusion in the owner's head
// anchored on chain was checked, with that proof, so the node can prove and use
// them while the owner's node is down; beside a "document" leaf, the content it
// commits to (checked before it was stored). Rows only: verification is the puller's.

export interface MirrorLeaf {
  /** The owner organisation. */
  owner: number;
  /** The leaf's index in the owner's log. */
  index: number;
  /** The leaf's canonical bytes (core/proof/leaf.ts). */
  data: Uint8Array;
  kind: string;
  /** The grant scope it came under (a shipment id or a bizTransaction). */
  scope: string;
  /** Telemetry only: the device and its readings' time span (ms). */
  deviceId: string | null;
  firstAt: number | null;
  lastAt: number | null;
  /** The head the inclusion proof leads to (the owner's, anchored). */
  headSize: number;
  path: Uint8Array[];
}

/** The content of a mirrored "document" leaf (checked against the leaf's sha256 and size before it was stored). */
export interface MirrorDocument {
  owner: number;
  /** The document's leaf index in the owner's log. */
  index: number;
  content: Uint8Array;
}

export interface MirrorHead {
  owner: number;
  /** The owner's LogAnchor publisher account. */
  publisher: string;
  size: number;
  root: Uint8Array;
  timestamp: number;
  /** When this node verified it against the chain (ms). */
  verifiedAt: number;
}

export interface MirrorStore {
  /**
   * In one transaction: adds the leaves (a leaf held already gets the new proof), the contents of
   * document leaves (one held already is kept), and records the owner's head unless a larger one is held.
   */
  putVerified(head: MirrorHead, leaves: MirrorLeaf[], documents?: MirrorDocument[]): Promise<void>;
  /** The content of an owner's document leaf (null: not held). */
  documentContent(owner: number, index: number): Promise<Uint8Array | null>;
  /** The largest verified head of an owner. */
  head(owner: number): Promise<MirrorHead | null>;
  /** Every owner's largest verified head, by owner. */
  heads(): Promise<MirrorHead[]>;
  /** Telemetry leaves of a device whose readings meet [from, to], by owner then index. */
  telemetry(q: { deviceId: string; from: number; to: number; owner?: number; limit: number }): Promise<MirrorLeaf[]>;
  /** An owner's leaves (of one scope), by index. */
  leaves(owner: number, scope?: string): Promise<MirrorLeaf[]>;
  /** The leaves of one kind under one scope, of every owner (or one), by owner then index. */
  leavesOf(q: { scope: string; kind: string; owner?: number }): Promise<MirrorLeaf[]>;
  /** Leaves held (of one owner). */
  count(owner?: number): Promise<number>;
  close(): Promise<void>;
}

export const MIRROR_AREA = 'mirror';

/** Proof paths are stored as their 32-byte hashes back to back. */
export function packPath(path: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(path.length * 32);
  path.forEach((p, i) => {
    out.set(p, i * 32);
  });
  return out;
}

export function unpackPath(packed: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 32 <= packed.length; i += 32) out.push(packed.slice(i, i + 32));
  return out;
}
