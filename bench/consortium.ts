// The S1 payout across a consortium's node processes (issue 13: p95 ≤ 5 s
// after the excursion is recorded): `consortium demo` with N shipments on the
// same journey, each with its own devices and policy; the carrier's node
// ingests and settles, the shipper's and the insurer's oracles attest from
// their own processes from their verified mirrors of the granted shipments
// (signed requests, NodeDirectory). Latency per payout: from the acknowledgement
// of the upload that recorded the excursion's closing reading to the payout
// being visible on the carrier's node.
import { runConsortiumDemo } from '../packages/node/src/consortium/demo.js';
import { percentile } from './stats.js';

export interface ConsortiumFigures {
  orgs: number;
  shipments: number;
  paid: number;
  payoutLatencyMs: { p50: number; p95: number; max: number };
  auditsOk: boolean;
  /** Leaves the partners verified into their mirrors (granted by the carrier's node). */
  replicationVerified: number;
  /** Nodes whose checkpoint every other node cosigned. */
  witnessCosigned: number | null;
  wallSeconds: number;
}

export async function runConsortiumBench(opts: { shipments: number; log: (s: string) => void }): Promise<ConsortiumFigures> {
  const t0 = performance.now();
  const r = await runConsortiumDemo({ orgs: 3, shipments: opts.shipments, log: (s) => opts.log(`  ${s}`) });
  const lat = r.payouts
    .map((p) => p.latencyMs)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  return {
    orgs: r.nodes.length,
    shipments: opts.shipments,
    paid: r.payouts.length,
    payoutLatencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat.at(-1) ?? Number.NaN },
    auditsOk: r.nodes.every((n) => n.audit.ok),
    replicationVerified: r.replication.verified,
    witnessCosigned: r.witness.cosigned,
    wallSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}
