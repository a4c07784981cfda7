// Verify a proof bundle in this browser: core's verifyBundle, with the chain
// read directly from its JSON-RPC (LogAnchor, DeviceRegistry). Nothing here
// trusts the node beyond having handed over the bundle.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { type BundleReport, verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import { getJson } from '../api/client.js';
import { chainReaders } from '../chain/verify-readers.js';
import type { PinnedChainJson } from '../api/types.js';
import { type Verdict, verdictOf } from './verdict.js';

export interface Verification {
  report: BundleReport;
  verdict: Verdict;
  rpcUrl: string | null;
  ms: number;
}

export function fetchBundle(readingId: string): Promise<ProofBundle> {
  return getJson<ProofBundle>(`/api/v1/readings/${encodeURIComponent(readingId)}/bundle`);
}

/**
 * Where a bundle says it was anchored, against the chain the node pins: a bundle naming another
 * chain id or other contracts is checked against nothing it chose itself. Null when it matches
 * (or names no anchor yet).
 */
export function pinMismatch(bundle: ProofBundle, pinned: PinnedChainJson): string | null {
  const a = bundle.anchor;
  if (!a) return null;
  const same = (x: string, y: string) => x.toLowerCase() === y.toLowerCase();
  if (a.chainId !== pinned.chainId) return `the bundle names chain ${a.chainId}; this node is pinned to chain ${pinned.chainId}`;
  if (!same(a.logAnchor, pinned.logAnchor))
    return `the bundle names LogAnchor ${a.logAnchor}; this node's is ${pinned.logAnchor}`;
  if (!same(a.deviceRegistry, pinned.deviceRegistry))
    return `the bundle names DeviceRegistry ${a.deviceRegistry}; this node's is ${pinned.deviceRegistry}`;
  return null;
}

/**
 * rpcUrl null: the chain checks are skipped (the verdict then says NOT FULLY VERIFIED). `chosen`: the
 * person picked this endpoint instead of the node's chain — whatever it answers, the verdict is never
 * VERIFIED on this node's page; it names the endpoint and says it is not the node's chain.
 */
export async function verifyInBrowser(
  bundle: ProofBundle,
  rpcUrl: string | null,
  pinned?: PinnedChainJson,
  opts: { chosen?: boolean } = {},
): Promise<Verification> {
  const t0 = performance.now();
  const report = await verifyBundle(bundle, rpcUrl ? chainReaders(rpcUrl) : {});
  const mismatch = pinned ? pinMismatch(bundle, pinned) : null;
  let verdict: Verdict = mismatch
    ? { kind: 'not-verified', title: 'NOT VERIFIED', summary: `Not this node's chain: ${mismatch}.`, failed: [], skipped: [] }
    : verdictOf(report);
  if (opts.chosen && rpcUrl) verdict = onChosenEndpoint(verdict, rpcUrl);
  return { report, verdict, rpcUrl, ms: performance.now() - t0 };
}

/** The verdict against an endpoint the person chose: it speaks for that endpoint only, never as this node's VERIFIED. */
export function onChosenEndpoint(v: Verdict, rpcUrl: string): Verdict {
  const where = `against ${rpcUrl}, an endpoint you chose — not this node's chain`;
  if (v.kind === 'verified') {
    return {
      ...v,
      kind: 'other-chain',
      title: "NOT VERIFIED ON THIS NODE'S CHAIN",
      summary: `The checks pass only ${where}. That endpoint decides this result: trust it only as far as you trust whoever runs it.`,
    };
  }
  return { ...v, summary: `${v.summary} (Checked ${where}.)` };
}
