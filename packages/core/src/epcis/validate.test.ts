// Validation against GS1's EPCIS 2.0 JSON schema plus the capture rules:
// every GS1 example (shared/standards/epcis/examples, gs1/EPCIS) and hash vector
// (shared/standards/eventhash, RalphTro/epcis-event-hash-generator) is valid;
// each broken document fails at the value that is wrong.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateEpcis } from './validate.js';

const STANDARDS = new URL('../../../../../shared/standards/', import.meta.url);
const DIRS = [new URL('epcis/examples/', STANDARDS), new URL('eventhash/', STANDARDS)];

type Obj = Record<string, unknown>;
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'http://ns.example.com/epcis/' }];

function objectEvent(extra: Obj = {}): Obj {
  return {
    type: 'ObjectEvent',
    eventTime: '2024-05-01T10:00:00.000+02:00',
    eventTimeZoneOffset: '+02:00',
    epcList: ['urn:epc:id:sgtin:4012345.011111.9876', 'https://id.gs1.org/01/04012345111118/21/9877'],
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    readPoint: { id: 'urn:epc:id:sgln:4012345.00011.987' },
    ...extra,
  };
}

function doc(...events: Obj[]): Obj {
  return {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-05-01T10:05:00Z',
    epcisBody: { eventList: events },
  };
}

const E = '/epcisBody/eventList/0';

describe('validateEpcis: valid input', () => {
  for (const dir of DIRS) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonld'))) {
      it(file, () => {
        const r = validateEpcis(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
        assert.deepEqual(r.errors, []);
        assert.equal(r.valid, true);
      });
    }
  }

  it('a minimal document, extensions included', () => {
    const r = validateEpcis(doc(objectEvent({ 'example:myField': { 'example:sub': 1 } })));
    assert.deepEqual(r.errors, []);
  });

  it('a single event with its own @context', () => {
    assert.deepEqual(validateEpcis({ '@context': CONTEXT, ...objectEvent() }).errors, []);
  });

  it('an errorDeclaration on a corrective event (which itself is corrected later)', () => {
    const declaration = (ids: string[]) => ({
      declarationTime: '2024-05-02T00:00:00Z',
      reason: 'incorrect_data',
      correctiveEventIDs: ids,
    });
    const original = objectEvent({
      eventID: 'urn:uuid:11111111-1111-4111-8111-111111111111',
      errorDeclaration: declaration(['urn:uuid:22222222-2222-4222-8222-222222222222']),
    });
    const corrective = objectEvent({
      eventID: 'urn:uuid:22222222-2222-4222-8222-222222222222',
      errorDeclaration: declaration(['urn:uuid:33333333-3333-4333-8333-333333333333']),
    });
    const third = objectEvent({ eventID: 'urn:uuid:33333333-3333-4333-8333-333333333333', bizStep: 'receiving' });
    assert.deepEqual(validateEpcis(doc(original, corrective, third)).errors, []);
  });

  it('an error declaration beside the event it declares, under the same eventID', () => {
    const original = objectEvent({ eventID: 'urn:uuid:44444444-4444-4444-8444-444444444444' });
    const declared = { ...original, errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'did_not_occur' } };
    assert.deepEqual(validateEpcis(doc(original, declared)).errors, []);
  });

  it('every event type, with its alternative "what"', () => {
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    const r = validateEpcis(
      json(
        doc(
          objectEvent({
            epcList: undefined,
            quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 200, uom: 'KGM' }],
          }),
          objectEvent({ epcList: [], action: 'ADD', bizStep: 'commissioning', ilmd: { 'example:bestBefore': '2025-01-01' } }),
          {
            ...objectEvent(),
            type: 'AggregationEvent',
            epcList: undefined,
            parentID: 'urn:epc:id:sscc:4012345.0000000333',
            childEPCs: ['urn:epc:id:sgtin:4012345.011111.1'],
            action: 'ADD',
          },
          {
            ...objectEvent(),
            type: 'AggregationEvent',
            epcList: undefined,
            parentID: 'urn:epc:id:sscc:4012345.0000000333',
            action: 'DELETE',
          },
          {
            ...objectEvent(),
            type: 'TransactionEvent',
            bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO1' }],
          },
          {
            ...objectEvent(),
            type: 'AssociationEvent',
            epcList: undefined,
            parentID: 'urn:epc:id:grai:4012345.55555.987',
            childEPCs: ['urn:epc:id:giai:4000001.12345'],
            action: 'ADD',
          },
          {
            ...objectEvent(),
            type: 'TransformationEvent',
            epcList: undefined,
            action: undefined,
            inputEPCList: ['urn:epc:id:sgtin:4012345.011111.1'],
            transformationID: 'urn:epc:id:gdti:4012345.00001.1',
          },
          objectEvent({
            persistentDisposition: { set: ['completeness_verified'] },
            certificationInfo: 'https://cert.example.org/1',
          }),
        ),
      ),
    );
    assert.deepEqual(r.errors, []);
  });
});

/** [what is wrong, the document, the one path every error must name, a message pattern]. */
const INVALID: [string, Obj, string, RegExp][] = [
  ['no @context', { ...doc(objectEvent()), '@context': undefined }, '/@context', /required/],
  ['no schemaVersion', { ...doc(objectEvent()), schemaVersion: undefined }, '/schemaVersion', /required/],
  ['schemaVersion 1.2', { ...doc(objectEvent()), schemaVersion: '1.2' }, '/schemaVersion', /not EPCIS 2/],
  ['creationDate not a date-time', { ...doc(objectEvent()), creationDate: 'yesterday' }, '/creationDate', /date-time/],
  ['no eventTime', doc(objectEvent({ eventTime: undefined })), `${E}/eventTime`, /required/],
  ['eventTime without a zone', doc(objectEvent({ eventTime: '2024-05-01T10:00:00' })), `${E}/eventTime`, /time zone/],
  ['recordTime without a zone', doc(objectEvent({ recordTime: '2024-05-01T10:00:00.5' })), `${E}/recordTime`, /time zone/],
  ['offset without leading zero', doc(objectEvent({ eventTimeZoneOffset: '+2:00' })), `${E}/eventTimeZoneOffset`, /±hh:mm/],
  ['offset beyond +14:00', doc(objectEvent({ eventTimeZoneOffset: '+15:00' })), `${E}/eventTimeZoneOffset`, /±hh:mm/],
  ['no eventTimeZoneOffset', doc(objectEvent({ eventTimeZoneOffset: undefined })), `${E}/eventTimeZoneOffset`, /required/],
  ['unknown event type', doc(objectEvent({ type: 'FooEvent' })), `${E}/type`, /unknown event type "FooEvent"/],
  [
    'extension event type (schema-valid URI)',
    doc(objectEvent({ type: 'https://example.com/MyEvent' })),
    `${E}/type`,
    /unknown event type/,
  ],
  ['action not in the enum', doc(objectEvent({ action: 'MOVE' })), `${E}/action`, /"OBSERVE", "ADD", "DELETE"/],
  ['no action', doc(objectEvent({ action: undefined })), `${E}/action`, /required/],
  ['unknown bare bizStep', doc(objectEvent({ bizStep: 'shipping_x' })), `${E}/bizStep`, /URI, or one of "accepting"/],
  ['bizStep as CBV 1.x URN', doc(objectEvent({ bizStep: 'urn:epcglobal:cbv:bizstep:shipping' })), `${E}/bizStep`, /CBV 1\.x URN/],
  ['EPC not a URI', doc(objectEvent({ epcList: ['urn:epc:id:sgtin:4012345.011111.1', 'not an epc'] })), `${E}/epcList/1`, /URI/],
  ['EPC twice', doc(objectEvent({ epcList: ['urn:a:b', 'urn:a:b'] })), `${E}/epcList`, /duplicate/],
  [
    'quantity element without epcClass',
    doc(objectEvent({ quantityList: [{ quantity: 1 }] })),
    `${E}/quantityList/0/epcClass`,
    /required/,
  ],
  [
    'quantity as a string',
    doc(objectEvent({ quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.1', quantity: '5' }] })),
    `${E}/quantityList/0/quantity`,
    /number/,
  ],
  [
    'lower-case uom',
    doc(objectEvent({ quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.1', quantity: 5, uom: 'kg' }] })),
    `${E}/quantityList/0/uom`,
    /UN\/ECE Rec 20/,
  ],
  [
    'unknown field in a quantity element',
    doc(objectEvent({ quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.1', lot: 'A' }] })),
    `${E}/quantityList/0/lot`,
    /not allowed/,
  ],
  ['readPoint without id', doc(objectEvent({ readPoint: { name: 'dock 7' } })), `${E}/readPoint/id`, /required/],
  ['un-namespaced extension', doc(objectEvent({ foo: 1 })), `${E}/foo`, /not a standard field.*namespaced/],
  [
    'bizTransaction missing',
    doc(objectEvent({ bizTransactionList: [{ type: 'po' }] })),
    `${E}/bizTransactionList/0/bizTransaction`,
    /required/,
  ],
  [
    'unknown source type',
    doc(objectEvent({ sourceList: [{ type: 'owner', source: 'urn:epc:id:pgln:4012345.00001' }] })),
    `${E}/sourceList/0/type`,
    /"owning_party"/,
  ],
  [
    'sensor report without type',
    doc(objectEvent({ sensorElementList: [{ sensorReport: [{ value: 4, uom: 'CEL' }] }] })),
    `${E}/sensorElementList/0/sensorReport/0/type`,
    /required/,
  ],
  [
    'measurement type as a GS1 Web Vocabulary URI',
    doc(objectEvent({ sensorElementList: [{ sensorReport: [{ type: 'https://gs1.org/voc/Temperature', value: 4 }] }] })),
    `${E}/sensorElementList/0/sensorReport/0/type`,
    /write GS1 terms bare/,
  ],
  [
    'sensor time without a zone',
    doc(
      objectEvent({
        sensorElementList: [
          { sensorMetadata: { time: '2024-05-01T09:00:00' }, sensorReport: [{ type: 'Temperature', value: 4 }] },
        ],
      }),
    ),
    `${E}/sensorElementList/0/sensorMetadata/time`,
    /time zone/,
  ],
  [
    'hexBinaryValue not hex',
    doc(objectEvent({ sensorElementList: [{ sensorReport: [{ type: 'Temperature', hexBinaryValue: 'zz' }] }] })),
    `${E}/sensorElementList/0/sensorReport/0/hexBinaryValue`,
    /hexadecimal/,
  ],
  ['ObjectEvent without a what', doc(objectEvent({ epcList: undefined })), E, /needs epcList, a non-empty quantityList/],
  ['ILMD when observing', doc(objectEvent({ ilmd: { 'example:lot': 'L1' } })), `${E}/ilmd`, /only allowed when action is ADD/],
  [
    'ILMD name not a URI',
    doc(objectEvent({ action: 'ADD', ilmd: { 'best before': 'x' } })),
    `${E}/ilmd/best before`,
    /not a standard field of ILMD/,
  ],
  [
    'AggregationEvent ADD without parentID',
    doc({
      ...objectEvent(),
      type: 'AggregationEvent',
      epcList: undefined,
      childEPCs: ['urn:epc:id:sgtin:4012345.011111.1'],
      action: 'ADD',
    }),
    `${E}/parentID`,
    /required when action is ADD/,
  ],
  [
    'AggregationEvent ADD without children',
    doc({
      ...objectEvent(),
      type: 'AggregationEvent',
      epcList: undefined,
      parentID: 'urn:epc:id:sscc:4012345.0000000333',
      action: 'ADD',
    }),
    E,
    /needs childEPCs or childQuantityList/,
  ],
  [
    'AssociationEvent without parentID',
    doc({
      ...objectEvent(),
      type: 'AssociationEvent',
      epcList: undefined,
      childEPCs: ['urn:epc:id:giai:4000001.1'],
      action: 'ADD',
    }),
    `${E}/parentID`,
    /required/,
  ],
  [
    'TransactionEvent without bizTransactionList',
    doc({ ...objectEvent(), type: 'TransactionEvent' }),
    `${E}/bizTransactionList`,
    /required/,
  ],
  [
    'TransformationEvent with inputs only',
    doc({
      ...objectEvent(),
      type: 'TransformationEvent',
      epcList: undefined,
      action: undefined,
      inputEPCList: ['urn:epc:id:sgtin:4012345.011111.1'],
    }),
    E,
    /needs a transformationID/,
  ],
  [
    'errorDeclaration without declarationTime',
    doc(objectEvent({ errorDeclaration: { reason: 'incorrect_data' } })),
    `${E}/errorDeclaration/declarationTime`,
    /required/,
  ],
  [
    'errorDeclaration with an unknown reason',
    doc(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'oops' } })),
    `${E}/errorDeclaration/reason`,
    /"did_not_occur", "incorrect_data"/,
  ],
  [
    'an event declared its own corrective event',
    doc(
      objectEvent({
        eventID: 'urn:uuid:1',
        errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', correctiveEventIDs: ['urn:uuid:1'] },
      }),
    ),
    `${E}/errorDeclaration/correctiveEventIDs`,
    /own corrective event/,
  ],
  [
    'persistentDisposition empty',
    doc(objectEvent({ persistentDisposition: {} })),
    `${E}/persistentDisposition`,
    /"set" or "unset"/,
  ],
  ['certificationInfo not a URI', doc(objectEvent({ certificationInfo: 'ABC 123' })), `${E}/certificationInfo`, /URI/],
  [
    'two events with one eventID',
    doc(objectEvent({ eventID: 'urn:uuid:7' }), objectEvent({ eventID: 'urn:uuid:7' })),
    '/epcisBody/eventList/1/eventID',
    /repeats the eventID of event 0/,
  ],
  ['a single event without @context', objectEvent(), '/@context', /required/],
  ['a path-like eventID', doc(objectEvent({ eventID: '../events/1' })), `${E}/eventID`, /not an absolute URI/],
  ['an eventID with white space', doc(objectEvent({ eventID: 'urn:uuid: 1' })), `${E}/eventID`, /not an absolute URI/],
  [
    'a relative corrective event ID',
    doc(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', correctiveEventIDs: ['/a/b'] } })),
    `${E}/errorDeclaration/correctiveEventIDs/0`,
    /not an absolute URI/,
  ],
  [
    'a negative quantity',
    doc(
      objectEvent({
        epcList: undefined,
        quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: -5, uom: 'KGM' }],
      }),
    ),
    `${E}/quantityList/0/quantity`,
    /negative/,
  ],
];

describe('validateEpcis: each broken document fails at the broken value', () => {
  for (const [what, input, path, message] of INVALID) {
    it(what, () => {
      const r = validateEpcis(JSON.parse(JSON.stringify(input)));
      assert.equal(r.valid, false);
      assert.ok(r.errors.length > 0);
      for (const e of r.errors) assert.equal(e.path, path, JSON.stringify(r.errors));
      assert.ok(
        r.errors.some((e) => message.test(e.message)),
        JSON.stringify(r.errors),
      );
    });
  }

  it('reports every broken value of a document, in document order', () => {
    const r = validateEpcis(
      doc(objectEvent({ action: 'MOVE' }), objectEvent({ eventTimeZoneOffset: '2' }), objectEvent({ foo: 1 })),
    );
    assert.deepEqual(
      r.errors.map((e) => e.path),
      [`${E}/action`, '/epcisBody/eventList/1/eventTimeZoneOffset', '/epcisBody/eventList/2/foo'],
    );
  });

  it('refuses what is not an EPCIS document or event', () => {
    assert.equal(validateEpcis('text').valid, false);
    assert.deepEqual(
      validateEpcis({ type: 'EPCISDocument' })
        .errors.map((e) => e.path)
        .sort(),
      ['/@context', '/creationDate', '/epcisBody', '/schemaVersion'],
    );
  });
});
