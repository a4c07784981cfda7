// EPCIS XML capture throughput (a script, not a test):
//   node --import tsx packages/node/src/epcis/xml.bench.ts [events=40000] [docEvents=5000]
// Synthetic events (object events with sensor reports and a user extension,
// aggregations, transactions with business transactions) are written as XML
// EPCISDocuments with core's serializer, then captured through the node's REST
// route (POST /epcis/capture, application/xml) into a fresh node store +
// transparency log on disk: XSD validation (libxml2/wasm) → XML → JSON-LD →
// core validation → CBV hash IDs → log → index. Reported:
//   xml capture   events/s end to end over HTTP (target ≥ 2,000/s), and the same
//                 documents in JSON for comparison;
//   phases        XSD validation and XML parsing per document, measured apart;
//   serialize     events/s of JSON → XML (what an XML query answer costs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { epcisXml, parseEpcisXml } from '@tradetwin/core/epcis/xml/index';
import { Hono } from 'hono';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { sqliteNodeStore } from '../storage/test-support.js';
import { SqliteEpcisIndex } from '../storage/sqlite/epcis.js';
import { openEpcisRepository } from './repository.js';
import { epcisRoutes } from './routes.js';
import type { CaptureJob } from './types.js';
import { validateEpcisXsd } from './xsd.js';

type Json = Record<string, unknown>;

const TOTAL = Number(process.argv[2] ?? 40_000);
const DOC_EVENTS = Number(process.argv[3] ?? 5_000);
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { tt: 'https://tradetwin.dev/ns/bench/' }];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The i-th synthetic event (tag makes eventIDs unique per run and syntax). */
function event(i: number, tag: string): Json {
  const time = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
  const base = {
    eventID: `urn:uuid:00000000-0000-4000-8000-${tag}${pad(i, 12 - tag.length)}`,
    eventTime: time,
    eventTimeZoneOffset: '+00:00',
  };
  const sgtin = (k: number) => `urn:epc:id:sgtin:4012345.011111.${k}`;
  const site = `urn:epc:id:sgln:4012345.${pad(i % 50, 5)}.0`;
  switch (i % 3) {
    case 0:
      return {
        type: 'ObjectEvent',
        ...base,
        epcList: [sgtin(i), sgtin(i + 1)],
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        readPoint: { id: site },
        sensorElementList: [
          {
            sensorMetadata: { time, deviceID: `urn:epc:id:giai:4012345.L${i % 97}` },
            sensorReport: [
              { type: 'Temperature', value: 2 + (i % 60) / 10, uom: 'CEL' },
              { type: 'RelativeHumidity', value: 40 + (i % 30), uom: 'P1' },
            ],
          },
        ],
        'tt:lane': `L-${i % 13}`,
      };
    case 1:
      return {
        type: 'AggregationEvent',
        ...base,
        parentID: `urn:epc:id:sscc:4012345.${pad(i, 10)}`,
        childEPCs: [sgtin(i), sgtin(i + 1), sgtin(i + 2)],
        action: 'ADD',
        bizStep: 'packing',
        readPoint: { id: site },
      };
    default:
      return {
        type: 'TransactionEvent',
        ...base,
        bizTransactionList: [{ type: 'po', bizTransaction: `urn:epcglobal:cbv:bt:4012345000009:PO-${i}` }],
        epcList: [sgtin(i)],
        action: 'ADD',
        bizStep: 'receiving',
        bizLocation: { id: site },
      };
  }
}

const docOf = (from: number, n: number, tag: string): Json => ({
  '@context': CTX,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: new Date().toISOString(),
  epcisBody: { eventList: Array.from({ length: n }, (_, k) => event(from + k, tag)) },
});

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-epcis-xml-bench-'));
  const dbPath = join(dir, 'node.db');
  const store = await sqliteNodeStore(dbPath);
  const log = await TransparencyLog.open(store, headSignerFromKey(KEY));
  const index = new SqliteEpcisIndex(dbPath);
  const repo = await openEpcisRepository({ index, store, log });
  const app = new Hono();
  app.route('/epcis', epcisRoutes({ repo, store, log, limits: { maxEvents: DOC_EVENTS, maxBytes: 64 * 1024 * 1024 } }));

  const capture = async (body: string, type: string): Promise<CaptureJob> => {
    const res = await app.request('/epcis/capture', { method: 'POST', headers: { 'content-type': type }, body });
    if (res.status !== 202) throw new Error(`capture: ${res.status} ${await res.text()}`);
    const location = res.headers.get('location')!;
    for (;;) {
      const job = (await (await app.request(location)).json()) as CaptureJob;
      if (!job.running) return job;
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  console.log(
    `EPCIS XML bench: ${TOTAL.toLocaleString()} events in documents of ${DOC_EVENTS.toLocaleString()}, store in ${dir}`,
  );
  try {
    const docs = Math.ceil(TOTAL / DOC_EVENTS);
    const jsonDocs = Array.from({ length: docs }, (_, d) =>
      docOf(d * DOC_EVENTS, Math.min(DOC_EVENTS, TOTAL - d * DOC_EVENTS), 'a'),
    );

    // ---- serialize: JSON → XML
    let t = performance.now();
    const xmlDocs = jsonDocs.map((d) => epcisXml(d));
    let ms = performance.now() - t;
    const mb = xmlDocs.reduce((s, x) => s + x.length, 0) / 1e6;
    console.log(
      `serialize: ${Math.round(TOTAL / (ms / 1000)).toLocaleString()} events/s JSON → XML (${mb.toFixed(1)} MB of XML)`,
    );

    // ---- phases, measured apart on the same texts
    t = performance.now();
    for (const x of xmlDocs) {
      const r = validateEpcisXsd(x);
      if (!r.valid) throw new Error(JSON.stringify(r.errors.slice(0, 3)));
    }
    const xsdMs = performance.now() - t;
    t = performance.now();
    for (const x of xmlDocs) parseEpcisXml(x, { wellFormed: true });
    const parseMs = performance.now() - t;
    console.log(
      `phases: XSD validation ${(xsdMs / docs).toFixed(0)} ms/document (${Math.round(TOTAL / (xsdMs / 1000)).toLocaleString()} events/s), ` +
        `XML → JSON-LD ${(parseMs / docs).toFixed(0)} ms/document (${Math.round(TOTAL / (parseMs / 1000)).toLocaleString()} events/s)`,
    );

    // ---- XML capture over HTTP, end to end
    t = performance.now();
    let c0 = cpu();
    let n = 0;
    for (const x of xmlDocs) {
      const job = await capture(x, 'application/xml');
      if (!job.success) throw new Error(JSON.stringify(job.errors.slice(0, 2)));
      n += job.capturedCount;
    }
    ms = performance.now() - t;
    console.log(
      `xml capture: ${n.toLocaleString()} events → ${Math.round(n / (ms / 1000)).toLocaleString()} events/s over HTTP ` +
        `(CPU ${((cpu() - c0) / ms).toFixed(2)} cores) [target ≥ 2,000/s]`,
    );

    // ---- the same events in JSON (fresh eventIDs), for comparison
    const jsonTexts = Array.from({ length: docs }, (_, d) =>
      JSON.stringify(docOf(d * DOC_EVENTS, Math.min(DOC_EVENTS, TOTAL - d * DOC_EVENTS), 'b')),
    );
    t = performance.now();
    c0 = cpu();
    n = 0;
    for (const j of jsonTexts) {
      const job = await capture(j, 'application/json');
      if (!job.success) throw new Error(JSON.stringify(job.errors.slice(0, 2)));
      n += job.capturedCount;
    }
    ms = performance.now() - t;
    console.log(
      `json capture: ${n.toLocaleString()} events → ${Math.round(n / (ms / 1000)).toLocaleString()} events/s over HTTP (CPU ${((cpu() - c0) / ms).toFixed(2)} cores)`,
    );
    console.log(`store: ${(await repo.count()).toLocaleString()} events, log size ${log.size.toLocaleString()}`);
  } finally {
    await repo.close();
    await index.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
