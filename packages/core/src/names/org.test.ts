import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orgLabel, orgRef, shortAddress } from './org.js';

const A = '0x12345678901234567890123456789012345678ab';

describe('organisation names for addresses', () => {
  it('names the organisation and keeps the address recognisable', () => {
    assert.equal(shortAddress(A), '0x1234…78ab');
    assert.equal(orgLabel(A, 'Ocean Carrier Ltd'), 'Ocean Carrier Ltd (0x1234…78ab)');
  });

  it('falls back to the whole address when no organisation is known', () => {
    assert.equal(orgLabel(A, null), A);
    assert.deepEqual(orgRef(A, null), { address: A, short: '0x1234…78ab', orgId: null, name: null, label: A });
    assert.equal(orgRef(A, { orgId: 2, name: 'Pharma Manufacturer NV' }).label, 'Pharma Manufacturer NV (0x1234…78ab)');
  });
});
