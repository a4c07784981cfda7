// The verdict a person reads: VERIFIED only when every check ran and passed;
// NOT VERIFIED naming the checks that failed; NOT FULLY VERIFIED when nothing
// failed but the chain could not be asked (a check was skipped).

/** One named check of a proof (reading bundle or EPCIS event proof), as core/proof reports it. */
export interface ProofCheck {
  name: string;
  ok: boolean;
  detail: string;
  skipped?: true;
}

/** other-chain: every check passed, but against a chain endpoint the person chose instead of the node's (verify/run.ts). */
export type VerdictKind = 'verified' | 'not-verified' | 'incomplete' | 'other-chain';

export interface Verdict {
  kind: VerdictKind;
  /**
   * Why it is not verified: `forged` — the data does not match its own signatures and proofs (the
   * reading, the envelope, the leaf or the log head was altered or made up); `unconfirmed` — the data
   * is intact but the chain does not confirm it (not anchored, device not registered, another chain).
   */
  reason?: 'forged' | 'unconfirmed';
  title: string;
  /** One sentence saying why. */
  summary: string;
  failed: ProofCheck[];
  skipped: ProofCheck[];
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

/** The checks of an EPCIS event proof (core/proof/epcis-event.ts). */
export const EVENT_CHECK_LABELS: Record<string, string> = {
  leaf: 'Log leaf is an EPCIS event record',
  'leaf-hash': 'Leaf hash',
  event: 'Log leaf holds this event',
  'hash-id': 'Event hash ID recomputed (CBV)',
  inclusion: 'Inclusion in the log (Merkle proof)',
  'tree-head': 'Log head signed by the node',
  anchor: 'Log head anchored on chain',
};

/** Checks that fail only when the data differs from what its device or the log operator signed. */
const FORGERY_CHECKS = new Set(['envelope', 'reading', 'leaf', 'leaf-hash', 'event', 'hash-id', 'inclusion', 'tree-head']);

const READING_VERIFIED = 'Signed by a registered device, unchanged in the log, and the log head is anchored on chain.';
export const EVENT_VERIFIED = 'The event hashes to its ID, is unchanged in the log, and the log head is anchored on chain.';

export function verdictOf(
  report: { checks: readonly ProofCheck[] },
  labels: Record<string, string> = CHECK_LABELS,
  verified = READING_VERIFIED,
): Verdict {
  const failed = report.checks.filter((c) => !c.ok && !c.skipped);
  const skipped = report.checks.filter((c) => c.skipped);
  if (failed.length > 0) {
    const forged = failed.some((c) => FORGERY_CHECKS.has(c.name));
    return {
      kind: 'not-verified',
      reason: forged ? 'forged' : 'unconfirmed',
      title: 'NOT VERIFIED',
      summary: `${forged ? 'Forged or altered: this is not what was signed. ' : ''}Failed: ${failed.map((c) => `${labels[c.name] ?? c.name} (${c.name})`).join(', ')}.`,
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
    summary: verified,
    failed,
    skipped,
  };
}
