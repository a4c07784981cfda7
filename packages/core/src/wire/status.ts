// The node API's JSON about the node itself, its log, its anchors and its
// chain: what GET /api/v1/status, /chain, /anchors, /log/… answer. Declared
// once here; the node builds them, the CLI and the dashboard read them (the
// node also serves the OpenAPI 3.1 description at /openapi.json).
import type { WitnessStatusJson } from './witness.js';
import type { Hex } from 'viem';
import type { Reading } from '../telemetry/payload.js';

export type { Hex };

export interface SignedHeadJson {
  size: number;
  root: Hex;
  timestamp: number;
  signature: Hex;
  signer: Hex;
}

export interface StatusJson {
  node: { address: Hex; store: string };
  chain: {
    chainId: number;
    rpcUrl: string;
    memberRegistry: Hex;
    deviceRegistry: Hex;
    logAnchor: Hex;
    /** The consortium's NodeDirectory (each member node's endpoint, request key, log origin and checkpoint key). */
    nodeDirectory?: Hex;
  };
  log: { size: number; latestSignedHead: SignedHeadJson | null };
  anchor: { size: number; root: Hex; txHash: Hex | null; blockNumber: number | null } | null;
  ingest: Record<string, unknown>;
  anchoring?: {
    outboxDepth: number;
    pending: number;
    sent: number;
    requeued: number;
    lastConfirmed: { size: number; txHash: Hex | null; blockNumber: number | null; at: number | null } | null;
    lastCheck: { at: number; discrepancies: { kind: string; size: number }[] } | null;
    policy: Record<string, number>;
  };
  chainHealth?: ChainHealthJson;
  /** How the dashboard shows times unless a person chose otherwise in it (the node's configuration). */
  display?: DisplayJson;
  /** C2SP witnessing (node tlog/): absent on nodes that do not witness. */
  witness?: WitnessStatusJson;
  [k: string]: unknown;
}

/** A display time zone (IANA) and locale (BCP 47; null: ISO-like dates). UTC and null by default. */
export interface DisplayJson {
  timeZone: string;
  locale: string | null;
}

/** GET /api/v1/status → chainHealth: the chain as the node sees it. */
export interface ChainHealthJson {
  mode: 'embedded' | 'external';
  /** The last poll got an answer. */
  reachable: boolean;
  lastBlock: number | null;
  /** Timestamp of that block, ms. */
  lastBlockAt: number | null;
  /** Seconds since the latest block was made (an idle automining chain makes none). */
  secondsSinceLastBlock: number | null;
  /** When the chain last answered, ms; and the lag since then in seconds. */
  lastAnsweredAt: number | null;
  secondsSinceAnswer: number | null;
  lastError: string | null;
  /** Times the latest block number went backwards. */
  rollbacks: number;
  /** What a refused sender is told to wait (Retry-After). */
  retryAfterSeconds: number;
  /** Set when this node runs the chain (embedded): its process state. */
  process: ChainProcessJson | null;
}

/** The embedded chain's process, when this node runs the chain. */
export interface ChainProcessJson {
  /** This node started the chain and answers for it. */
  owned: true;
  running: boolean;
  /** anvil's pid and the watchdog's (= the chain's process group). */
  pid: number;
  processGroup: number;
  /** Times the chain died under the node and was restarted. */
  restarts: number;
  lastExit: { code: number | null; at: number } | null;
  /** When the next restart attempt is due, while the chain is down. */
  nextRestartAt: number | null;
  lockFile: string;
}

/** GET /api/v1/chain: the chain the node is pinned to (what the verify page checks against). */
export interface PinnedChainJson {
  chainId: number;
  rpcUrl: string;
  memberRegistry: Hex;
  deviceRegistry: Hex;
  logAnchor: Hex;
  logPublisher: Hex;
}

/** GET /api/v1/anchors: one row of the anchoring outbox. */
export interface AnchorJson {
  size: number;
  root: Hex;
  timestamp: number;
  status: 'pending' | 'sent' | 'confirmed' | 'superseded' | 'requeued' | string;
  txHash: Hex | null;
  blockNumber: number | null;
  attempts: number;
  lastError: string | null;
}

/** GET /api/v1/log/leaves/{index} */
export interface LeafJson {
  index: number;
  hash: Hex;
  kind: string;
  receivedAt: number;
  /** The leaf bytes, base64. */
  data: string;
  telemetry?: TelemetryLeafJson;
}

/** A telemetry leaf decoded: what the device signed. */
export interface TelemetryLeafJson {
  deviceId: string;
  seq: number;
  signedAt: number;
  receivedAt: number;
  readings: Reading[];
}

/** GET /api/v1/log/proof/inclusion */
export interface InclusionProofJson {
  index: number;
  treeSize: number;
  root: Hex;
  path: Hex[];
}

/** GET /api/v1/log/proof/consistency */
export interface ConsistencyProofJson {
  from: number;
  to: number;
  fromRoot: Hex;
  toRoot: Hex;
  path: Hex[];
}
