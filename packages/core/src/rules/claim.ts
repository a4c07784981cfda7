// From an excursion to the numbers of the EIP-712 ExcursionAttestation
// (docs/design.md "Parametric cover"): seconds on chain, whole minutes
// (uint32), centi-degrees (int32). Minutes round UP so that for the integer
// tolerance of a policy `claim.minutesOutside > toleranceMinutes` holds exactly
// when the excursion is breached: the contract and the engine never disagree.
import type { BandExcursion } from './excursion.js';
import { RuleError } from './error.js';

export interface ClaimFields {
  /** Seconds since epoch (floor). */
  startedAt: number;
  /** Seconds since epoch (floor) of the closing reading, or of the last reading while open. */
  endedAt: number;
  minutesOutside: number;
  /** Peak in hundredths of the sensor unit (°C for temp), rounded half away from zero. */
  peakCentiC: number;
}

export function claimFields(x: BandExcursion): ClaimFields {
  const peakCentiC = Math.sign(x.peak) * Math.round(Math.abs(x.peak) * 100);
  if (peakCentiC < -(2 ** 31) || peakCentiC >= 2 ** 31) throw new RuleError('peak', `${x.peak} does not fit int32 centi-units`);
  // Float noise (e.g. 95.00000000001) must not add a minute: round to the ms first.
  const minutesOutside = Math.ceil(Math.round(x.minutesOutside * 60_000) / 60_000);
  return {
    startedAt: Math.floor(x.startedAt / 1000),
    endedAt: Math.floor(x.lastObservedAt / 1000),
    minutesOutside,
    peakCentiC: peakCentiC === 0 ? 0 : peakCentiC,
  };
}
