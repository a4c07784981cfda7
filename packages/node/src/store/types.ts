// The node's repository: everything the node persists goes through this
// interface, so the embedded SQLite store and the PostgreSQL store pass the same
// conformance suite (store/conformance.ts). Methods are async because
// PostgreSQL is; the SQLite implementation resolves at once.

/** A record accepted into the log, as written in one append. */
export interface LeafInput {
  /** Canonical leaf bytes (docs/design.md "Log leaf"). */
  data: Uint8Array;
  /** SHA-256(0x00 ‖ data), computed by the log. */
  hash: Uint8Array;
  /** Set for telemetry records: the index the ingest path and the dashboard query. */
  telemetry?: TelemetryIndex;
}

export interface TelemetryIndex {
  deviceId: string;
  seq: number;
  /** Device signing time, ms. */
  signedAt: number;
  /** Earliest and latest reading time in the envelope, ms. */
  firstAt: number;
  lastAt: number;
  readings: number;
  receivedAt: number;
}

export interface StoredLeaf {
  index: number;
  data: Uint8Array;
  hash: Uint8Array;
}

export interface TelemetryRow extends TelemetryIndex {
  index: number;
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

export interface DeviceRecord {
  deviceId: string;
  /** 1 = P-256 (ES256), 2 = Ed25519 (EdDSA) */
  keyType: 1 | 2;
  publicKey: Uint8Array;
  ownerOrg: number;
  metadataHash: string;
  registeredAt: number;
  /** ms; null when not revoked */
  revokedAt: number | null;
}

export interface DeviceState {
  deviceId: string;
  lastSeq: number;
  lastSeenAt: number | null;
  gaps: number;
}

/** A sequence gap noticed at ingest: seq numbers (from, to] never arrived (yet). */
export interface SequenceGap {
  deviceId: string;
  afterSeq: number;
  beforeSeq: number;
  detectedAt: number;
}

export interface AppendBatch {
  leaves: LeafInput[];
  /** Tiles completed by this batch. */
  tiles: TileHash[];
  /** Highest accepted seq per device in this batch. */
  deviceSeqs: Map<string, { seq: number; seenAt: number }>;
  gaps: SequenceGap[];
}

export interface NodeStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Append leaves at the next indices, atomically with tiles and device state; durable on resolve. */
  append(batch: AppendBatch): Promise<{ firstIndex: number }>;
  size(): Promise<number>;
  leaf(index: number): Promise<StoredLeaf | null>;
  /** Leaf hashes for [start, end), in order. */
  leafHashes(start: number, end: number): Promise<Uint8Array[]>;
  /** Leaves for [start, end), in order (audit, replay). */
  leaves(start: number, end: number): Promise<StoredLeaf[]>;
  tiles(): Promise<TileHash[]>;

  saveHead(head: SignedTreeHead): Promise<void>;
  latestHead(): Promise<SignedTreeHead | null>;
  head(size: number): Promise<SignedTreeHead | null>;
  heads(limit?: number): Promise<SignedTreeHead[]>;

  enqueueAnchor(a: { size: number; root: Uint8Array; timestamp: number }): Promise<void>;
  anchors(status?: AnchorStatus): Promise<AnchorRecord[]>;
  updateAnchor(size: number, patch: Partial<Omit<AnchorRecord, 'size' | 'root' | 'timestamp'>>): Promise<void>;
  latestConfirmedAnchor(): Promise<AnchorRecord | null>;

  upsertDevice(d: DeviceRecord): Promise<void>;
  device(deviceId: string): Promise<DeviceRecord | null>;
  devices(): Promise<DeviceRecord[]>;
  deviceStates(): Promise<DeviceState[]>;
  gaps(deviceId?: string): Promise<SequenceGap[]>;

  telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<TelemetryRow[]>;
  telemetryAt(index: number): Promise<TelemetryRow | null>;

  /** Small key/value settings (node identity, chain deployment, cursors). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'conflict' | 'not_found' | 'corrupt' | 'io',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
