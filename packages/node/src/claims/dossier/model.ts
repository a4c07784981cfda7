// What a claim dossier states, as plain data: gathered from the node, its log
// and the chain (gather.ts), then rendered (report-pdf.ts, readings-csv.ts) and
// packaged (package.ts). Amounts stay bigint token units here; they are shown
// with the token's symbol and decimals.
import type { Hex } from 'viem';
import type { PolicyTerms } from '@tradetwin/contracts/cover';
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import type { BundleReport } from '@tradetwin/core/proof/verify-bundle';
import type { BandExcursion, LightExcursion, ThresholdExcursion } from '@tradetwin/core/rules/index';
import type { ShipmentDefinition } from '../../shipments/definition.js';

/** A member organisation as MemberRegistry names it (orgId 0: the account belongs to no member). */
export interface Organisation {
  orgId: number;
  name: string;
  account?: Hex;
}

export interface TokenInfo {
  address: Hex;
  symbol: string;
  decimals: number;
}

/** A transaction the claim rests on, with a block-explorer link when one is configured. */
export interface TransactionRef {
  what: string;
  hash: Hex;
  blockNumber: number | null;
  /** Block time, ms. */
  at: number | null;
  url: string | null;
}

export interface DossierReading {
  /** `<leafIndex>:<position>`: the id `tradetwin verify` and the proof bundles use. */
  id: string;
  deviceId: string;
  seq: number;
  /** ms since epoch */
  t: number;
  kind: string;
  value: number | [number, number];
}

/** The limit the excursion's rule sets, in the sensor's unit. */
export interface Limit {
  sensor: string;
  unit: string;
  min?: number;
  max?: number;
}

export interface KeyReading {
  role: 'first' | 'peak' | 'last';
  reading: DossierReading;
  /** Signed distance outside the limit (> 0 outside, <= 0 inside), in the sensor's unit. */
  outsideBy: number;
}

/** Excursions with readings outside a limit (a silence has none). */
export type ClaimableExcursion = BandExcursion | ThresholdExcursion | LightExcursion;

export interface PolicyFacts {
  policyId: number;
  cover: Hex;
  state: string;
  terms: PolicyTerms;
  insurer: Organisation | null;
  holder: Organisation;
  token: TokenInfo;
  /** ms; null until bound */
  boundAt: number | null;
}

/** The attestation the contract accepted, decoded from the claim transaction's input. */
export interface AttestedClaim {
  excursionId: Hex;
  startedAt: number;
  endedAt: number;
  minutesOutside: number;
  peakCentiC: number;
  logPublisher: Hex;
  logSize: number;
  logRoot: Hex;
}

export interface PayoutFacts {
  amount: bigint;
  txHash: Hex;
  paidAt: number;
  attestation: AttestedClaim;
  /** What the contract's own payoutFor(policyId, minutesOutside) returns now. */
  contractPayoutFor: bigint | null;
  /** The organisations whose oracles' signatures the contract counted (ClaimPaid orgBitmap). */
  attestedBy: Organisation[];
}

export interface BundleFacts {
  /** Path in the package, e.g. bundles/reading-812-3.json */
  file: string;
  readingId: string;
  bundle: ProofBundle;
  /** Verified against the chain when the dossier was built. */
  report: BundleReport;
}

export type AuditFacts =
  | {
      ran: true;
      ok: boolean;
      size: number;
      /** Leaves recomputed (hashes, tiles, heads). */
      leavesChecked: number;
      /** Leaves whose device envelope and index row were re-checked too: those holding the dossier's readings. */
      contentChecked: number;
      anchoredHeads: number;
      firstBad: string | null;
    }
  | { ran: false; reason: string };

export interface DossierFacts {
  generatedAt: number;
  issuer: { address: Hex; org: Organisation | null };
  chain: { chainId: number; memberRegistry: Hex; logAnchor: Hex; deviceRegistry: Hex };
  shipment: ShipmentDefinition;
  subject: { kind: 'policy'; policyId: number } | { kind: 'excursion'; excursionId: Hex };
  excursion: ClaimableExcursion;
  limit: Limit;
  keyReadings: KeyReading[];
  policy: PolicyFacts | null;
  payout: PayoutFacts | null;
  transactions: TransactionRef[];
  /** The raw readings of the shipment's devices around the excursion (the CSV). */
  readings: DossierReading[];
  readingsWindow: { from: number; to: number };
  bundles: BundleFacts[];
  audit: AuditFacts;
}
