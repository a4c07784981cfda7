// Parametric cover figures (cold-chain issue): excursion end → payout
// confirmed, rule evaluation throughput, gas per bound policy and per paid
// claim. Uses the same consortium as the tests (test-support/cover-fixture):
// a real node, embedded chain, contracts, 2-of-n oracles re-verifying evidence.
import { createRuleEvaluator, type EvidencedReading } from '@tradetwin/core/rules/index';
import { parametricCoverAbi } from '@tradetwin/contracts/generated/index';
import { parseEventLogs } from 'viem';
import { startCoverFixture } from '../packages/node/src/test-support/cover-fixture.js';
import { roundSummary, type Summary, summarize } from './stats.js';

export interface CoverFigures {
  claims: number;
  excursionToPayoutMs: Summary;
  gasPerBoundPolicy: number;
  gasPerPaidClaim: number;
  rulesReadingsPerSec: number;
}

/** Rule evaluation: the S1 rule set over one device's readings, in order, pushed one envelope (12 readings) at a time. */
export function measureRules(readings = 1_000_000): number {
  const evaluator = createRuleEvaluator({
    shipmentId: 'bench',
    devices: ['reefer-bench'],
    rules: [
      { kind: 'band', id: 'temp-2-8', sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' },
      { kind: 'band', id: 'rh', sensor: 'rh', min: 30, max: 95, toleranceMinutes: 60, mode: 'continuous' },
      { kind: 'threshold', id: 'shock', sensor: 'shock', maxG: 10 },
    ],
  });
  const kinds = ['temp', 'rh', 'shock'] as const;
  const batch: EvidencedReading[][] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0, leaf = 0; i < readings; leaf++) {
    const env: EvidencedReading[] = [];
    for (let j = 0; j < 12 && i < readings; j++, i++) {
      const k = kinds[i % 3]!;
      const minute = Math.floor(i / 3);
      const v = k === 'temp' ? (minute % 2000 < 60 ? 12 : 4 + Math.sin(minute / 50)) : k === 'rh' ? 80 : 0.2;
      env.push({
        t: start + minute * 60_000,
        k,
        v,
        deviceId: 'reefer-bench',
        leafIndex: leaf,
        readingId: `${leaf}:${j}`,
      } as EvidencedReading);
    }
    batch.push(env);
  }
  const t0 = performance.now();
  for (const env of batch) evaluator.push(env);
  evaluator.excursions();
  return Math.round(readings / ((performance.now() - t0) / 1000));
}

export async function runCoverBench(opts: { journeys: number; log?: (line: string) => void }): Promise<CoverFigures> {
  const f = await startCoverFixture();
  try {
    f.enableClaims([f.oracles.carrier, f.oracles.insurer], 2);
    const latencies: number[] = [];
    const claimTxs: `0x${string}`[] = [];
    for (let i = 0; i < opts.journeys; i++) {
      const j = await f.journey({ name: `bench-${i}`, excursionMinutes: 95 });
      const d = await j.deliver();
      for (const o of d.outcomes) {
        if (o.status !== 'paid') throw new Error(`claim ${i} not paid: ${o.detail ?? o.status}`);
        latencies.push(o.latencyMs!);
        claimTxs.push(o.txHash!);
      }
      opts.log?.(`  claim ${i + 1}/${opts.journeys}: ${latencies.at(-1)} ms`);
    }
    const pc = f.node.clients.publicClient;
    const gasOf = async (hash: `0x${string}`) => Number((await pc.getTransactionReceipt({ hash })).gasUsed);
    const claimGas = await Promise.all(claimTxs.map(gasOf));
    const bound = parseEventLogs({
      abi: parametricCoverAbi,
      eventName: 'PolicyBound',
      logs: await pc.getLogs({ address: f.cover, fromBlock: 0n }),
    });
    const bindGas = await Promise.all(bound.map((l) => gasOf(l.transactionHash)));
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
    return {
      claims: latencies.length,
      excursionToPayoutMs: roundSummary(summarize(latencies), 1),
      gasPerBoundPolicy: mean(bindGas),
      gasPerPaidClaim: mean(claimGas),
      rulesReadingsPerSec: measureRules(),
    };
  } finally {
    await f.dispose();
  }
}
