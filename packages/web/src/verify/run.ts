// Verify a proof bundle in this browser: core's verifyBundle, with the chain
// read directly from its JSON-RPC (LogAnchor, DeviceRegistry). Nothing here
// trusts the node beyond having handed over the bundle.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { type BundleReport, verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import { getJson } from '../api/client.js';
import { chainReaders } from '../chain/verify-readers.js';
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

/** rpcUrl null: the chain checks are skipped (the verdict then says NOT FULLY VERIFIED). */
export async function verifyInBrowser(bundle: ProofBundle, rpcUrl: string | null): Promise<Verification> {
  const t0 = performance.now();
  const report = await verifyBundle(bundle, rpcUrl ? chainReaders(rpcUrl) : {});
  return { report, verdict: verdictOf(report), rpcUrl, ms: performance.now() - t0 };
}
