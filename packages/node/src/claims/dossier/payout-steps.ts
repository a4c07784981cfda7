// The payout of a parametric policy worked out step by step, from the on-chain
// terms and the minutes outside the band the oracles attested: the same
// arithmetic as ParametricCover.payoutFor (mirrored by contracts' computePayout,
// which this checks itself against), written out so a claims handler can follow
// it. Pure.
import { computePayout, type PayoutTerms } from '@tradetwin/contracts/cover';

export interface PayoutStep {
  /** What is being worked out. */
  label: string;
  /** The working, with the numbers. */
  working: string;
}

export interface PayoutWorking {
  steps: PayoutStep[];
  amount: bigint;
  /** 'none': at or below the tolerance; 'full': from the catastrophic duration; 'per_hour': started hours beyond the tolerance. */
  basis: 'none' | 'full' | 'per_hour';
}

const pct = (bps: bigint) => `${(Number(bps) / 100).toFixed(2)} %`;

export function workOutPayout(t: PayoutTerms, minutesOutside: number, money: (raw: bigint) => string): PayoutWorking {
  const steps: PayoutStep[] = [
    {
      label: 'Minutes outside the band',
      working: `${minutesOutside} min (attested; whole minutes, rounded up)`,
    },
    {
      label: 'Tolerance',
      working: `${t.toleranceMinutes} min: ${minutesOutside} ${minutesOutside > t.toleranceMinutes ? '>' : '<='} ${t.toleranceMinutes}, ${
        minutesOutside > t.toleranceMinutes ? 'the excursion is beyond the tolerance' : 'within the tolerance, nothing is due'
      }`,
    },
  ];
  const expected = computePayout(t, minutesOutside);
  if (minutesOutside <= t.toleranceMinutes) return { steps, amount: check(0n, expected), basis: 'none' };
  if (minutesOutside >= t.catastrophicMinutes) {
    steps.push({
      label: 'Catastrophic duration',
      working: `${minutesOutside} min >= ${t.catastrophicMinutes} min: the whole sum insured is due`,
    });
    steps.push({ label: 'Payout', working: `${money(t.sumInsured)} (sum insured)` });
    return { steps, amount: check(t.sumInsured, expected), basis: 'full' };
  }
  const beyond = minutesOutside - t.toleranceMinutes;
  const hours = BigInt(Math.ceil(beyond / 60));
  const bps = BigInt(t.payoutPerHourBps);
  const raw = (t.sumInsured * bps * hours) / 10_000n;
  const capped = raw < t.sumInsured ? raw : t.sumInsured;
  steps.push(
    {
      label: 'Catastrophic duration',
      working: `${minutesOutside} min < ${t.catastrophicMinutes} min: paid per started hour beyond the tolerance`,
    },
    { label: 'Minutes beyond the tolerance', working: `${minutesOutside} - ${t.toleranceMinutes} = ${beyond} min` },
    { label: 'Started hours', working: `ceil(${beyond} / 60) = ${hours}` },
    {
      label: 'Rate',
      working: `${t.payoutPerHourBps} bps = ${pct(bps)} of the sum insured per started hour; x ${hours} = ${pct(bps * hours)}`,
    },
    {
      label: 'Amount',
      working: `${money(t.sumInsured)} x ${pct(bps * hours)} = ${money(raw)} (rounded down to the token's smallest unit)`,
    },
    {
      label: 'Cap',
      working:
        raw < t.sumInsured
          ? `${money(raw)} < sum insured ${money(t.sumInsured)}: not capped`
          : `capped at the sum insured ${money(t.sumInsured)}`,
    },
    { label: 'Payout', working: money(capped) },
  );
  return { steps, amount: check(capped, expected), basis: 'per_hour' };
}

/** The working must agree with the contract's formula; a disagreement is a bug here, never shown as a result. */
function check(worked: bigint, expected: bigint): bigint {
  if (worked !== expected) throw new Error(`payout working gives ${worked}, computePayout ${expected}`);
  return worked;
}
