// The remaining SimpleEventQuery families (user extension fields, ILMD, INNER,
// master data: HASATTR_, EQ_ATTR_, WD_), GS1-EPC-Format translation and the
// protocol details of the REST binding (OPTIONS, 414, Accept, version headers,
// page-token release, duplicates in the capture job) on a real node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { epcToDigitalLink } from '@tradetwin/core/epcis/index';
import { extractExtensions, parseExtParam } from './extension-index.js';
import { vocabularyElement } from './master-data.js';
import { epcisOpenApiPaths } from './openapi.js';
import { MAX_URI_LENGTH, negotiateJson } from './protocol.js';
import { type EpcisTestNode, startEpcisNode } from './test-support.js';

let n: EpcisTestNode;
after(() => n.dispose());

type Json = Record<string, unknown>;
type QueryDoc = { epcisBody: { queryResults: { resultsBody: { eventList: Json[] } } } };

const STD = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
const NS = 'http://ns.example.com/epcis/';
const doc = (events: Json[], context: unknown[] = [STD, { ex: NS }], header?: Json): Json => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2024-03-01T12:00:00Z',
  ...(header ? { epcisHeader: header } : {}),
  epcisBody: { eventList: events },
});
const sgln = (loc: string) => `urn:epc:id:sgln:0614141.${loc}.0`;
const event = (id: string, over: Json = {}): Json => ({
  type: 'ObjectEvent',
  eventID: `urn:uuid:${id}`,
  action: 'OBSERVE',
  bizStep: 'inspecting',
  eventTime: '2024-03-01T10:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: [`urn:epc:id:sgtin:0614141.107346.${id}`],
  ...over,
});

const get = (path: string, headers: Record<string, string> = {}) => n.request(path, { headers });
async function ids(qs: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await get(`/epcis/events?${qs}`, headers);
  const body = (await res.json()) as Json;
  assert.equal(res.status, 200, `${qs}: ${JSON.stringify(body)}`);
  return (body as unknown as QueryDoc).epcisBody.queryResults.resultsBody.eventList
    .map((e) => String(e.eventID).replace('urn:uuid:', ''))
    .sort();
}
async function problem(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await n.request(path, { method, headers });
  const body = (await res.json()) as Json;
  assert.equal(res.headers.get('content-type'), 'application/problem+json', path);
  return { status: res.status, body };
}

before(async () => {
  n = await startEpcisNode();
  const site = sgln('00000');
  const master = {
    epcisMasterData: {
      vocabularyList: [
        {
          type: 'urn:epcglobal:epcis:vtype:BusinessLocation',
          vocabularyElementList: [
            {
              id: site,
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
  const first = await n.capture(
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
      master,
    ),
  );
  assert.equal(first.job?.success, true, JSON.stringify(first));
  // The same namespace under another prefix: one field for the queries.
  const second = await n.capture(
    doc([event('e4', { 'other:temp': 4, bizLocation: { id: sgln('00004') } })], [STD, { other: NS }]),
  );
  assert.equal(second.job?.success, true, JSON.stringify(second));
});

describe('extension fields, ILMD and INNER', () => {
  it('answers every new parameter family with exactly the expected events', async () => {
    const table: [string, string[]][] = [
      ['EQ_ex:temp=4', ['e1', 'e4']],
      ['EQ_ex:temp=4.0', ['e1', 'e4']],
      ['EQ_ex:temp=4|8.5', ['e1', 'e2', 'e4']],
      ['GT_ex:temp=4', ['e2']],
      ['GE_ex:temp=4', ['e1', 'e2', 'e4']],
      ['LT_ex:temp=8.5', ['e1', 'e4']],
      ['LE_ex:temp=8.5', ['e1', 'e2', 'e4']],
      ['EQ_ex:note=fragile', ['e1']],
      ['EQ_ex:tags=bulk', ['e2']],
      ['EXISTS_ex:note', ['e1']],
      ['EXISTS_ex:shipment', ['e1']],
      ['EXISTS_ex:carrier', []],
      ['GE_ex:checked=2024-03-02T00:00:00Z', ['e5']],
      ['LT_ex:checked=2024-03-04T23:00:01+01:00', ['e2', 'e5']],
      ['LT_ex:checked=2024-03-04T23:00:00+01:00', ['e2']], // e5 is at that instant, written in +02:00
      ['EQ_ex:checked=2024-03-01T13:00:00+01:00', ['e2']],
      ['EQ_ILMD_ex:batch=B1|B2', ['e1', 'e2']],
      ['EQ_ILMD_ex:batch=B2', ['e2']],
      ['GT_ILMD_ex:weight=20', ['e2']],
      ['LE_ILMD_ex:weight=12.5', ['e1']],
      ['LT_ILMD_ex:bestBefore=2025-02-01', ['e1']],
      ['GE_ILMD_ex:bestBefore=2025-02-01', ['e2']],
      ['EXISTS_ILMD_ex:origin', ['e2']],
      ['EXISTS_ILMD_ex:temp', []],
      ['EQ_INNER_ex:carrier=ACME', ['e1']],
      ['EQ_INNER_ex:port=NLRTM', ['e1']],
      ['EXISTS_INNER_ex:legs', ['e1']],
      ['EQ_INNER_ex:temp=4', []],
      ['EQ_INNER_ILMD_ex:country=NL', ['e2']],
      ['EXISTS_INNER_ILMD_ex:country', ['e2']],
      ['EQ_readPoint_ex:door=D1', ['e1']],
      ['EQ_ex:temp=4&EQ_ILMD_ex:batch=B1', ['e1']],
      ['EQ_ex:nothing=1', []],
    ];
    for (const [qs, want] of table) assert.deepEqual(await ids(qs), want, qs);
  });

  it('refuses malformed extension parameters with a 400 naming the parameter', async () => {
    const cases: [string, string, string][] = [
      ['GT_ex:note=fragile', 'bad_value', 'GT_ex:note'],
      ['GT_ex:temp=4&GT_ex:temp=5', 'repeated_parameter', 'GT_ex:temp'],
      ['EQ_Ex:temp=4', 'bad_parameter_name', 'EQ_Ex:temp'],
      ['EQ_ex:=4', 'bad_parameter_name', 'EQ_ex:'],
      ['GT_readPoint_ex:door=1', 'bad_parameter_name', 'GT_readPoint_ex:door'],
      ['EQ_ILMD_ex:bad-name=1', 'bad_parameter_name', 'EQ_ILMD_ex:bad-name'],
      ['EQ_ex:temp=', 'empty_value', 'EQ_ex:temp'],
      ['EXISTS_ex:note=perhaps', 'bad_boolean', 'EXISTS_ex:note'],
      ['HASATTR_epc=sst', 'bad_parameter_name', 'HASATTR_epc'],
      ['EQ_ATTR_bizLocation=1', 'bad_parameter_name', 'EQ_ATTR_bizLocation'],
      ['EQ_ATTR_colour_sst=1', 'bad_parameter_name', 'EQ_ATTR_colour_sst'],
      ['eventCountLimit=2', 'conflicting_parameter', 'eventCountLimit'],
      ['EQ_SENSORREPORT_ex:x=1', 'unsupported_parameter', 'EQ_SENSORREPORT_ex:x'],
    ];
    for (const [qs, code, parameter] of cases) {
      const { status, body } = await problem(`/epcis/events?${qs}`);
      assert.equal(status, 400, qs);
      assert.equal(body.type, 'epcisException:QueryParameterException', qs);
      assert.equal(body.code, code, `${qs}: ${JSON.stringify(body)}`);
      assert.equal(body.parameter, parameter, qs);
    }
  });

  it('extracts fields by area, resolving prefixes through the context (pure)', () => {
    const x = extractExtensions({ 'a:x': 1, ilmd: { lot: 'L' }, readPoint: { id: 'r', 'a:y': 'z' } }, [{ a: 'urn:a#' }]);
    assert.deepEqual(
      x.rows.map((r) => [r.area, r.field, r.text]),
      [
        [0, 'urn:a#x', '1'],
        [2, 'lot', 'L'],
        [6, 'urn:a#y', 'z'],
      ],
    );
    assert.deepEqual(parseExtParam('GE_INNER_ILMD_a:x'), { op: 'GE', area: 3, field: 'a:x' });
    assert.equal(parseExtParam('GE_a-b:x'), null);
  });
});

describe('master data', () => {
  it('stores vocabulary elements with attributes and children', async () => {
    const key = (loc: string) => epcToDigitalLink(sgln(loc))!;
    const site = await vocabularyElement(n.repo, key('00000'));
    assert.deepEqual(site, {
      types: ['urn:epcglobal:epcis:vtype:BusinessLocation'],
      attributes: [{ attr: 'urn:epcglobal:cbv:mda:sst', value: 200 }],
      children: [key('00001'), key('00004')].sort(),
    });
    assert.deepEqual((await vocabularyElement(n.repo, key('00002')))?.attributes, [
      { attr: 'urn:epcglobal:cbv:mda:sst', value: 202 },
      { attr: `${NS}owner`, value: 'Acme' },
    ]);
  });

  it('answers HASATTR_, EQ_ATTR_ and WD_ from the master data', async () => {
    const table: [string, string[]][] = [
      [`WD_bizLocation=${sgln('00000')}`, ['e1', 'e3', 'e4']],
      [`WD_bizLocation=${sgln('00001')}`, ['e1', 'e3']],
      [`WD_bizLocation=${encodeURIComponent(epcToDigitalLink(sgln('00001'))!)}`, ['e1', 'e3']],
      [`EQ_bizLocation=${sgln('00001')}`, ['e1']],
      [`WD_bizLocation=${sgln('00005')}`, ['e5']],
      [`WD_readPoint=${sgln('00009')}`, ['e1']],
      ['HASATTR_bizLocation=sst', ['e1', 'e2']],
      ['HASATTR_bizLocation=urn:epcglobal:cbv:mda:sst', ['e1', 'e2']],
      ['HASATTR_bizLocation=ex:owner', ['e2']],
      ['HASATTR_readPoint=ex:dock', ['e1']],
      ['HASATTR_readPoint=sst', []],
      ['EQ_ATTR_bizLocation_sst=201', ['e1']],
      ['EQ_ATTR_bizLocation_sst=202|201', ['e1', 'e2']],
      ['EQ_ATTR_bizLocation_sst=200', []],
      ['EQ_ATTR_bizLocation_ex:owner=Acme', ['e2']],
      ['EQ_ATTR_readPoint_ex:dock=north', ['e1']],
    ];
    for (const [qs, want] of table) assert.deepEqual(await ids(qs), want, qs);
  });

  it('refuses malformed master data with a 400 and stores nothing', async () => {
    const before = await n.repo.count();
    const bad = doc([event('md-bad')], [STD], {
      epcisMasterData: {
        vocabularyList: [{ type: 'urn:epcglobal:epcis:vtype:BusinessLocation', vocabularyElementList: [{ attributes: [] }] }],
      },
    });
    const r = await n.capture(bad);
    assert.equal(r.status, 400);
    assert.match(String(r.problem?.detail), /epcisHeader|vocabularyElementList/);
    assert.equal(await n.repo.count(), before);
  });
});

describe('GS1-EPC-Format', () => {
  it('translates identifiers both ways on responses with events and echoes the format', async () => {
    const urn = 'urn:epc:id:sgtin:9521141.012345.77';
    const dl = epcToDigitalLink(urn)!;
    const lot = 'urn:epc:class:lgtin:9521141.012345.L1';
    const captured = await n.capture(
      doc([event('dl-1', { epcList: [dl], quantityList: [{ epcClass: epcToDigitalLink(lot)!, quantity: 2 }] })], [STD]),
    );
    assert.equal(captured.job?.success, true);
    const fetch = async (id: string, format?: string) => {
      const res = await get(`/epcis/events/${encodeURIComponent(`urn:uuid:${id}`)}`, format ? { 'GS1-EPC-Format': format } : {});
      assert.equal(res.status, 200);
      const e = ((await res.json()) as QueryDoc).epcisBody.queryResults.resultsBody.eventList[0]!;
      return { format: res.headers.get('GS1-EPC-Format'), epcs: e.epcList as string[], e };
    };
    // URN → Digital Link: always possible (EPCs and locations).
    const asDl = await fetch('e1', 'Always_GS1_Digital_Link');
    assert.equal(asDl.format, 'Always_GS1_Digital_Link');
    assert.deepEqual(asDl.epcs, [epcToDigitalLink('urn:epc:id:sgtin:0614141.107346.e1')]);
    assert.equal((asDl.e.bizLocation as Json).id, epcToDigitalLink(sgln('00001')));
    assert.equal((asDl.e.readPoint as Json)['ex:door'], 'D1', 'extension fields untouched');
    // No header: the binding's default, Always_GS1_Digital_Link. Never_Translates: as captured.
    assert.deepEqual((await fetch('e1')).epcs, [epcToDigitalLink('urn:epc:id:sgtin:0614141.107346.e1')]);
    assert.equal((await fetch('e1')).format, 'Always_GS1_Digital_Link');
    assert.deepEqual((await fetch('e1', 'Never_Translates')).epcs, ['urn:epc:id:sgtin:0614141.107346.e1']);
    // Digital Link → URN needs the company prefix: 9521141 was never seen as a URN, so the value stays as captured.
    assert.deepEqual((await fetch('dl-1', 'Always_EPC_URN')).epcs, [dl]);
    // Once an event names the prefix in URN form, the Digital Link is written as its URN (and the lot as its class).
    await n.capture(doc([event('urn-1', { epcList: ['urn:epc:id:sgtin:9521141.012345.1'] })], [STD]));
    const asUrn = await fetch('dl-1', 'Always_EPC_URN');
    assert.deepEqual(asUrn.epcs, [urn]);
    assert.equal((asUrn.e.quantityList as Json[])[0]!.epcClass, lot);
    assert.equal(asUrn.format, 'Always_EPC_URN');
    // Query results too.
    const q = await get('/epcis/events?EQ_eventID=urn:uuid:dl-1', { 'GS1-EPC-Format': 'Always_EPC_URN' });
    assert.deepEqual(((await q.json()) as QueryDoc).epcisBody.queryResults.resultsBody.eventList[0]!.epcList, [urn]);
  });

  it('refuses a format outside the binding with 406, and CBV or EPCIS versions it cannot serve with 406', async () => {
    for (const [h, v, code] of [
      ['GS1-EPC-Format', 'Always_Barcode', 'unsupported_epc_format'],
      ['GS1-CBV-XML-Format', 'Sometimes', 'unsupported_cbv_xml_format'],
      ['GS1-CBV-Version', '1.2.0', 'unsupported_version'],
      ['GS1-CBV-Version', '2.1.0', 'unsupported_version'],
      ['GS1-EPCIS-Version', '3.0', 'unsupported_version'],
    ] as const) {
      const { status, body } = await problem('/epcis/events', { [h]: v });
      assert.equal(status, 406, `${h}: ${v}`);
      assert.equal(body.type, 'epcisException:NotAcceptableException');
      assert.equal(body.code, code, `${h}: ${v}`);
    }
    const ok = await get('/epcis/events', { 'GS1-CBV-Version': '2.0.0' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('GS1-CBV-Version'), '2.0.0');
  });
});

describe('protocol details', () => {
  it('answers OPTIONS on every resource with Allow and the GS1 headers', async () => {
    const cases: [string, string][] = [
      ['/epcis', 'OPTIONS, GET'],
      ['/epcis/capture', 'OPTIONS, POST, GET'],
      ['/epcis/events', 'OPTIONS, GET, POST'],
      ['/epcis/events/urn:uuid:e1', 'OPTIONS, GET'],
      ['/epcis/eventTypes/ObjectEvent/events', 'OPTIONS, GET'],
      ['/epcis/bizLocations', 'OPTIONS, GET'],
      ['/epcis/epcs/x/events', 'OPTIONS, GET'],
      ['/epcis/nextPageToken/abc', 'OPTIONS, DELETE'],
    ];
    for (const [path, allow] of cases) {
      const res = await n.request(path, { method: 'OPTIONS' });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get('Allow'), allow, path);
      for (const h of [
        'GS1-EPCIS-Version',
        'GS1-EPCIS-Min',
        'GS1-EPCIS-Max',
        'GS1-CBV-Version',
        'GS1-CBV-Min',
        'GS1-CBV-Max',
        'GS1-EPC-Format',
      ])
        assert.ok(res.headers.get(h), `${path}: ${h}`);
    }
  });

  it('describes every operation with a unique operationId and its 4xx outcomes', () => {
    const seen = new Set<string>();
    for (const [path, item] of Object.entries(epcisOpenApiPaths('/epcis'))) {
      assert.ok(item.options, `${path}: OPTIONS described`);
      for (const [method, op] of Object.entries(item) as [string, { operationId: string; responses: Json }][]) {
        assert.match(op.operationId, /^epcis[A-Z]/, `${method} ${path}`);
        assert.ok(!seen.has(op.operationId), `${op.operationId} is unique`);
        seen.add(op.operationId);
        for (const status of ['400', '406', '414']) assert.ok(op.responses[status], `${method} ${path}: ${status}`);
      }
    }
    const capture = epcisOpenApiPaths('/epcis')['/epcis/capture']!.post as { responses: Json };
    assert.equal(capture.responses['409'], undefined, 'duplicates show in the capture job, not as a 409');
  });

  it('lists the top-level resources, queries included, at the root and the root with a slash', async () => {
    for (const path of ['/epcis', '/epcis/']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      const body = (await res.json()) as { member: string[] };
      assert.deepEqual([...body.member].sort(), [
        'bizLocations',
        'bizSteps',
        'capture',
        'dispositions',
        'epcs',
        'eventTypes',
        'events',
        'queries',
        'readPoints',
      ]);
    }
  });

  it('answers an over-long URI with 414 and the limit', async () => {
    const long = `/epcis/events?EQ_bizStep=${'x'.repeat(MAX_URI_LENGTH)}`;
    const { status, body } = await problem(long);
    assert.equal(status, 414);
    assert.equal(body.type, 'epcisException:URITooLongException');
    assert.equal(body.maxLength, MAX_URI_LENGTH);
    assert.equal((await get(`/epcis/events?EQ_bizStep=${'x'.repeat(MAX_URI_LENGTH - 100)}`)).status, 200);
  });

  it('honours application/ld+json and refuses media types it cannot produce', async () => {
    const ld = await get('/epcis/events', { accept: 'application/ld+json' });
    assert.equal(ld.status, 200);
    assert.equal(ld.headers.get('content-type'), 'application/ld+json');
    assert.equal((await get('/epcis/events', { accept: 'application/json' })).headers.get('content-type'), 'application/json');
    assert.equal((await problem('/epcis/events', { accept: 'text/csv' })).status, 406);
    assert.equal(negotiateJson('text/html, */*;q=0.1'), 'application/json');
    assert.equal(negotiateJson('application/json;q=0.5, application/ld+json'), 'application/ld+json');
  });

  it('releases a page token: DELETE answers 204, the token then fails with 400; a foreign token is 404', async () => {
    const first = await get('/epcis/events?perPage=1');
    const token = decodeURIComponent(/nextPageToken=([^&>]+)/.exec(first.headers.get('link') ?? '')![1]!);
    assert.equal((await get(`/epcis/events?perPage=1&nextPageToken=${encodeURIComponent(token)}`)).status, 200);
    const del = await n.request(`/epcis/nextPageToken/${encodeURIComponent(token)}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    const reuse = await problem(`/epcis/events?perPage=1&nextPageToken=${encodeURIComponent(token)}`);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.code, 'page_token_released');
    assert.equal(reuse.body.parameter, 'nextPageToken');
    const foreign = await problem('/epcis/nextPageToken/abc.def', {}, 'DELETE');
    assert.equal(foreign.status, 404);
  });

  it('reports a duplicate capture in the job (202), not as a 409; POST /events still answers 409', async () => {
    const before = await n.repo.count();
    const r = await n.capture(doc([event('e1')], [STD]));
    assert.equal(r.status, 202);
    assert.equal(r.job?.success, false);
    assert.equal(r.job?.errors[0]?.code, 'duplicate_event_id');
    assert.equal(r.job?.errors[0]?.status, 409);
    assert.equal(await n.repo.count(), before);
    const single = await n.request('/epcis/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event('e1')),
    });
    assert.equal(single.status, 409);
  });
});
