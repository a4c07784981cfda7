// Command-line options of the benchmark (see README.md in this folder).
//   npm run bench                      default run (≤ ~4 min)
//   npm run bench -- --quick           smoke run (~30 s)
//   npm run bench -- --readings 10000000   big mode: batched ingest of N readings, peak RSS
//   npm run bench -- --json FILE       also write the figures as JSON

export interface PhaseSettings {
  /** Readings per COSE envelope. */
  readingsPerMessage: number;
  /** Messages sent after the warm-up and timed. */
  messages: number;
  /** Messages sent before timing starts (JIT, worker key caches, SQLite pages). */
  warmupMessages: number;
  /** Messages per HTTP request (application/cbor-seq). */
  perRequest: number;
}

export interface BenchOptions {
  mode: 'default' | 'quick' | 'big';
  /** The node's store: SQLite in the data dir, or a fresh PostgreSQL database on the machine's server. */
  store: 'sqlite' | 'postgres';
  json: string | undefined;
  keep: boolean;
  devices: number;
  /** Concurrent HTTP requests (one connection each) from the load generator. */
  connections: number;
  verifyWorkers: number;
  anchor: { everyMs: number; everyLeaves: number };
  single: PhaseSettings | null;
  batched: PhaseSettings | null;
  baseline: { automineReadings: number; intervalReadings: number; window: number } | null;
  proofs: { leaves: number; proofs: number } | null;
  /** Parametric cover: excursion → payout latency over N claims, rule throughput, gas per policy and claim. */
  cover: { journeys: number } | null;
  /** EPCIS event hash IDs per second (CBV 2.0 and 2.1) against SHA-256 of the raw JSON. */
  epcisHash: { events: number } | null;
  /** Location rules (geofence, corridor, stop) fixes/s in order and late, against turf per fix. */
  geo: { fixes: number } | null;
  /** C2SP witnessing between three logs: new head → cosigned by every peer, fork detection. */
  witness: { rounds: number } | null;
  /** The S1 payout across three node processes (consortium demo) over N shipments: p95 after the excursion is recorded. */
  consortium: { shipments: number } | null;
  /** Diagnostics only: PRAGMAs run on the node's SQLite connection after start (e.g. "synchronous=NORMAL"). */
  pragmas: string[];
  /** Diagnostics only: checkpoint the WAL on a separate thread every N ms (with wal_autocheckpoint=0 on the node's connection). */
  bgCheckpointMs: number | undefined;
  /** Write a main-thread CPU profile of each phase's timed part into this folder. */
  cpuProfileDir: string | undefined;
  /** Length of each verification-ceiling run (before and after the single phase); 0 skips it. */
  ceilingMs: number;
  /** Give up waiting for an anchor covering the last ack after this long. */
  anchorWaitMs: number;
}

const USAGE = `usage: npm run bench -- [--quick] [--json FILE] [--readings N] [--anchor-ms MS] [--anchor-leaves N]
       [--devices N] [--connections N] [--verify-workers N] [--single N] [--batched N] [--baseline N] [--baseline-automine N]
       [--proof-leaves N] [--only single,batched,baseline,proofs,cover,epcis,geo,witness,consortium] [--witness-heads N] [--consortium-shipments N] [--epcis-events N] [--geo-fixes N] [--claims N] [--keep] [--pragma "synchronous=NORMAL;…" (diagnostics)]
       [--cpu-profile DIR (main-thread profile of each timed phase)] [--bg-checkpoint MS (diagnostics)] [--ceiling-ms MS]
       [--store sqlite|postgres (postgres: SQLite and then a fresh database on TRADETWIN_TEST_POSTGRES_URL, default the machine's server, side by side)]`;

function int(name: string, v: string | undefined): number {
  if (v === undefined || !/^\d[\d_]*$/.test(v)) throw new Error(`${name} needs a whole number\n${USAGE}`);
  return Number(v.replaceAll('_', ''));
}

export function parseArgs(argv: string[]): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${USAGE}`);
    const [name, inline] = a.split('=', 2) as [string, string | undefined];
    if (['--quick', '--keep'].includes(name)) flags.set(name, true);
    else flags.set(name, inline ?? argv[++i] ?? '');
  }
  const known = [
    '--quick',
    '--keep',
    '--json',
    '--readings',
    '--anchor-ms',
    '--anchor-leaves',
    '--devices',
    '--connections',
    '--verify-workers',
    '--single',
    '--batched',
    '--baseline',
    '--baseline-automine',
    '--proof-leaves',
    '--only',
    '--pragma',
    '--cpu-profile',
    '--bg-checkpoint',
    '--ceiling-ms',
    '--geo-fixes',
    '--witness-heads',
    '--consortium-shipments',
    '--store',
  ];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option ${k}\n${USAGE}`);
  const str = (k: string) => {
    const v = flags.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (k: string) => (flags.has(k) ? int(k, str(k)) : undefined);

  const quick = flags.has('--quick');
  const big = num('--readings');
  const mode: BenchOptions['mode'] = big !== undefined ? 'big' : quick ? 'quick' : 'default';
  const batchedReadings = 60;

  const store = str('--store') ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store is sqlite or postgres, got "${store}"\n${USAGE}`);
  const o: BenchOptions = {
    mode,
    store,
    json: str('--json'),
    keep: flags.has('--keep'),
    devices: num('--devices') ?? (quick ? 20 : 50),
    connections: num('--connections') ?? 4,
    verifyWorkers: num('--verify-workers') ?? 2,
    anchor: { everyMs: num('--anchor-ms') ?? 3000, everyLeaves: num('--anchor-leaves') ?? 100_000 },
    single: {
      readingsPerMessage: 1,
      messages: num('--single') ?? (quick ? 40_000 : 300_000),
      warmupMessages: quick ? 10_000 : 30_000,
      perRequest: 500,
    },
    batched: {
      readingsPerMessage: batchedReadings,
      messages: Math.ceil((num('--batched') ?? (quick ? 600_000 : 4_800_000)) / batchedReadings),
      warmupMessages: quick ? 2_000 : 4_000,
      perRequest: 100,
    },
    baseline: {
      automineReadings: num('--baseline-automine') ?? (quick ? 300 : 1500),
      intervalReadings: num('--baseline') ?? (quick ? 600 : 4000),
      window: 64,
    },
    proofs: { leaves: num('--proof-leaves') ?? (quick ? 100_000 : 1_200_000), proofs: quick ? 2_000 : 10_000 },
    cover: { journeys: num('--claims') ?? (quick ? 5 : 20) },
    consortium: { shipments: num('--consortium-shipments') ?? (quick ? 5 : 10) },
    epcisHash: { events: num('--epcis-events') ?? (quick ? 50_000 : 200_000) },
    geo: { fixes: num('--geo-fixes') ?? (quick ? 200_000 : 1_000_000) },
    witness: { rounds: num('--witness-heads') ?? (quick ? 100 : 300) },
    anchorWaitMs: 30_000,
    ceilingMs: num('--ceiling-ms') ?? (quick ? 2000 : 3000),
    cpuProfileDir: str('--cpu-profile'),
    bgCheckpointMs: num('--bg-checkpoint'),
    pragmas: (str('--pragma') ?? '')
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean),
  };
  if (mode === 'big') {
    // Big mode: only batched ingest of N readings, for throughput at scale and peak RSS.
    o.single = null;
    o.baseline = null;
    o.proofs = null;
    o.cover = null;
    o.epcisHash = null;
    o.geo = null;
    o.witness = null;
    o.consortium = null;
    o.batched = { ...o.batched!, messages: Math.ceil(big! / batchedReadings), warmupMessages: 4_000 };
  }
  const only = str('--only');
  if (only) {
    const keep = new Set(only.split(','));
    for (const p of keep)
      if (!['single', 'batched', 'baseline', 'proofs', 'cover', 'epcis', 'geo', 'witness', 'consortium'].includes(p))
        throw new Error(`--only: unknown phase ${p}`);
    if (!keep.has('single')) o.single = null;
    if (!keep.has('batched')) o.batched = null;
    if (!keep.has('baseline')) o.baseline = null;
    if (!keep.has('proofs')) o.proofs = null;
    if (!keep.has('cover')) o.cover = null;
    if (!keep.has('epcis')) o.epcisHash = null;
    if (!keep.has('geo')) o.geo = null;
    if (!keep.has('witness')) o.witness = null;
    if (!keep.has('consortium')) o.consortium = null;
  }
  if (o.devices < o.connections) throw new Error('--devices must be at least --connections (each connection owns its devices)');
  return o;
}
