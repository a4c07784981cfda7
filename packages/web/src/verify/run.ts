// Verify a proof bundle in this browser: core's verifyBundle, with the chain
// read directly from its JSON-RPC (LogAnchor, DeviceRegistry). Nothing here
// trusts the node beyond having handed over the bundle.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { type EventProof, verifyEventProof } from '@tradetwin/core/proof/epcis-event';
import { type BundleReport, verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import { getJson } from '../api/client.js';
import { chainReaders } from '../chain/verify-readers.js';
import type { PinnedChainJson } from '@tradetwin/core/wire/status';
import { EVENT_CHECK_LABELS, EVENT_VERIFIED, type ProofCheck, type Verdict, verdictOf } from './verdict.js';

export interface Verification<R extends { checks: readonly ProofCheck[] } = BundleReport> {
  report: R;
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

export function fetchEventProof(eventID: string): Promise<EventProof> {
  return getJson<EventProof>(`/epcis/events/${encodeURIComponent(eventID)}/proof`);
}

/** Where an event proof says its head was anchored, against the chain the node pins (as pinMismatch for bundles). */
export function eventPinMismatch(proof: EventProof, pinned: PinnedChainJson): string | null {
  const a = proof.anchor;
  if (!a || a.chainId === null || a.logAnchor === null) return null;
  if (a.chainId !== pinned.chainId) return `the proof names chain ${a.chainId}; this node is pinned to chain ${pinned.chainId}`;
  if (a.logAnchor.toLowerCase() !== pinned.logAnchor.toLowerCase())
    return `the proof names LogAnchor ${a.logAnchor}; this node's is ${pinned.logAnchor}`;
  return null;
}

/**
 * Verify an EPCIS event proof in this browser: core's verifyEventProof (the hash ID recomputed from
 * the event, the leaf, the inclusion proof, the signed head) and the anchor read from the chain's
 * JSON-RPC. rpcUrl null: the anchor check is skipped (NOT FULLY VERIFIED).
 */
export async function verifyEventInBrowser(
  proof: EventProof,
  rpcUrl: string | null,
  pinned?: PinnedChainJson,
  opts: { chosen?: boolean } = {},
): Promise<Verification<Awaited<ReturnType<typeof verifyEventProof>>>> {
  const t0 = performance.now();
  const report = await verifyEventProof(proof, rpcUrl ? { readAnchor: chainReaders(rpcUrl).readAnchor } : {});
  const mismatch = pinned ? eventPinMismatch(proof, pinned) : null;
  let verdict: Verdict = mismatch
    ? { kind: 'not-verified', title: 'NOT VERIFIED', summary: `Not this node's chain: ${mismatch}.`, failed: [], skipped: [] }
    : verdictOf(report, EVENT_CHECK_LABELS, EVENT_VERIFIED);
  if (opts.chosen && rpcUrl) verdict = onChosenEndpoint(verdict, rpcUrl);
  return { report, verdict, rpcUrl, ms: performance.now() - t0 };
}
