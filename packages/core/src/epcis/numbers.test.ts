import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalNumber, canonicalNumericString } from './numbers.js';

describe('canonical numbers (CBV §8.9, exact decimals as the 2026 reference reads them)', () => {
  it('drops trailing zeros and the point of whole numbers', () => {
    assert.equal(canonicalNumber(26.0), '26');
    assert.equal(canonicalNumber(0.1), '0.1');
    assert.equal(canonicalNumber(-0), '0');
    assert.equal(canonicalNumber(200.5), '200.5');
    assert.equal(canonicalNumber(0.0001), '0.0001');
  });

  it('writes small fractions out in full and very large whole floats in scientific form', () => {
    assert.equal(canonicalNumber(0.00001), '0.00001');
    assert.equal(canonicalNumber(-2.5e-7), '-0.00000025');
    assert.equal(canonicalNumber(1e21), '1E+21');
    assert.equal(canonicalNumber(1.2345678901234568e16), '12345678901234568');
  });

  it('reads numeric strings exactly, as XML text would be', () => {
    assert.equal(canonicalNumericString('12.50'), '12.5');
    assert.equal(canonicalNumericString('23.0'), '23');
    assert.equal(canonicalNumericString('+007'), '7');
    assert.equal(canonicalNumericString('1000.000'), '1000');
    assert.equal(canonicalNumericString('1e3'), '1E+3');
    assert.equal(canonicalNumericString('1.5e3'), '1.5E+3');
    assert.equal(canonicalNumericString('.5'), '0.5');
    assert.equal(canonicalNumericString('5.'), '5');
    assert.equal(canonicalNumericString('0.1000000000000000055511151231257827'), '0.1000000000000000055511151231257827');
    assert.equal(canonicalNumericString('12345678901234567890.0'), '12345678901234567890');
    for (const s of ['+01:00', '12a', 'NaN', 'Infinity', '', '.', '1.2.3', '0x10', '1e', '-'])
      assert.equal(canonicalNumericString(s), null, s);
  });
});
