// The verdict a person reads: VERIFIED only when every check ran and passed;
// NOT VERIFIED naming the checks that failed; NOT FULLY VERIFIED when nothing
// failed but the chain could not be asked (a check was skipped).
import type { BundleCheck, BundleReport } from '@tradetwin/core/proof/verify-bundle';

/** other-chain: every check passed, but against a chain endpoint the person chose instead of the node's (verify/run.ts). */
export type VerdictKind = 'verified' | 'not-verified' | 'incomplete' | 'other-chain';

export interface Verdict {
  kind: VerdictKind;
  title: string;
  /** One sentence saying why. */
  summary: string;
  failed: BundleCheck[];
  skipped: BundleCheck[];
}

export const CHECK_LABELS: Record<string, string> = {
  envelope: 'Device signature',
  reading: 'Reading inside the signed envelope',
  leaf: 'Log leaf holds the envelope',
  'leaf-hash': 'Leaf hash',
  inclusion: 'Inclusion in the log (Merkle proof)',
  'tree-head': 'Log head signed by the node',
  anchor: 'Log head anchored on chain',
  device: 'Device registered and not revoked',
};

export function verdictOf(report: BundleReport): Verdict {
  const failed = report.checks.filter((c) => !c.ok && !c.skipped);
  const skipped = report.checks.filter((c) => c.skipped);
  if (failed.length > 0) {
    return {
      kind: 'not-verified',
      title: 'NOT VERIFIED',
      summary: `Failed: ${failed.map((c) => `${CHECK_LABELS[c.name] ?? c.name} (${c.name})`).join(', ')}.`,
      failed,
      skipped,
    };
  }
  if (skipped.length > 0) {
    return {
      kind: 'incomplete',
      title: 'NOT FULLY VERIFIED',
      summary: `Not checked (no chain access): ${skipped.map((c) => c.name).join(', ')}.`,
      failed,
      skipped,
    };
  }
  return {
    kind: 'verified',
    title: 'VERIFIED',
    summary: 'Signed by a registered device, unchanged in the log, and the log head is anchored on chain.',
    failed,
    skipped,
  };
}
