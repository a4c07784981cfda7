// EPCIS repository at scale (a script, not a test):
//   npx node --import tsx packages/node/src/epcis/epcis.bench.ts [events=1000000] [dataDir]
//     [--store sqlite|postgres] [--database-url postgres://…]
// --store postgres puts the EPCIS index on PostgreSQL (the URL given, else a fresh database on
// the machine's server, dropped afterwards unless a dataDir is kept); the log stays on SQLite here.
// Loads a synthetic supply chain — farms → raw lots → paste (transformation) →
// ketchup lots and bottles (transformation) → pallets (aggregation) → shipments
// (transaction, reusable trucks, sensor reports) → retailers (receiving, unpacking,
// sales) — through the real capture path (core validation, CBV hash IDs, one log
// leaf per event, index) into a node store + transparency log on disk, then measures:
//   capture   events/s through the capture path on top of the loaded store (target ≥ 5,000/s)
//   query     p50/p95 of a mix of SimpleEventQuery requests through the REST routes (target p95 ≤ 50 ms)
//   trace     p50/p95 of forward traces from paste lots and backward traces from sold bottles (target p95 ≤ 100 ms)
// With a dataDir that already holds a loaded store, the load is skipped (re-measure without reloading).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Hono } from 'hono';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { sqliteNodeStore } from '../storage/test-support.js';
import { EpcisCapture } from './capture.js';
import type { EpcisIndexStore } from '../storage/epcis.js';
import { PgDatabase, redactUrl } from '../storage/postgres/database.js';
import { PostgresEpcisIndex } from '../storage/postgres/epcis.js';
import { SqliteEpcisIndex } from '../storage/sqlite/epcis.js';
import { freshPostgresDatabase } from '../storage/test-support.js';
import { openEpcisRepository } from './repository.js';
import { epcisRoutes } from './routes.js';
import { trace } from './trace.js';
import { coreValidator } from './validator.js';

type Json = Record<string, unknown>;

const ARGS = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = ARGS.indexOf(name);
  return i >= 0 ? ARGS.splice(i, 2)[1] : undefined;
};
const STORE = flag('--store') ?? 'sqlite';
const DATABASE_URL = flag('--database-url') ?? process.env.TRADETWIN_DATABASE_URL;
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error(`--store takes sqlite or postgres, not ${STORE}`);
const TOTAL = Number(ARGS[0] ?? 1_000_000);
const DIR = ARGS[1] ?? mkdtempSync(join(tmpdir(), 'tt-epcis-bench-'));
const KEEP = ARGS[1] !== undefined;
const DOC_EVENTS = 5_000;
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];

// ------------------------------------------------------------ the chain

let rnd = 0x2545f491;
const rand = () => {
  rnd ^= rnd << 13;
  rnd ^= rnd >>> 17;
  rnd ^= rnd << 5;
  return (rnd >>> 0) / 0x100000000;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
const pad = (n: number, w: number) => String(n).padStart(w, '0');

const FARMS = Array.from({ length: 200 }, (_, i) => ({
  gln: `urn:epc:id:sgln:0614141.${pad(i + 1, 5)}.0`,
  party: `urn:epc:id:pgln:0614141.${pad(i + 1, 5)}`,
}));
const PLANTS = Array.from({ length: 5 }, (_, i) => ({
  gln: `urn:epc:id:sgln:4012345.${pad(100 + i, 5)}.0`,
  party: `urn:epc:id:pgln:4012345.${pad(100 + i, 5)}`,
}));
const FACTORY = { gln: 'urn:epc:id:sgln:4012345.00200.0', party: 'urn:epc:id:pgln:4012345.00200' };
const RETAILERS = Array.from({ length: 100 }, (_, i) => ({
  dc: `urn:epc:id:sgln:5${pad(i, 6)}.00001.0`,
  shop: `urn:epc:id:sgln:5${pad(i, 6)}.00002.0`,
  party: `urn:epc:id:pgln:5${pad(i, 6)}.00000`,
}));
const TRUCKS = Array.from({ length: 50 }, (_, i) => `urn:epc:id:giai:4012345.TRUCK${i}`);
const rawLot = (i: number) => `urn:epc:class:lgtin:0614141.000010.R${i}`;
const pasteLot = (i: number) => `urn:epc:class:lgtin:4012345.000020.P${i}`;
const saltLot = (i: number) => `urn:epc:class:lgtin:4000001.000030.S${i}`;
const productLot = (i: number) => `urn:epc:class:lgtin:4012345.000040.K${i}`;
const bottle = (lot: number, s: number) => `urn:epc:id:sgtin:4012345.000040.K${lot}-${s}`;
const pallet = (i: number) => `urn:epc:id:sscc:4012345.${pad(i, 10)}`;
const desadv = (i: number) => `urn:epcglobal:cbv:bt:4012345000009:DESADV-${i}`;

const ITEMS_PER_LOT = 24;
const SOLD_PER_PALLET = 6;
const T0 = Date.UTC(2024, 0, 1);

interface Samples {
  items: string[];
  sold: string[];
  pallets: string[];
  productLots: string[];
  pasteLots: string[];
  rawLots: string[];
  desadvs: string[];
}

/** Events in hourly waves of 16 product lots (203 events each), times increasing. */
function* supplyChain(samples: Samples, tag = 'b0000000'): Generator<Json> {
  let seq = 0;
  let raw = 0;
  let paste = 0;
  let product = 0;
  let shipment = 0;
  let wave = 0;
  const q = (epcClass: string, quantity: number, uom = 'KGM') => ({ epcClass, quantity, uom });
  const place = (rp: string) => ({ readPoint: { id: rp }, bizLocation: { id: rp } });
  for (;;) {
    const base = T0 + wave * 3600_000;
    const at = (minutes: number) => ({
      eventTime: new Date(base + minutes * 60_000).toISOString(),
      eventTimeZoneOffset: '+00:00',
    });
    const ev = (e: Json): Json => ({ eventID: `urn:uuid:${tag}-0000-4000-8000-${pad(++seq, 12)}`, ...e });
    // 8 raw lots from random farms → 2 paste lots (4 each) → 16 product lots (2 paste + salt each)
    const plant = pick(PLANTS);
    const raws: string[] = [];
    for (let r = 0; r < 8; r++) {
      const farm = pick(FARMS);
      const lot = rawLot(raw++);
      raws.push(lot);
      yield ev({
        type: 'ObjectEvent',
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        ...at(r),
        quantityList: [q(lot, 2000)],
        ...place(farm.gln),
      });
      yield ev({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        ...at(10 + r),
        quantityList: [q(lot, 2000)],
        ...place(farm.gln),
        sourceList: [{ type: 'owning_party', source: farm.party }],
        destinationList: [{ type: 'owning_party', destination: plant.party }],
      });
    }
    yield ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      ...at(20),
      quantityList: raws.map((l) => q(l, 2000)),
      ...place(plant.gln),
    });
    const pastes = [pasteLot(paste++), pasteLot(paste++)];
    for (let p = 0; p < 2; p++) {
      yield ev({
        type: 'TransformationEvent',
        bizStep: 'commissioning',
        ...at(21 + p),
        inputQuantityList: raws.slice(p * 4, p * 4 + 4).map((l) => q(l, 2000)),
        outputQuantityList: [q(pastes[p]!, 3600)],
        ...place(plant.gln),
      });
    }
    const salt = saltLot(wave);
    const lots: number[] = [];
    for (let k = 0; k < 16; k++) {
      const lot = product++;
      lots.push(lot);
      const items = Array.from({ length: ITEMS_PER_LOT }, (_, s) => bottle(lot, s));
      yield ev({
        type: 'TransformationEvent',
        bizStep: 'commissioning',
        ...at(25 + k),
        inputQuantityList: [q(pastes[k % 2]!, 200), q(pastes[(k + 1) % 2]!, 100), q(salt, 5)],
        outputEPCList: items,
        outputQuantityList: [q(productLot(lot), ITEMS_PER_LOT, 'EA')],
        ...place(FACTORY.gln),
      });
      yield ev({
        type: 'AggregationEvent',
        action: 'ADD',
        bizStep: 'packing',
        ...at(26 + k),
        parentID: pallet(lot),
        childEPCs: items,
        ...place(FACTORY.gln),
      });
      if (rand() < 0.02) {
        samples.items.push(items[3]!);
        samples.productLots.push(productLot(lot));
        samples.pallets.push(pallet(lot));
      }
    }
    // 4 shipments of 4 pallets, each by a reusable truck to a retailer, with a temperature log
    for (let s = 0; s < 4; s++) {
      const ship = shipment++;
      const pallets = lots.slice(s * 4, s * 4 + 4).map(pallet);
      const truck = pick(TRUCKS);
      const r = pick(RETAILERS);
      yield ev({
        type: 'TransactionEvent',
        action: 'ADD',
        bizStep: 'shipping',
        ...at(45),
        bizTransactionList: [{ type: 'desadv', bizTransaction: desadv(ship) }],
        epcList: pallets,
        ...place(FACTORY.gln),
      });
      yield ev({
        type: 'AggregationEvent',
        action: 'ADD',
        bizStep: 'loading',
        ...at(46),
        parentID: truck,
        childEPCs: pallets,
        ...place(FACTORY.gln),
      });
      yield ev({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        ...at(47),
        epcList: [truck],
        ...place(FACTORY.gln),
        sourceList: [{ type: 'owning_party', source: FACTORY.party }],
        destinationList: [
          { type: 'owning_party', destination: r.party },
          { type: 'location', destination: r.dc },
        ],
      });
      const hot = rand() < 0.01;
      yield ev({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'sensor_reporting',
        ...at(50),
        epcList: [truck],
        readPoint: { id: FACTORY.gln },
        sensorElementList: [
          {
            sensorMetadata: {
              startTime: new Date(base + 47 * 60_000).toISOString(),
              endTime: new Date(base + 58 * 60_000).toISOString(),
              deviceID: `urn:epc:id:giai:4012345.LOGGER${s}`,
            },
            sensorReport: [
              { type: 'Temperature', minValue: 2 + rand(), maxValue: hot ? 9 + rand() : 5 + rand(), meanValue: 4, uom: 'CEL' },
            ],
          },
          {
            sensorMetadata: { time: new Date(base + 55 * 60_000).toISOString() },
            sensorReport: [{ type: 'Temperature', value: hot ? 9.5 : 4 + rand(), uom: 'CEL' }],
          },
        ],
      });
      yield ev({
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'receiving',
        disposition: 'in_progress',
        ...at(58),
        epcList: pallets,
        ...place(r.dc),
      });
      yield ev({
        type: 'AggregationEvent',
        action: 'DELETE',
        bizStep: 'unloading',
        ...at(58),
        parentID: truck,
        childEPCs: pallets,
        ...place(r.dc),
      });
      if (rand() < 0.1) samples.desadvs.push(desadv(ship));
      for (const p of pallets) {
        const lot = Number(p.slice(-10));
        yield ev({
          type: 'AggregationEvent',
          action: 'DELETE',
          bizStep: 'unpacking',
          ...at(59),
          parentID: p,
          childEPCs: Array.from({ length: ITEMS_PER_LOT }, (_, i) => bottle(lot, i)),
          ...place(r.shop),
        });
        yield ev({
          type: 'ObjectEvent',
          action: 'OBSERVE',
          bizStep: 'stocking',
          disposition: 'sellable_accessible',
          ...at(59),
          quantityList: [q(productLot(lot), ITEMS_PER_LOT, 'EA')],
          ...place(r.shop),
        });
        for (let i = 0; i < SOLD_PER_PALLET; i++) {
          yield ev({
            type: 'ObjectEvent',
            action: 'OBSERVE',
            bizStep: 'retail_selling',
            disposition: 'retail_sold',
            ...at(59.5),
            epcList: [bottle(lot, i)],
            ...place(r.shop),
          });
          if (i === 0 && rand() < 0.05) samples.sold.push(bottle(lot, i));
        }
      }
    }
    if (rand() < 0.2) {
      samples.pasteLots.push(pick(pastes));
      samples.rawLots.push(pick(raws));
    }
    wave++;
  }
}

const docOf = (events: Json[]) => ({
  '@context': CTX,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: new Date().toISOString(),
  epcisBody: { eventList: events },
});

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** The EPCIS index of the store asked for. */
async function openIndex(dbPath: string): Promise<{ index: EpcisIndexStore; close(): Promise<void>; where: string }> {
  if (STORE === 'sqlite') {
    const index = new SqliteEpcisIndex(dbPath);
    return { index, close: () => index.close(), where: dbPath };
  }
  let url = DATABASE_URL;
  let drop: (() => Promise<void>) | null = null;
  if (!url) {
    const fresh = await freshPostgresDatabase('tt_bench_epcis');
    url = fresh.url;
    if (!KEEP) drop = fresh.drop;
  }
  const db = await PgDatabase.open({ url });
  const index = await PostgresEpcisIndex.open(db);
  return {
    index,
    where: redactUrl(url),
    close: async () => {
      await index.close();
      await db.close();
      await drop?.();
    },
  };
}

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const dbPath = join(DIR, 'node.db');
  const loaded = existsSync(dbPath) && (STORE === 'sqlite' || DATABASE_URL !== undefined);
  // synchronous=FULL, as a node runs: every capture is durable when its job finishes.
  const store = await sqliteNodeStore(dbPath);
  const log = await TransparencyLog.open(store, headSignerFromKey(KEY));
  const { index, close: closeIndex, where } = await openIndex(dbPath);
  const repo = await openEpcisRepository({ index, store, log });
  const capture = new EpcisCapture(repo, { validate: coreValidator() });
  const samples: Samples = { items: [], sold: [], pallets: [], productLots: [], pasteLots: [], rawLots: [], desadvs: [] };
  const gen = supplyChain(samples);
  const take = (n: number) => Array.from({ length: n }, () => gen.next().value as Json);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };

  console.log(
    `EPCIS bench (${STORE}): ${TOTAL.toLocaleString()} events, log in ${DIR}, index in ${where}${loaded ? ' (already loaded: regenerating samples only)' : ''}`,
  );
  const loadStart = performance.now();
  const cpuStart = cpu();
  let done = 0;
  let lastReport = loadStart;
  while (done < TOTAL) {
    const batch = take(Math.min(DOC_EVENTS, TOTAL - done));
    if (!loaded) {
      const job = await capture.capture(docOf(batch));
      if (!job.success) throw new Error(`load failed: ${JSON.stringify(job.errors.slice(0, 3))}`);
    }
    done += batch.length;
    if (!loaded && performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      console.log(
        `  loaded ${done.toLocaleString()} (${Math.round(done / ((lastReport - loadStart) / 1000)).toLocaleString()} events/s)`,
      );
    }
  }
  const loadMs = performance.now() - loadStart;
  if (!loaded) {
    console.log(
      `load: ${TOTAL.toLocaleString()} events in ${(loadMs / 1000).toFixed(1)} s = ${Math.round(TOTAL / (loadMs / 1000)).toLocaleString()} events/s through the capture path (CPU ${((cpu() - cpuStart) / loadMs).toFixed(2)} cores)`,
    );
    await repo.optimize();
  }
  console.log(`store: ${(await repo.count()).toLocaleString()} events, log size ${log.size.toLocaleString()}`);

  // ---- capture throughput on top of the loaded store: validation + hash IDs + log + index
  {
    // fresh eventIDs (a run tag), so a re-run on a loaded store captures new events
    const fresh = supplyChain(
      { items: [], sold: [], pallets: [], productLots: [], pasteLots: [], rawLots: [], desadvs: [] },
      // The generator is seeded, so the clock makes the tag differ from run to run.
      ((Math.floor(rand() * 0xfffffff) ^ Date.now()) & 0xfffffff).toString(16).padStart(8, 'c'),
    );
    const docs = Array.from({ length: 10 }, () => docOf(Array.from({ length: DOC_EVENTS }, () => fresh.next().value as Json)));
    const t = performance.now();
    const c0 = cpu();
    let n = 0;
    const phases = { prepare: 0, commit: 0 };
    for (const d of docs) {
      const p0 = performance.now();
      const prepared = await capture.prepare(d);
      const p1 = performance.now();
      const job = await (await capture.start(prepared)).done;
      phases.prepare += p1 - p0;
      phases.commit += performance.now() - p1;
      if (!job.success) throw new Error(JSON.stringify(job.errors.slice(0, 2)));
      n += job.capturedCount;
    }
    const ms = performance.now() - t;
    console.log(
      `capture: ${n.toLocaleString()} events in documents of ${DOC_EVENTS} → ${Math.round(n / (ms / 1000)).toLocaleString()} events/s ` +
        `(validate+hash ${fmt(phases.prepare)}, log+index ${fmt(phases.commit)}; CPU ${((cpu() - c0) / ms).toFixed(2)} cores) [target ≥ 5,000/s]`,
    );
  }

  // ---- queries through the REST routes
  const app = new Hono();
  app.route('/epcis', epcisRoutes({ repo, store, log }));
  const day = (i: number) => new Date(T0 + i * 86_400_000).toISOString();
  const waves = Math.floor(TOTAL / 203);
  const queries: [string, () => string][] = [
    ['MATCH_epc item', () => `MATCH_epc=${pick(samples.items)}`],
    ['MATCH_anyEPC pallet', () => `MATCH_anyEPC=${pick(samples.pallets)}`],
    ['MATCH_epcClass lot', () => `MATCH_epcClass=${pick(samples.productLots)}`],
    ['MATCH_inputEPCClass paste', () => `eventType=TransformationEvent&MATCH_inputEPCClass=${pick(samples.pasteLots)}`],
    ['MATCH_epc pattern', () => `MATCH_epc=urn:epc:idpat:sgtin:4012345.000040.*&perPage=30`],
    [
      'bizStep + day window',
      () => {
        const d = Math.floor(rand() * Math.max(1, waves / 24));
        return `EQ_bizStep=shipping&GE_eventTime=${day(d)}&LT_eventTime=${day(d + 1)}&perPage=30`;
      },
    ],
    ['bizLocation by time', () => `EQ_bizLocation=${pick(RETAILERS).shop}&orderBy=eventTime&orderDirection=DESC&perPage=30`],
    ['readPoint farm', () => `EQ_readPoint=${pick(FARMS).gln}&perPage=30`],
    ['latest sales', () => `eventType=ObjectEvent&EQ_disposition=retail_sold&orderBy=eventTime&orderDirection=DESC&perPage=30`],
    ['desadv', () => `EQ_bizTransaction_desadv=${pick(samples.desadvs)}`],
    ['sensor excursions', () => `EXISTS_sensorElementList=true&EQ_type=Temperature&GE_maxValue_CEL=9&perPage=30`],
    ['eventType page', () => `eventType=AggregationEvent&perPage=100`],
  ];
  const perKind = new Map<string, number[]>();
  const all: number[] = [];
  for (let round = 0; round < 30; round++) {
    for (const [name, make] of queries) {
      const qs = make();
      const t = performance.now();
      const res = await app.request(`/epcis/events?${qs}`);
      const body = (await res.json()) as { epcisBody?: { queryResults: { resultsBody: { eventList: unknown[] } } } };
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${qs}: ${res.status} ${JSON.stringify(body)}`);
      if (round === 0 && (body.epcisBody?.queryResults.resultsBody.eventList.length ?? 0) === 0)
        console.log(`  (note: ${name} returned no events)`);
      if (round > 0) {
        all.push(ms);
        perKind.set(name, [...(perKind.get(name) ?? []), ms]);
      }
    }
  }
  console.log(
    `query: ${all.length} requests, p50 ${fmt(pct(all, 50))}, p95 ${fmt(pct(all, 95))}, max ${fmt(Math.max(...all))} [target p95 ≤ 50 ms]`,
  );
  for (const [name, xs] of perKind)
    console.log(`  ${name.padEnd(26)} p50 ${fmt(pct(xs, 50)).padStart(9)}  p95 ${fmt(pct(xs, 95)).padStart(9)}`);

  // ---- traces
  const traces: { name: string; ms: number; ids: number; events: number }[] = [];
  for (let i = 0; i < 60; i++) {
    for (const [name, start, dir] of [
      ['forward from paste lot', pick(samples.pasteLots), 'forward'],
      ['backward from sold bottle', pick(samples.sold), 'backward'],
      ['forward from raw lot', pick(samples.rawLots), 'forward'],
    ] as const) {
      const t = performance.now();
      const res = await app.request(`/epcis/trace/${encodeURIComponent(start)}?direction=${dir}`);
      const r = (await res.json()) as { stats: { identifiers: number; events: number } };
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`trace ${start}: ${res.status}`);
      if (i > 0) traces.push({ name, ms, ids: r.stats.identifiers, events: r.stats.events });
    }
  }
  const tms = traces.map((x) => x.ms);
  console.log(
    `trace: ${traces.length} traces, p50 ${fmt(pct(tms, 50))}, p95 ${fmt(pct(tms, 95))}, max ${fmt(Math.max(...tms))} [target p95 ≤ 100 ms]`,
  );
  for (const name of new Set(traces.map((x) => x.name))) {
    const xs = traces.filter((x) => x.name === name);
    console.log(
      `  ${name.padEnd(26)} p50 ${fmt(
        pct(
          xs.map((x) => x.ms),
          50,
        ),
      ).padStart(9)}  p95 ${fmt(
        pct(
          xs.map((x) => x.ms),
          95,
        ),
      ).padStart(9)}  ` +
        `(~${Math.round(xs.reduce((a, x) => a + x.ids, 0) / xs.length)} identifiers, ~${Math.round(xs.reduce((a, x) => a + x.events, 0) / xs.length)} events)`,
    );
  }
  // sanity: one direct trace equals the routed one in size
  const one = await trace(repo, samples.pasteLots[0]!, 'forward');
  console.log(
    `  e.g. forward from ${samples.pasteLots[0]}: ${one.lots.length} lots, ${one.items.length} bottles, ${one.containers.length} containers, ${one.parties.length} parties in ${fmt(one.stats.ms)}`,
  );

  await repo.close();
  await closeIndex();
  await store.close();
  if (!KEEP) rmSync(DIR, { recursive: true, force: true });
}

await main();
