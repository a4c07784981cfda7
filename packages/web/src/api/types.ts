// The node API's JSON, as the dashboard reads it (the node serves the full
// OpenAPI 3.1 description at /openapi.json). Excursions and rules are the
// rules engine's own types from @tradetwin/core.
import type { Excursion } from '@tradetwin/core/rules/excursion';
import type { Rule } from '@tradetwin/core/rules/definition';

export type Hex = `0x${string}`;
export type { Excursion, Rule };

export interface SignedHeadJson {
  size: number;
  root: Hex;
  timestamp: number;
  signature: Hex;
  signer: Hex;
}

export interface StatusJson {
  node: { address: Hex; store: string };
  chain: { chainId: number; rpcUrl: string; memberRegistry: Hex; deviceRegistry: Hex; logAnchor: Hex };
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
}

/** GET /api/v1/status → chainHealth: the chain as the node sees it. */
export interface ChainHealthJson {
  mode: 'embedded' | 'external';
  reachable: boolean;
  lastBlock: number | null;
  lastBlockAt: number | null;
  secondsSinceLastBlock: number | null;
  lastAnsweredAt: number | null;
  secondsSinceAnswer: number | null;
  lastError: string | null;
  rollbacks: number;
  retryAfterSeconds: number;
  process: { owned: true; running: boolean; pid: number; restarts: number; nextRestartAt: number | null } | null;
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

export interface DeviceJson {
  deviceId: string;
  keyType: 'ES256' | 'EdDSA';
  publicKey: Hex;
  ownerOrg: number;
  registeredAt: number;
  revokedAt: number | null;
  status: 'active' | 'revoked';
  lastSeq: number;
  lastSeenAt: number | null;
  gaps: number;
}

export interface SequenceGapJson {
  afterSeq: number;
  beforeSeq: number;
  [k: string]: unknown;
}

export interface DeviceDetailJson extends DeviceJson {
  sequenceGaps: SequenceGapJson[];
}

export interface PlaceJson {
  name: string;
  unlocode?: string;
  lat: number;
  lon: number;
}

export interface LegJson {
  from: PlaceJson;
  to: PlaceJson;
  mode: 'road' | 'sea' | 'air' | 'rail';
  plannedDeparture: number;
  plannedArrival: number;
}

export interface ShipmentJson {
  id: string;
  goods: { description: string; quantity?: number; unit?: string; gtin?: string };
  parties: { role: string; name: string; account?: Hex }[];
  legs: LegJson[];
  devices: { deviceId: string; from: number; to?: number }[];
  rules: Rule[];
}

export interface LatestReadingJson {
  t: number;
  k: string;
  v: number | [number, number];
  deviceId: string;
  readingId: string;
}

export interface PolicyTermsJson {
  holder?: Hex;
  shipmentId?: Hex;
  premium?: string;
  sumInsured?: string;
  minCentiC?: number;
  maxCentiC?: number;
  toleranceMinutes?: number;
  catastrophicMinutes?: number;
  payoutPerHourBps?: number;
  expiresAt?: string;
  logPublisher?: Hex;
  [k: string]: unknown;
}

export interface PolicyJson {
  policyId: number;
  shipmentId: string;
  cover: Hex;
  terms: PolicyTermsJson;
  state: 'offered' | 'bound' | 'paid' | 'expired' | 'cancelled';
  boundTx?: string;
}

export interface PayoutJson {
  policyId: number;
  excursionId: Hex;
  /** Token base units, decimal string. */
  amount: string;
  txHash: Hex;
  paidAt: number;
  signers: Hex[];
}

export interface ShipmentStateJson {
  shipment: ShipmentJson;
  status: 'planned' | 'in_transit' | 'arrived';
  latest: Record<string, LatestReadingJson>;
  excursions: Excursion[];
  breached: number;
  policies: PolicyJson[];
  payouts: PayoutJson[];
}

export interface ReadingJson {
  id: string;
  seq: number;
  t: number;
  k: string;
  v: number | [number, number];
}
