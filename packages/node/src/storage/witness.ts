// Witnessing (C2SP tlog-witness): rows only. What may be cosigned, and what is an
// equivocation, is decided in tlog/ (node) and core/tlog.
//
//   witness_logs           per peer log (its checkpoint origin), the latest checkpoint this node
//                          cosigned, as served at <origin hash>/checkpoint (the log's signature and
//                          ours). advance() is a compare-and-set on the size: checking the old size
//                          and storing the new checkpoint happen in one statement (the spec's race).
//   witness_cosigned       this node's own checkpoints with the cosignatures its peers returned
//                          (what proof bundles carry), one per size
//   witness_equivocations  equivocation proofs found (portable JSON), once per pair of checkpoints

export const WITNESS_AREA = 'witness';

/** How many of its own cosigned checkpoints a node keeps (newest sizes). */
export const COSIGNED_KEPT = 64;

export interface WitnessedCheckpoint {
  origin: string;
  size: number;
  /** Signed checkpoint note with this node's cosignature. */
  note: string;
  updatedAt: number;
}

export interface CosignedCheckpoint {
  size: number;
  /** The node's checkpoint note with its own signature and the peers' cosignatures. */
  note: string;
  updatedAt: number;
}

export interface EquivocationRow {
  /** Assigned by the store (ignored when given). */
  n: number;
  /** Identifies the pair of checkpoints (a hash of both notes): one proof per pair. */
  key: string;
  origin: string;
  /** The equivocation proof as JSON text (core/tlog/equivocation.ts). */
  proof: string;
  detectedAt: number;
}

export type AdvanceResult = { ok: true } | { ok: false; size: number };

export interface WitnessStore {
  witnessed(origin: string): Promise<WitnessedCheckpoint | null>;
  allWitnessed(): Promise<WitnessedCheckpoint[]>;
  /**
   * Stores `next` as the origin's latest cosigned checkpoint if the stored size is `oldSize` (0 when
   * none is stored); otherwise leaves it and answers the stored size.
   */
  advance(origin: string, oldSize: number, next: { size: number; note: string }, at: number): Promise<AdvanceResult>;
  /**
   * Stores (or replaces) the node's own cosigned checkpoint of that size, and keeps only the newest
   * COSIGNED_KEPT sizes (the latest covers every earlier leaf; a busy log makes one per 100 ms).
   */
  saveCosigned(c: CosignedCheckpoint): Promise<void>;
  cosigned(size: number): Promise<CosignedCheckpoint | null>;
  /** The largest size stored. */
  latestCosigned(): Promise<CosignedCheckpoint | null>;
  /** Records a proof; false when one for the same key is there already. */
  recordEquivocation(r: Omit<EquivocationRow, 'n'>): Promise<boolean>;
  /** Newest first. */
  equivocations(): Promise<EquivocationRow[]>;
  close(): Promise<void>;
}

/** Rows of the witness area as both drivers return them. */
export const witnessedOf = (r: Record<string, unknown>): WitnessedCheckpoint => ({
  origin: String(r.origin),
  size: Number(r.size),
  note: String(r.note),
  updatedAt: Number(r.updated_at),
});
export const cosignedOf = (r: Record<string, unknown>): CosignedCheckpoint => ({
  size: Number(r.size),
  note: String(r.note),
  updatedAt: Number(r.updated_at),
});
