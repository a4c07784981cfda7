// The EPCIS 2.0 XML binding on real nodes: every GS1 example, written as XML by
// the serializer and valid against GS1's XSD, captured over HTTP in XML on one
// node and in JSON on another, stores the same events under the same CBV 2.0
// hash IDs; a hand-written GS1-style XML document round-trips; query results
// come back as XML EPCISQueryDocuments that validate; bad XML (not well-formed,
// XSD-violating, DTD/entity bombs, too deep) is refused with a precise problem
// and stores nothing; unsupported Accept headers get 406.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { documentHashIds } from '@tradetwin/core/epcis/index';
import { epcisXml, parseEpcisXml } from '@tradetwin/core/epcis/xml/index';
import { type EpcisTestNode, EXAMPLES_DIR, example, startEpcisNode } from './test-support.js';
import type { CaptureJob } from './types.js';
import { validateEpcisXsd } from './xsd.js';

type Json = Record<string, unknown>;

const FIXTURE = new URL('../../../core/src/epcis/xml/fixtures/cold-chain-shipment.xml', import.meta.url);
const LIMITS = { maxEvents: 50, maxBytes: 256 * 1024 };

let viaJson: EpcisTestNode;
let viaXml: EpcisTestNode;

before(async () => {
  [viaJson, viaXml] = await Promise.all([startEpcisNode({ limits: LIMITS }), startEpcisNode({ limits: LIMITS })]);
});
after(async () => {
  await Promise.all([viaJson.dispose(), viaXml.dispose()]);
});

const eventsOf = (d: Json): Json[] => {
  const body = d.epcisBody as Json;
  return (body.eventList ?? ((body.queryResults as Json).resultsBody as Json).eventList) as Json[];
};
/** Namespace prefixes only: JSON-LD term definitions ({"@type": "xsd:integer"}) have no XML form. */
const namespacesOnly = (ctx: unknown): unknown[] =>
  (Array.isArray(ctx) ? ctx : ctx === undefined ? [] : [ctx]).map((c) =>
    c !== null && typeof c === 'object' ? Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'string')) : c,
  );
/** Every stored event as served back (JSON), without the repository's recordTime. */
const stored = async (n: EpcisTestNode): Promise<Json[]> => {
  const res = await n.request('/epcis/events?perPage=1000');
  assert.equal(res.status, 200);
  return eventsOf((await res.json()) as Json).map(({ recordTime: _r, '@context': ctx, ...e }) => ({
    ...e,
    '@context': namespacesOnly(ctx),
  }));
};
const footprint = async (n: EpcisTestNode) => ({ log: n.t.node.log.size, events: await n.repo.count() });

async function postXml(n: EpcisTestNode, path: string, xml: string, type = 'application/xml') {
  const res = await n.request(path, { method: 'POST', headers: { 'content-type': type }, body: xml });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : null };
}

/** POST /epcis/capture in XML and wait for the job. */
async function captureXml(n: EpcisTestNode, xml: string, type = 'application/xml'): Promise<CaptureJob> {
  const r = await postXml(n, '/epcis/capture', xml, type);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const location = r.headers.get('location')!;
  for (let i = 0; i < 2000; i++) {
    const job = (await (await n.request(location)).json()) as CaptureJob;
    if (!job.running) return job;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error('capture job did not finish');
}

async function getXml(n: EpcisTestNode, path: string, accept = 'application/xml') {
  // As captured: these tests compare what is served with what was sent (the default translates to Digital Links).
  const res = await n.request(path, { headers: { accept, 'GS1-EPC-Format': 'Never_Translates' } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('GS1 examples in XML', () => {
  const files = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.jsonld'))
    .sort();

  it('serializes every example to XML that validates against the EPCIS 2.0 XSD', async () => {
    assert.ok(files.length >= 14);
    for (const f of files) {
      const r = validateEpcisXsd(epcisXml(example(f)));
      assert.deepEqual(r.errors, [], f);
      assert.equal(r.valid, true, f);
    }
  });

  it('captures each example over HTTP in XML and in JSON: the same events stored, under equal hash IDs', async () => {
    // The query document repeats 9.6.1's events (a second capture would be a duplicate).
    for (const f of files.filter((x) => x !== 'EPCISQueryDocument.jsonld')) {
      const doc = example(f);
      const json = await viaJson.capture(doc);
      assert.equal(json.job?.success, true, `${f} (JSON): ${JSON.stringify(json.problem ?? json.job?.errors)}`);
      const xml = await captureXml(viaXml, epcisXml(doc));
      assert.equal(xml.success, true, `${f} (XML): ${JSON.stringify(xml.errors)}`);
      assert.equal(xml.capturedCount, eventsOf(doc).length, f);
      // Hash IDs as core computes them from the JSON document, and as the XML node stored them.
      for (const [i, hashId] of documentHashIds(doc).entries()) {
        const eventID = (eventsOf(doc)[i]!.eventID as string | undefined) ?? hashId;
        assert.equal((await viaXml.repo.byEventId(eventID))[0]?.hashId, hashId, `${f} event ${i}`);
        assert.equal((await viaJson.repo.byEventId(eventID))[0]?.hashId, hashId, `${f} event ${i}`);
      }
    }
    const [a, b] = [await stored(viaJson), await stored(viaXml)];
    assert.equal(b.length, a.length);
    assert.deepEqual(b, a);
    assert.deepEqual(
      (await viaXml.repo.byEventId(String(b[0]!.eventID))).map((e) => e.hashId),
      (await viaJson.repo.byEventId(String(a[0]!.eventID))).map((e) => e.hashId),
    );
  });

  it('serves query results as XML EPCISQueryDocuments that validate, and read back as the JSON results', async () => {
    for (const path of [
      '/epcis/events?perPage=1000',
      '/epcis/eventTypes/ObjectEvent/events',
      '/epcis/events?EQ_bizStep=shipping',
      '/epcis/bizSteps/receiving/events',
    ]) {
      const x = await getXml(viaXml, path);
      assert.equal(x.status, 200, `${path}: ${x.text}`);
      assert.match(x.type, /^application\/xml/);
      const v = validateEpcisXsd(x.text);
      assert.deepEqual(v.errors, [], path);
      const asJson = (await (await viaXml.request(path, { headers: { 'GS1-EPC-Format': 'Never_Translates' } })).json()) as Json;
      const fromXml = parseEpcisXml(x.text);
      assert.equal(fromXml.type, 'EPCISQueryDocument');
      const drop = (es: Json[]) => es.map(({ '@context': _c, ...e }) => e);
      assert.deepEqual(drop(eventsOf(fromXml)), drop(eventsOf(asJson)), path);
      assert.ok(eventsOf(fromXml).length > 0, path);
    }
    const one = eventsOf((await (await viaXml.request('/epcis/events?perPage=1')).json()) as Json)[0]!;
    const single = await getXml(viaXml, `/epcis/events/${encodeURIComponent(String(one.eventID))}`, 'text/xml');
    assert.equal(single.status, 200);
    assert.match(single.type, /^text\/xml/);
    assert.equal(validateEpcisXsd(single.text).valid, true);
    // JSON stays the default, and wins ties.
    const tie = await viaXml.request('/epcis/events?perPage=1', { headers: { accept: 'application/xml, application/json' } });
    assert.match(tie.headers.get('content-type') ?? '', /^application\/json/);
  });
});

describe('a hand-written GS1-style XML document', () => {
  it('captures (text/xml), is served back as XML that validates, and hashes as its JSON form does', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const job = await captureXml(viaXml, text, 'text/xml; charset=utf-8');
    assert.equal(job.success, true, JSON.stringify(job.errors));
    const asJson = parseEpcisXml(text);
    const ids = documentHashIds(asJson);
    const jsonJob = await viaJson.capture(asJson);
    assert.equal(jsonJob.job?.success, true, JSON.stringify(jsonJob.problem ?? jsonJob.job?.errors));
    for (const [i, id] of ids.entries()) {
      const x = await getXml(viaXml, `/epcis/events/${encodeURIComponent(id)}`);
      assert.equal(x.status, 200);
      assert.equal(validateEpcisXsd(x.text).valid, true);
      const [back] = eventsOf(parseEpcisXml(x.text));
      const { recordTime: _r, eventID, ...event } = back!;
      assert.equal(eventID, id, 'no eventID in the XML: the hash ID became the eventID');
      assert.deepEqual(event, eventsOf(asJson)[i]);
      assert.equal((await viaJson.repo.byEventId(id))[0]?.hashId, id);
    }
    // The extension travelled with its namespace.
    const [shipping] = eventsOf(parseEpcisXml((await getXml(viaXml, `/epcis/events/${encodeURIComponent(ids[0]!)}`)).text));
    assert.deepEqual(shipping!['tt:route'], { 'tt:leg': 'HAM-FRA', 'tt:carrier': 'urn:epc:id:pgln:4098765.00000' });
  });

  it('captures one event with POST /events in XML (201), and refuses a document of several there', async () => {
    const one = `<?xml version="1.0"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-06-12T00:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2024-06-12T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:4012345.011111.2001</epc></epcList>
      <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:inspecting</bizStep>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>`;
    const r = await postXml(viaXml, '/epcis/events', one);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body!.bizStep, 'inspecting');
    assert.match(r.headers.get('location') ?? '', /^\/epcis\/events\/ni%3A/);
    const two = one.replace(/(<ObjectEvent>[\s\S]*<\/ObjectEvent>)/, '$1$1');
    const before = await footprint(viaXml);
    const bad = await postXml(viaXml, '/epcis/events', two);
    assert.equal(bad.status, 400);
    assert.equal(bad.body!.code, 'not_one_event');
    assert.deepEqual(await footprint(viaXml), before);
  });
});

describe('bad XML', () => {
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">\n<EPCISBody>\n<EventList>\n';
  const tail = '</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n';
  const event = (inner: string) => `<ObjectEvent>\n${inner}\n</ObjectEvent>\n`;
  const good = [
    '<eventTime>2024-01-01T10:00:00Z</eventTime>',
    '<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>',
    '<epcList><epc>urn:epc:id:sgtin:4012345.011111.3001</epc></epcList>',
    '<action>OBSERVE</action>',
  ];
  const docOf = (...inners: string[]) => head + inners.map(event).join('') + tail;

  /** Posts to /capture and expects a 400-class problem with nothing stored. */
  async function refused(xml: string, status: number, code: string) {
    const before = await footprint(viaXml);
    const r = await postXml(viaXml, '/epcis/capture', xml);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.body!.code, code, JSON.stringify(r.body));
    assert.deepEqual(await footprint(viaXml), before, `${code}: nothing stored`);
    return r.body!;
  }

  it('refuses text that is not well-formed, naming the line', async () => {
    const p = await refused(docOf(good.join('\n').replace('</action>', '</acton>')), 400, 'xml_not_well_formed');
    assert.match(String(p.detail), /^the request body is not well-formed XML: line 9: /);
    assert.equal((p.errors as Json[])[0]!.line, 9);
    assert.equal(p.type, 'epcisException:ValidationException');
  });

  it('refuses XSD violations (missing eventTime, wrong element order, bad action) with line and message', async () => {
    const missing = await refused(docOf(good.slice(1).join('\n')), 400, 'xsd_violation');
    assert.match(String(missing.detail), /line 6: .*eventTimeZoneOffset.*Expected is \( eventTime \)/);
    const order = await refused(docOf([good[0], good[1], good[3], good[2]].join('\n')), 400, 'xsd_violation');
    assert.match(String(order.detail), /line 9: Element 'epcList': This element is not expected\. Expected is one of \( bizStep/);
    const action = await refused(docOf(good.join('\n').replace('OBSERVE', 'LOOK')), 400, 'xsd_violation');
    assert.match(String(action.detail), /'LOOK' is not an element of the set/);
    // One bad event refuses the whole document (rollback), every fault listed.
    const two = await refused(docOf(good.join('\n'), good.slice(1).join('\n')), 400, 'xsd_violation');
    assert.equal((two.errors as Json[]).length, 1);
    assert.equal((two.errors as Json[])[0]!.eventIndex, 1, 'the fault is in the second event');
    assert.equal((two.errors as Json[])[0]!.path, '/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/eventTimeZoneOffset');
  });

  it('refuses a document the JSON schema or semantics refuse after the XSD, like JSON (one pipeline)', async () => {
    const p = await refused(
      docOf(good.join('\n').replace('+00:00</eventTimeZoneOffset>', 'UTC</eventTimeZoneOffset>')),
      400,
      'bad_time_zone_offset',
    );
    assert.equal((p.errors as Json[])[0]!.pointer, '/epcisBody/eventList/0/eventTimeZoneOffset');
  });

  it('never expands entities: DTDs (billion laughs, external entities) are refused before parsing', async () => {
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n';
    const bomb = docOf(good.join('\n').replace('<action>OBSERVE', '<tt:x xmlns:tt="urn:x">&lol3;</tt:x><action>OBSERVE')).replace(
      '<epcis:EPCISDocument',
      `${laughs}<epcis:EPCISDocument`,
    );
    const p = await refused(bomb, 400, 'xml_doctype');
    assert.equal(p.line, 2);
    await refused(
      docOf(good.join('\n')).replace(
        '<epcis:EPCISDocument',
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<epcis:EPCISDocument',
      ),
      400,
      'xml_doctype',
    );
    // An entity reference without a declaration is an error, not a lookup.
    await refused(docOf(good.join('\n').replace('OBSERVE', '&xxe;')), 400, 'xml_not_well_formed');
  });

  it('bounds nesting depth and size', async () => {
    const deep = `<tt:x xmlns:tt="urn:x">${'<tt:x>'.repeat(3000)}${'</tt:x>'.repeat(3000)}</tt:x>`;
    await refused(docOf([...good, deep].join('\n')), 400, 'xml_not_well_formed');
    const big = docOf([...good, `<tt:x xmlns:tt="urn:x">${'y'.repeat(LIMITS.maxBytes)}</tt:x>`].join('\n'));
    const r = await postXml(viaXml, '/epcis/capture', big);
    assert.equal(r.status, 413);
    assert.equal(r.body!.code, 'payload_too_large');
  });

  it('answers EPCIS 1.x XML with 406, other roots with 400, other media types with 415', async () => {
    const v1 = await refused(
      docOf(good.join('\n')).replaceAll('urn:epcglobal:epcis:xsd:2', 'urn:epcglobal:epcis:xsd:1'),
      406,
      'unsupported_version',
    );
    assert.equal(v1.type, 'epcisException:NotAcceptableException');
    await refused(docOf(good.join('\n')).replaceAll('epcis:EPCISDocument', 'epcis:Document'), 400, 'xsd_violation');
    const r = await viaXml.request('/epcis/capture', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    assert.equal(r.status, 415);
  });
});

describe('content negotiation', () => {
  it('answers 406 for an Accept it cannot serve, per resource', async () => {
    for (const [path, accept] of [
      ['/epcis/events', 'text/csv'],
      ['/epcis/events', 'application/xml;q=0, application/json;q=0'],
      ['/epcis/eventTypes', 'application/xml'],
      ['/epcis/capture', 'text/xml'],
    ] as const) {
      const res = await viaXml.request(path, { headers: { accept } });
      assert.equal(res.status, 406, `${path} ${accept}`);
      const p = (await res.json()) as Json;
      assert.equal(p.type, 'epcisException:NotAcceptableException');
      assert.equal(p.code, 'not_acceptable');
    }
    for (const accept of ['*/*', 'application/*', 'application/json', 'text/html, */*;q=0.1']) {
      const res = await viaXml.request('/epcis/eventTypes', { headers: { accept } });
      assert.equal(res.status, 200, accept);
    }
  });

  it('answers 406 when stored events cannot be written in XML (several certificationInfo values)', async () => {
    const ev = {
      type: 'ObjectEvent',
      eventTime: '2024-02-02T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      epcList: ['urn:epc:id:sgtin:4012345.011111.4001'],
      action: 'OBSERVE',
      certificationInfo: ['https://cert.example.org/a', 'https://cert.example.org/b'],
    };
    const c = await viaXml.capture({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2024-02-02T00:00:00Z',
      epcisBody: { eventList: [ev] },
    });
    assert.equal(c.job?.success, true, JSON.stringify(c.problem ?? c.job?.errors));
    const x = await getXml(viaXml, '/epcis/events?MATCH_epc=urn:epc:id:sgtin:4012345.011111.4001');
    assert.equal(x.status, 406);
    assert.equal((JSON.parse(x.text) as Json).code, 'not_representable_in_xml');
    const j = await viaXml.request('/epcis/events?MATCH_epc=urn:epc:id:sgtin:4012345.011111.4001');
    assert.equal(j.status, 200);
  });
});
