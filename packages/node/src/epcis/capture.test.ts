// EPCIS capture and query on a real node (embedded chain, SQLite store,
// transparency log): every GS1 example captured and queried back, the
// bad-input battery (nothing half-stored under rollback), proceed mode, error
// declarations, proofs that verify, and recovery of events logged but not indexed.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import { type EventProof, verifyEventProof } from '@tradetwin/core/proof/epcis-event';
import { encodeCbor } from '@tradetwin/core/cose/cbor';
import { documentEvents, epcToDigitalLink, eventHashId } from '@tradetwin/core/epcis/index';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import { auditLog } from '../log/audit.js';
import { checkEpcisLeaves } from './audit.js';
import { canonicalJson } from '@tradetwin/core/json/canonical-json';
import { epcisOpenApiPaths } from './openapi.js';
import { parseEventQuery, rawQueryPairs, runEventQuery } from './query.js';
import { decodeEpcisBody, encodeEpcisBody, openEpcisRepository, randomEpcisSalt } from './repository.js';
import { type EpcisTestNode, EXAMPLES_DIR, example, startEpcisNode } from './test-support.js';

let n: EpcisTestNode;
const LIMITS = { maxEvents: 50, maxBytes: 64 * 1024 };

before(async () => {
  n = await startEpcisNode({ limits: LIMITS });
});
after(() => n.dispose());

type Json = Record<string, unknown>;
type QueryDoc = { type: string; epcisBody: { queryResults: { resultsBody: { eventList: Json[] } } } };

const eventsOf = (d: Json): Json[] => {
  const body = d.epcisBody as Json;
  return ((body.eventList ?? ((body.queryResults as Json).resultsBody as Json).eventList) as Json[]).map((e) => ({ ...e }));
};
// These tests compare what is served with what was captured: ask for it untranslated
// (without the header the binding's default, GS1 Digital Link, applies; params.test.ts covers that).
const get = async (path: string) => {
  const res = await n.request(path, { headers: { 'GS1-EPC-Format': 'Never_Translates' } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
};
const query = async (qs: string) => {
  const r = await get(`/epcis/events?${qs}`);
  assert.equal(r.status, 200, `${qs}: ${JSON.stringify(r.body)}`);
  return { ...r, events: (r.body as unknown as QueryDoc).epcisBody.queryResults.resultsBody.eventList };
};
const ids = (events: Json[]) => events.map((e) => e.eventID as string);
/** Log size and event count: what "nothing half-stored" is measured by. */
/** Makes the index refuse identifiers containing `word` (a disk failing mid-write), or stops it (null). */
async function failIndexOn(node: EpcisTestNode, word: string | null): Promise<void> {
  if (node.driver === 'sqlite') {
    await node.indexSql(
      word === null
        ? 'DROP TRIGGER fail_index'
        : `CREATE TRIGGER fail_index BEFORE INSERT ON epcis_epc WHEN NEW.epc LIKE '%${word}%' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    );
    return;
  }
  if (word === null) {
    await node.indexSql('DROP TRIGGER fail_index ON epcis_epc');
    await node.indexSql('DROP FUNCTION fail_index()');
    return;
  }
  await node.indexSql(
    `CREATE FUNCTION fail_index() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.epc LIKE '%${word}%' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$`,
  );
  await node.indexSql('CREATE TRIGGER fail_index BEFORE INSERT ON epcis_epc FOR EACH ROW EXECUTE FUNCTION fail_index()');
}

const footprint = async () => ({ log: n.t.node.log.size, events: await await n.repo.count() });

function objectEvent(id: string, over: Json = {}): Json {
  return {
    type: 'ObjectEvent',
    eventID: id,
    action: 'OBSERVE',
    bizStep: 'inspecting',
    eventTime: '2024-03-01T10:00:00.000+01:00',
    eventTimeZoneOffset: '+01:00',
    epcList: ['urn:epc:id:sgtin:4012345.011111.1'],
    readPoint: { id: 'urn:epc:id:sgln:4012345.00005.0' },
    ...over,
  };
}
const doc = (events: Json[], context: unknown = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld']): Json => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-03-01T12:00:00Z',
  epcisBody: { eventList: events },
});

describe('GS1 examples', () => {
  const files = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.jsonld') && f !== 'EPCISQueryDocument.jsonld')
    .sort();

  it('captures every example document and serves each event back as captured, with its hash ID', async () => {
    let expected = 0;
    for (const f of files) {
      const d = example(f);
      const r = await n.capture(d);
      assert.equal(r.status, 202, `${f}: ${JSON.stringify(r.problem)}`);
      assert.equal(r.job?.success, true, `${f}: ${JSON.stringify(r.job?.errors)}`);
      assert.equal(r.job?.capturedCount, eventsOf(d).length, f);
      expected += eventsOf(d).length;
      const extras = (d['@context'] as unknown[]).filter((c) => typeof c !== 'string');
      for (const original of eventsOf(d)) {
        const hashId = eventHashId(original, d['@context'] as never);
        const eventID = (original.eventID as string | undefined) ?? hashId;
        const back = await get(`/epcis/events/${encodeURIComponent(eventID)}`);
        assert.equal(back.status, 200, `${f} ${eventID}`);
        const list = (back.body as unknown as QueryDoc).epcisBody.queryResults.resultsBody.eventList;
        assert.equal(list.length, 1);
        const { recordTime, '@context': ctx, ...got } = list[0]!;
        assert.match(String(recordTime), /^\d{4}-\d\d-\d\dT/);
        assert.deepEqual(got, { ...original, eventID }, `${f}: the event comes back as captured`);
        assert.deepEqual(ctx ?? [], extras, `${f}: extension namespaces travel with the event`);
        const stored = (await n.repo.byEventId(eventID))[0]!;
        assert.equal(stored.hashId, hashId, `${f}: CBV 2.0 hash ID`);
        // The log holds exactly these bytes, with the leaf's own salt.
        const leaf = await n.t.node.store.leaf(stored.leafIndex);
        const salt = decodeEpcisBody(decodeLeaf(leaf!.data).body).salt;
        assert.equal(salt?.length, 16, `${f}: a salted leaf`);
        assert.deepEqual(
          leaf?.data,
          encodeLeaf({
            kind: 'epcis',
            receivedAt: stored.recordTime,
            body: encodeEpcisBody(
              hashId,
              canonicalJson({ ...original, eventID, ...(extras.length ? { '@context': extras } : {}) }),
              salt!,
            ),
          }),
        );
      }
    }
    assert.equal(await n.repo.count(), expected);
  });

  it('answers the example query document: 9.6.1 events queried back match EPCISQueryDocument.jsonld; recapturing it is a duplicate', async () => {
    const qd = example('EPCISQueryDocument.jsonld');
    const want = eventsOf(qd);
    const r = await query(
      `EQ_eventID=${want.map((e) => encodeURIComponent(e.eventID as string)).join('|')}&orderBy=eventTime&orderDirection=ASC`,
    );
    assert.equal(r.body.type, 'EPCISQueryDocument');
    assert.deepEqual(
      r.events.map(({ recordTime: _r, '@context': _c, ...e }) => e),
      want,
    );
    const before = await footprint();
    // A duplicate is a capture fault: 202, and the job says why nothing was stored.
    const again = await n.capture(qd);
    assert.equal(again.status, 202);
    assert.equal(again.job?.success, false);
    assert.deepEqual(
      again.job?.errors.map((e) => [e.type, e.code, e.status]),
      [
        ['epcisException:ResourceAlreadyExistsException', 'duplicate_event_id', 409],
        ['epcisException:ResourceAlreadyExistsException', 'duplicate_event_id', 409],
      ],
    );
    assert.equal(again.job?.capturedCount, 0);
    assert.deepEqual(await footprint(), before);
  });

  it('finds example events by the standard query parameters', async () => {
    const sensor1 = 'ni:///sha-256;74f1dc48ee22289bc40ddd9f1d0ecae0dd09a2f4c3dfa66fdbca16cb2d8a4e77?ver=CBV2.0';
    const sensor5 = 'ni:///sha-256;e13ff14a9b4f3dd11bba60315ed9b849eb8ddf4c5b1a9aa794cd250256730834?ver=CBV2.0';
    const agg = 'ni:///sha-256;87b5f18a69993f0052046d4687dfacdf48f7c988cfabda2819688c86b4066a49?ver=CBV2.0';
    const transf = 'ni:///sha-256;e65c3a997e77f34b58306da7a82ab0fc91c7820013287700f0b50345e5795b97?ver=CBV2.0';
    const obj1 = 'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0';
    const obj2 = 'ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0';
    const cases: [string, string[]][] = [
      ['eventType=AggregationEvent', [agg]],
      [
        'eventType=TransformationEvent&EQ_bizStep=commissioning&EXISTS_errorDeclaration=false',
        [transf, 'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8', 'urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8'],
      ],
      // bare CBV values, CBV 1.x URNs and CBV 2.0 Web URIs are one value
      ['EQ_bizStep=shipping', [obj1]],
      ['EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping', [obj1]],
      ['EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping', [obj1]],
      [
        'EQ_disposition=in_transit|urn:epcglobal:cbv:disp:in_progress&eventType=ObjectEvent&GE_eventTime=2005-01-01T00:00:00Z&LT_eventTime=2006-01-01T00:00:00Z',
        [obj1, obj2],
      ],
      // EPC URNs and GS1 Digital Links are one identifier; patterns match instances and lots
      ['MATCH_epc=urn:epc:id:sgtin:0614141.107346.2018&LT_eventTime=2010-01-01T00:00:00Z', [obj1, obj2]],
      [`MATCH_epc=${epcToDigitalLink('urn:epc:id:sgtin:0614141.107346.2018')}&LT_eventTime=2010-01-01T00:00:00Z`, [obj1, obj2]],
      ['MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*&eventType=ObjectEvent', [obj1, obj2]],
      ['MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017', [obj1, agg]],
      ['MATCH_parentID=urn:epc:id:sscc:0614141.1234567890', [agg]],
      ['MATCH_inputEPC=urn:epc:id:sgtin:4000001.065432.99886655', [transf]],
      ['MATCH_outputEPC=urn:epc:id:sgtin:4012345.077889.27', [transf]],
      ['MATCH_anyEPC=urn:epc:id:sscc:0614141.1234567890', [agg]],
      [
        'MATCH_epcClass=urn:epc:class:lgtin:4012345.012345.998877',
        ['ni:///sha-256;a98f08ae6ac4de3482054314d637c07010b448d3802dccb028a06aafcc6a4b10?ver=CBV2.0', agg],
      ],
      ['MATCH_inputEPCClass=urn:epc:idpat:sgtin:4012345.066666.*', [transf]],
      [
        'MATCH_anyEPCClass=urn:epc:idpat:sgtin:4012345.*.*&eventType=ObjectEvent',
        ['ni:///sha-256;a98f08ae6ac4de3482054314d637c07010b448d3802dccb028a06aafcc6a4b10?ver=CBV2.0'],
      ],
      [
        'EQ_readPoint=urn:epc:id:sgln:0614141.00777.0',
        ['ni:///sha-256;a98f08ae6ac4de3482054314d637c07010b448d3802dccb028a06aafcc6a4b10?ver=CBV2.0', agg],
      ],
      [`EQ_bizLocation=${epcToDigitalLink('urn:epc:id:sgln:0012345.11111.0')}`, [obj2]],
      ['EQ_bizTransaction_po=http://transaction.acme.com/po/12345678', [obj1, obj2]],
      [
        'EQ_source_possessing_party=urn:epc:id:sgln:4012345.00001.0',
        ['ni:///sha-256;a98f08ae6ac4de3482054314d637c07010b448d3802dccb028a06aafcc6a4b10?ver=CBV2.0'],
      ],
      [
        'EQ_action=ADD&eventType=AssociationEvent',
        [
          'ni:///sha-256;025ac144187a8c5e14caf4d1cfa69250a33dc59a5bc42a68d31b1b5e55a3f15a?ver=CBV2.0',
          'ni:///sha-256;a15e0b457cfc95305b6d530978c4cd7965bb29c0b8c312310fc7210c9ef123d9?ver=CBV2.0',
        ],
      ],
      ['EXISTS_sensorElementList=true&EQ_type=Temperature&GE_value_CEL=26.15', [sensor1, sensor5]],
      [
        'EQ_type=gs1:Temperature&GE_maxValue_CEL=13&LT_maxValue_CEL=14',
        ['ni:///sha-256;b507b2720c96cd99855eabb101e8617d48622eff4ceaad0a416b3c10dfd316ee?ver=CBV2.0'],
      ],
      [
        'EQ_deviceID=urn:epc:id:giai:4000001.222',
        ['ni:///sha-256;7ff1501099b3f5890d310d703fb9f57e251bba0c57d3c049fab590b50323a8e7?ver=CBV2.0'],
      ],
      // the sensor filters hold for one report: humidity 12.1 is A93, not CEL
      ['EQ_type=AbsoluteHumidity&GE_value_CEL=0', []],
      [
        'EQ_type=Temperature&GE_time=2019-04-02T14:50:00+01:00&LT_time=2019-04-02T14:56:00+01:00&EQ_value_CEL=26|26.5',
        ['ni:///sha-256;7ff1501099b3f5890d310d703fb9f57e251bba0c57d3c049fab590b50323a8e7?ver=CBV2.0', sensor5],
      ],
      [
        'GE_startTime=2019-04-02T13:00:00+01:00&EQ_bizRules=https://example.com/253/4012345000054987',
        ['ni:///sha-256;0301ed4c40065cde36eb9cc80780312d903a031a91d105639df4e649a9d01200?ver=CBV2.0'],
      ],
      ['EQ_quantity=200.5', [agg]],
      ['GT_quantity=400', ['urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8', 'urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8']],
      ['EQ_transformationID=urn:uuid:nothing', []],
    ];
    for (const [qs, want] of cases) {
      const r = await query(qs);
      assert.deepEqual(ids(r.events).sort(), [...want].sort(), qs);
      // the same answer when every side-table condition is probed per event (the plan for large sets)
      const { query: parsed, page } = parseEventQuery(rawQueryPairs(`/e?${qs}&perPage=1000`), { forms: n.repo.codec });
      const probed = await runEventQuery(n.repo, parsed, page, null, -1);
      assert.deepEqual(probed.events.map((e) => e.eventId).sort(), [...want].sort(), `${qs} (probed)`);
    }
  });

  it('pages with opaque, stable tokens and honours orderBy, orderDirection and eventCountLimit', async () => {
    const all = (await query('orderBy=eventTime&orderDirection=DESC&perPage=1000')).events;
    const times = all.map((e) => Date.parse(e.eventTime as string));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    const seen: string[] = [];
    let path = '/epcis/events?orderBy=eventTime&orderDirection=DESC&perPage=4';
    let pages = 0;
    for (;;) {
      const res = await n.request(path);
      assert.equal(res.status, 200);
      const body = (await res.json()) as QueryDoc;
      seen.push(...ids(body.epcisBody.queryResults.resultsBody.eventList));
      pages++;
      if (pages === 2) {
        // an event captured between pages does not shift or repeat the pages of a keyset token
        const r = await n.capture(
          doc([objectEvent('urn:uuid:page-stability', { eventTime: '1999-01-01T00:00:00Z', eventTimeZoneOffset: '+00:00' })]),
        );
        assert.equal(r.job?.success, true);
      }
      const link = res.headers.get('link');
      if (!link) break;
      const m = /^<([^>]+)>; rel="next"$/.exec(link);
      assert.ok(m, link);
      path = m[1]!;
    }
    assert.deepEqual(seen, [...ids(all), 'urn:uuid:page-stability']);
    assert.equal(pages, Math.ceil((all.length + 1) / 4));
    const limited = await query('orderBy=eventTime&orderDirection=ASC&eventCountLimit=3&perPage=2');
    assert.equal(limited.events.length, 2);
    const next = /<([^>]+)>/.exec(limited.headers.get('link') ?? '')![1]!;
    const rest = (await get(next)).body as unknown as QueryDoc;
    assert.equal(rest.epcisBody.queryResults.resultsBody.eventList.length, 1);
    const tooMany = await get('/epcis/events?maxEventCount=2');
    assert.equal(tooMany.status, 413);
    assert.equal(tooMany.body.type, 'epcisException:QueryTooLargeException');
  });

  it('serves the resource collections and the per-resource event endpoints', async () => {
    assert.deepEqual((await get('/epcis/eventTypes')).body.member, [
      'ObjectEvent',
      'AggregationEvent',
      'TransactionEvent',
      'TransformationEvent',
      'AssociationEvent',
    ]);
    const steps = (await get('/epcis/bizSteps?perPage=1000')).body.member as string[];
    assert.ok(steps.includes('shipping') && steps.includes('http://epcis.example.org/hc/bizstep/summarising_discharge'));
    const perType = (await get('/epcis/eventTypes/AggregationEvent/events')).body as unknown as QueryDoc;
    assert.equal(perType.epcisBody.queryResults.resultsBody.eventList.length, 1);
    const perEpc = (
      await get(`/epcis/epcs/${encodeURIComponent(epcToDigitalLink('urn:epc:id:sscc:0614141.1234567890')!)}/events`)
    ).body as unknown as QueryDoc;
    assert.equal(perEpc.epcisBody.queryResults.resultsBody.eventList[0]!.type, 'AggregationEvent');
    const perStep = (await get('/epcis/bizSteps/urn:epcglobal:cbv:bizstep:receiving/events')).body as unknown as QueryDoc;
    assert.equal(perStep.epcisBody.queryResults.resultsBody.eventList.length, 3);
    const epcs = await get('/epcis/epcs?perPage=3');
    assert.equal((epcs.body.member as string[]).length, 3);
    assert.match(epcs.headers.get('link') ?? '', /nextPageToken=/);
    const opt = await n.request('/epcis/capture', { method: 'OPTIONS' });
    assert.equal(opt.status, 204);
    assert.equal(opt.headers.get('GS1-EPCIS-Capture-Limit'), String(LIMITS.maxEvents));
    assert.equal(opt.headers.get('GS1-EPCIS-Capture-File-Size-Limit'), String(LIMITS.maxBytes));
    assert.equal(opt.headers.get('GS1-EPCIS-Version'), '2.0.0');
    assert.equal(opt.headers.get('GS1-CBV-Version'), '2.0.0');
    assert.equal((await get('/epcis/eventTypes/ShipmentEvent')).status, 404);
    assert.equal((await get('/epcis/queries')).status, 501);
  });

  it('describes every route it serves in OpenAPI path items for the node document', () => {
    const described = epcisOpenApiPaths('/epcis');
    const routes = n.app.routes.filter((r) => r.method !== 'ALL');
    assert.ok(routes.length >= 25);
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
      assert.ok(described[path]?.[r.method.toLowerCase()], `${r.method} ${path} is described`);
    }
  });
});

describe('bad input', () => {
  const expectRefused = async (
    name: string,
    body: unknown,
    status: number,
    code: string,
    headers: Record<string, string> = {},
    gs1?: string,
  ) => {
    const before = await footprint();
    const r = await n.capture(body, { headers });
    assert.equal(r.status, status, `${name}: ${JSON.stringify(r.problem)}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json', name);
    assert.equal(r.problem?.code, code, `${name}: ${JSON.stringify(r.problem)}`);
    assert.equal(r.problem?.status, status, name);
    if (gs1) assert.equal(r.problem?.type, gs1, name);
    assert.ok(typeof r.problem?.detail === 'string' && r.problem.detail.length > 10, name);
    assert.deepEqual(await footprint(), before, `${name}: nothing stored`);
    return r.problem!;
  };
  /** Accepted for capture (202) but refused by the job under rollback: nothing stored, the job names the fault. */
  const expectFailedJob = async (name: string, body: unknown, code: string) => {
    const before = await footprint();
    const r = await n.capture(body);
    assert.equal(r.status, 202, `${name}: ${JSON.stringify(r.problem)}`);
    assert.equal(r.job?.success, false, name);
    assert.equal(r.job?.errors[0]?.code, code, `${name}: ${JSON.stringify(r.job?.errors)}`);
    assert.equal(r.job?.errors[0]?.status, 409, name);
    assert.equal(r.job?.errors[0]?.type, 'epcisException:ResourceAlreadyExistsException', name);
    assert.deepEqual(await footprint(), before, `${name}: nothing stored`);
  };
  const good = (i: number) => objectEvent(`urn:uuid:good-${i}`, { epcList: [`urn:epc:id:sgtin:4012345.011111.g${i}`] });

  it('refuses each fault with a precise problem and stores nothing of the document (rollback)', async () => {
    const schema = await expectRefused(
      'schema-invalid',
      doc([good(1), objectEvent('urn:uuid:b1', { epcList: 'urn:epc:id:sgtin:4012345.011111.1' })]),
      400,
      'bad_field',
      {},
      'epcisException:ValidationException',
    );
    const errs = schema.errors as { eventIndex: number; pointer: string }[];
    assert.ok(errs.every((e) => e.eventIndex === 1));
    assert.ok(errs.some((e) => e.pointer === '/epcisBody/eventList/1/epcList'));

    const unknown = await expectRefused(
      'unknown event type',
      doc([good(1), { ...good(2), type: 'ShipmentEvent' }]),
      400,
      'unknown_event_type',
    );
    assert.match(String(unknown.detail), /ShipmentEvent/);
    const time = await expectRefused(
      'bad timestamp',
      doc([objectEvent('urn:uuid:b2', { eventTime: '2024-02-30T10:00:00Z' })]),
      400,
      'bad_event_time',
    );
    assert.match(String(time.detail), /day 30 does not exist in 2024-02/);
    await expectRefused(
      'bad offset',
      doc([objectEvent('urn:uuid:b3', { eventTimeZoneOffset: '+15:00' })]),
      400,
      'bad_time_zone_offset',
    );
    await expectRefused(
      'missing offset',
      doc([objectEvent('urn:uuid:b4', { eventTimeZoneOffset: undefined })]),
      400,
      'bad_time_zone_offset',
    );
    await expectRefused(
      'bad declaration time',
      doc([objectEvent('urn:uuid:b5', { errorDeclaration: { declarationTime: 'soon' } })]),
      400,
      'bad_error_declaration',
    );
    await expectRefused(
      'several faults',
      doc([good(1), { ...good(2), action: 'JUMP' }, objectEvent('urn:uuid:b6', { eventTime: 'yesterday' })]),
      400,
      'invalid_events',
    );
    await expectRefused('not an EPCIS document', { type: 'Invoice' }, 400, 'not_an_epcis_document');
    await expectRefused(
      'no event list',
      { type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-01-01T00:00:00Z', epcisBody: {} },
      400,
      'no_event_list',
    );
    await expectRefused('document-level schema fault', { ...doc([good(1)]), creationDate: 'today' }, 400, 'schema_violation');
    await expectRefused('not JSON', '{"type": "EPCISDocument",', 400, 'bad_json');
    // What is hashed and logged must read one way only.
    const text = JSON.stringify(doc([good(1)]));
    await expectRefused(
      'a duplicate key',
      text.replace('"action":"OBSERVE"', '"action":"OBSERVE","action":"DELETE"'),
      400,
      'duplicate_key',
    );
    await expectRefused(
      'a number no double holds',
      text.replace('"action":"OBSERVE"', '"action":"OBSERVE","ex:n":1e309'),
      400,
      'number_out_of_range',
    );
    const deep = text.replace('"action":"OBSERVE"', `"action":"OBSERVE","ex:deep":${'['.repeat(1000)}${']'.repeat(1000)}`);
    await expectRefused('1,000 levels of nesting', deep, 400, 'too_deep');
    const latin1 = new TextEncoder().encode(text.replace('"action":"OBSERVE"', '"action":"OBSERVE","ex:note":"XY"'));
    const at = latin1.indexOf(0x58); // X → a lone 0xE9 (é in Latin-1), which is not UTF-8
    latin1[at] = 0xe9;
    await expectRefused('invalid UTF-8', latin1, 400, 'invalid_utf8');
    await expectRefused('wrong media type', doc([good(1)]), 415, 'unsupported_media_type', { 'content-type': 'text/plain' });
    await expectRefused('bad error behaviour', doc([good(1)]), 400, 'bad_capture_error_behaviour', {
      'GS1-Capture-Error-Behaviour': 'sometimes',
    });
    await expectRefused('EPCIS 1.2 client', doc([good(1)]), 406, 'unsupported_version', { 'GS1-EPCIS-Version': '1.2' });
  });

  it('refuses oversized documents with 413 and the limits in headers', async () => {
    const big = await expectRefused(
      'too many bytes',
      doc(
        [objectEvent('urn:uuid:big', { 'example:blob': 'x'.repeat(LIMITS.maxBytes) })],
        ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'http://ns.example.com/epcis/' }],
      ),
      413,
      'payload_too_large',
      {},
      'epcisException:CaptureLimitExceededException',
    );
    assert.match(String(big.detail), /65536 bytes/);
    const res = await n.request('/epcis/capture', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(doc([objectEvent('urn:uuid:big2', { 'x:y': 'z'.repeat(70_000) })])),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('GS1-EPCIS-Capture-File-Size-Limit'), String(LIMITS.maxBytes));
    assert.equal(res.headers.get('GS1-EPCIS-Capture-Limit'), String(LIMITS.maxEvents));
    await expectRefused(
      'too many events',
      doc(Array.from({ length: LIMITS.maxEvents + 1 }, (_, i) => good(100 + i))),
      413,
      'too_many_events',
    );
  });

  it('tells a duplicate eventID (409) from a valid error declaration, which marks the declared event', async () => {
    const original = objectEvent('urn:uuid:decl-1', { epcList: ['urn:epc:id:sgtin:4012345.011111.d1'], bizStep: 'shipping' });
    const first = await n.capture(doc([original]));
    assert.equal(first.job?.success, true);
    const declaredLeaf = first.job!.leaves!.first;
    await expectFailedJob('duplicate eventID', doc([good(7), original]), 'duplicate_event_id');
    await expectFailedJob('duplicate within a document', doc([good(8), good(8)]), 'duplicate_event_id');
    const res = await n.request('/epcis/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(original),
    });
    assert.equal(res.status, 409);

    const corrective = objectEvent('urn:uuid:decl-1-fix', {
      epcList: ['urn:epc:id:sgtin:4012345.011111.d1'],
      bizStep: 'receiving',
    });
    const declaration = {
      ...original,
      errorDeclaration: {
        declarationTime: '2024-03-02T00:00:00Z',
        reason: 'incorrect_data',
        correctiveEventIDs: ['urn:uuid:decl-1-fix'],
      },
    };
    const ok = await n.capture(doc([declaration, corrective]));
    assert.equal(ok.status, 202);
    assert.equal(ok.job?.success, true, JSON.stringify(ok.job?.errors));
    const both = await n.repo.byEventId('urn:uuid:decl-1');
    assert.equal(both.length, 2);
    assert.equal(both[0]!.leafIndex, declaredLeaf);
    assert.equal(both[0]!.declaredBy, both[1]!.leafIndex, 'the declared event is marked by its declaration');
    assert.equal(both[1]!.isDeclaration, true);
    const single = (await get(`/epcis/events/${encodeURIComponent('urn:uuid:decl-1')}`)).body as unknown as QueryDoc;
    assert.equal(
      single.epcisBody.queryResults.resultsBody.eventList.length,
      2,
      'GET /events/{id} returns the event and its error declaration',
    );
    assert.deepEqual(
      ids(
        (
          await query(
            'EXISTS_errorDeclaration&EQ_errorReason=urn:epcglobal:cbv:er:incorrect_data&GE_errorDeclarationTime=2024-03-01T00:00:00Z',
          )
        ).events,
      ),
      ['urn:uuid:decl-1'],
    );
    assert.deepEqual(ids((await query('EQ_correctiveEventID=urn:uuid:decl-1-fix')).events), ['urn:uuid:decl-1']);
    await expectFailedJob('second declaration', doc([declaration]), 'duplicate_error_declaration');
  });

  it('stores only the good events under proceed, and lists the bad ones in the job', async () => {
    const before = await footprint();
    const events = [
      good(20),
      { ...good(21), type: 'ShipmentEvent' },
      good(22),
      objectEvent('urn:uuid:decl-1'),
      objectEvent('urn:uuid:p-bad', { eventTime: '2024-13-01T00:00:00Z' }),
      good(23),
    ];
    const r = await n.capture(doc(events), { behaviour: 'proceed' });
    assert.equal(r.status, 202);
    const job = r.job!;
    assert.equal(job.running, false);
    assert.equal(job.success, false);
    assert.equal(job.captureErrorBehaviour, 'proceed');
    assert.deepEqual(
      job.errors.map((e) => [e.eventIndex, e.code]),
      [
        [1, 'unknown_event_type'],
        [3, 'duplicate_event_id'],
        [4, 'bad_event_time'],
      ],
    );
    assert.equal(job.capturedCount, 3);
    assert.deepEqual(await footprint(), { log: before.log + 3, events: before.events + 3 });
    assert.deepEqual(
      ids((await query('EQ_eventID=urn:uuid:good-20|urn:uuid:good-21|urn:uuid:good-22|urn:uuid:good-23')).events).sort(),
      ['urn:uuid:good-20', 'urn:uuid:good-22', 'urn:uuid:good-23'],
    );
    const listed = (await get('/epcis/capture?perPage=1000')).body as unknown as { captureID: string }[];
    assert.ok(listed.some((j) => j.captureID === job.captureID));
  });

  it('captures a single event synchronously with POST /events (201, Location) and assigns its hash ID as eventID when absent', async () => {
    const { eventID: _drop, ...event } = objectEvent('x', { epcList: ['urn:epc:id:sgtin:4012345.011111.single'] });
    const res = await n.request('/epcis/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Json;
    const hashId = eventHashId(event as never);
    assert.equal(body.eventID, hashId);
    assert.equal(res.headers.get('location'), `/epcis/events/${encodeURIComponent(hashId)}`);
    const bad = await n.request('/epcis/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...event, eventTimeZoneOffset: '25:00' }),
    });
    assert.equal(bad.status, 400);
    const problem = (await bad.json()) as { code: string; detail: string; errors: { pointer: string }[] };
    assert.equal(problem.code, 'bad_time_zone_offset');
    assert.deepEqual(
      problem.errors.map((e) => e.pointer),
      ['/eventTimeZoneOffset'],
      'pointers into the posted event',
    );
    assert.match(problem.detail, /^\/eventTimeZoneOffset: /);
  });

  it('answers malformed query parameters with 400 problems naming the parameter', async () => {
    const cases: [string, string, string][] = [
      ['GE_eventTime=yesterday', 'bad_time', 'GE_eventTime'],
      ['LT_recordTime=2024-01-01', 'bad_time', 'LT_recordTime'],
      ['perPage=0', 'bad_integer', 'perPage'],
      ['eventCountLimit=-3', 'bad_integer', 'eventCountLimit'],
      ['orderBy=bizStep', 'bad_order_by', 'orderBy'],
      ['orderDirection=UP&orderBy=eventTime', 'bad_order_direction', 'orderDirection'],
      ['orderDirection=ASC', 'conflicting_parameter', 'orderDirection'],
      ['eventCountLimit=2&maxEventCount=3', 'conflicting_parameter', 'maxEventCount'],
      ['EQ_action=JUMP', 'bad_action', 'EQ_action'],
      ['eventType=Shipment Event', 'bad_event_type', 'eventType'],
      ['MATCH_epc=not a uri', 'bad_uri', 'MATCH_epc'],
      ['EQ_bizStep=', 'empty_value', 'EQ_bizStep'],
      ['GE_value_CEL=warm', 'bad_number', 'GE_value_CEL'],
      ['EQ_quantity=1e309', 'number_out_of_range', 'EQ_quantity'],
      ['GE_value_CEL=-1e400', 'number_out_of_range', 'GE_value_CEL'],
      ['EXISTS_sensorElementList=maybe', 'bad_boolean', 'EXISTS_sensorElementList'],
      ['EQ_SENSORREPORT_example:x=1', 'unsupported_parameter', 'EQ_SENSORREPORT_example:x'],
      ['colour=red', 'unknown_parameter', 'colour'],
      ['nextPageToken=abc.def', 'bad_page_token', 'nextPageToken'],
    ];
    for (const [qs, code, parameter] of cases) {
      const r = await get(`/epcis/events?${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.headers.get('content-type'), 'application/problem+json', qs);
      assert.equal(r.body.type, 'epcisException:QueryParameterException', qs);
      assert.equal(r.body.code, code, qs);
      assert.equal(r.body.parameter, parameter, qs);
    }
    // a token is bound to its query
    const page = await get('/epcis/events?perPage=1&eventType=ObjectEvent');
    const token = /nextPageToken=([^&>]+)/.exec(page.headers.get('link') ?? '')![1]!;
    const other = await get(`/epcis/events?perPage=1&eventType=AggregationEvent&nextPageToken=${token}`);
    assert.equal(other.body.code, 'page_token_mismatch');
  });
});

describe('proofs and recovery', () => {
  it('proves an event: leaf, inclusion proof to the latest anchored head, signed by the node', async () => {
    const id = 'ni:///sha-256;87b5f18a69993f0052046d4687dfacdf48f7c988cfabda2819688c86b4066a49?ver=CBV2.0';
    await n.t.node.anchorer.anchorNow();
    const r = await get(`/epcis/events/${encodeURIComponent(id)}/proof`);
    assert.equal(r.status, 200);
    const proof = r.body as unknown as EventProof;
    assert.equal(proof.eventID, id);
    assert.ok(proof.anchor?.txHash, 'anchored');
    const anchors = await n.t.node.store.anchors('confirmed');
    assert.ok(anchors.some((a) => a.size === proof.treeHead.size));
    const v = await verifyEventProof(proof, proofChecks());
    assert.deepEqual(
      v.checks.filter((c) => !c.ok),
      [],
    );
    // a tampered event no longer matches its leaf
    const forged = { ...proof, event: { ...proof.event, bizStep: 'shipping' } };
    assert.equal((await verifyEventProof(forged, proofChecks())).checks.find((c) => c.name === 'event')?.ok, false);
    assert.equal((await get('/epcis/events/urn:uuid:nope/proof')).status, 404);
  });

  it("passes the log audit: every epcis leaf's hash ID recomputes and matches its index row; an edited row is named", async () => {
    const check = checkEpcisLeaves(n.repo);
    const report = await auditLog({
      store: n.t.node.store,
      anchoredHeads: null,
      nodeAddress: n.t.node.address,
      checkLeaf: check,
    });
    assert.deepEqual(report.findings, []);
    assert.equal(report.leavesChecked, n.t.node.log.size);
    const victim = (await n.repo.byEventId('urn:uuid:good-20'))[0]!;
    await n.indexSql('UPDATE epcis_events SET hash_id = ? WHERE rid = ?', ['ni:///sha-256;00?ver=CBV2.0', victim.leafIndex]);
    try {
      const leaf = (await n.t.node.store.leaf(victim.leafIndex))!;
      assert.match(String(await check(leaf)), /index row at leaf/);
    } finally {
      await n.indexSql('UPDATE epcis_events SET hash_id = ? WHERE rid = ?', [victim.hashId, victim.leafIndex]);
    }
  });

  it('names events with CBV 2.1 hash IDs when configured, and the audit recomputes each ID under the version it carries', async () => {
    const v21 = await startEpcisNode({ hashVersion: '2.1' });
    try {
      const doc = example('SensorDataExample1.jsonld');
      const r = await v21.capture(doc);
      assert.equal(r.job?.success, true, JSON.stringify(r.job ?? r.problem));
      const { events, context } = documentEvents(doc);
      const stored = (await v21.indexSql('SELECT hash_id FROM epcis_events')).map((x) => String(x.hash_id));
      assert.equal(stored.length, events.length);
      for (const e of events) {
        const id = eventHashId(e, context as never, '2.1');
        assert.match(id, /\?ver=CBV2\.1$/);
        assert.ok(stored.includes(id), `stored under its CBV 2.1 ID: ${id}`);
      }
      const report = await auditLog({
        store: v21.t.node.store,
        anchoredHeads: null,
        nodeAddress: v21.t.node.address,
        checkLeaf: checkEpcisLeaves(v21.repo),
      });
      assert.deepEqual(report.findings, []);
    } finally {
      await v21.dispose();
    }
  });

  it('keeps "indexed ⇔ in the log" when an index write fails after the append: pending, then indexed by the next capture', async () => {
    const before = await footprint();
    await failIndexOn(n, 'poison');
    let r: Awaited<ReturnType<typeof n.capture>>;
    try {
      r = await n.capture(doc([objectEvent('urn:uuid:poisoned', { epcList: ['urn:epc:id:sgtin:4012345.011111.poison'] })]));
    } finally {
      await failIndexOn(n, null);
    }
    assert.equal(r.job?.success, false);
    assert.equal(r.job?.errors[0]?.code, 'index_pending');
    assert.deepEqual(await footprint(), { log: before.log + 1, events: before.events }, 'logged, not yet indexed');
    const next = await n.capture(doc([objectEvent('urn:uuid:after-poison')]));
    assert.equal(next.job?.success, true);
    assert.deepEqual(
      await footprint(),
      { log: before.log + 2, events: before.events + 2 },
      'the next capture indexed the pending event first',
    );
    assert.equal((await n.repo.byEventId('urn:uuid:poisoned'))[0]?.leafIndex, before.log);
  });

  it('indexes, on open, an event that reached the log but not the index (a crash between the two)', async () => {
    const event = objectEvent('urn:uuid:crashed', { epcList: ['urn:epc:id:sgtin:4012345.011111.crash'] });
    const hashId = eventHashId(event as never);
    const recordTime = Date.now();
    await n.t.node.log.append([
      {
        data: encodeLeaf({
          kind: 'epcis',
          receivedAt: recordTime,
          body: encodeEpcisBody(hashId, canonicalJson(event), randomEpcisSalt()),
        }),
      },
    ]);
    assert.equal((await n.repo.byEventId('urn:uuid:crashed')).length, 0);
    const index = await n.openIndex();
    const reopened = await openEpcisRepository({ index, store: n.t.node.store, log: n.t.node.log });
    try {
      const [e] = await reopened.byEventId('urn:uuid:crashed');
      assert.equal(e?.hashId, hashId);
      assert.equal(e?.recordTime, recordTime);
      assert.deepEqual(
        (await reopened.eventsByEpc('urn:epc:id:sgtin:4012345.011111.crash')).map((x) => x.eventId),
        ['urn:uuid:crashed'],
      );
    } finally {
      await reopened.close();
      await index.close();
    }
    // the running repository sees it too (same file)
    assert.equal((await n.repo.byEventId('urn:uuid:crashed')).length, 1);
  });

  it('salts every epcis leaf: a guess of the event and its record time does not reproduce the leaf hash', async () => {
    const r = await n.capture(doc([objectEvent('urn:uuid:salted-1'), objectEvent('urn:uuid:salted-2')]));
    assert.equal(r.job?.success, true, JSON.stringify(r.job ?? r.problem));
    const leaves = await Promise.all([r.job!.leaves!.first, r.job!.leaves!.last].map((i) => n.t.node.store.leaf(i)));
    const salts = new Set<string>();
    for (const leaf of leaves) {
      const rec = decodeLeaf(leaf!.data);
      const { hashId, json, salt } = decodeEpcisBody(rec.body);
      assert.equal(salt?.length, 16);
      salts.add(Buffer.from(salt!).toString('hex'));
      // A guesser who has the event byte for byte and the record time to the ms:
      const guess = (body: Uint8Array) => leafHash(encodeLeaf({ kind: 'epcis', receivedAt: rec.receivedAt, body }));
      const tileEntry = Buffer.from(leafHash(leaf!.data)).toString('hex');
      const unsalted = encodeCbor([hashId, new TextEncoder().encode(json)]);
      assert.notEqual(Buffer.from(guess(unsalted)).toString('hex'), tileEntry, 'the unsalted encoding');
      assert.notEqual(
        Buffer.from(guess(encodeEpcisBody(hashId, json, randomEpcisSalt()))).toString('hex'),
        tileEntry,
        'another salt',
      );
      assert.equal(Buffer.from(guess(encodeEpcisBody(hashId, json, salt!))).toString('hex'), tileEntry, 'only with its salt');
    }
    assert.equal(salts.size, 2, 'a fresh salt per leaf, even within one capture');
  });

  it('reads legacy unsalted leaves: indexed on open, proved, and audited like salted ones', async () => {
    const event = objectEvent('urn:uuid:legacy', { epcList: ['urn:epc:id:sgtin:4012345.011111.legacy'] });
    const hashId = eventHashId(event as never);
    const recordTime = Date.now();
    // As logged before salts: CBOR [hashId, canonicalJsonBytes].
    const body = encodeCbor([hashId, new TextEncoder().encode(canonicalJson(event))]);
    const { firstIndex } = await n.t.node.log.append([{ data: encodeLeaf({ kind: 'epcis', receivedAt: recordTime, body }) }]);
    const index = await n.openIndex();
    const reopened = await openEpcisRepository({ index, store: n.t.node.store, log: n.t.node.log });
    try {
      const [e] = await reopened.byEventId('urn:uuid:legacy');
      assert.equal(e?.hashId, hashId);
      assert.equal(e?.leafIndex, firstIndex);
      assert.equal(e?.recordTime, recordTime);
    } finally {
      await reopened.close();
      await index.close();
    }
    await n.t.node.anchorer.anchorNow();
    const r = await get('/epcis/events/urn:uuid:legacy/proof');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const v = await verifyEventProof(r.body as unknown as EventProof, proofChecks());
    assert.deepEqual(
      v.checks.filter((c) => !c.ok),
      [],
    );
    assert.match(v.checks.find((c) => c.name === 'leaf')!.detail, /unsalted/);
    const report = await auditLog({
      store: n.t.node.store,
      anchoredHeads: null,
      nodeAddress: n.t.node.address,
      checkLeaf: checkEpcisLeaves(n.repo),
    });
    assert.deepEqual(report.findings, [], 'salted and legacy leaves alike');
  });

  it('names a leaf whose salt is malformed in the audit, and a malformed salt source stores nothing', async () => {
    const event = objectEvent('urn:uuid:bad-salt');
    const hashId = eventHashId(event as never);
    const badLeaf = encodeLeaf({
      kind: 'epcis',
      receivedAt: Date.now(),
      body: encodeCbor([hashId, new TextEncoder().encode(canonicalJson(event)), new Uint8Array(15)]),
    });
    // Checked as a leaf of the log would be, without putting it there (the shared node's log stays sound).
    assert.match(
      String(await checkEpcisLeaves()({ index: 0, data: badLeaf, hash: leafHash(badLeaf) })),
      /epcis leaf salt must be 16 bytes, got 15/,
    );
    const faulty = await startEpcisNode({ salt: () => new Uint8Array(15) });
    try {
      const before = faulty.t.node.log.size;
      const res = await faulty.capture(doc([event]));
      assert.equal(res.job?.success, false);
      assert.equal(res.job?.errors[0]?.code, 'capture_failed');
      assert.match(String(res.job?.errors[0]?.detail), /epcis leaf salt must be 16 bytes, got 15/);
      assert.equal(faulty.t.node.log.size, before, 'nothing logged');
      assert.equal(await faulty.repo.count(), 0, 'nothing indexed');
    } finally {
      await faulty.dispose();
    }
  });
});

/** Verify against the node's account and its chain (the anchor check reads LogAnchor). */
function proofChecks() {
  return {
    expectedSigner: n.t.node.address,
    readAnchor: bundleChainReaders(n.t.node.clients.publicClient, 'the embedded chain').readAnchor,
  };
}
