import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rule } from './definition.js';
import { validateRule, validateRules } from './definition.js';
import { RuleError } from './error.js';

const band = { kind: 'band', id: 'cold', sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' };
const light = {
  kind: 'light',
  id: 'opened',
  luxAbove: 50,
  allowedZones: [{ name: 'Antwerp', center: [51.26, 4.4], radiusM: 5000 }],
};
const gap = { kind: 'gap', id: 'silent', maxSilenceMinutes: 30, window: { from: 1_764_000_000_000, to: 1_765_000_000_000 } };
const shock = { kind: 'threshold', id: 'drop', sensor: 'shock', maxG: 4 };

function refused(raw: unknown, path: string, detail: RegExp): void {
  assert.throws(
    () => validateRules(raw),
    (err: unknown) => {
      assert.ok(err instanceof RuleError, String(err));
      assert.equal(err.path, path);
      assert.match(err.detail, detail);
      assert.equal(err.message, `${path}: ${err.detail}`);
      return true;
    },
  );
}

describe('rule definitions', () => {
  it('accepts every kind, round-trips through JSON and returns fresh copies', () => {
    const full = [
      { ...band, maxHoldMinutes: 15, stabilityBudgetMinutes: 4320, shelfLifeDays: 180 },
      { ...band, id: 'humid', sensor: 'rh', min: 30, max: 80, mode: 'cumulative' },
      shock,
      { ...light, sensors: ['door'], maxHoldMinutes: 10 },
      gap,
    ];
    const rules: Rule[] = validateRules(JSON.parse(JSON.stringify(full)));
    assert.deepEqual(rules, full);
    assert.notEqual(rules[3], full[3]);
    assert.deepEqual(validateRule(light), light);
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['not an array', { ...band }, 'rules', /must be an array of rules, got an object/],
    ['empty', [], 'rules', /at least one rule/],
    ['not an object', [42], 'rules[0]', /must be an object, got number 42/],
    [
      'unknown kind',
      [{ ...band, kind: 'vibes' }],
      'rules[0].kind',
      /one of "band", "threshold", "light", "gap", got string "vibes"/,
    ],
    ['unknown field', [{ ...band, maxTemp: 8 }], 'rules[0].maxTemp', /unknown field \(allowed: kind, id, sensor, min, max/],
    ['missing field', [{ ...band, max: undefined }], 'rules[0].max', /is required/],
    ['bad id', [{ ...band, id: 'cold chain' }], 'rules[0].id', /1–64 characters/],
    ['duplicate id', [band, { ...shock, id: 'cold' }], 'rules[1].id', /"cold" is already the id of rules\[0\]/],
    ['band sensor', [{ ...band, sensor: 'lux' }], 'rules[0].sensor', /one of "temp", "rh"/],
    ['min ≥ max', [{ ...band, min: 8, max: 8 }], 'rules[0].max', /greater than min \(8\), got 8/],
    ['not finite', [{ ...band, min: Number.NaN }], 'rules[0].min', /finite number, got NaN/],
    ['below absolute zero', [{ ...band, min: -300 }], 'rules[0].min', /below absolute zero/],
    ['rh above 100', [{ ...band, sensor: 'rh', min: 10, max: 120 }], 'rules[0].max', /outside 0…100 %/],
    ['fractional tolerance', [{ ...band, toleranceMinutes: 30.5 }], 'rules[0].toleranceMinutes', /whole number of minutes/],
    ['negative tolerance', [{ ...band, toleranceMinutes: -1 }], 'rules[0].toleranceMinutes', /whole number/],
    ['mode', [{ ...band, mode: 'total' }], 'rules[0].mode', /"continuous", "cumulative", got string "total"/],
    [
      'budget without shelf life',
      [{ ...band, stabilityBudgetMinutes: 60 }],
      'rules[0].shelfLifeDays',
      /required with stabilityBudgetMinutes/,
    ],
    [
      'shelf life without budget',
      [{ ...band, shelfLifeDays: 60 }],
      'rules[0].stabilityBudgetMinutes',
      /required with shelfLifeDays/,
    ],
    [
      'zero budget',
      [{ ...band, stabilityBudgetMinutes: 0, shelfLifeDays: 5 }],
      'rules[0].stabilityBudgetMinutes',
      /must be > 0, got 0/,
    ],
    ['zero hold', [{ ...band, maxHoldMinutes: 0 }], 'rules[0].maxHoldMinutes', /must be > 0/],
    ['shock sensor', [{ ...shock, sensor: 'temp' }], 'rules[0].sensor', /one of "shock"/],
    ['negative maxG', [{ ...shock, maxG: -1 }], 'rules[0].maxG', /must be ≥ 0, got -1/],
    ['zones not an array', [{ ...light, allowedZones: {} }], 'rules[0].allowedZones', /array of zones/],
    [
      'zone radius',
      [{ ...light, allowedZones: [{ name: 'x', center: [0, 0], radiusM: 0 }] }],
      'rules[0].allowedZones[0].radiusM',
      /> 0/,
    ],
    [
      'zone latitude',
      [{ ...light, allowedZones: [{ name: 'x', center: [91, 0], radiusM: 5 }] }],
      'rules[0].allowedZones[0].center[0]',
      /latitude 91/,
    ],
    [
      'zone center shape',
      [{ ...light, allowedZones: [{ name: 'x', center: [1], radiusM: 5 }] }],
      'rules[0].allowedZones[0].center',
      /\[lat, lon\]/,
    ],
    [
      'zone name',
      [{ ...light, allowedZones: [{ name: '', center: [0, 0], radiusM: 5 }] }],
      'rules[0].allowedZones[0].name',
      /non-empty/,
    ],
    [
      'zone extra',
      [{ ...light, allowedZones: [{ name: 'x', center: [0, 0], radiusM: 5, r: 1 }] }],
      'rules[0].allowedZones[0].r',
      /unknown field/,
    ],
    ['light sensors', [{ ...light, sensors: ['lux', 'temp'] }], 'rules[0].sensors[1]', /one of "lux", "door"/],
    ['light sensors twice', [{ ...light, sensors: ['lux', 'lux'] }], 'rules[0].sensors', /twice/],
    ['gap window order', [{ ...gap, window: { from: 10, to: 10 } }], 'rules[0].window.to', /after window.from \(10\), got 10/],
    ['gap window type', [{ ...gap, window: { from: '2025-01-01', to: 10 } }], 'rules[0].window.from', /ms since epoch/],
    ['gap window extra', [{ ...gap, window: { from: 1, to: 10, tz: 'UTC' } }], 'rules[0].window.tz', /unknown field/],
    ['gap silence', [{ ...gap, maxSilenceMinutes: -5 }], 'rules[0].maxSilenceMinutes', /> 0/],
  ];
  for (const [name, raw, path, detail] of cases) {
    it(`refuses ${name} naming ${path}`, () => refused(raw, path, detail));
  }
});
