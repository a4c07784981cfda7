// XML ↔ JSON-LD: every GS1 example (shared/standards/epcis/examples, gs1/EPCIS)
// written as XML and read back is the same document with the same CBV 2.0 hash
// IDs; a hand-written GS1-style XML document reads into the JSON event model;
// hostile or broken XML is refused before anything is built from it. (XSD
// validity of what the serializer writes is checked in node/epcis/xml.test.ts,
// where libxml2 runs.)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { documentHashIds } from '../hash.js';
import { EpcisXmlError, epcisXml, parseEpcisXml, XmlNotRepresentableError } from './index.js';

type Json = Record<string, unknown>;
const EXAMPLES = new URL('../../../../../../shared/standards/epcis/examples/', import.meta.url);
const FIXTURE = new URL('./fixtures/cold-chain-shipment.xml', import.meta.url);

const eventsOf = (d: Json): Json[] => {
  const body = d.epcisBody as Json;
  return (body.eventList ?? ((body.queryResults as Json).resultsBody as Json).eventList) as Json[];
};
/** The namespace prefixes of a context (term definitions such as {"@type": "xsd:integer"} have no XML form). */
const namespaces = (ctx: unknown): Json =>
  Object.fromEntries(
    (Array.isArray(ctx) ? ctx : [ctx])
      .filter((c): c is Json => c !== null && typeof c === 'object')
      .flatMap((c) => Object.entries(c).filter(([, v]) => typeof v === 'string')),
  );

const refused = (xml: string, code: string) =>
  assert.throws(
    () => parseEpcisXml(xml),
    (e: unknown) => e instanceof EpcisXmlError && e.code === code,
    code,
  );

describe('XML ↔ JSON-LD', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld'));

  it('writes every GS1 example as XML and reads it back unchanged, hash IDs equal', () => {
    assert.ok(files.length >= 14);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(new URL(f, EXAMPLES), 'utf8')) as Json;
      const xml = epcisXml(doc);
      assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<epcis(q)?:EPCIS(Query)?Document /, f);
      const back = parseEpcisXml(xml);
      assert.equal(back.type, doc.type, f);
      assert.deepEqual(eventsOf(back), eventsOf(doc), f);
      assert.deepEqual(namespaces(back['@context']), namespaces(doc['@context']), f);
      assert.deepEqual(documentHashIds(back), documentHashIds(doc), f);
    }
  });

  it('reads a hand-written GS1-style document: CBV URNs bare, sensor values typed, extensions in their namespace', () => {
    const doc = parseEpcisXml(readFileSync(FIXTURE, 'utf8'));
    assert.deepEqual(doc['@context'], [
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      { tt: 'https://tradetwin.dev/ns/coldchain/' },
    ]);
    const [shipping, packing] = eventsOf(doc) as [Json, Json];
    assert.equal(shipping.bizStep, 'shipping');
    assert.equal(shipping.disposition, 'in_transit');
    assert.deepEqual(shipping.bizTransactionList, [
      { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO-7731' },
      { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:ASN-0042' },
    ]);
    const reports = (shipping.sensorElementList as Json[])[0]!.sensorReport as Json[];
    assert.deepEqual(reports[0], { type: 'Temperature', minValue: 2.1, maxValue: 7.6, meanValue: 4.35, uom: 'CEL' });
    assert.equal(reports[2]!.exception, 'ALARM_CONDITION');
    assert.deepEqual(shipping['tt:route'], { 'tt:leg': 'HAM-FRA', 'tt:carrier': 'urn:epc:id:pgln:4098765.00000' });
    assert.equal(shipping['tt:sealIntact'], true);
    assert.equal(shipping['tt:note'], 'reefer set to 4 °C & checked');
    assert.deepEqual(packing.childQuantityList, [
      { epcClass: 'urn:epc:class:lgtin:4012345.011112.LOT-9', quantity: 12.5, uom: 'KGM' },
    ]);
    // Round trip: XML → JSON → XML → JSON is stable, and the hash IDs hold.
    const again = parseEpcisXml(epcisXml(doc));
    assert.deepEqual(again, doc);
    assert.deepEqual(documentHashIds(again), documentHashIds(doc));
    assert.match(documentHashIds(doc)[0]!, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  });

  it('hashes an XML-captured event like the same event in JSON-LD written by hand', () => {
    const [shipping] = eventsOf(parseEpcisXml(readFileSync(FIXTURE, 'utf8'))) as [Json];
    const json = {
      '@context': [
        'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
        { tt: 'https://tradetwin.dev/ns/coldchain/' },
      ],
      type: 'EPCISDocument',
      epcisBody: {
        eventList: [
          {
            ...shipping,
            // The other spellings JSON clients use: Web URIs for CBV values, strings for extension values.
            bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
            'tt:sealIntact': 'true',
            epcList: ['https://id.gs1.org/01/04012345111118/21/1001', 'https://id.gs1.org/01/04012345111118/21/1002'],
          },
        ],
      },
    };
    assert.deepEqual(documentHashIds(json), documentHashIds(parseEpcisXml(readFileSync(FIXTURE, 'utf8'))).slice(0, 1));
  });
});

describe('XML that is refused', () => {
  const doc = (events: string, head = '') =>
    `<?xml version="1.0"?>${head}<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList>${events}</EventList></EPCISBody></epcis:EPCISDocument>`;
  const event =
    '<ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList/><action>OBSERVE</action></ObjectEvent>';

  it('reads a minimal valid document', () => {
    assert.equal(eventsOf(parseEpcisXml(doc(event))).length, 1);
  });

  it('refuses DOCTYPEs and entity declarations without expanding anything (billion laughs, external entities)', () => {
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>`;
    refused(doc(event.replace('OBSERVE', '&lol2;'), laughs), 'xml_doctype');
    refused(doc(event, '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), 'xml_doctype');
    // Without a DTD, an entity reference is undefined: refused, never resolved.
    refused(doc(event.replace('OBSERVE', '&xxe;')), 'xml_entity');
  });

  it('refuses text that is not well-formed, with its line', () => {
    assert.throws(
      () => parseEpcisXml(doc(event).replace('</action>', '</acton>').replace('<EPCISBody>', '\n\n<EPCISBody>')),
      (e: unknown) => e instanceof EpcisXmlError && e.code === 'xml_not_well_formed' && e.line === 3,
    );
    refused('<a><b></a>', 'xml_not_well_formed');
    refused('not xml at all', 'xml_not_well_formed');
  });

  it('bounds nesting depth', () => {
    const deep = `${'<tt:x>'.repeat(5000)}${'</tt:x>'.repeat(5000)}`;
    assert.throws(() => parseEpcisXml(doc(event.replace('</ObjectEvent>', `${deep}</ObjectEvent>`))), EpcisXmlError);
  });

  it('tells EPCIS 1.x and other roots from EPCIS 2.0', () => {
    refused(doc(event).replaceAll('urn:epcglobal:epcis:xsd:2', 'urn:epcglobal:epcis:xsd:1'), 'epcis_version');
    refused('<html/>', 'not_an_epcis_document');
  });

  it('refuses what the JSON event model cannot carry, and what XML cannot', () => {
    refused(doc('<QuantityEvent/>'), 'xml_unsupported');
    assert.throws(
      () =>
        epcisXml({
          type: 'EPCISDocument',
          epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: 'x', certificationInfo: ['a:1', 'a:2'] }] },
        }),
      XmlNotRepresentableError,
    );
    assert.throws(
      () => epcisXml({ type: 'EPCISDocument', epcisBody: { eventList: [{ type: 'ObjectEvent', myField: 1 }] } }),
      /names no namespace/,
    );
  });
});
