// The dossier's pure parts: the payout working agrees with the contract's
// formula at every boundary, amounts read as people read them, values are told
// against their limit, and the CSV quotes what needs quoting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computePayout } from '@tradetwin/contracts/cover';
import { againstLimit, outsideBy } from './limits.js';
import { formatAmount } from '@tradetwin/core/money/format';
import { workOutPayout } from './payout-steps.js';
import { readingsCsv } from './readings-csv.js';

const tUSD = { symbol: 'tUSD', decimals: 6 };
const terms = { sumInsured: 250_000_000_000n, toleranceMinutes: 30, catastrophicMinutes: 240, payoutPerHourBps: 2000 };
const money = (r: bigint) => formatAmount(r, tUSD);

describe('payout worked out step by step', () => {
  it('gives what computePayout gives, for every duration from 0 to past the catastrophic one', () => {
    for (let m = 0; m <= 300; m++) assert.equal(workOutPayout(terms, m, money).amount, computePayout(terms, m), `${m} min`);
    const capped = { ...terms, payoutPerHourBps: 6000 };
    for (let m = 0; m <= 300; m++)
      assert.equal(workOutPayout(capped, m, money).amount, computePayout(capped, m), `${m} min, capped`);
  });

  it('S1: 105 min is 2 started hours beyond the tolerance, 40 % of the sum insured', () => {
    const w = workOutPayout(terms, 105, money);
    assert.equal(w.basis, 'per_hour');
    assert.equal(w.amount, 100_000_000_000n);
    const by = Object.fromEntries(w.steps.map((s) => [s.label, s.working]));
    assert.equal(by['Minutes beyond the tolerance'], '105 - 30 = 75 min');
    assert.equal(by['Started hours'], 'ceil(75 / 60) = 2');
    assert.match(by.Rate!, /2000 bps = 20\.00 % .* x 2 = 40\.00 %/);
    assert.equal(by.Payout, '100,000.00 tUSD');
  });

  it('says why nothing or everything is due', () => {
    assert.equal(workOutPayout(terms, 30, money).basis, 'none');
    assert.match(workOutPayout(terms, 30, money).steps.at(-1)!.working, /within the tolerance, nothing is due/);
    const full = workOutPayout(terms, 240, money);
    assert.equal(full.basis, 'full');
    assert.equal(full.steps.at(-1)!.working, '250,000.00 tUSD (sum insured)');
  });
});

describe('amounts, limits, CSV', () => {
  it('formats token units with the symbol and decimals', () => {
    assert.equal(formatAmount(100_000_000_000n, tUSD), '100,000.00 tUSD');
    assert.equal(formatAmount(1_234_567n, tUSD), '1.234567 tUSD');
    assert.equal(formatAmount(5n, { symbol: 'WEI', decimals: 0 }), '5 WEI');
    assert.equal(formatAmount(10n ** 18n + 5n * 10n ** 16n, { symbol: 'ETH', decimals: 18 }), '1.05 ETH');
  });

  it('tells a value against its band', () => {
    const band = { sensor: 'temp', unit: '°C', min: 2, max: 8 };
    assert.equal(againstLimit(band, 14.44), '14.44 °C, 6.44 °C above the 8 °C maximum');
    assert.equal(againstLimit(band, 1.5), '1.50 °C, 0.50 °C below the 2 °C minimum');
    assert.equal(againstLimit(band, 7.38), '7.38 °C, inside 2–8 °C');
    assert.ok(outsideBy(band, 8) <= 0);
  });

  it('writes RFC 4180 CSV, marking the excursion readings against the limit', () => {
    const csv = readingsCsv(
      [
        { id: '1:0', deviceId: 'd', seq: 1, t: 1000, kind: 'temp', value: 9 },
        { id: '1:1', deviceId: 'd', seq: 1, t: 1000, kind: 'pos', value: [1.5, 2.5] },
        { id: '2:0', deviceId: 'd', seq: 2, t: 5000, kind: 'temp', value: 5 },
      ],
      { deviceId: 'd', limit: { sensor: 'temp', unit: '°C', min: 2, max: 8 }, from: 1000, to: 2000 },
      '2–8 °C',
    ).split('\r\n');
    assert.equal(csv[1], '1:0,d,1,1970-01-01T00:00:01.000Z,1000,temp,9,°C,2–8 °C,1.00,yes');
    assert.equal(csv[2], '1:1,d,1,1970-01-01T00:00:01.000Z,1000,pos,1.5 2.5,"lat,lon",,,');
    assert.equal(csv[3], '2:0,d,2,1970-01-01T00:00:05.000Z,5000,temp,5,°C,2–8 °C,0,');
  });
});
