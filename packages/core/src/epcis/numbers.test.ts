import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalNumber, canonicalNumericString } from './numbers.js';

describe('canonical numbers (CBV 2.0 §8.9)', () => {
  it('drops trailing zeros and the point of whole numbers', () => {
    assert.equal(canonicalNumber(26.0), '26');
    assert.equal(canonicalNumber(0.1), '0.1');
    assert.equal(canonicalNumber(-0), '0');
    assert.equal(canonicalNumber(200.5), '200.5');
    assert.equal(canonicalNumber(1e21), '1000000000000000000000');
    assert.equal(canonicalNumber(0.00001), '1e-05');
    assert.equal(canonicalNumber(-2.5e-7), '-2.5e-07');
    assert.equal(canonicalNumber(0.0001), '0.0001');
  });

  it('reads numeric strings as numbers, as XML text would be', () => {
    assert.equal(canonicalNumericString('12.50'), '12.5');
    assert.equal(canonicalNumericString('+007'), '7');
    assert.equal(canonicalNumericString('1e3'), '1000');
    assert.equal(canonicalNumericString('.5'), '0.5');
    for (const s of ['+01:00', '12a', 'NaN', 'Infinity', '', '1.2.3', '0x10']) assert.equal(canonicalNumericString(s), null, s);
  });
});
