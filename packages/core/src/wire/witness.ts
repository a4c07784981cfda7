// GET /api/v1/status → witness: the node's C2SP log identity, its peers' witnessing
// of it (and its of them), and the logs caught equivocating (the dashboard flags them).
export interface WitnessStatusJson {
  origin: string;
  /** signed-note vkey of the node's log key (type 0x01). */
  logVkey: string;
  /** vkey of its witness key (type 0x04). */
  witnessVkey: string;
  /** The node's latest checkpoint with cosignatures collected. */
  cosigned: { size: number; cosignatures: number } | null;
  peers: {
    origin: string;
    orgId: number | null;
    endpoint: string | null;
    /** The size this peer's witness last cosigned of our log. */
    cosignedSize: number | null;
    lastError: string | null;
    /** The size of the peer's log this node last cosigned. */
    witnessedSize: number | null;
  }[];
  /** The peers' witness keys (what `verify --witnesses N` counts without a policy). */
  witnesses: { origin: string; witnessVkey: string }[];
  /** Logs caught equivocating (an equivocation proof is stored), newest first. */
  flagged: { origin: string; kind: string; detectedAt: number; key: string }[];
}
