// Pure parts of subscriptions: schedules (parse, next fire in UTC), signatures, definitions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQueryDefinition, parseStreamParameters, queryPairs } from './definition.js';
import { nextFire, parseSchedule, type Schedule } from './schedule.js';
import { signBody, verifySignature } from './signature.js';

const sched = (spec: Record<string, string>): Schedule => {
  const p = parseSchedule(spec);
  assert.ok(p.ok, JSON.stringify(p));
  return p.schedule;
};
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('schedule', () => {
  it('fires once a day at 01:05:00 for {hour:1, minute:5}', () => {
    const s = sched({ hour: '1', minute: '5' });
    assert.equal(iso(nextFire(s, at('2024-03-01T00:00:00Z'))), '2024-03-01T01:05:00.000Z');
    assert.equal(iso(nextFire(s, at('2024-03-01T01:05:00Z'))), '2024-03-02T01:05:00.000Z');
  });
  it('steps, lists and ranges', () => {
    const s = sched({ second: '0/30' });
    assert.equal(iso(nextFire(s, at('2024-03-01T10:00:10Z'))), '2024-03-01T10:00:30.000Z');
    assert.equal(iso(nextFire(s, at('2024-03-01T10:00:30Z'))), '2024-03-01T10:01:00.000Z');
    const r = sched({ minute: '[10-12],40' });
    assert.equal(iso(nextFire(r, at('2024-03-01T10:12:00Z'))), '2024-03-01T10:40:00.000Z');
    assert.equal(iso(nextFire(sched({ second: '*' }), at('2024-03-01T10:00:00.500Z'))), '2024-03-01T10:00:01.000Z');
  });
  it('days: dayOfWeek 1 is Monday; month alone means its first day at midnight; impossible dates never fire', () => {
    assert.equal(iso(nextFire(sched({ dayOfWeek: '1' }), at('2024-03-01T12:00:00Z'))), '2024-03-04T00:00:00.000Z');
    assert.equal(iso(nextFire(sched({ dayOfWeek: '7', hour: '6' }), at('2024-03-01T12:00:00Z'))), '2024-03-03T06:00:00.000Z');
    assert.equal(iso(nextFire(sched({ month: '6' }), at('2024-03-01T12:00:00Z'))), '2024-06-01T00:00:00.000Z');
    assert.equal(nextFire(sched({ dayOfMonth: '31', month: '2' }), at('2024-01-01T00:00:00Z')), null);
  });
  it('refuses bad fields with the field named', () => {
    for (const [spec, field] of [
      [{ minute: '60' }, 'minute'],
      [{ hour: '[5-2]' }, 'hour'],
      [{ dayOfWeek: '0' }, 'dayOfWeek'],
      [{ second: '' }, 'second'],
      [{ second: 'x/5' }, 'second'],
    ] as const) {
      const p = parseSchedule(spec);
      assert.ok(!p.ok && p.field === field, JSON.stringify(spec));
    }
    assert.ok(!parseSchedule({}).ok);
    assert.ok(!parseSchedule({ weekday: '1' }).ok);
    assert.ok(!parseSchedule('daily').ok);
  });
});

describe('signature', () => {
  it('is sha256=<hex HMAC-SHA256(token, body)> and verifies only with the token and the exact body', () => {
    // RFC 4231 test case 2.
    assert.equal(
      signBody('Jefe', 'what do ya want for nothing?'),
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    const h = signBody('k', '{"a":1}');
    assert.ok(verifySignature('k', '{"a":1}', h));
    assert.ok(!verifySignature('k', '{"a":2}', h));
    assert.ok(!verifySignature('k2', '{"a":1}', h));
    assert.ok(!verifySignature('k', '{"a":1}', undefined));
  });
});

describe('definitions', () => {
  it('turns lists into repeated parameters and validates them like /events', () => {
    assert.deepEqual(queryPairs({ EQ_bizStep: ['shipping', 'receiving'], eventCountLimit: 5, EXISTS_errorDeclaration: true }), [
      ['EQ_bizStep', 'shipping'],
      ['EQ_bizStep', 'receiving'],
      ['eventCountLimit', '5'],
      ['EXISTS_errorDeclaration', 'true'],
    ]);
    assert.throws(() => parseQueryDefinition({ name: 'x', query: { MATCH_epc: ['not a uri'] } }, {}), /not a URI/);
  });
  it('reads WebSocket subscription controls from the query string', () => {
    assert.equal(parseStreamParameters([['stream', 'true']]).stream, true);
    const s = parseStreamParameters([
      ['minute', '5'],
      ['hour', '1'],
      ['reportIfEmpty', 'true'],
    ]);
    assert.deepEqual(s.scheduleSpec, { minute: '5', hour: '1' });
    assert.equal(s.reportIfEmpty, true);
    assert.throws(
      () =>
        parseStreamParameters([
          ['stream', 'true'],
          ['minute', '5'],
        ]),
      /mutually exclusive/,
    );
    assert.throws(
      () =>
        parseStreamParameters([
          ['EQ_bizStep', 'x'],
          ['stream', 'true'],
        ]),
      /not EQ_bizStep/,
    );
  });
});
