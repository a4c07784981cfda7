import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatAmount, formatUnits, moneyJson } from './format.js';

const tUSD = { symbol: 'tUSD', decimals: 6 };

describe('money: raw token units as people read them', () => {
  it('groups thousands and keeps two decimals', () => {
    assert.equal(formatAmount(100_000_000_000n, tUSD), '100,000.00 tUSD');
    assert.equal(formatAmount('1200000000', tUSD), '1,200.00 tUSD');
    assert.equal(formatAmount(0n, tUSD), '0.00 tUSD');
    assert.equal(formatAmount(-2_500_000n, tUSD), '-2.50 tUSD');
  });

  it('never rounds: digits beyond the second decimal stay when they are not zero', () => {
    assert.equal(formatAmount(1n, tUSD), '0.000001 tUSD');
    assert.equal(formatAmount(123_456_789n, tUSD), '123.456789 tUSD');
    // Beyond what a double holds exactly.
    assert.equal(formatUnits(12_345_678_901_234_567_891n, 18), '12.345678901234567891');
    assert.equal(formatUnits(5n, 0), '5');
  });

  it('is exact: the formatted digits are the raw units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 24 }), (raw, decimals) => {
        const digits = formatUnits(raw, decimals).replaceAll(',', '');
        const [whole, frac = ''] = digits.split('.');
        assert.equal(BigInt(whole! + frac.padEnd(decimals, '0')), raw);
      }),
    );
  });

  it('carries raw units, decimals and symbol in JSON', () => {
    assert.deepEqual(moneyJson('100000000000', tUSD), {
      raw: '100000000000',
      decimals: 6,
      symbol: 'tUSD',
      formatted: '100,000.00 tUSD',
    });
  });

  it('refuses what is not an amount in raw units', () => {
    assert.throws(() => formatAmount('1.5', tUSD), /not an amount in raw units/);
    assert.throws(() => formatAmount('1e6', tUSD), /not an amount/);
    assert.throws(() => formatUnits(1n, -1), /bad token decimals/);
  });
});
