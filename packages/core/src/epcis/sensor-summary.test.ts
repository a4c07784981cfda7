import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preHashString } from './canonical.js';
import { epcisDocument } from './document.js';
import { documentHashIds, eventHashId } from './hash.js';
import { type SummaryReading, summariseReadings, TRADETWIN_NS } from './sensor-summary.js';
import { validateEpcis } from './validate.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0); // a multiple of 15 min
const MIN = 60_000;
const r = (t: number, k: SummaryReading['k'], v: SummaryReading['v'], id: string): SummaryReading => ({
  t: T0 + t,
  k,
  v,
  readingId: id,
});

const readings: SummaryReading[] = [
  r(1 * MIN, 'temp', 4.2, '7:0'),
  r(1 * MIN, 'rh', 61, '7:1'),
  r(5 * MIN, 'temp', 9.5, '8:0'),
  r(6 * MIN, 'temp', 8.7, '8:1'),
  r(7 * MIN, 'pos', [53.4, -2.9], '8:2'), // not sensor data about the goods
  r(9 * MIN, 'lux', 120, '9:0'),
  r(16 * MIN, 'temp', 1.5, '10:0'),
  r(17 * MIN, 'shock', 2.5, '10:1'),
];

const opts = {
  epc: 'urn:epc:id:sscc:4012345.0000000333',
  readings,
  windowMs: 15 * MIN,
  thresholds: { temp: { min: 2, max: 8 } },
  readPoint: 'urn:epc:id:sgln:4012345.00011.0',
  deviceId: 'reefer-7',
};

describe('summariseReadings', () => {
  const events = summariseReadings(opts);

  it('makes one OBSERVE ObjectEvent per epoch-aligned window, oldest first', () => {
    assert.equal(events.length, 2);
    for (const e of events) {
      assert.equal(e['type'], 'ObjectEvent');
      assert.equal(e['action'], 'OBSERVE');
      assert.equal(e['bizStep'], 'sensor_reporting');
      assert.deepEqual(e['epcList'], ['urn:epc:id:sscc:4012345.0000000333']);
      assert.deepEqual(e['readPoint'], { id: 'urn:epc:id:sgln:4012345.00011.0' });
    }
    assert.equal(events[0]!['eventTime'], '2024-05-01T10:09:00.000Z');
    assert.equal(events[1]!['eventTime'], '2024-05-01T10:17:00.000Z');
  });

  it('summarises each quantity with min, max, mean and its GS1 type and unit', () => {
    const [element] = events[0]!['sensorElementList'] as Record<string, unknown>[];
    assert.deepEqual(element!['sensorMetadata'], {
      time: '2024-05-01T10:09:00.000Z',
      startTime: '2024-05-01T10:01:00.000Z',
      endTime: '2024-05-01T10:09:00.000Z',
      deviceID: 'https://tradetwin.dev/devices/reefer-7',
      dataProcessingMethod: `${TRADETWIN_NS}method/window-min-max-mean-v1`,
    });
    const reports = element!['sensorReport'] as Record<string, unknown>[];
    assert.deepEqual(reports[0], { type: 'gs1:Temperature', minValue: 4.2, maxValue: 9.5, meanValue: 7.466667, uom: 'CEL' });
    assert.deepEqual(reports[1], {
      type: 'gs1:Temperature',
      exception: 'ALARM_CONDITION',
      time: '2024-05-01T10:05:00.000Z',
      value: 9.5,
      uom: 'CEL',
      'tradetwin:aboveMax': 8,
      'tradetwin:readings': ['8:0', '8:1'],
    });
    assert.deepEqual(reports[2], { type: 'gs1:RelativeHumidity', minValue: 61, maxValue: 61, meanValue: 61, uom: 'P1' });
    assert.deepEqual(reports[3], { type: 'gs1:Illuminance', minValue: 120, maxValue: 120, meanValue: 120, uom: 'LUX' });
    assert.equal(reports.length, 4);
    const later = (events[1]!['sensorElementList'] as Record<string, unknown>[])[0]!['sensorReport'] as Record<string, unknown>[];
    assert.deepEqual(
      later.map((x) => [x['type'], x['exception'] ?? null, x['tradetwin:belowMin'] ?? null]),
      [
        ['gs1:Temperature', null, null],
        ['gs1:Temperature', 'ALARM_CONDITION', 2],
        ['gs1:Acceleration', null, null],
      ],
    );
  });

  it('links the readings behind each event by id, with the namespace in @context', () => {
    assert.deepEqual(events[0]!['tradetwin:readings'], ['7:0', '7:1', '8:0', '8:1', '9:0']);
    assert.deepEqual(events[1]!['tradetwin:readings'], ['10:0', '10:1']);
    assert.deepEqual(events[0]!['@context'], [
      'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
      { tradetwin: TRADETWIN_NS },
    ]);
    assert.match(preHashString(events[0]!), /\{https:\/\/tradetwin\.dev\/ns\/epcis\/\}readings=7:0\{/);
  });

  it('validates, alone and in a document, and carries its own hash ID as eventID', () => {
    for (const e of events) {
      assert.deepEqual(validateEpcis(e).errors, []);
      assert.equal(e['eventID'], eventHashId(e));
      assert.match(String(e['eventID']), /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    }
    const doc = epcisDocument(events, { creationDate: T0 + 20 * MIN });
    assert.deepEqual(validateEpcis(doc).errors, []);
    assert.deepEqual(
      documentHashIds(doc),
      events.map((e) => e['eventID']),
    );
  });

  it('is deterministic whatever order the readings arrive in', () => {
    const again = summariseReadings({ ...opts, readings: [...readings].reverse() });
    assert.deepEqual(again, events);
  });

  it('describes a lot as a quantity, a container by parentID, or the read point itself', () => {
    const lot = summariseReadings({ ...opts, epc: 'urn:epc:class:lgtin:4012345.012345.998877' });
    assert.deepEqual(lot[0]!['quantityList'], [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877' }]);
    const unit = summariseReadings({ ...opts, epc: undefined, parentID: 'https://id.gs1.org/00/040123450000003338' });
    assert.deepEqual(unit[0]!['epcList'], ['https://id.gs1.org/00/040123450000003338']);
    assert.equal(eventHashId(unit[0]!), eventHashId(events[0]!), 'the same SSCC as URN or Digital Link');
    const place = summariseReadings({ ...opts, epc: undefined });
    assert.deepEqual(place[0]!['epcList'], []);
    for (const e of [...lot, ...unit, ...place]) assert.deepEqual(validateEpcis(e).errors, []);
  });

  it('gives each device its own sensor element', () => {
    const two = summariseReadings({ ...opts, readings: [...readings.slice(0, 2), { ...readings[2]!, deviceId: 'probe:2' }] });
    const elements = two[0]!['sensorElementList'] as { sensorMetadata: { deviceID: string } }[];
    assert.deepEqual(
      elements.map((e) => e.sensorMetadata.deviceID),
      ['https://tradetwin.dev/devices/probe%3A2', 'https://tradetwin.dev/devices/reefer-7'],
    );
    assert.deepEqual(validateEpcis(two[0]!).errors, []);
  });

  it('refuses options it cannot summarise', () => {
    assert.throws(() => summariseReadings({ ...opts, windowMs: 0 }), RangeError);
    assert.throws(() => summariseReadings({ ...opts, epc: undefined, readPoint: undefined }), /epc, parentID or readPoint/);
    assert.throws(() => summariseReadings({ ...opts, parentID: 'urn:epc:id:sscc:4012345.0000000111' }), /not both/);
    assert.throws(() => summariseReadings({ ...opts, thresholds: { temp: { min: 9, max: 8 } } }), /min 9 is above max 8/);
    assert.deepEqual(summariseReadings({ ...opts, readings: [] }), []);
  });
});
