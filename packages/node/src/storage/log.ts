// Log storage (Tessera/Trillian style): leaves, completed tiles and signed tree
// heads. It knows nothing of what a leaf means — telemetry, EPCIS — its users
// index the leaves as followers of the log (cursor + catch-up).

/** A record accepted into the log, as written in one append. */
export interface LeafInput {
  /** Canonical leaf bytes (docs/design.md "Log leaf"). */
  data: Uint8Array;
  /** SHA-256(0x00 ‖ data), computed by the log. */
  hash: Uint8Array;
}

export interface StoredLeaf {
  index: number;
  data: Uint8Array;
  hash: Uint8Array;
}

/** A completed 256-leaf tile: the hash of the perfect subtree [index*256, (index+1)*256). */
export interface TileHash {
  index: number;
  hash: Uint8Array;
}

export interface SignedTreeHead {
  size: number;
  root: Uint8Array;
  timestamp: number;
  /** 65-byte secp256k1 signature (r‖s‖v) by the node's account over the head digest. */
  signature: Uint8Array;
  signer: string;
}

export interface LogStorage {
  /**
   * Append leaves at the next indices, atomically with the tiles they complete; durable when it
   * resolves (committed). Concurrent calls are serialised: each gets contiguous, distinct indices.
   */
  append(leaves: LeafInput[], tiles: TileHash[]): Promise<{ firstIndex: number }>;
  size(): Promise<number>;
  leaf(index: number): Promise<StoredLeaf | null>;
  /** Leaf hashes for [start, end), in order; StoreError 'corrupt' when one is missing. */
  leafHashes(start: number, end: number): Promise<Uint8Array[]>;
  /** Leaves for [start, end), in order (audit, followers). */
  leaves(start: number, end: number): Promise<StoredLeaf[]>;
  tiles(): Promise<TileHash[]>;

  /** Store a signed head; a head for a size already stored is kept as it was. */
  saveHead(head: SignedTreeHead): Promise<void>;
  latestHead(): Promise<SignedTreeHead | null>;
  head(size: number): Promise<SignedTreeHead | null>;
  /** The newest `limit` heads (default 1000), newest first. */
  heads(limit?: number): Promise<SignedTreeHead[]>;
}
