// Event hash IDs against the CBV 2.0 §8.9 reference vectors
// (shared/standards/eventhash: RalphTro/epcis-event-hash-generator tests/examples,
// MIT) and GS1's EPCIS 2.0 examples (shared/standards/epcis/examples: gs1/EPCIS,
// see shared/standards/SOURCES.md).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type CbvVersion, preHashString } from './canonical.js';
import { documentEvents } from './document.js';
import { documentHashIds, eventHashId, hashIdOf, hashIdVersion } from './hash.js';
import { parseTimestampMs } from './timestamp.js';

const STANDARDS = new URL('../../../../../shared/standards/', import.meta.url);
const VECTORS = new URL('eventhash/', STANDARDS);
const EXAMPLES = new URL('epcis/examples/', STANDARDS);

const read = (dir: URL, name: string) => readFileSync(new URL(name, dir), 'utf8');
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const jsonldIn = (dir: URL) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonld'))
    .sort();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Event = Record<string, Json>;

/** Rebuilds a value with every object's keys reversed and every array reversed. */
function shuffled(v: Json): Json {
  if (Array.isArray(v)) return v.map(shuffled).reverse();
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, shuffled(x)]),
    );
  return v;
}

/** Pads every string value with whitespace. */
function padded(v: Json): Json {
  if (Array.isArray(v)) return v.map(padded);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, padded(x)]));
  return typeof v === 'string' ? `  ${v}\t` : v;
}

const HASH_ID = /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.[01]$/;
const ctx = { example: 'http://ns.example.com/epcis/' };
const pre = (e: Event, version: CbvVersion = '2.0') =>
  preHashString(e, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', ctx], version);

describe('event hash ID: reference vectors (2026 reference, CBV 2.0 and 2.1)', () => {
  for (const file of jsonldIn(VECTORS)) {
    it(`${file}: CBV 2.0`, () => {
      const doc = JSON.parse(read(VECTORS, file));
      const expected = lines(read(VECTORS, file.replace(/\.jsonld$/, '.hashes')));
      assert.deepEqual(documentHashIds(doc), expected);
      assert.deepEqual(documentHashIds(doc, '2.0'), expected);
    });
    it(`${file}: CBV 2.1`, () => {
      const doc = JSON.parse(read(VECTORS, file));
      const expected = lines(read(VECTORS, file.replace(/\.jsonld$/, '.cbv21.hashes')));
      assert.deepEqual(documentHashIds(doc, '2.1'), expected);
      for (const id of expected) assert.equal(hashIdVersion(id), '2.1');
    });
  }

  it('every event of every vector file is covered', () => {
    const events = jsonldIn(VECTORS).flatMap((f) => documentEvents(JSON.parse(read(VECTORS, f))).events);
    assert.equal(events.length, 7);
  });
});

describe('event hash ID: GS1 EPCIS 2.0 examples', () => {
  for (const file of jsonldIn(EXAMPLES)) {
    it(`${file}: each event hashes, stably under key order, list order and whitespace`, () => {
      const doc = JSON.parse(read(EXAMPLES, file)) as Json;
      const ids = documentHashIds(doc);
      assert.ok(ids.length > 0);
      for (const id of ids) assert.match(id, HASH_ID);
      assert.deepEqual(documentHashIds(shuffled(doc)).reverse(), ids, 'keys and lists reordered');
      const { events, context } = documentEvents(doc);
      assert.deepEqual(
        events.map((e) => eventHashId(padded(e as Json) as Event, context)),
        ids,
        'string values padded with whitespace',
      );
      assert.deepEqual(documentHashIds(JSON.parse(JSON.stringify(doc, null, 7))), ids, 'reformatted');
      const v21 = documentHashIds(doc, '2.1');
      assert.deepEqual(documentHashIds(shuffled(doc), '2.1').reverse(), v21, 'CBV 2.1: keys and lists reordered');
      for (const id of v21) assert.equal(hashIdVersion(id), '2.1');
    });

    it(`${file}: recordTime, eventID and an errorDeclaration do not count; business fields do`, () => {
      const { events, context } = documentEvents(JSON.parse(read(EXAMPLES, file)));
      for (const e of events as Event[]) {
        const h = eventHashId(e, context);
        const bookkeeping = {
          ...e,
          recordTime: '2030-01-01T00:00:00Z',
          eventID: 'urn:uuid:00000000-0000-4000-8000-000000000000',
        };
        assert.equal(eventHashId(bookkeeping, context), h);
        const declared = { ...e, errorDeclaration: { declarationTime: '2030-01-01T00:00:00Z', reason: 'incorrect_data' } };
        assert.equal(eventHashId(declared, context), h);
        const changes: Event[] = [
          { ...e, bizStep: 'destroying' },
          { ...e, eventTime: new Date(parseTimestampMs(String(e['eventTime']))! + 1).toISOString() },
          { ...e, readPoint: { id: 'urn:epc:id:sgln:4012345.99999.0' } },
          { ...e, 'example:added': 'x' },
        ];
        for (const changed of changes) assert.notEqual(eventHashId(changed, context), h, JSON.stringify(changed));
      }
    });
  }
});

describe('pre-hash string', () => {
  const base: Event = {
    type: 'ObjectEvent',
    eventTime: '2020-03-04T11:00:30+01:00',
    eventTimeZoneOffset: '+01:00',
    action: 'OBSERVE',
  };
  const head = 'eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00';

  it('writes the same event identically whether EPCs are URNs or Digital Links, vocabulary bare, URN or URI', () => {
    const a = pre({ ...base, epcList: ['urn:epc:id:sgtin:4012345.011111.9876'], bizStep: 'shipping', disposition: 'in_transit' });
    const b = pre({
      ...base,
      epcList: ['https://example.com/shop/01/04012345111118/21/9876?linkType=all'],
      bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
      disposition: 'cbv:Disp-in_transit',
    });
    const c = pre({
      ...base,
      epcList: ['https://id.gs1.org/gtin/4012345111118/lot/L1/ser/9876'],
      bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
      disposition: 'urn:epcglobal:cbv:disp:in_transit',
    });
    const want = `${head}epcListepc=https://id.gs1.org/01/04012345111118/21/9876action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shippingdisposition=https://ref.gs1.org/cbv/Disp-in_transit`;
    assert.equal(a, want);
    assert.equal(b, want);
    assert.equal(c, want);
  });

  it('orders an AssociationEvent: parentID, childEPCs, childQuantityList, action', () => {
    const s = pre({
      ...base,
      type: 'AssociationEvent',
      action: 'ADD',
      childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 2.5, uom: 'KGM' }],
      childEPCs: ['urn:epc:id:giai:4000001.12345'],
      parentID: 'urn:epc:id:grai:4012345.55555.987',
      bizStep: 'assembling',
    });
    assert.equal(
      s,
      `${head.replace('ObjectEvent', 'AssociationEvent')}parentID=https://id.gs1.org/8003/04012345555554987childEPCsepc=https://id.gs1.org/8004/400000112345` +
        'childQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=2.5uom=KGM' +
        'action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-assembling',
    );
  });

  it('leaves certificationInfo out and puts epcList before parentID (TransactionEvent)', () => {
    const event: Event = {
      ...base,
      type: 'TransactionEvent',
      epcList: ['urn:epc:id:sgtin:0614141.107346.2017'],
      parentID: 'urn:epc:id:sscc:0614141.1234567890',
      certificationInfo: ['https://cert.example.org/b', 'https://cert.example.org/a'],
      bizTransactionList: [
        { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:PO1' },
        { bizTransaction: 'urn:epc:id:gdti:0614141.00001.1' },
      ],
    };
    const s = pre(event);
    assert.equal(
      s,
      `${head.replace('ObjectEvent', 'TransactionEvent')}` +
        'epcListepc=https://id.gs1.org/01/10614141073464/21/2017parentID=https://id.gs1.org/00/106141412345678908action=OBSERVE' +
        'bizTransactionListbizTransaction=https://id.gs1.org/253/06141410000121type=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:0614141073467:PO1',
    );
    const { certificationInfo: _dropped, ...without } = event;
    assert.equal(pre(without), s, 'certificationInfo is not hashed');
  });

  it('writes persistentDisposition set then unset, source/destination type first', () => {
    const s = pre({
      ...base,
      persistentDisposition: { unset: ['needs_replacement'], set: ['completeness_verified', 'available'] },
      destinationList: [{ destination: 'urn:epc:id:pgln:0614141.00001', type: 'owning_party' }],
      sourceList: [{ type: 'urn:epcglobal:cbv:sdt:possessing_party', source: 'urn:epc:id:pgln:4012345.00001' }],
    });
    assert.equal(
      s,
      `${head}action=OBSERVEpersistentDispositionset=https://ref.gs1.org/cbv/Disp-availableset=https://ref.gs1.org/cbv/Disp-completeness_verified` +
        'unset=https://ref.gs1.org/cbv/Disp-needs_replacement' +
        'sourceListtype=https://ref.gs1.org/cbv/SDT-possessing_partysource=https://id.gs1.org/417/4012345000016' +
        'destinationListtype=https://ref.gs1.org/cbv/SDT-owning_partydestination=https://id.gs1.org/417/0614141000012',
    );
  });

  const nested: Event = {
    ...base,
    action: 'ADD',
    'example:z': { 'example:b': '2', 'example:a': 1.5 },
    ilmd: { 'cbvmda:lotNumber': 'LOT1', 'example:grade': 'A' },
    readPoint: { 'example:dock': '7', id: 'urn:epc:id:sgln:4012345.00011.987' },
    sensorElementList: [
      {
        type: 'epcis:SensorElement',
        'example:batchNote': 'x',
        sensorReport: [
          { 'example:feature': 'ambiance', type: 'gs1:Temperature', value: 4.0, uom: 'CEL', exception: 'ALARM_CONDITION' },
          { type: 'RelativeHumidity', component: 'x', value: '55.10', uom: 'P1' },
        ],
        sensorMetadata: {
          'example:calibrated': true,
          endTime: '2020-03-04T11:59:59.9996+01:00',
          deviceID: 'urn:epc:id:giai:4000001.111',
        },
      },
    ],
  };
  const X = '{http://ns.example.com/epcis/}';
  const metadata = 'sensorMetadataendTime=2020-03-04T11:00:00.000ZdeviceID=https://id.gs1.org/8004/4000001111';
  const humidity =
    'sensorReporttype=https://ref.gs1.org/voc/RelativeHumidityvalue=55.1component=https://ref.gs1.org/cbv/Comp-xuom=P1';
  const temperature =
    'sensorReporttype=https://ref.gs1.org/voc/Temperatureexception=https://ref.gs1.org/voc/ALARM_CONDITIONvalue=4uom=CEL';
  const ilmd = `ilmd${X}grade=A{urn:epcglobal:cbv:mda}lotNumber=LOT1`;
  const own = `${X}z${X}a=1.5${X}b=2`;

  it('CBV 2.0: no sensorElementList name; extensions of standard fields after ilmd, under their field path; then the event', () => {
    assert.equal(
      pre(nested),
      `${head}action=ADDreadPointid=https://id.gs1.org/414/4012345000115/254/987` +
        `sensorElement${metadata}${humidity}${temperature}` +
        ilmd +
        `readPoint${X}dock=7` +
        `sensorElementsensorMetadata${X}calibrated=truesensorReport${X}feature=ambiance${X}batchNote=x` +
        own,
    );
  });

  it('CBV 2.1: the sensorElementList name, extensions inline at the end of their parent; ilmd and the event after', () => {
    assert.equal(
      pre(nested, '2.1'),
      `${head}action=ADDreadPointid=https://id.gs1.org/414/4012345000115/254/987${X}dock=7` +
        `sensorElementListsensorElement${metadata}${X}calibrated=true${humidity}${temperature}${X}feature=ambiance${X}batchNote=x` +
        ilmd +
        own,
    );
  });

  it('names extensions by namespace, not by prefix, so a renamed prefix hashes the same; namespaces as declared', () => {
    const a = eventHashId({ ...base, 'example:f': 'v' }, { example: 'http://ns.example.com/epcis/' });
    const b = eventHashId({ ...base, 'ex:f': 'v' }, { ex: 'http://ns.example.com/epcis/' });
    const d = eventHashId({ ...base, '@context': { example: 'http://ns.example.com/epcis/' }, 'example:f': 'v' });
    assert.equal(b, a);
    assert.equal(d, a);
    assert.notEqual(eventHashId({ ...base, 'example:f': 'v' }, { example: 'http://other.example.com/' }), a);
    // a trailing ':' is part of the namespace the document declared
    assert.match(preHashString({ ...base, 'u:f': 'v' }, { u: 'urn:example:ns:' }), /\{urn:example:ns:\}f=v$/);
  });

  it('expands gs1: CURIEs to the GS1 Web Vocabulary, keeps other CURIE values as written', () => {
    assert.equal(
      pre({ ...base, 'example:a': 'gs1:LocationRoleType-BACKROOM', 'example:b': 'example:local' }),
      `${head}action=OBSERVE${X}a=https://ref.gs1.org/voc/LocationRoleType-BACKROOM${X}b=example:local`,
    );
  });

  it('writes a bare GS1 Web Vocabulary class given as an extension object type as its IRI', () => {
    const offered = (type: string): Event => ({
      ...base,
      'gs1:masterDataAvailableFor': [{ id: 'urn:epc:class:lgtin:4012345.012345.LOT1', type, expirationDate: '2024-11-21' }],
    });
    const G = '{https://ref.gs1.org/voc/}';
    assert.equal(
      pre(offered('Product')),
      `${head}action=OBSERVE${G}masterDataAvailableForexpirationDate=2024-11-21id=https://id.gs1.org/01/04012345123456/10/LOT1type=https://ref.gs1.org/voc/Product`,
    );
    assert.equal(pre(offered('gs1:Product')), pre(offered('Product')), 'the CURIE and the bare class name hash alike');
    assert.match(pre(offered('NotAGs1Class')), /type=NotAGs1Class$/, 'other names stay as written');
  });

  it('hashes an extension object with all of its properties, @id and @type included', () => {
    const withId = (grade: string): Event => ({
      ...base,
      'example:lot': { '@id': 'urn:epc:id:sgln:4012345.00011.0', '@type': 'example:Lot', 'example:grade': grade },
    });
    assert.equal(
      pre(withId('A')),
      `${head}action=OBSERVE${X}lot@id=https://id.gs1.org/414/4012345000115@type=example:Lot${X}grade=A`,
    );
    assert.notEqual(eventHashId(withId('A'), ctx), eventHashId(withId('B'), ctx));
    assert.equal(
      pre({ ...base, 'example:a': { '@value': '2024-01-01', '@type': 'xsd:date' } }),
      `${head}action=OBSERVE${X}a=2024-01-01`,
      'a JSON-LD value object is its literal',
    );
  });

  it('drops empty values and empty lists, keeps comments out', () => {
    assert.equal(pre({ ...base, epcList: [], bizStep: '  ', quantityList: [], 'rdfs:comment': 'note' }), `${head}action=OBSERVE`);
  });

  it('hashes the UTF-8 bytes of the pre-hash string', () => {
    // sha256("") — the algorithm is plain SHA-256 over UTF-8
    assert.equal(hashIdOf(''), 'ni:///sha-256;e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?ver=CBV2.0');
    assert.notEqual(eventHashId({ ...base, 'example:f': 'é' }, ctx), eventHashId({ ...base, 'example:f': 'e' }, ctx));
  });
});
