// The figures: one JSON document (nested keys) and a readable table.
import type { WitnessFigures } from './witness.js';
import type { CoverFigures } from './cover.js';
import type { ConsortiumFigures } from './consortium.js';
import type { EpcisHashFigures } from './epcis-hash.js';
import type { LocationFigures } from '@tradetwin/core/rules/location.bench';
import type { BenchOptions } from './args.js';
import type { BaselineResult } from './baseline.js';
import type { CeilingRun } from './ceiling.js';
import type { PhaseResult } from './ingest.js';
import type { ProofResult } from './proofs.js';
import { fmt, round, roundSummary, summarize, table } from './stats.js';

export interface RunFigures {
  opts: BenchOptions;
  machine: Record<string, unknown>;
  durations: Record<string, number>;
  corpus: Record<string, unknown>;
  single: PhaseResult | null;
  /** Raw ES256 verifications/s on all cores (mean of the runs before and after the single phase). */
  verifyCeiling: { verifiesPerSec: number; workers: number; durationMs: number; runs: CeilingRun[] } | null;
  batched: PhaseResult | null;
  /** --store postgres: the same phases on each driver in this run (SQLite first), for comparison. */
  sideBySide: { store: 'sqlite' | 'postgres'; single: PhaseResult | null; batched: PhaseResult | null }[] | null;
  baseline: BaselineResult | null;
  proofs: ProofResult | null;
  cover: CoverFigures | null;
  consortium: ConsortiumFigures | null;
  epcisHash: EpcisHashFigures | null;
  geo: LocationFigures | null;
  witness: WitnessFigures | null;
  peakRssMb: number;
  anvilPeakRssMb: number | null;
  /** Peak sampled RSS per stage, with the main thread's heap. */
  memory: Record<string, unknown>;
  registration: { devices: number; ms: number };
}

const TARGETS = {
  singleReadingsPerSec: 25_000,
  /** PostgreSQL shares the 2 cores with the node: its own target (issue 12). */
  singleReadingsPerSecPostgres: 12_000,
  fractionOfVerifyCeiling: 0.85,
  batchedReadingsPerSec: 100_000,
  speedup: 100,
  gasPerReading: 1,
  anchorP99Ms: 5_000,
  proofBytes: 1024,
  verifyMicros: 1000,
  peakRssMbAt10M: 1024,
};

function phaseJson(p: PhaseResult) {
  const { anchorLatencySamples: _omit, ...rest } = p;
  return {
    ...rest,
    readingsPerSec: round(p.readingsPerSec),
    messagesPerSec: round(p.messagesPerSec),
    readingsPerCpuSecond: round(p.readingsPerCpuSecond),
    ackLatencyMs: roundSummary(p.ackLatencyMs),
    anchorLatencyMs: roundSummary(p.anchorLatencyMs),
    timed: { ...p.timed, seconds: round(p.timed.seconds) },
    anchors: { ...p.anchors, gasPerHead: round(p.anchors.gasPerHead), gasPerReading: round(p.anchors.gasPerReading) },
    cpu: Object.fromEntries(Object.entries(p.cpu).map(([k, v]) => [k, v === null ? null : round(v)])),
    peakRssMbAfter: round(p.peakRssMbAfter),
    wallMs: Math.round(p.wallMs),
  };
}

const singleTarget = (f: RunFigures) =>
  f.opts.store === 'postgres' ? TARGETS.singleReadingsPerSecPostgres : TARGETS.singleReadingsPerSec;

/** The figures that compare the drivers, per store and phase. */
function sideBySideJson(f: RunFigures) {
  if (!f.sideBySide) return null;
  const row = (p: PhaseResult | null) =>
    p && {
      readingsPerSec: round(p.readingsPerSec),
      readingsPerCpuSecond: round(p.readingsPerCpuSecond),
      ackLatencyMs: roundSummary(p.ackLatencyMs),
      anchorLatencyMs: roundSummary(p.anchorLatencyMs),
    };
  return Object.fromEntries(f.sideBySide.map((r) => [r.store, { single: row(r.single), batched: row(r.batched) }]));
}

/** Verifications per CPU-second of the ceiling threads, over all runs. */
function verifiesPerCpuSecond(runs: CeilingRun[]): number {
  return runs.reduce((n, r) => n + r.verifiesPerSec / r.cores, 0) / runs.length;
}

export function buildJson(f: RunFigures) {
  const phases = [f.single, f.batched].filter((p): p is PhaseResult => p !== null);
  const gas = phases.reduce((n, p) => n + p.anchors.gas, 0);
  const heads = phases.reduce((n, p) => n + p.anchors.heads, 0);
  const readings = phases.reduce((n, p) => n + p.anchors.readings, 0);
  const anchorAll = summarize(phases.flatMap((p) => p.anchorLatencySamples));
  const speedup = f.single && f.baseline ? f.single.readingsPerSec / f.baseline.readingsPerSec : null;
  const targets: { name: string; target: string; value: number | null; met: boolean | null }[] = [
    {
      name: 'ingest.single.readingsPerSec',
      target: `≥ ${singleTarget(f)}`,
      value: f.single?.readingsPerSec ?? null,
      met: null,
    },
    {
      name: 'ingest.batched.readingsPerSec',
      target: `≥ ${TARGETS.batchedReadingsPerSec}`,
      value: f.batched?.readingsPerSec ?? null,
      met: null,
    },
    {
      name: 'ingest.single.fractionOfVerifyCeiling',
      target: `≥ ${TARGETS.fractionOfVerifyCeiling}`,
      value: f.single && f.verifyCeiling ? f.single.readingsPerSec / f.verifyCeiling.verifiesPerSec : null,
      met: null,
    },
    { name: 'speedup', target: `≥ ${TARGETS.speedup}`, value: speedup, met: null },
    { name: 'gasPerReading', target: `≤ ${TARGETS.gasPerReading}`, value: readings ? gas / readings : null, met: null },
    { name: 'anchorLatencyMs.p99', target: `≤ ${TARGETS.anchorP99Ms}`, value: anchorAll.count ? anchorAll.p99 : null, met: null },
    { name: 'proof.inclusionBytes', target: `≤ ${TARGETS.proofBytes}`, value: f.proofs?.inclusionBytes ?? null, met: null },
    { name: 'proof.verifyMicros', target: `< ${TARGETS.verifyMicros}`, value: f.proofs?.verifyMicros ?? null, met: null },
    {
      name: 'peakRssMb',
      target: `≤ ${TARGETS.peakRssMbAt10M} at 10M readings`,
      value: f.peakRssMb,
      met: null,
    },
  ];
  const check: Record<string, (v: number) => boolean> = {
    'ingest.single.readingsPerSec': (v) => v >= singleTarget(f),
    'ingest.batched.readingsPerSec': (v) => v >= TARGETS.batchedReadingsPerSec,
    'ingest.single.fractionOfVerifyCeiling': (v) => v >= TARGETS.fractionOfVerifyCeiling,
    speedup: (v) => v >= TARGETS.speedup,
    gasPerReading: (v) => v <= TARGETS.gasPerReading,
    'anchorLatencyMs.p99': (v) => v <= TARGETS.anchorP99Ms,
    'proof.inclusionBytes': (v) => v <= TARGETS.proofBytes,
    'proof.verifyMicros': (v) => v < TARGETS.verifyMicros,
    peakRssMb: (v) => v <= TARGETS.peakRssMbAt10M,
  };
  for (const t of targets) {
    if (t.value === null) continue;
    // Peak RSS is judged only in the 10M-reading run.
    if (t.name === 'peakRssMb' && !(f.opts.mode === 'big' && (f.batched?.anchors.readings ?? 0) >= 10_000_000)) continue;
    t.met = check[t.name]!(t.value);
    t.value = round(t.value);
  }
  return {
    mode: f.opts.mode,
    store: f.opts.store,
    startedAt: new Date().toISOString(),
    machine: f.machine,
    settings: {
      devices: f.opts.devices,
      connections: f.opts.connections,
      verifyWorkers: f.opts.verifyWorkers,
      keyType: 'P-256 / ES256',
      anchor: f.opts.anchor,
      single: f.opts.single,
      batched: f.opts.batched,
      baseline: f.opts.baseline,
      proofs: f.opts.proofs,
      store:
        f.opts.store === 'postgres'
          ? 'PostgreSQL (pg), synchronous_commit on, on the same machine'
          : 'SQLite (node:sqlite), WAL, synchronous=FULL',
      ...(f.opts.pragmas.length ? { diagnosticPragmas: f.opts.pragmas } : {}),
      ...(f.opts.bgCheckpointMs ? { diagnosticBackgroundCheckpointMs: f.opts.bgCheckpointMs } : {}),
      chain: 'embedded anvil (automine), node-deployed contracts',
    },
    durationsSec: Object.fromEntries(Object.entries(f.durations).map(([k, v]) => [k, round(v / 1000)])),
    corpus: f.corpus,
    registration: f.registration,
    verifyCeiling: f.verifyCeiling
      ? {
          verifiesPerSec: round(f.verifyCeiling.verifiesPerSec),
          workers: f.verifyCeiling.workers,
          durationMs: f.verifyCeiling.durationMs,
          runs: f.verifyCeiling.runs.map((r) => ({
            ...r,
            verifiesPerSec: round(r.verifiesPerSec),
            cores: round(r.cores),
            otherProcessesCores: r.otherProcessesCores === null ? null : round(r.otherProcessesCores),
          })),
        }
      : null,
    ingest: {
      ...(f.single
        ? {
            single: {
              ...phaseJson(f.single),
              fractionOfVerifyCeiling: f.verifyCeiling ? round(f.single.readingsPerSec / f.verifyCeiling.verifiesPerSec) : null,
              // The same per CPU-second each side got: less sensitive to other processes taking cores meanwhile.
              perCpuFractionOfVerifyCeiling: f.verifyCeiling
                ? round(f.single.readingsPerCpuSecond / verifiesPerCpuSecond(f.verifyCeiling.runs))
                : null,
            },
          }
        : {}),
      ...(f.batched ? { batched: phaseJson(f.batched) } : {}),
    },
    sideBySide: sideBySideJson(f),
    baseline: f.baseline
      ? {
          naive: {
            ...f.baseline,
            seconds: round(f.baseline.seconds),
            readingsPerSec: round(f.baseline.readingsPerSec),
            gasPerReading: round(f.baseline.gasPerReading),
            presignMs: Math.round(f.baseline.presignMs),
          },
        }
      : null,
    cover: f.cover,
    consortium: f.consortium,
    epcisHash: f.epcisHash,
    geo: f.geo,
    witness: f.witness,
    speedup: speedup === null ? null : round(speedup),
    gasPerReading: readings ? round(gas / readings) : null,
    gasPerHead: heads ? round(gas / heads) : null,
    gas: {
      anchorGasTotal: gas,
      heads,
      readings,
      byPhase: Object.fromEntries(
        phases.map((p) => [
          p.name,
          { gasPerReading: round(p.anchors.gasPerReading), gasPerHead: round(p.anchors.gasPerHead), heads: p.anchors.heads },
        ]),
      ),
    },
    anchorLatencyMs: roundSummary(anchorAll),
    proof: f.proofs
      ? {
          ...f.proofs,
          inclusionBytesMean: round(f.proofs.inclusionBytesMean),
          verifyMicros: round(f.proofs.verifyMicros),
          generateMicros: round(f.proofs.generateMicros),
          buildSeconds: round(f.proofs.buildSeconds),
        }
      : null,
    peakRssMb: round(f.peakRssMb),
    anvilPeakRssMb: f.anvilPeakRssMb === null ? null : round(f.anvilPeakRssMb),
    memoryByStage: f.memory,
    targets,
  };
}

export function printReport(j: ReturnType<typeof buildJson>, f: RunFigures): string {
  const out: string[] = [];
  const m = f.machine as { cpus: number; cpuModel: string; node: string; openssl: string };
  out.push(`TradeTwin benchmark (${j.mode}, ${j.store} store) — ${m.cpus} × ${m.cpuModel}, Node ${m.node}, OpenSSL ${m.openssl}`);
  out.push(
    `settings: ${f.opts.devices} P-256 devices, ${f.opts.connections} concurrent requests, ${f.opts.verifyWorkers} verify workers, ` +
      `anchor every ${f.opts.anchor.everyMs} ms or ${f.opts.anchor.everyLeaves.toLocaleString('en-US')} leaves`,
  );
  out.push('');
  const rows: string[][] = [['figure', 'value', 'unit', 'target', 'met']];
  const tgt = new Map(j.targets.map((t) => [t.name, t]));
  const mark = (name: string) => {
    const t = tgt.get(name);
    return t ? [t.target, t.met === null ? '—' : t.met ? 'yes' : 'NO'] : ['', ''];
  };
  const phaseRows = (key: 'single' | 'batched', p: PhaseResult) => {
    const label = `ingest.${key}`;
    rows.push([`${label}.readingsPerSec`, fmt(p.readingsPerSec), 'readings/s', ...mark(`${label}.readingsPerSec`)]);
    rows.push([`${label}.messagesPerSec`, fmt(p.messagesPerSec), 'msgs/s', '', '']);
    rows.push([`${label}.readingsPerCpuSecond`, fmt(p.readingsPerCpuSecond), 'readings/CPU-s', '', '']);
    rows.push([`${label}.ackLatencyMs p50 / p99`, `${fmt(p.ackLatencyMs.p50)} / ${fmt(p.ackLatencyMs.p99)}`, 'ms', '', '']);
    rows.push([
      `${label}.anchorLatencyMs p50 / p99`,
      `${fmt(p.anchorLatencyMs.p50)} / ${fmt(p.anchorLatencyMs.p99)}`,
      'ms',
      '',
      '',
    ]);
    rows.push([`${label}.gasPerReading (phase)`, fmt(p.anchors.gasPerReading, 4), 'gas', '', '']);
    rows.push([
      `${label}.timed`,
      `${p.timed.readings.toLocaleString('en-US')} rdg / ${p.timed.messages.toLocaleString('en-US')} msg in ${fmt(p.timed.seconds)} s`,
      '',
      '',
      '',
    ]);
    const rej = Object.entries(p.rejected);
    if (rej.length) rows.push([`${label}.rejected`, rej.map(([k, v]) => `${k}=${v}`).join(' '), '', '', '']);
  };
  if (f.verifyCeiling) {
    const c = f.verifyCeiling;
    rows.push([
      `verifyCeiling.verifiesPerSec (${c.workers} workers)`,
      `${fmt(c.verifiesPerSec)} (${c.runs.map((r) => fmt(r.verifiesPerSec)).join(', ')})`,
      'verifies/s',
      '',
      '',
    ]);
  }
  if (f.single) phaseRows('single', f.single);
  if (f.single && f.verifyCeiling) {
    const frac = f.single.readingsPerSec / f.verifyCeiling.verifiesPerSec;
    rows.push(['ingest.single.fractionOfVerifyCeiling', fmt(frac, 3), '', ...mark('ingest.single.fractionOfVerifyCeiling')]);
    rows.push([
      'ingest.single.perCpuFractionOfVerifyCeiling',
      fmt(f.single.readingsPerCpuSecond / verifiesPerCpuSecond(f.verifyCeiling.runs), 3),
      '',
      '',
      '',
    ]);
  }
  if (f.batched) phaseRows('batched', f.batched);
  for (const side of f.sideBySide ?? [])
    for (const [key, p] of [
      ['single', side.single],
      ['batched', side.batched],
    ] as const)
      if (p)
        rows.push([
          `${side.store}.${key}: readings/s, per CPU-s, ack p99, anchored p99`,
          `${fmt(p.readingsPerSec)}, ${fmt(p.readingsPerCpuSecond)}, ${fmt(p.ackLatencyMs.p99)} ms, ${fmt(p.anchorLatencyMs.p99)} ms`,
          '',
          '',
          '',
        ]);
  if (j.baseline) {
    rows.push(['baseline.naive.readingsPerSec', fmt(j.baseline.naive.readingsPerSec), 'readings/s', '', '']);
    rows.push(['baseline.naive.gasPerReading', fmt(j.baseline.naive.gasPerReading), 'gas', '', '']);
  }
  if (j.speedup !== null) rows.push(['speedup (single / naive)', fmt(j.speedup), '×', ...mark('speedup')]);
  rows.push(['gasPerReading (whole run)', fmt(j.gasPerReading, 4), 'gas', ...mark('gasPerReading')]);
  rows.push(['gasPerHead', fmt(j.gasPerHead), 'gas', '', '']);
  rows.push([
    'anchorLatencyMs p50 / p99',
    `${fmt(j.anchorLatencyMs.p50)} / ${fmt(j.anchorLatencyMs.p99)}`,
    'ms',
    ...mark('anchorLatencyMs.p99'),
  ]);
  if (j.proof) {
    rows.push([
      `proof.inclusionBytes (tree ${j.proof.treeSize.toLocaleString('en-US')})`,
      fmt(j.proof.inclusionBytes),
      'bytes',
      ...mark('proof.inclusionBytes'),
    ]);
    rows.push([`proof.verifyMicros (${j.proof.proofs} proofs)`, fmt(j.proof.verifyMicros), 'µs', ...mark('proof.verifyMicros')]);
    rows.push(['proof.generateMicros', fmt(j.proof.generateMicros), 'µs', '', '']);
  }
  rows.push(['peakRssMb (process, incl. workers)', fmt(j.peakRssMb), 'MB', ...mark('peakRssMb')]);
  if (j.anvilPeakRssMb !== null) rows.push(['anvilPeakRssMb (separate process)', fmt(j.anvilPeakRssMb), 'MB', '', '']);
  if (f.cover) {
    const c = f.cover;
    rows.push([
      'cover: excursion end → payout p50 / p99',
      `${fmt(c.excursionToPayoutMs.p50)} / ${fmt(c.excursionToPayoutMs.p99)}`,
      'ms',
      '≤ 5000 (p95)',
      c.excursionToPayoutMs.p99 <= 5000 ? 'yes' : 'no',
    ]);
    rows.push([
      'cover: rule evaluation',
      fmt(c.rulesReadingsPerSec),
      'readings/s',
      '≥ 100000',
      c.rulesReadingsPerSec >= 100_000 ? 'yes' : 'no',
    ]);
    rows.push([
      'cover: gas per bound policy / paid claim',
      `${fmt(c.gasPerBoundPolicy)} / ${fmt(c.gasPerPaidClaim)}`,
      'gas',
      '',
      '',
    ]);
  }
  if (f.witness) {
    const w = f.witness;
    rows.push([
      'witness: new head → cosigned by every peer p50 / p99',
      `${fmt(w.headToCosignedMs.p50)} / ${fmt(w.headToCosignedMs.p99)}`,
      'ms',
      '≤ 2000 (p99)',
      w.headToCosignedMs.p99 <= 2000 ? 'yes' : 'no',
    ]);
    rows.push([
      `witness: fork detected, pushed / only served (max of 5, poll ${w.pollIntervalMs} ms)`,
      `${fmt(w.forkPushDetectMs)} / ${fmt(w.forkPollDetectMs)}`,
      'ms',
      '≤ 10000',
      Math.max(w.forkPushDetectMs, w.forkPollDetectMs) <= 10_000 ? 'yes' : 'no',
    ]);
  }
  if (f.consortium) {
    const c = f.consortium;
    rows.push([
      `consortium: S1 payout across ${c.orgs} nodes p50 / p95 (${c.paid}/${c.shipments} paid)`,
      `${fmt(c.payoutLatencyMs.p50)} / ${fmt(c.payoutLatencyMs.p95)}`,
      'ms',
      '≤ 5000 (p95)',
      c.payoutLatencyMs.p95 <= 5000 && c.paid === c.shipments ? 'yes' : 'no',
    ]);
  }
  if (f.geo) {
    const g = f.geo;
    rows.push([
      'geo: location rules, in order',
      fmt(g.inOrderFixesPerSec),
      'fixes/s',
      '≥ 500000',
      g.inOrderFixesPerSec >= 500_000 ? 'yes' : 'no',
    ]);
    rows.push([
      'geo: 10 % late ≤ 1 h / ≤ 3 days',
      `${fmt(g.lateHourFixesPerSec)} / ${fmt(g.lateDaysFixesPerSec)}`,
      'fixes/s',
      '',
      g.sameEvents ? 'same events' : 'EVENTS DIFFER',
    ]);
    rows.push(['geo: baseline, turf per fix', fmt(g.baselineFixesPerSec), 'fixes/s', '', '']);
  }
  if (f.epcisHash) {
    const e = f.epcisHash;
    rows.push([
      `epcis: hash IDs CBV 2.0, ${e.workers} threads`,
      fmt(e.cbv20AllCoresEventsPerSec),
      'events/s',
      '≥ 50000',
      e.cbv20AllCoresEventsPerSec >= 50_000 ? 'yes' : 'no',
    ]);
    rows.push([
      'epcis: hash IDs CBV 2.0 / 2.1, one thread',
      `${fmt(e.cbv20EventsPerSec)} / ${fmt(e.cbv21EventsPerSec)}`,
      'events/s',
      '',
      '',
    ]);
    rows.push([
      'epcis: hash IDs CBV 2.0 / 2.1 per CPU-second',
      `${fmt(e.cbv20EventsPerCpuSecond)} / ${fmt(e.cbv21EventsPerCpuSecond)}`,
      'events/s',
      '',
      '',
    ]);
    rows.push(['epcis: baseline SHA-256 of raw JSON', fmt(e.baselineEventsPerSec), 'events/s', '', '']);
  }
  rows.push(['total wall time', fmt(j.durationsSec.total ?? Number.NaN), 's', '', '']);
  out.push(table(rows));

  // Where the time went during each timed phase.
  const phases = [f.single, f.batched].filter((p): p is PhaseResult => p !== null);
  if (phases.length) {
    out.push('');
    out.push(
      'CPU during the timed part (cores of the machine; "other processes" = everything outside this benchmark and its anvil):',
    );
    const cpuRows: string[][] = [
      [
        'phase',
        'process',
        'node main',
        'verify+other threads',
        'load gen',
        'anvil',
        'other processes',
        'event loop busy',
        'commits',
        'leaves/commit',
        'append p50/p99 ms',
      ],
    ];
    for (const p of phases) {
      cpuRows.push([
        p.name,
        fmt(p.cpu.processCores, 2),
        fmt(p.cpu.nodeMainThreadCores, 2),
        fmt(p.cpu.otherThreadsCores, 2),
        fmt(p.cpu.loadGeneratorCores, 2),
        fmt(p.cpu.anvilCores, 2),
        fmt(p.cpu.otherProcessesCores, 2),
        `${Math.round(p.eventLoopUtilization * 100)}%`,
        String(p.commits.count),
        fmt(p.commits.leavesPerCommit),
        `${fmt(p.commits.appendMs.p50)} / ${fmt(p.commits.appendMs.p99)}`,
      ]);
    }
    out.push(table(cpuRows));
  }
  if (f.baseline) {
    out.push('');
    out.push('Naive baseline runs (one LogAnchor.publishHead per reading, separate dev chain):');
    out.push(
      table([
        ['mining', 'transactions', 'seconds', 'readings/s', 'blocks', 'gas/reading'],
        ...f.baseline.runs.map((r) => [
          r.mining,
          String(r.readings),
          fmt(r.seconds),
          fmt(r.readingsPerSec),
          String(r.blocks),
          fmt(r.gasPerReading),
        ]),
      ]),
    );
  }
  return out.join('\n');
}
