// ParametricCover constants and the payout formula, mirrored in TypeScript (isomorphic, no
// imports) so the node, the dashboard and tests compute what the contract pays.

/** ParametricCover.PolicyState (the `state` field of `policy(id)`). */
export const POLICY_STATE = {
  None: 0,
  Offered: 1,
  Bound: 2,
  Paid: 3,
  Expired: 4,
  Cancelled: 5,
} as const;
export type PolicyStateName = keyof typeof POLICY_STATE;

/** ParametricCover.CLAIM_WINDOW: a bound policy can be claimed until expiresAt + 7 days. */
export const CLAIM_WINDOW_SECONDS = 7n * 24n * 3600n;

/** ParametricCover.PolicyTerms, as viem encodes it (seconds, centi-°C, token units). */
export interface PolicyTerms {
  holder: `0x${string}`;
  shipmentId: `0x${string}`;
  premium: bigint;
  sumInsured: bigint;
  minCentiC: number;
  maxCentiC: number;
  toleranceMinutes: number;
  catastrophicMinutes: number;
  payoutPerHourBps: number;
  expiresAt: bigint;
  logPublisher: `0x${string}`;
}

/** The terms the payout depends on. */
export interface PayoutTerms {
  sumInsured: bigint;
  toleranceMinutes: number;
  catastrophicMinutes: number;
  payoutPerHourBps: number;
}

/**
 * What ParametricCover pays for an excursion of `minutesOutside` (ParametricCover.payoutFor):
 * 0 at or below the tolerance; the full sum from `catastrophicMinutes`; else
 * `sumInsured * payoutPerHourBps * ceil((minutesOutside - tolerance) / 60) / 10000`, rounded
 * down and capped at the sum insured.
 */
export function computePayout(t: PayoutTerms, minutesOutside: number): bigint {
  if (minutesOutside <= t.toleranceMinutes) return 0n;
  if (minutesOutside >= t.catastrophicMinutes) return t.sumInsured;
  const startedHours = BigInt(Math.ceil((minutesOutside - t.toleranceMinutes) / 60));
  const amount = (t.sumInsured * BigInt(t.payoutPerHourBps) * startedHours) / 10_000n;
  return amount < t.sumInsured ? amount : t.sumInsured;
}
