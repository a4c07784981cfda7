import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as epcis from './index.js';

const api: Record<string, unknown> = { ...epcis };

describe('core/epcis public API', () => {
  it('exports the hash, URI, validation and summary functions', () => {
    for (const name of [
      'preHashString',
      'eventHashId',
      'documentHashIds',
      'epcToDigitalLink',
      'digitalLinkToEpc',
      'canonicalDigitalLink',
      'validateEpcis',
      'summariseReadings',
      'documentEvents',
      'epcisDocument',
    ] as const) {
      assert.equal(typeof api[name], 'function', name);
    }
  });

  it('round-trips an event through the index alone', () => {
    const event = {
      '@context': [epcis.EPCIS_CONTEXT_URL],
      type: 'ObjectEvent',
      eventTime: '2024-05-01T10:00:00Z',
      eventTimeZoneOffset: '+00:00',
      epcList: [epcis.epcToDigitalLink('urn:epc:id:sgtin:4012345.011111.9876')!],
      action: 'OBSERVE',
    };
    assert.deepEqual(epcis.validateEpcis(event).errors, []);
    assert.equal(epcis.eventHashId(event), epcis.eventHashId({ ...event, epcList: ['urn:epc:id:sgtin:4012345.011111.9876'] }));
  });
});
