// Throughput of the rules evaluator on one core (a script, not a test):
//   npx node --import tsx packages/core/src/rules/rules.bench.ts [readings]
// A reefer logger (temp, rh, lux, door every minute, shocks now and then) and
// a GPS tracker (position every 5 minutes) on a long voyage, with a 95-minute
// excursion every day, evaluated against the S1 rule set. Envelopes of 10
// logger readings are pushed one at a time, as the node would after ingest:
//   in-order  every envelope arrives in time order
//   10% late  one envelope in ten is held back by the device (store-and-
//             forward) for up to 3 days and pushed when it finally arrives
import type { Reading } from '../telemetry/payload.js';
import type { Rule } from './definition.js';
import { createRuleEvaluator } from './evaluator.js';
import { type EvidencedReading, evidencedReadings } from './reading.js';

const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
const TOTAL = Number(argv[2] ?? 1_000_000);
const ROUNDS = 3;
const T0 = 1_764_000_000_000;
const MIN = 60_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Envelope {
  dev: string;
  sentAt: number;
  r: Reading[];
}

function voyage(total: number): Envelope[] {
  const rnd = mulberry32(42);
  const out: Envelope[] = [];
  let buf: Reading[] = [];
  let count = 0;
  for (let m = 0; count < total; m++) {
    const t = T0 + m * MIN;
    const minuteOfDay = m % 1440;
    const excursion = minuteOfDay >= 600 && minuteOfDay < 695;
    buf.push(
      { t, k: 'temp', v: excursion ? 14 : Math.round((4 + rnd() * 2) * 10) / 10 },
      { t, k: 'rh', v: Math.round(55 + rnd() * 10) },
      { t, k: 'lux', v: excursion ? 400 : 0 },
      { t, k: 'door', v: excursion ? 1 : 0 },
    );
    count += 4;
    if (rnd() < 0.01) {
      buf.push({ t, k: 'shock', v: Math.round(rnd() * 80) / 10 });
      count++;
    }
    if (buf.length >= 10) {
      out.push({ dev: 'logger-1', sentAt: t, r: buf });
      buf = [];
    }
    if (m % 5 === 0) {
      const inPort = minuteOfDay >= 540 && minuteOfDay < 780;
      out.push({ dev: 'tracker-1', sentAt: t, r: [{ t, k: 'pos', v: inPort ? [-4.0435, 39.6682] : [-4.3 - m / 1e5, 40.2] }] });
      count++;
    }
  }
  return out;
}

const rules: Rule[] = [
  {
    kind: 'band',
    id: 'cold',
    sensor: 'temp',
    min: 2,
    max: 8,
    toleranceMinutes: 30,
    mode: 'continuous',
    stabilityBudgetMinutes: 4320,
    shelfLifeDays: 180,
  },
  { kind: 'band', id: 'humid', sensor: 'rh', min: 20, max: 80, toleranceMinutes: 60, mode: 'cumulative' },
  { kind: 'threshold', id: 'drop', sensor: 'shock', maxG: 5 },
  {
    kind: 'light',
    id: 'opened',
    luxAbove: 100,
    allowedZones: [{ name: 'Mombasa port', center: [-4.0435, 39.6682], radiusM: 2500 }],
  },
  { kind: 'gap', id: 'silent', maxSilenceMinutes: 30, window: { from: T0, to: T0 + 365 * 1440 * MIN } },
];

/** Arrival order → log leaves → the evaluator's input, one array per push. */
function deliveries(envelopes: Envelope[], lateShare: number): EvidencedReading[][] {
  const rnd = mulberry32(7);
  const arriving = envelopes.map((e) => ({
    e,
    at: e.dev === 'logger-1' && rnd() < lateShare ? e.sentAt + Math.floor(rnd() * 3 * 1440) * MIN : e.sentAt,
  }));
  arriving.sort((a, b) => a.at - b.at);
  return arriving.map((a, leaf) => evidencedReadings({ dev: a.e.dev, seq: leaf + 1, ts: a.e.sentAt, r: a.e.r }, leaf));
}

function measure(name: string, pushes: EvidencedReading[][]): void {
  const n = pushes.reduce((s, p) => s + p.length, 0);
  let best = Infinity;
  let excursions = 0;
  let outMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const ev = createRuleEvaluator({ shipmentId: 'bench', rules, devices: ['logger-1', 'tracker-1'] });
    const start = performance.now();
    for (const p of pushes) ev.push(p);
    const ms = performance.now() - start;
    const outStart = performance.now();
    excursions = ev.excursions().length;
    outMs = performance.now() - outStart;
    best = Math.min(best, ms);
  }
  const rate = Math.round(n / (best / 1000));
  console.log(
    `${name.padEnd(9)} ${n.toLocaleString('en')} readings in ${best.toFixed(0)} ms: ${rate.toLocaleString('en')} readings/s` +
      ` (${excursions} excursions, excursions() ${outMs.toFixed(0)} ms)`,
  );
}

const envelopes = voyage(TOTAL);
console.log(`rules evaluator, ${rules.length} rules, pushes of one envelope, best of ${ROUNDS}`);
measure('in-order', deliveries(envelopes, 0));
measure('10% late', deliveries(envelopes, 0.1));
