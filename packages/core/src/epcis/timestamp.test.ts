import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalTimestamp, hasTimeZone, parseTimestampMs } from './timestamp.js';

describe('canonical timestamp (CBV 2.0 §8.9)', () => {
  const cases: [string, string][] = [
    ['2020-03-04T11:00:30.000+01:00', '2020-03-04T10:00:30.000Z'],
    ['2020-04-01T15:00:00+01:00', '2020-04-01T14:00:00.000Z'],
    ['2022-02-16T20:33:31.116000-06:00', '2022-02-17T02:33:31.116Z'],
    ['2023-02-02T11:04:03.1415Z', '2023-02-02T11:04:03.142Z'],
    ['2023-02-02T11:04:03.1414Z', '2023-02-02T11:04:03.141Z'],
    ['2023-02-02T11:04:03.1425Z', '2023-02-02T11:04:03.143Z'], // half-up, not half-even
    ['2023-12-31T23:59:59.9995Z', '2024-01-01T00:00:00.000Z'], // the carry reaches the year
    ['2013-06-08T14:58:56.5Z', '2013-06-08T14:58:56.500Z'],
    ['2005-07-11T11:30:47.0Z', '2005-07-11T11:30:47.000Z'],
    ['2019-04-02T15:00:00.000+0100', '2019-04-02T14:00:00.000Z'],
    ['2020-03-04T10:00:30', '2020-03-04T10:00:30.000Z'], // no zone: read as UTC
    ['  2020-03-04T10:00:30Z ', '2020-03-04T10:00:30.000Z'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.equal(canonicalTimestamp(input), want));

  it('leaves text that is no date-time as it is', () => {
    assert.equal(canonicalTimestamp(' tomorrow '), 'tomorrow');
    assert.equal(parseTimestampMs('2020-13-01T00:00:00Z'), null);
  });

  it('tells whether a zone is given', () => {
    assert.ok(hasTimeZone('2020-03-04T10:00:30Z'));
    assert.ok(hasTimeZone('2020-03-04T10:00:30.5-06:00'));
    assert.ok(!hasTimeZone('2020-03-04T10:00:30'));
  });
});
