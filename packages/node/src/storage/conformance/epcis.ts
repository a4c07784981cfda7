// The EPCIS index conformance suite: one table of SimpleEventQuery cases, run on
// every driver with the same expected answers, plus the index's edge cases (an
// empty index, paging across pages, a crash between the log append and the
// index write, a failed index write). Each test captures into a fresh store
// through the real capture path: the log on a throw-away SQLite file, the index
// on the driver under test (the EPCIS index is a follower of the log, so its
// conformance does not depend on where the log lives).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { epcToDigitalLink, eventHashId } from '@tradetwin/core/epcis/index';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { canonicalJson } from '@tradetwin/core/json/canonical-json';
import { EpcisCapture } from '../../epcis/capture.js';
import { EpcisProblem } from '../../epcis/problem.js';
import { parseEventQuery, rawQueryPairs, repositoryLookup, runEventQuery } from '../../epcis/query.js';
import { type EpcisRepository, encodeEpcisBody, openEpcisRepository, randomEpcisSalt } from '../../epcis/repository.js';
import { trace } from '../../epcis/trace.js';
import type { EpcTerm, FilterNode } from '../../epcis/filter.js';
import { epcMatcher } from '../../epcis/vocab.js';
import { type CaptureJob, ROLE, type RoleName } from '../../epcis/types.js';
import { coreValidator } from '../../epcis/validator.js';
import { headSignerFromKey } from '../../log/head-signer.js';
import { TransparencyLog } from '../../log/transparency-log.js';
import { EPCIS_EXAMPLES_DIR } from '../../test-support/shared.js';
import type { EpcisIndexStore } from '../epcis.js';
import { PgDatabase } from '../postgres/database.js';
import { PostgresEpcisIndex } from '../postgres/epcis.js';
import { sqliteSchemaVersion, openSqliteFile } from '../sqlite/database.js';
import { SqliteEpcisIndex } from '../sqlite/epcis.js';
import { StoreError } from '../errors.js';
import { type DriverName, freshDriver, freshPostgresDatabase } from '../test-support.js';
import { openStorage } from '../index.js';
import { nodeStore } from '../node-store.js';
import type { NodeStore, Storage } from '../types.js';

type Json = Record<string, unknown>;

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const STD = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const NS = 'http://ns.example.com/epcis/';

// ------------------------------------------------------------ a store on a driver

/** A repository with its log, as a node wires it, on an index of the driver under test. */
export interface EpcisStoreFixture {
  repo: EpcisRepository;
  log: TransparencyLog;
  store: NodeStore;
  capture(doc: Json): Promise<CaptureJob>;
  /** A second repository on the same log and index data, opened as after a restart (it catches up). */
  reopen(wrap?: (index: EpcisIndexStore) => EpcisIndexStore): Promise<EpcisRepository>;
  dispose(): Promise<void>;
}

export async function epcisStore(
  driver: DriverName,
  wrap: (index: EpcisIndexStore) => EpcisIndexStore = (i) => i,
): Promise<EpcisStoreFixture> {
  // The log and the index on the driver under test, opened as a node opens them.
  const fx = await freshDriver(driver);
  const storages: Storage[] = [];
  const openOne = async () => {
    const s = await openStorage({ dataDir: fx.dataDir, store: fx.store, sqliteSynchronous: 'NORMAL' });
    storages.push(s);
    return s;
  };
  const first = await openOne();
  const store = nodeStore(first);
  const log = await TransparencyLog.open(store, headSignerFromKey(KEY));
  const repos: EpcisRepository[] = [];
  // The first repository uses the first storage's index; a reopened one gets its own (as after a restart).
  const open = async (w: (index: EpcisIndexStore) => EpcisIndexStore) => {
    const index = repos.length === 0 ? first.epcis : (await openOne()).epcis;
    const repo = await openEpcisRepository({ index: w(index), store, log });
    repos.push(repo);
    return repo;
  };
  const repo = await open(wrap);
  const capturer = new EpcisCapture(repo, { validate: coreValidator(), limits: { maxEvents: 1000, maxBytes: 8 * 1024 * 1024 } });
  return {
    repo,
    log,
    store,
    capture: (doc) => capturer.capture(doc),
    reopen: (w = (i) => i) => open(w),
    dispose: async () => {
      for (const r of repos) await r.close();
      for (const s of storages) await s.close();
      await fx.dispose();
    },
  };
}

// ------------------------------------------------------------ the data set

const doc = (events: Json[], context: unknown[] = [STD, { ex: NS }], header?: Json): Json => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-03-01T12:00:00Z',
  ...(header ? { epcisHeader: header } : {}),
  epcisBody: { eventList: events },
});
const sgln = (loc: string) => `urn:epc:id:sgln:0614141.${loc}.0`;
const sgtin = (serial: string) => `urn:epc:id:sgtin:0614141.107346.${serial}`;
const event = (id: string, over: Json = {}): Json => ({
  type: 'ObjectEvent',
  eventID: `urn:uuid:${id}`,
  action: 'OBSERVE',
  bizStep: 'inspecting',
  eventTime: '2024-03-01T10:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: [sgtin(id)],
  ...over,
});

const MASTER = {
  epcisMasterData: {
    vocabularyList: [
      {
        type: 'urn:epcglobal:epcis:vtype:BusinessLocation',
        vocabularyElementList: [
          {
            id: sgln('00000'),
            attributes: [{ id: 'urn:epcglobal:cbv:mda:sst', attribute: '200' }],
            children: [sgln('00001'), sgln('00004')],
          },
          { id: sgln('00001'), attributes: [{ id: 'cbvmda:sst', attribute: 201 }], children: [sgln('00003')] },
          {
            id: sgln('00002'),
            attributes: [
              { id: 'urn:epcglobal:cbv:mda:sst', attribute: 202 },
              { id: 'ex:owner', attribute: 'Acme' },
            ],
          },
        ],
      },
      {
        type: 'urn:epcglobal:epcis:vtype:ReadPoint',
        vocabularyElementList: [{ id: sgln('00009'), attributes: [{ id: 'ex:dock', attribute: 'north' }] }],
      },
    ],
  },
};

/** Six events in one place and one document, a day apart: the paging set. */
const PAGED = [1, 2, 3, 4, 5, 6].map((i) =>
  event(`p${i}`, {
    eventTime: `2024-04-0${i}T00:00:00.000Z`,
    eventTimeZoneOffset: '+00:00',
    bizStep: 'receiving',
    readPoint: { id: sgln('00020') },
  }),
);
const AT_PAGED = `EQ_readPoint=${sgln('00020')}`;

/** Every document the suite captures, in order; returns the record time before the paged set. */
async function load(s: EpcisStoreFixture): Promise<{ beforePaged: number }> {
  const must = async (d: Json, what: string) => {
    const job = await s.capture(d);
    assert.equal(job.success, true, `${what}: ${JSON.stringify(job.errors)}`);
  };
  const files = readdirSync(EPCIS_EXAMPLES_DIR)
    .filter((f) => f.endsWith('.jsonld') && f !== 'EPCISQueryDocument.jsonld')
    .sort();
  for (const f of files) await must(JSON.parse(readFileSync(join(EPCIS_EXAMPLES_DIR, f), 'utf8')) as Json, f);
  await must(
    doc(
      [
        event('e1', {
          action: 'ADD',
          bizStep: 'commissioning',
          bizLocation: { id: sgln('00001') },
          readPoint: { id: sgln('00009'), 'ex:door': 'D1' },
          ilmd: { 'ex:batch': 'B1', 'ex:bestBefore': '2025-01-10', 'ex:weight': 12.5 },
          'ex:temp': 4,
          'ex:note': 'fragile',
          'ex:shipment': { 'ex:carrier': 'ACME', 'ex:legs': [{ 'ex:port': 'NLRTM' }] },
        }),
        event('e2', {
          action: 'ADD',
          bizStep: 'commissioning',
          bizLocation: { id: sgln('00002') },
          ilmd: { 'ex:batch': 'B2', 'ex:bestBefore': '2025-03-01', 'ex:weight': '30', 'ex:origin': { 'ex:country': 'NL' } },
          'ex:temp': 8.5,
          'ex:checked': '2024-03-01T12:00:00Z',
          'ex:tags': ['cold', 'bulk'],
        }),
        event('e3', { bizLocation: { id: sgln('00003') } }),
        event('e5', { bizLocation: { id: sgln('00005') }, 'ex:checked': '2024-03-05T00:00:00+02:00' }),
      ],
      [STD, { ex: NS }],
      MASTER,
    ),
    'extension fields and master data',
  );
  // The same namespace under another prefix: one field for the queries.
  await must(doc([event('e4', { 'other:temp': 4, bizLocation: { id: sgln('00004') } })], [STD, { other: NS }]), 'other prefix');
  const beforePaged = Date.now();
  await new Promise((r) => setTimeout(r, 5));
  await must(doc(PAGED), 'paged set');
  await must(
    doc([
      event('d1', {
        eventTime: '2024-05-01T00:00:00.000Z',
        eventTimeZoneOffset: '+00:00',
        bizStep: 'shipping',
        persistentDisposition: { set: ['completeness_verified'], unset: ['completeness_inferred'] },
      }),
      event('d1-fix', {
        eventTime: '2024-05-01T00:00:00.000Z',
        eventTimeZoneOffset: '+00:00',
        bizStep: 'shipping',
        epcList: [sgtin('d1')],
        destinationList: [{ type: 'owning_party', destination: sgln('00030') }],
      }),
    ]),
    'original and its correction',
  );
  await must(
    doc([
      event('d1', {
        eventTime: '2024-05-01T00:00:00.000Z',
        eventTimeZoneOffset: '+00:00',
        bizStep: 'shipping',
        errorDeclaration: {
          declarationTime: '2024-05-02T00:00:00.000Z',
          reason: 'incorrect_data',
          correctiveEventIDs: ['urn:uuid:d1-fix'],
        },
      }),
    ]),
    'error declaration',
  );
  return { beforePaged };
}

// GS1 example events without an eventID are named by their CBV 2.0 hash ID.
const SENSOR1 = 'ni:///sha-256;74f1dc48ee22289bc40ddd9f1d0ecae0dd09a2f4c3dfa66fdbca16cb2d8a4e77?ver=CBV2.0';
const SENSOR5 = 'ni:///sha-256;e13ff14a9b4f3dd11bba60315ed9b849eb8ddf4c5b1a9aa794cd250256730834?ver=CBV2.0';
const AGG = 'ni:///sha-256;87b5f18a69993f0052046d4687dfacdf48f7c988cfabda2819688c86b4066a49?ver=CBV2.0';
const TRANSF = 'ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0';
const OBJ1 = 'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0';
const OBJ2 = 'ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0';
const LOT_EVENT = 'ni:///sha-256;a98f08ae6ac4de3482054314d637c07010b448d3802dccb028a06aafcc6a4b10?ver=CBV2.0';
const ASSOC_A = 'ni:///sha-256;025ac144187a8c5e14caf4d1cfa69250a33dc59a5bc42a68d31b1b5e55a3f15a?ver=CBV2.0';
const ASSOC_B = 'ni:///sha-256;a15e0b457cfc95305b6d530978c4cd7965bb29c0b8c312310fc7210c9ef123d9?ver=CBV2.0';
const SENSOR_DEVICE = 'ni:///sha-256;7ff1501099b3f5890d310d703fb9f57e251bba0c57d3c049fab590b50323a8e7?ver=CBV2.0';
const SENSOR_MAX = 'ni:///sha-256;b507b2720c96cd99855eabb101e8617d48622eff4ceaad0a416b3c10dfd316ee?ver=CBV2.0';
const SENSOR_RULES = 'ni:///sha-256;0301ed4c40065cde36eb9cc80780312d903a031a91d105639df4e649a9d01200?ver=CBV2.0';
const U = (id: string) => `urn:uuid:${id}`;
const PAGED_IDS = PAGED.map((e) => String(e.eventID));

/**
 * Every SimpleEventQuery parameter family the node supports, with the events each selects
 * (eventIDs, sorted; an error declaration shares its original's eventID).
 */
export const QUERY_TABLE: [string, string[]][] = [
  // event type, action, CBV vocabularies (bare, URN and Web URI are one value)
  ['eventType=AggregationEvent', [AGG]],
  [
    'eventType=TransformationEvent&EQ_bizStep=commissioning&EXISTS_errorDeclaration=false',
    [TRANSF, U('374d95fc-9457-4a51-bd6a-0bba133845a8'), U('404d95fc-9457-4a51-bd6a-0bba133845a8')],
  ],
  ['EQ_action=ADD&eventType=AssociationEvent', [ASSOC_A, ASSOC_B]],
  ['EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping&LT_eventTime=2010-01-01T00:00:00Z', [OBJ1]],
  ['EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping&LT_eventTime=2010-01-01T00:00:00Z', [OBJ1]],
  [
    'EQ_disposition=in_transit|urn:epcglobal:cbv:disp:in_progress&eventType=ObjectEvent&GE_eventTime=2005-01-01T00:00:00Z&LT_eventTime=2006-01-01T00:00:00Z',
    [OBJ1, OBJ2],
  ],
  // times
  [`GE_eventTime=2024-04-03T00:00:00Z&LT_eventTime=2024-04-05T00:00:00Z&${AT_PAGED}`, [U('p3'), U('p4')]],
  [`GE_eventTime=2024-04-03T02:00:00+02:00&${AT_PAGED}`, [U('p3'), U('p4'), U('p5'), U('p6')]],
  // EPCs: URN and Digital Link are one identifier; patterns match instances and lots
  ['MATCH_epc=urn:epc:id:sgtin:0614141.107346.2018&LT_eventTime=2010-01-01T00:00:00Z', [OBJ1, OBJ2]],
  [`MATCH_epc=${epcToDigitalLink('urn:epc:id:sgtin:0614141.107346.2018')}&LT_eventTime=2010-01-01T00:00:00Z`, [OBJ1, OBJ2]],
  ['MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*&eventType=ObjectEvent&LT_eventTime=2010-01-01T00:00:00Z', [OBJ1, OBJ2]],
  ['MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017', [OBJ1, AGG]],
  ['MATCH_epc=urn:epc:idpat:sgtin:0614141.*.p4', [U('p4')]],
  ['MATCH_epc=urn:epc:idpat:sgtin:*.107346.p5|urn:epc:id:sgtin:0614141.107346.p1', [U('p1'), U('p5')]],
  ['MATCH_parentID=urn:epc:id:sscc:0614141.1234567890', [AGG]],
  ['MATCH_inputEPC=urn:epc:id:sgtin:4000001.065432.99886655', [TRANSF]],
  ['MATCH_outputEPC=urn:epc:id:sgtin:4012345.077889.27', [TRANSF]],
  ['MATCH_anyEPC=urn:epc:id:sscc:0614141.1234567890', [AGG]],
  ['MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.998877', [LOT_EVENT, AGG]],
  ['MATCH_inputEPCClass=urn:epc:idpat:sgtin:4012345.066666.*', [TRANSF]],
  ['MATCH_anyEPCClass=urn:epc:idpat:sgtin:4012345.*.*&eventType=ObjectEvent', [LOT_EVENT]],
  ['MATCH_epc=urn:epc:id:sgtin:0614141.107346.nothing', []],
  // locations
  ['EQ_readPoint=urn:epc:id:sgln:0614141.00777.0', [LOT_EVENT, AGG]],
  [`EQ_bizLocation=${epcToDigitalLink('urn:epc:id:sgln:0012345.11111.0')}`, [OBJ2]],
  // links
  ['EQ_bizTransaction_po=http://transaction.acme.com/po/12345678', [OBJ1, OBJ2]],
  ['EQ_source_possessing_party=urn:epc:id:sgln:4012345.00001.0', [LOT_EVENT]],
  [`EQ_destination_owning_party=${sgln('00030')}`, [U('d1-fix')]],
  ['EQ_persistentDisposition_set=completeness_verified', [U('d1')]],
  ['EQ_persistentDisposition_unset=urn:epcglobal:cbv:disp:completeness_inferred', [U('d1')]],
  // error declarations
  [`MATCH_epc=${sgtin('d1')}`, [U('d1'), U('d1'), U('d1-fix')]],
  [`MATCH_epc=${sgtin('d1')}&EXISTS_errorDeclaration=true`, [U('d1')]],
  [`MATCH_epc=${sgtin('d1')}&GE_errorDeclarationTime=2024-05-01T12:00:00Z`, [U('d1')]],
  [`MATCH_epc=${sgtin('d1')}&LT_errorDeclarationTime=2024-05-01T12:00:00Z`, []],
  [`MATCH_epc=${sgtin('d1')}&EQ_errorReason=incorrect_data`, [U('d1')]],
  [`MATCH_epc=${sgtin('d1')}&EQ_errorReason=did_not_occur`, []],
  ['EQ_correctiveEventID=urn:uuid:d1-fix', [U('d1')]],
  // identifiers
  ['EQ_eventID=urn:uuid:d1-fix|urn:uuid:p1', [U('d1-fix'), U('p1')]],
  ['EQ_transformationID=urn:uuid:nothing', []],
  // sensors: all filters hold for one and the same report
  ['EXISTS_sensorElementList=true&EQ_type=Temperature&GE_value_CEL=26.15', [SENSOR1, SENSOR5]],
  ['EQ_type=gs1:Temperature&GE_maxValue_CEL=13&LT_maxValue_CEL=14', [SENSOR_MAX]],
  ['EQ_deviceID=urn:epc:id:giai:4000001.222', [SENSOR_DEVICE]],
  ['EQ_type=AbsoluteHumidity&GE_value_CEL=0', []],
  [
    'EQ_type=Temperature&GE_time=2019-04-02T14:50:00+01:00&LT_time=2019-04-02T14:56:00+01:00&EQ_value_CEL=26|26.5',
    [SENSOR_DEVICE, SENSOR5],
  ],
  ['GE_startTime=2019-04-02T13:00:00+01:00&EQ_bizRules=https://example.com/253/4012345000054987', [SENSOR_RULES]],
  // quantities
  ['EQ_quantity=200.5', [AGG]],
  ['GT_quantity=400', [U('374d95fc-9457-4a51-bd6a-0bba133845a8'), U('404d95fc-9457-4a51-bd6a-0bba133845a8')]],
  // user extension fields and ILMD (CURIEs resolve through the namespaces captured)
  ['EQ_ex:temp=4', [U('e1'), U('e4')]],
  ['EQ_ex:temp=4|8.5', [U('e1'), U('e2'), U('e4')]],
  ['GT_ex:temp=4', [U('e2')]],
  ['GE_ex:temp=4', [U('e1'), U('e2'), U('e4')]],
  ['LT_ex:temp=8.5', [U('e1'), U('e4')]],
  ['LE_ex:temp=8.5', [U('e1'), U('e2'), U('e4')]],
  ['EQ_ex:note=fragile', [U('e1')]],
  ['EQ_ex:tags=bulk', [U('e2')]],
  ['EXISTS_ex:note', [U('e1')]],
  ['EXISTS_ex:carrier', []],
  ['GE_ex:checked=2024-03-02T00:00:00Z', [U('e5')]],
  ['LT_ex:checked=2024-03-04T23:00:00+01:00', [U('e2')]],
  ['EQ_ex:checked=2024-03-01T13:00:00+01:00', [U('e2')]],
  ['EQ_ILMD_ex:batch=B1|B2', [U('e1'), U('e2')]],
  ['GT_ILMD_ex:weight=20', [U('e2')]],
  ['LT_ILMD_ex:bestBefore=2025-02-01', [U('e1')]],
  ['EXISTS_ILMD_ex:origin', [U('e2')]],
  ['EQ_INNER_ex:carrier=ACME', [U('e1')]],
  ['EQ_INNER_ex:port=NLRTM', [U('e1')]],
  ['EQ_INNER_ILMD_ex:country=NL', [U('e2')]],
  ['EQ_readPoint_ex:door=D1', [U('e1')]],
  ['EQ_ex:temp=4&EQ_ILMD_ex:batch=B1', [U('e1')]],
  // master data
  [`WD_bizLocation=${sgln('00000')}`, [U('e1'), U('e3'), U('e4')]],
  [`WD_bizLocation=${encodeURIComponent(epcToDigitalLink(sgln('00001'))!)}`, [U('e1'), U('e3')]],
  [`WD_bizLocation=${sgln('00005')}`, [U('e5')]],
  [`WD_readPoint=${sgln('00009')}`, [U('e1')]],
  [`EQ_bizLocation=${sgln('00001')}`, [U('e1')]],
  ['HASATTR_bizLocation=sst', [U('e1'), U('e2')]],
  ['HASATTR_bizLocation=ex:owner', [U('e2')]],
  ['HASATTR_readPoint=ex:dock', [U('e1')]],
  ['EQ_ATTR_bizLocation_sst=202|201', [U('e1'), U('e2')]],
  ['EQ_ATTR_bizLocation_sst=200', []],
  ['EQ_ATTR_readPoint_ex:dock=north', [U('e1')]],
];

// ------------------------------------------------------------ running queries

async function run(repo: EpcisRepository, qs: string, setThreshold?: number) {
  const { query, page, tokenText } = parseEventQuery(rawQueryPairs(`/events?${qs}`), {
    forms: repo.codec,
    lookup: repositoryLookup(repo),
  });
  return runEventQuery(repo, query, page, tokenText, setThreshold);
}
const idsOf = (events: { eventId: string }[]) => events.map((e) => e.eventId);

/** Every page of a query, following nextPageToken. */
async function allPages(repo: EpcisRepository, qs: string): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await run(repo, token ? `${qs}&nextPageToken=${encodeURIComponent(token)}` : qs);
    pages.push(idsOf(r.events));
    token = r.nextPageToken;
    if (!token) return pages;
  }
  throw new Error(`${qs}: more than 50 pages`);
}

// ------------------------------------------------------------ the suite

/** Registers the EPCIS index conformance tests for one driver (call inside forEachDriver). */
export function epcisIndexConformance(driver: DriverName): void {
  describe('an empty index', () => {
    let s: EpcisStoreFixture;
    before(async () => {
      s = await epcisStore(driver);
    });
    after(() => s.dispose());

    it('answers every query with no events, and its look-ups with nothing', async () => {
      assert.equal(await s.repo.count(), 0);
      for (const [qs] of QUERY_TABLE.slice(0, 12)) assert.deepEqual(idsOf((await run(s.repo, qs)).events), [], qs);
      assert.deepEqual(await allPages(s.repo, 'perPage=1'), [[]]);
      assert.deepEqual(await s.repo.vocabulary('bizStep', 10), []);
      assert.equal(await s.repo.hasVocabulary('epc', sgtin('1')), false);
      assert.deepEqual(await s.repo.hops(sgtin('1')), []);
      assert.equal(await s.repo.byLeaf(0), null);
      assert.deepEqual(await s.repo.byEventId(U('p1')), []);
      assert.deepEqual(await s.repo.jobs(10), []);
      const t = await trace(s.repo, sgtin('1'), 'forward');
      assert.deepEqual([t.events, t.hops], [[], []]);
    });
  });

  describe('SimpleEventQuery', () => {
    let s: EpcisStoreFixture;
    let beforePaged = 0;
    before(async () => {
      s = await epcisStore(driver);
      ({ beforePaged } = await load(s));
    });
    after(() => s.dispose());

    it('selects exactly the expected events for every supported parameter, with side tables read first or probed per event', async () => {
      for (const [qs, want] of QUERY_TABLE) {
        const expected = [...want].sort();
        assert.deepEqual(idsOf((await run(s.repo, `${qs}&perPage=1000`)).events).sort(), expected, qs);
        assert.deepEqual(idsOf((await run(s.repo, `${qs}&perPage=1000`, -1)).events).sort(), expected, `${qs} (probed)`);
      }
    });

    it('selects by record time', async () => {
      const at = new Date(beforePaged).toISOString();
      assert.deepEqual(idsOf((await run(s.repo, `${AT_PAGED}&LT_recordTime=${at}`)).events), []);
      assert.deepEqual(idsOf((await run(s.repo, `${AT_PAGED}&GE_recordTime=${at}`)).events), PAGED_IDS);
    });

    it('orders by capture, eventTime and recordTime, and pages across pages with nextPageToken', async () => {
      assert.deepEqual(await allPages(s.repo, `${AT_PAGED}&perPage=2`), [
        [U('p1'), U('p2')],
        [U('p3'), U('p4')],
        [U('p5'), U('p6')],
      ]);
      assert.deepEqual(await allPages(s.repo, `${AT_PAGED}&perPage=4&orderBy=eventTime`), [
        [U('p6'), U('p5'), U('p4'), U('p3')],
        [U('p2'), U('p1')],
      ]);
      assert.deepEqual((await allPages(s.repo, `${AT_PAGED}&perPage=5&orderBy=eventTime&orderDirection=ASC`)).flat(), PAGED_IDS);
      // One document shares one record time: ties fall back to capture order, in the direction asked.
      assert.deepEqual(
        (await allPages(s.repo, `${AT_PAGED}&perPage=4&orderBy=recordTime&orderDirection=DESC`)).flat(),
        [...PAGED_IDS].reverse(),
      );
      assert.deepEqual((await allPages(s.repo, 'perPage=7')).flat().length, await s.repo.count());
    });

    it('caps with eventCountLimit over all pages and refuses more than maxEventCount with 413', async () => {
      assert.deepEqual(await allPages(s.repo, `${AT_PAGED}&perPage=2&orderBy=eventTime&orderDirection=ASC&eventCountLimit=3`), [
        [U('p1'), U('p2')],
        [U('p3')],
      ]);
      assert.deepEqual(idsOf((await run(s.repo, `${AT_PAGED}&maxEventCount=6`)).events), PAGED_IDS);
      await assert.rejects(
        run(s.repo, `${AT_PAGED}&maxEventCount=5`),
        (e: unknown) => e instanceof EpcisProblem && e.status === 413,
      );
    });

    it('matches broad EPC patterns exactly as the domain matcher does, identifier by identifier', async () => {
      const cases: [string, string, RoleName[]][] = [
        ['MATCH_epc', 'urn:epc:idpat:sgtin:*.*.*', ['epc', 'child']],
        ['MATCH_anyEPC', 'urn:epc:idpat:sgtin:0614141.*.*', ['epc', 'child', 'parent', 'input', 'output']],
        ['MATCH_anyEPCClass', 'urn:epc:idpat:sgtin:*.*.*', ['quantity', 'childQuantity', 'inputQuantity', 'outputQuantity']],
      ];
      for (const [param, pattern, roles] of cases) {
        const want = idsOf(await s.repo.eventsByEpc(pattern, roles)).sort();
        assert.ok(want.length >= 3, `${param}=${pattern} selects several events`);
        const qs = `${param}=${pattern}&perPage=1000`;
        assert.deepEqual(idsOf((await run(s.repo, qs)).events).sort(), want, qs);
        assert.deepEqual(idsOf((await run(s.repo, qs, -1)).events).sort(), want, `${qs} (probed)`);
      }
    });

    it('compiles and/or trees built by callers, not only those parameters make', async () => {
      const ctx = { epcMatch: s.repo.epcMatch };
      // An identifier or pattern as the index keys it (what the parser does for MATCH_*).
      const termsOf = (v: string): EpcTerm[] => {
        const m = epcMatcher(v, s.repo.codec);
        return [
          ...(m.exact !== null ? [{ exact: m.exact }] : []),
          ...m.ranges.map((r) => ({ from: r.from, to: r.to, pattern: r.exact ? null : v })),
        ];
      };
      const select = async (where: FilterNode[], setThreshold?: number) =>
        idsOf(
          await s.repo.index.queryEvents(
            { where, orderBy: 'capture', direction: 'ASC' },
            { after: null, limit: 100 },
            { ...ctx, ...(setThreshold !== undefined ? { setThreshold } : {}) },
          ),
        ).sort();
      const tree: FilterNode = {
        kind: 'or',
        nodes: [
          { kind: 'in', field: 'type', values: ['AggregationEvent'] },
          { kind: 'epc', roles: [ROLE.epc], terms: termsOf(sgtin('p1')) },
          {
            kind: 'and',
            nodes: [
              { kind: 'compare', field: 'eventTime', op: '>=', value: Date.parse('2024-04-06T00:00:00Z') },
              { kind: 'epc', roles: [ROLE.epc], terms: termsOf('urn:epc:idpat:sgtin:0614141.*.p6') },
            ],
          },
        ],
      };
      const want = [AGG, U('p1'), U('p6')].sort();
      assert.deepEqual(await select([tree]), want);
      assert.deepEqual(await select([tree], -1), want);
      assert.deepEqual(await select([{ kind: 'or', nodes: [] }]), []);
      assert.equal(await s.repo.index.countEvents({ where: [tree], orderBy: 'capture', direction: 'ASC' }, 10, ctx), 3);
    });

    it('refuses a page token from another query, an altered one and a released one', async () => {
      const first = await run(s.repo, `${AT_PAGED}&perPage=2`);
      const token = first.nextPageToken!;
      const bad = async (qs: string, code: string) =>
        assert.rejects(run(s.repo, qs), (e: unknown) => e instanceof EpcisProblem && e.code === code, qs);
      await bad(`EQ_bizStep=receiving&perPage=2&nextPageToken=${encodeURIComponent(token)}`, 'page_token_mismatch');
      await bad(`${AT_PAGED}&perPage=2&nextPageToken=${encodeURIComponent(`x${token}`)}`, 'bad_page_token');
      await s.repo.revokeToken(token.split('.')[1]!);
      await bad(`${AT_PAGED}&perPage=2&nextPageToken=${encodeURIComponent(token)}`, 'page_token_released');
    });

    it('looks up events, identifiers, vocabularies, master data and the EPC graph', async () => {
      const both = await s.repo.byEventId(U('d1'));
      assert.deepEqual(
        both.map((e) => e.isDeclaration),
        [false, true],
      );
      assert.equal(both[0]!.declaredBy, both[1]!.leafIndex, 'the original is marked by its declaration');
      assert.equal((await s.repo.byLeaf(both[0]!.leafIndex))?.eventId, U('d1'));
      assert.deepEqual(
        (await s.repo.hops(sgtin('d1'))).map((h) => [h.eventId, h.isDeclaration]),
        [
          [U('d1'), false],
          [U('d1-fix'), false],
          [U('d1'), true],
        ].sort((a, b) => Number(a[1]) - Number(b[1])),
      );
      assert.deepEqual(
        (await s.repo.eventsByEpc('urn:epc:idpat:sgtin:0614141.107346.*'))
          .filter((e) => /p\d$/.test(e.eventId))
          .map((e) => e.eventId),
        PAGED_IDS,
      );
      const links = await s.repo.eventLinks(both[1]!.leafIndex);
      assert.deepEqual(links.links, [{ kind: 'correctiveEventID', type: null, value: U('d1-fix') }]);
      assert.deepEqual(await s.repo.vocabulary('bizStep', 2, 'receiving'), ['shipping', 'transporting']);
      assert.equal(await s.repo.hasVocabulary('readPoint', epcToDigitalLink(sgln('00020'))!), true);
      assert.equal(await s.repo.hasVocabulary('epc', sgtin('nothing')), false);
      const site = await s.repo.index.vocabularyElement(epcToDigitalLink(sgln('00000'))!);
      assert.deepEqual(site?.attributes, [{ attr: 'urn:epcglobal:cbv:mda:sst', value: 200 }]);
      assert.equal(site?.children.length, 2);
      assert.ok(s.repo.companyPrefixes().has('0614141'));
      const back = await trace(s.repo, 'urn:epc:id:sgtin:0614141.107346.2017', 'backward');
      assert.ok(back.containers.length > 0, 'backward from a packed item: its container');
      assert.ok(back.events.some((e) => e.eventID === AGG));
      const jobs = await s.repo.jobs(100);
      assert.ok(jobs.length >= 18 && jobs.every((j) => j.success && !j.running));
    });
  });

  describe('the index as a follower of the log', () => {
    it('indexes, on open, an event that reached the log but not the index (a crash between the two)', async () => {
      const s = await epcisStore(driver);
      try {
        await s.capture(doc(PAGED.slice(0, 2)));
        const event = event_('crashed');
        const hashId = eventHashId(event as never);
        const recordTime = Date.now();
        await s.log.append([
          {
            data: encodeLeaf({
              kind: 'epcis',
              receivedAt: recordTime,
              body: encodeEpcisBody(hashId, canonicalJson(event), randomEpcisSalt()),
            }),
          },
        ]);
        assert.deepEqual(await s.repo.byEventId(U('crashed')), []);
        const reopened = await s.reopen();
        const [e] = await reopened.byEventId(U('crashed'));
        assert.equal(e?.hashId, hashId);
        assert.equal(e?.recordTime, recordTime);
        assert.deepEqual(idsOf(await reopened.eventsByEpc(sgtin('crashed'))), [U('crashed')]);
        assert.deepEqual(idsOf((await run(reopened, `MATCH_epc=${sgtin('crashed')}`)).events), [U('crashed')]);
        assert.equal(await reopened.count(), 3);
        assert.equal(await reopened.index.meta('scan_cursor'), String(s.log.size));
        // A second open finds nothing left to index.
        assert.deepEqual(await (await s.reopen()).catchUp(), { indexed: 0, scanned: 0 });
      } finally {
        await s.dispose();
      }
    });

    it('keeps "indexed ⇔ in the log" when an index write fails after the append: pending, then indexed by the next capture', async () => {
      let fail = true;
      const s = await epcisStore(driver, (index) =>
        Object.assign(Object.create(index) as EpcisIndexStore, {
          indexEvents: async (...a: Parameters<EpcisIndexStore['indexEvents']>) => {
            if (fail && a[0].length > 0) {
              fail = false;
              throw new Error('disk on fire');
            }
            return index.indexEvents(...a);
          },
        }),
      );
      try {
        // The write fails once; the repository's immediate catch-up then indexes from the log.
        const job = await s.capture(doc([event_('poisoned')]));
        assert.equal(job.success, true, JSON.stringify(job.errors));
        assert.equal((await s.repo.byEventId(U('poisoned'))).length, 1);
        assert.equal(await s.repo.count(), 1);
        assert.equal(s.log.size, 1);
      } finally {
        await s.dispose();
      }
    });

    it('settles a capture job a stop interrupted, from what the log holds', async () => {
      const s = await epcisStore(driver);
      try {
        await s.repo.createJob({ id: 'job-lost', behaviour: 'rollback', eventCount: 1, errors: [], probeEventId: U('never') });
        const reopened = await s.reopen();
        const job = await reopened.job('job-lost');
        assert.equal(job?.running, false);
        assert.equal(job?.success, false);
        assert.equal(job?.errors[0]?.code, 'capture_interrupted');
      } finally {
        await s.dispose();
      }
    });

    it('refuses a duplicate eventID and a second declaration, in the store and within a document', async () => {
      const s = await epcisStore(driver);
      try {
        await s.capture(doc([event_('dup')]));
        const again = await s.capture(doc([event_('dup')]));
        assert.equal(again.success, false);
        assert.equal(again.errors[0]?.code, 'duplicate_event_id');
        const twice = await s.capture(doc([event_('twin'), event_('twin')]));
        assert.equal(twice.errors[0]?.code, 'duplicate_event_id');
        assert.equal(await s.repo.count(), 1);
      } finally {
        await s.dispose();
      }
    });
  });
}

const event_ = (id: string): Json => event(id);

/** Runs one statement on the index's database, beside the driver (tests of the schema itself). */
async function rawExec(driver: DriverName, where: { dir: string; url: string | null }, sql: string): Promise<void> {
  if (driver === 'sqlite') {
    const db = openSqliteFile({ path: join(where.dir, 'node.db') });
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const db = await PgDatabase.open({ url: where.url! });
  try {
    await db.query(sql);
  } finally {
    await db.close();
  }
}

/** The index's schema: versioned, adopted in place from the layout before migrations, refused when newer. */
export function epcisSchemaConformance(driver: DriverName): void {
  it('refuses an index whose schema is newer than this code, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), `tt-epcis-schema-${driver}-`));
    const pg = driver === 'postgres' ? await freshPostgresDatabase('tt_epcis') : null;
    const open = async () => {
      if (!pg) return new SqliteEpcisIndex(join(dir, 'node.db'));
      const db = await PgDatabase.open({ url: pg.url, max: 2 });
      try {
        return await PostgresEpcisIndex.open(db);
      } finally {
        await db.close();
      }
    };
    try {
      await (await open()).close();
      await rawExec(driver, { dir, url: pg?.url ?? null }, "UPDATE schema_migrations SET version = 2 WHERE area = 'epcis'");
      await assert.rejects(
        open(),
        (e: unknown) => e instanceof StoreError && e.code === 'schema_too_new' && /"epcis"/.test(e.message),
      );
    } finally {
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (driver === 'sqlite')
    it('adopts a node.db from before versioned migrations in place: its events stay queryable', async () => {
      const s = await epcisStore('sqlite');
      try {
        await s.capture(doc(PAGED));
        // The layout before migrations: the same tables, no schema_migrations row.
        (s.repo.index as SqliteEpcisIndex).db.exec("DELETE FROM schema_migrations WHERE area = 'epcis'");
        const again = await s.reopen();
        assert.deepEqual(idsOf((await run(again, AT_PAGED)).events), PAGED_IDS);
        const db = (again.index as SqliteEpcisIndex).db;
        assert.equal(sqliteSchemaVersion(db, 'epcis'), 1);
      } finally {
        await s.dispose();
      }
    });
}
