// TradeTwin performance benchmark: sustained durable ingest (single-reading and
// batched envelopes), ack → anchored latency, gas, a naive one-transaction-
// per-reading baseline, inclusion proofs and peak RSS, in one run against a
// real node (startNode: embedded anvil, SQLite or PostgreSQL, HTTP API, verify workers).
//   npm run bench [-- --quick] [-- --json FILE] [-- --readings 10000000]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from './args.js';
import { runBaseline, type BaselineResult } from './baseline.js';
import { type CeilingRun, ceilingSamples, measureCeiling } from './ceiling.js';
import { buildCorpus, type Corpus, makeDevices, messagesPerDevice } from './corpus.js';
import { runIngestPhase, type PhaseResult } from './ingest.js';
import { machineInfo, peakRssMb, processPeakRssMb } from './machine.js';
import { MemoryMonitor } from './memory.js';
import { registerDevices, startBenchNode } from './node-setup.js';
import { freshPostgresDatabase } from '../packages/node/src/storage/test-support.js';
import { type CoverFigures, runCoverBench } from './cover.js';
import { type ConsortiumFigures, runConsortiumBench } from './consortium.js';
import { type EpcisHashFigures, runEpcisHashBench } from './epcis-hash.js';
import { type LocationFigures, runLocationBench } from '@tradetwin/core/rules/location.bench';
import { runProofs, type ProofResult } from './proofs.js';
import { runWitnessBench, type WitnessFigures } from './witness.js';
import { type ReplicationFigures, runReplicationBench } from './replication.js';
import { buildJson, printReport, type RunFigures } from './report.js';

const DAY = 86_400_000;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tStart = performance.now();
  const durations: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      durations[name] = performance.now() - t;
    }
  };
  const log = (s: string) => console.log(`[${((performance.now() - tStart) / 1000).toFixed(1).padStart(6)} s] ${s}`);
  const dir = mkdtempSync(join(tmpdir(), 'tradetwin-bench-'));
  mkdirSync(join(dir, 'corpus'), { recursive: true });
  const machine = machineInfo();
  log(
    `mode ${opts.mode}; data in ${dir}; ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average ${machine.loadAverage?.join(' ')}`,
  );

  const memory = new MemoryMonitor();
  memory.start();
  const devices = makeDevices(opts.devices);

  // Pre-sign everything before any timing (the devices' job).
  const phases = [opts.single && { name: 'single', s: opts.single }, opts.batched && { name: 'batched', s: opts.batched }].filter(
    (p): p is { name: string; s: NonNullable<typeof opts.single> } => Boolean(p),
  );
  // Reading k of a device in a phase is at t0 + k·step; phases follow each other and end 2 min before now.
  const perDevice = phases.map(
    (p) => Math.max(...messagesPerDevice(opts.devices, opts.connections, p.s)) * p.s.readingsPerMessage,
  );
  const totalPerDevice = perDevice.reduce((a, b) => a + b, 0);
  const stepMs = Math.max(1, Math.min(1000, Math.floor((40 * DAY) / Math.max(1, totalPerDevice))));
  let t0 = Date.now() - 120_000 - totalPerDevice * stepMs;
  let seqBase = devices.map(() => 1);
  const corpora: Record<string, Corpus> = {};
  await timed('corpus', async () => {
    for (const [i, p] of phases.entries()) {
      log(
        `signing the ${p.name} corpus: ${(p.s.messages + p.s.warmupMessages).toLocaleString('en-US')} envelopes of ${p.s.readingsPerMessage} reading(s)…`,
      );
      const c = await buildCorpus({
        name: p.name,
        dir: join(dir, 'corpus'),
        devices,
        connections: opts.connections,
        settings: p.s,
        seqBase,
        t0,
        stepMs,
      });
      corpora[p.name] = c;
      seqBase = c.nextSeq;
      t0 += perDevice[i]! * stepMs;
      log(
        `  ${c.readings.toLocaleString('en-US')} readings, ${(c.bytes / 2 ** 20).toFixed(1)} MiB, signed in ${(c.signWallMs / 1000).toFixed(1)} s ` +
          `(${Math.round(((c.warmupMessages + c.timedMessages) / c.signCpuMs) * 1000).toLocaleString('en-US')} envelopes per CPU-second)`,
      );
    }
  });

  // The ingest phases on one store: a fresh node (its own chain, data dir and database), the same corpus.
  type StoreRun = {
    store: 'sqlite' | 'postgres';
    single: PhaseResult | null;
    batched: PhaseResult | null;
    anvilPeak: number | null;
    registration: { devices: number; ms: number };
  };
  const ingestOn = async (store: 'sqlite' | 'postgres', primary: boolean): Promise<StoreRun> => {
    const run: StoreRun = { store, single: null, batched: null, anvilPeak: null, registration: { devices: 0, ms: 0 } };
    const tag = primary ? '' : `.${store}`;
    memory.set(`node start${tag}`);
    // PostgreSQL: a fresh database on the machine's server, dropped at the end (kept with --keep).
    const database = store === 'postgres' ? await freshPostgresDatabase('tt_bench') : null;
    log(`starting a node (embedded anvil, contracts, ${database ? `PostgreSQL ${database.name}` : 'SQLite'}, HTTP)…`);
    const bn = await timed(`nodeStart${tag}`, () =>
      startBenchNode({
        dir: join(dir, store),
        verifyWorkers: opts.verifyWorkers,
        anchor: opts.anchor,
        pragmas: store === 'sqlite' ? opts.pragmas : [],
        bgCheckpointMs: store === 'sqlite' ? opts.bgCheckpointMs : undefined,
        databaseUrl: database?.url,
      }),
    );
    const { node } = bn;
    try {
      log(`node up at ${node.httpUrl}, chain ${node.rpcUrl} (anvil pid ${bn.anvilPid ?? '?'})`);
      memory.set(`registration${tag}`);
      const regMs = await timed(`registration${tag}`, () => registerDevices(node, devices));
      run.registration = { devices: devices.length, ms: Math.round(regMs) };
      log(`registered ${devices.length} devices through the admin API in ${(regMs / 1000).toFixed(1)} s`);

      let anchored = 0;
      for (const p of phases) {
        const corpus = corpora[p.name]!;
        memory.set(`ingest ${p.name}${tag}`);
        log(
          `ingest ${p.name} on ${store}: ${corpus.timedMessages.toLocaleString('en-US')} timed envelopes (+${corpus.warmupMessages.toLocaleString('en-US')} warm-up), ${p.s.perRequest} per request, ${opts.connections} concurrent requests`,
        );
        // The verification ceiling right before and right after the single phase, on the same corpus: the
        // fraction compares figures from the same minutes of a possibly shared machine.
        const ceiling = async (label: string) => {
          const c = await measureCeiling(label, ceilingSamples(corpus, devices), { durationMs: opts.ceilingMs });
          ceilingRuns.push(c);
          log(
            `  verify ceiling (${label}): ${Math.round(c.verifiesPerSec).toLocaleString('en-US')} ES256 verifications/s on ${c.cores.toFixed(2)} cores, other processes ${c.otherProcessesCores?.toFixed(2) ?? '?'}`,
          );
        };
        const withCeiling = primary && p.name === 'single' && opts.ceilingMs > 0;
        if (withCeiling) await timed('ceilingBefore', () => ceiling('before'));
        const r = await timed(`${p.name}${tag}`, () =>
          runIngestPhase(bn, corpus, {
            anchorWaitMs: opts.anchorWaitMs,
            previousAnchoredSize: anchored,
            log: (line) => log(`  ${line}`),
            cpuProfileDir: opts.cpuProfileDir,
          }),
        );
        anchored = r.anchors.lastSize || anchored;
        log(
          `  ${Math.round(r.readingsPerSec).toLocaleString('en-US')} readings/s (${Math.round(r.readingsPerCpuSecond).toLocaleString('en-US')} per CPU-second), ${Math.round(r.messagesPerSec).toLocaleString('en-US')} msgs/s; ` +
            `ack p50 ${r.ackLatencyMs.p50.toFixed(1)} ms p99 ${r.ackLatencyMs.p99.toFixed(1)} ms; anchored p99 ${r.anchorLatencyMs.p99.toFixed(0)} ms`,
        );
        log(
          `  node: event loop ${(r.eventLoopUtilization * 100).toFixed(0)}% busy; ${r.commits.count} group commits of ${Math.round(r.commits.leavesPerCommit)} leaves, ` +
            `append p50 ${r.commits.appendMs.p50.toFixed(1)} ms p99 ${r.commits.appendMs.p99.toFixed(1)} ms (${(r.commits.appendShareOfWall * 100).toFixed(0)}% of wall); ` +
            `CPU cores: process ${r.cpu.processCores.toFixed(2)} (main ${r.cpu.nodeMainThreadCores.toFixed(2)}, verify+other ${r.cpu.otherThreadsCores.toFixed(2)}, load ${r.cpu.loadGeneratorCores.toFixed(2)}), anvil ${r.cpu.anvilCores?.toFixed(2) ?? '?'}, other processes ${r.cpu.otherProcessesCores?.toFixed(2) ?? '?'}`,
        );
        const rejected = Object.values(r.rejected).reduce((a, b) => a + b, 0);
        if (rejected > 0) log(`  WARNING: ${rejected} messages rejected (${JSON.stringify(r.rejected)}): ${r.rejectedSample}`);
        if (withCeiling) await timed('ceilingAfter', () => ceiling('after'));
        if (p.name === 'single') run.single = r;
        else run.batched = r;
      }
      run.anvilPeak = bn.anvilPid === null ? null : processPeakRssMb(bn.anvilPid);
    } finally {
      memory.set(`node stop${tag}`);
      log('stopping the node…');
      if (bn.stopCheckpointer) log(`  background checkpoints: ${await bn.stopCheckpointer()}`);
      await node.stop();
      if (database && !opts.keep) await database.drop();
      else if (database) log(`PostgreSQL database kept: ${database.name}`);
    }
    return run;
  };

  const ceilingRuns: CeilingRun[] = [];
  // --store postgres: the phases on PostgreSQL, and on SQLite first in the same run, side by side.
  const sideRun = opts.store === 'postgres' && phases.length > 0 ? await ingestOn('sqlite', false) : null;
  const main = await ingestOn(opts.store, true);
  const { single, batched, anvilPeak: anvilPeakPrimary, registration } = main;
  const anvilPeak = anvilPeakPrimary;
  let baseline: BaselineResult | null = null;
  let proofs: ProofResult | null = null;

  if (opts.baseline) {
    memory.set('baseline');
    const b = opts.baseline;
    log(
      `naive baseline: one publishHead transaction per reading, on a separate dev chain (${b.automineReadings} automine, ${b.intervalReadings} with 1 s blocks)…`,
    );
    baseline = await timed('baseline', () =>
      runBaseline({ automineReadings: b.automineReadings, intervalReadings: b.intervalReadings, window: b.window, log }),
    );
    log(
      `  baseline: ${Math.round(baseline.readingsPerSec).toLocaleString('en-US')} readings/s (${baseline.mining}), ${Math.round(baseline.gasPerReading).toLocaleString('en-US')} gas/reading`,
    );
  }

  if (opts.proofs) {
    memory.set('proofs');
    log(`proofs: building a ${opts.proofs.leaves.toLocaleString('en-US')}-leaf log…`);
    proofs = await timed('proofs', () =>
      runProofs({ dir, leaves: opts.proofs!.leaves, proofs: opts.proofs!.proofs, log: (s) => log(`  ${s}`) }),
    );
  }
  let epcisHash: EpcisHashFigures | null = null;
  if (opts.epcisHash) {
    memory.set('epcis');
    log(
      `EPCIS event hash IDs: ${opts.epcisHash.events.toLocaleString('en-US')} events, CBV 2.0 and 2.1, against SHA-256 of the raw JSON…`,
    );
    epcisHash = await timed('epcis', () => runEpcisHashBench({ events: opts.epcisHash!.events, log: (s) => log(s) }));
  }
  let geo: LocationFigures | null = null;
  if (opts.geo) {
    memory.set('geo');
    log(`location rules: ${opts.geo.fixes.toLocaleString('en-US')} fixes of 10 trucks, in order and late, against turf per fix…`);
    const fixes = opts.geo.fixes;
    geo = await timed('geo', async () => runLocationBench({ fixes, log: (s) => log(`  ${s}`) }));
  }
  let cover: CoverFigures | null = null;
  if (opts.cover) {
    memory.set('cover');
    log(`parametric cover: ${opts.cover.journeys} shipments with a 95-minute breach, each claimed on 2-of-n attestations…`);
    cover = await timed('cover', () => runCoverBench({ journeys: opts.cover!.journeys, log: (s) => log(s) }));
    log(
      `  excursion end → payout p50 ${cover.excursionToPayoutMs.p50} ms, p99 ${cover.excursionToPayoutMs.p99} ms; rules ${cover.rulesReadingsPerSec.toLocaleString('en-US')} readings/s; gas ${cover.gasPerBoundPolicy} per bound policy, ${cover.gasPerPaidClaim} per paid claim`,
    );
  }
  let witness: WitnessFigures | null = null;
  if (opts.witness) {
    memory.set('witness');
    log(`witnessing: three logs in this process, ${opts.witness.rounds} new heads, then a pushed and a served fork…`);
    witness = await timed('witness', () => runWitnessBench({ rounds: opts.witness!.rounds, log: (s) => log(s) }));
  }
  let replication: ReplicationFigures | null = null;
  if (opts.replication) {
    memory.set('replication');
    log(
      `replication: two member nodes on one chain, ${opts.replication.readings.toLocaleString('en-US')} readings pulled and verified…`,
    );
    const readings = opts.replication.readings;
    replication = await timed('replication', () => runReplicationBench({ readings, log: (s) => log(s) }));
  }
  let consortium: ConsortiumFigures | null = null;
  if (opts.consortium) {
    memory.set('consortium');
    log(`consortium: S1 across three node processes, ${opts.consortium.shipments} shipments each with its own policy…`);
    consortium = await timed('consortium', () =>
      runConsortiumBench({ shipments: opts.consortium!.shipments, log: (s) => log(s) }),
    );
    log(
      `  ${consortium.paid}/${consortium.shipments} paid; excursion recorded → payout p50 ${consortium.payoutLatencyMs.p50} ms, p95 ${consortium.payoutLatencyMs.p95} ms, max ${consortium.payoutLatencyMs.max} ms; audits ${consortium.auditsOk ? 'OK' : 'FAILED'}; mirrors ${consortium.replicationVerified} leaves verified; ${consortium.witnessCosigned} checkpoints cosigned by every peer`,
    );
  }
  durations.total = performance.now() - tStart;
  memory.stop();

  const figures: RunFigures = {
    opts,
    machine,
    durations,
    corpus: Object.fromEntries(
      Object.values(corpora).map((c) => [
        c.name,
        {
          readings: c.readings,
          envelopes: c.warmupMessages + c.timedMessages,
          mib: Math.round((c.bytes / 2 ** 20) * 10) / 10,
          signWallMs: Math.round(c.signWallMs),
          signCpuMs: Math.round(c.signCpuMs),
        },
      ]),
    ),
    single,
    sideBySide: sideRun ? [sideRun, main].map(({ store, single, batched }) => ({ store, single, batched })) : null,
    verifyCeiling: ceilingRuns.length
      ? {
          verifiesPerSec: ceilingRuns.reduce((n, r) => n + r.verifiesPerSec, 0) / ceilingRuns.length,
          workers: availableParallelism(),
          durationMs: opts.ceilingMs,
          runs: ceilingRuns,
        }
      : null,
    batched,
    baseline,
    proofs,
    cover,
    consortium,
    epcisHash,
    geo,
    witness,
    replication,
    peakRssMb: peakRssMb(),
    anvilPeakRssMb: anvilPeak,
    memory: memory.report(),
    registration,
  };
  const json = buildJson(figures);
  console.log('');
  console.log(printReport(json, figures));
  if (opts.json) {
    const file = resolve(opts.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`\nJSON written to ${file}`);
  }
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`data kept in ${dir}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
