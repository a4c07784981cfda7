import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LatLon, Reading } from '../telemetry/payload.js';
import { claimFields } from './claim.js';
import type { BandRule, GapRule, LightRule, Rule } from './definition.js';
import { RuleError } from './error.js';
import { createRuleEvaluator, evaluateRules } from './evaluator.js';
import { type BandExcursion, type Excursion, excursionId, type GapExcursion, type LightExcursion } from './excursion.js';
import { type EvidencedReading, evidencedReadings } from './reading.js';

const T0 = 1_764_000_000_000;
const MIN = 60_000;
const at = (minute: number): number => T0 + minute * MIN;

const MOMBASA_PORT: LatLon = [-4.0435, 39.6682];
const INDIAN_OCEAN: LatLon = [-4.3, 40.2];
const ROAD_TO_NAIROBI: LatLon = [-3.4, 38.6];

const cold: BandRule = { kind: 'band', id: 'cold', sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' };
const portOnly: LightRule = {
  kind: 'light',
  id: 'opened',
  luxAbove: 100,
  allowedZones: [{ name: 'Mombasa port', center: MOMBASA_PORT, radiusM: 2500 }],
};

/** One reading per leaf: values[i] at minute from + i·step, leaf leaf0 + i. */
function series(
  dev: string,
  k: Exclude<Reading['k'], 'pos'>,
  values: readonly number[],
  from = 0,
  step = 1,
  leaf0 = 0,
): EvidencedReading[] {
  return values.map((v, i) => ({
    deviceId: dev,
    t: at(from + i * step),
    k,
    v,
    leafIndex: leaf0 + i,
    readingId: `${leaf0 + i}:0`,
  }));
}

function evaluate(rules: Rule[], readings: EvidencedReading[], asOf?: number): Excursion[] {
  return evaluateRules({ shipmentId: 'ship-1', rules, readings, ...(asOf === undefined ? {} : { asOf }) });
}

function only<T extends Excursion>(xs: Excursion[]): T {
  assert.equal(xs.length, 1, `expected one excursion, got ${xs.length}: ${JSON.stringify(xs, null, 1)}`);
  return xs[0] as T;
}

const repeat = (v: number, n: number): number[] => Array.from({ length: n }, () => v);

describe('S1: vaccine cold chain, Brussels → Mombasa → Nairobi', () => {
  // Logger (temp, lux, door every minute) sends an envelope every 5 minutes;
  // the tracker sends its position every 5 minutes. Leaves alternate: logger
  // envelope j is leaf 2j, tracker envelope j is leaf 2j+1. At sea until
  // minute 60, in Mombasa port 60–299 (transhipment: door open and 14 °C from
  // minute 120 for 95 minutes), then on the road to Nairobi.
  const MINUTES = 360;
  function envelopes(opening: { from: number; to: number } = { from: 120, to: 215 }): { leaf: number; r: EvidencedReading[] }[] {
    const out: { leaf: number; r: EvidencedReading[] }[] = [];
    for (let j = 0; j < MINUTES / 5; j++) {
      const r: Reading[] = [];
      for (let m = 5 * j; m < 5 * j + 5; m++) {
        const open = m >= opening.from && m < opening.to;
        r.push(
          { t: at(m), k: 'temp', v: open ? 14 : 5 },
          { t: at(m), k: 'lux', v: open ? 400 : 0 },
          { t: at(m), k: 'door', v: open ? 1 : 0 },
        );
      }
      out.push({ leaf: 2 * j, r: evidencedReadings({ dev: 'logger-1', seq: j + 1, ts: at(5 * j + 5), r }, 2 * j) });
      const m = 5 * j;
      const where = m < 60 ? INDIAN_OCEAN : m < 300 ? MOMBASA_PORT : ROAD_TO_NAIROBI;
      const pos: Reading = { t: at(m), k: 'pos', v: where };
      out.push({ leaf: 2 * j + 1, r: evidencedReadings({ dev: 'tracker-1', seq: j + 1, ts: at(m), r: [pos] }, 2 * j + 1) });
    }
    return out;
  }
  const rules: Rule[] = [
    { ...cold, stabilityBudgetMinutes: 72 * 60, shelfLifeDays: 180 },
    { kind: 'band', id: 'humid', sensor: 'rh', min: 10, max: 80, toleranceMinutes: 60, mode: 'cumulative' },
    { kind: 'threshold', id: 'drop', sensor: 'shock', maxG: 5 },
    portOnly,
    { kind: 'gap', id: 'silent', maxSilenceMinutes: 30, window: { from: at(0), to: at(MINUTES) } },
  ];

  it('gives one breached excursion of 95 min at 14 °C with its evidence range, and nothing else', () => {
    const ev = createRuleEvaluator({ shipmentId: 'SSCC-376123450000000017', rules, devices: ['logger-1', 'tracker-1'] });
    for (const e of envelopes()) ev.push(e.r);
    const x = only<BandExcursion>(ev.excursions({ asOf: at(MINUTES) }));
    assert.equal(x.kind, 'band');
    assert.equal(x.ruleId, 'cold');
    assert.equal(x.deviceId, 'logger-1');
    assert.equal(x.startedAt, at(120));
    assert.equal(x.endedAt, at(215));
    assert.equal(x.open, false);
    assert.equal(x.durationMinutes, 95);
    assert.equal(x.minutesOutside, 95);
    assert.equal(x.breached, true);
    assert.equal(x.peak, 14);
    assert.equal(x.direction, 'above');
    // 95 of 4320 budget minutes, linear over 180 days.
    assert.equal(x.shelfDaysLost, (95 / 4320) * 180);
    // Minute 120 is logger envelope 24 (leaf 48), position 0; minute 215 is envelope 43 (leaf 86).
    assert.deepEqual(x.evidence, {
      firstLeafIndex: 48,
      lastLeafIndex: 86,
      readingIds: { first: '48:0', peak: '48:0', last: '86:0' },
    });
    assert.equal(x.id, excursionId('SSCC-376123450000000017', 'cold', 'logger-1', '48:0'));
    assert.deepEqual(claimFields(x), {
      startedAt: at(120) / 1000,
      endedAt: at(215) / 1000,
      minutesOutside: 95,
      peakCentiC: 1400,
    });
  });

  it('is the same excursion when the logger was offline during transhipment and forwarded days later', () => {
    const all = envelopes();
    const offline = all.filter((e) => e.leaf % 2 === 0 && e.leaf >= 40 && e.leaf <= 100);
    const live = all.filter((e) => !offline.includes(e));
    // The log assigns the forwarded envelopes the next leaves; their readings keep their own times.
    const forwarded = offline.map((e, i) => {
      const leaf = 1000 + i;
      return e.r.map((r, p) => ({ ...r, leafIndex: leaf, readingId: `${leaf}:${p}` }));
    });
    const ev = createRuleEvaluator({ shipmentId: 'S1', rules });
    for (const e of live) ev.push(e.r);
    // Before the backlog arrives the logger looks silent from minute 99 to 255: a gap, no temperature excursion.
    const before = only<GapExcursion>(ev.excursions());
    assert.deepEqual([before.deviceId, before.startedAt, before.endedAt], ['logger-1', at(99), at(255)]);
    ev.push(forwarded.flat());
    // The backlog fills the silence and reveals the excursion.
    const x = only<BandExcursion>(ev.excursions());
    assert.equal(x.durationMinutes, 95);
    assert.equal(x.breached, true);
    // Minute 120 is in forwarded envelope 4 (offline leaf 48 → 1004); minute 215 in envelope 23 (leaf 86 → 1023).
    assert.deepEqual(x.evidence, {
      firstLeafIndex: 1004,
      lastLeafIndex: 1023,
      readingIds: { first: '1004:0', peak: '1004:0', last: '1023:0' },
    });
  });

  it('reports the same door opening as a light excursion when it happens at sea, not in the port', () => {
    const ev = createRuleEvaluator({ shipmentId: 'S1', rules });
    for (const e of envelopes({ from: 10, to: 40 })) ev.push(e.r);
    const light = ev.excursions().filter((x): x is LightExcursion => x.kind === 'light');
    assert.deepEqual(
      light.map((x) => [x.sensor, x.startedAt, x.endedAt, x.durationMinutes, x.peak, x.position, x.breached]),
      [
        ['lux', at(10), at(40), 30, 400, INDIAN_OCEAN, true],
        ['door', at(10), at(40), 30, 1, INDIAN_OCEAN, true],
      ],
    );
  });
});

describe('band rules: boundaries', () => {
  it('counts exactly min and exactly max as inside', () => {
    assert.deepEqual(evaluate([cold], series('d', 'temp', [2, 8, 2, 8, 5])), []);
  });

  it('times a single outside reading to the next reading, and leaves one at the end open', () => {
    const closed = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, 8.1, 5])));
    assert.deepEqual([closed.startedAt, closed.endedAt, closed.durationMinutes, closed.breached], [at(1), at(2), 1, false]);
    assert.deepEqual(closed.evidence, {
      firstLeafIndex: 1,
      lastLeafIndex: 2,
      readingIds: { first: '1:0', peak: '1:0', last: '2:0' },
    });
    const open = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, 8.1])));
    assert.deepEqual(
      [open.startedAt, open.endedAt, open.lastObservedAt, open.open, open.durationMinutes],
      [at(1), null, at(1), true, 0],
    );
    assert.deepEqual(open.evidence.readingIds, { first: '1:0', peak: '1:0', last: '1:0' });
  });

  it('keeps an excursion open at the end, counting up to its last reading', () => {
    const x = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, ...repeat(11, 40)])));
    assert.equal(x.open, true);
    assert.equal(x.endedAt, null);
    assert.equal(x.lastObservedAt, at(40));
    assert.equal(x.durationMinutes, 39);
    assert.equal(x.breached, true, 'an open excursion can already be breached');
  });

  it('is not breached at exactly the tolerance, and breached one minute later', () => {
    const exact = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, ...repeat(9, 30), 5])));
    assert.deepEqual([exact.minutesOutside, exact.breached], [30, false]);
    assert.equal(claimFields(exact).minutesOutside, 30);
    const over = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, ...repeat(9, 31), 5])));
    assert.deepEqual([over.minutesOutside, over.breached], [31, true]);
  });

  it('sums excursions in cumulative mode and judges each on its own in continuous mode', () => {
    const readings = series('d', 'temp', [5, ...repeat(10, 20), 5, 5, ...repeat(0, 15), 5]);
    const cumulative = evaluate([{ ...cold, mode: 'cumulative' }], readings) as BandExcursion[];
    assert.deepEqual(
      cumulative.map((x) => [x.durationMinutes, x.minutesOutside, x.breached, x.direction, x.peak]),
      [
        [20, 20, false, 'above', 10],
        [15, 35, true, 'below', 0],
      ],
    );
    const continuous = evaluate([cold], readings) as BandExcursion[];
    assert.deepEqual(
      continuous.map((x) => [x.minutesOutside, x.breached]),
      [
        [20, false],
        [15, false],
      ],
    );
  });

  it('keeps the running total per device', () => {
    const a = series('a', 'temp', [5, ...repeat(10, 20), 5]);
    const b = series('b', 'temp', [5, ...repeat(10, 20), 5], 0, 1, 100);
    const xs = evaluate([{ ...cold, mode: 'cumulative' }], [...b, ...a]) as BandExcursion[];
    assert.deepEqual(
      xs.map((x) => [x.deviceId, x.minutesOutside, x.breached]),
      [
        ['a', 20, false],
        ['b', 20, false],
      ],
    );
  });

  it('takes the peak as the furthest reading from the band (earliest on ties), in either direction', () => {
    const x = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, 9, 12.4, -2, 12.4, 5])));
    // 12.4 is 4.4 above max; -2 is 4 below min.
    assert.deepEqual([x.peak, x.direction, x.evidence.readingIds.peak], [12.4, 'above', '2:0']);
    const y = only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, 9, -3, 12, 5])));
    assert.deepEqual([y.peak, y.direction], [-3, 'below']);
  });

  it('counts readings with the same timestamp in one deterministic order', () => {
    const rs: EvidencedReading[] = [
      { deviceId: 'd', t: at(0), k: 'temp', v: 5, leafIndex: 1, readingId: '1:0' },
      { deviceId: 'd', t: at(1), k: 'temp', v: 5, leafIndex: 3, readingId: '3:0' },
      { deviceId: 'd', t: at(1), k: 'temp', v: 10, leafIndex: 2, readingId: '2:0' },
      { deviceId: 'd', t: at(2), k: 'temp', v: 5, leafIndex: 4, readingId: '4:0' },
    ];
    // Leaf 2 sorts before leaf 3 at the same time: out at minute 1, back in at minute 1.
    const x = only<BandExcursion>(evaluate([cold], rs));
    assert.deepEqual([x.startedAt, x.endedAt, x.durationMinutes, x.evidence.readingIds.last], [at(1), at(1), 0, '3:0']);
    assert.deepEqual(evaluate([cold], [...rs].reverse()), [x]);
  });

  it('does not count an interval across a data gap beyond the allowed silence', () => {
    const gapRule: GapRule = { kind: 'gap', id: 'silent', maxSilenceMinutes: 30, window: { from: at(0), to: at(1000) } };
    // Outside at minute 0, silent for 2 h, still outside at 120, back inside at 121.
    const rs = [...series('d', 'temp', [12], 0), ...series('d', 'temp', [12, 5], 120, 1, 10)];
    const band = evaluate([cold, gapRule], rs).find((x): x is BandExcursion => x.kind === 'band')!;
    assert.deepEqual([band.startedAt, band.endedAt, band.durationMinutes, band.breached], [at(0), at(121), 31, true]);
    const gap = evaluate([cold, gapRule], rs).find((x): x is GapExcursion => x.kind === 'gap')!;
    assert.deepEqual([gap.startedAt, gap.endedAt, gap.durationMinutes], [at(0), at(120), 120]);
    // A per-rule hold overrides the gap rule's; without either the whole interval counts.
    assert.equal(only<BandExcursion>(evaluate([{ ...cold, maxHoldMinutes: 5 }, gapRule], rs).slice(0, 1)).durationMinutes, 6);
    assert.equal(only<BandExcursion>(evaluate([cold], rs)).durationMinutes, 121);
  });

  it('caps shelf life lost at the whole shelf life once the stability budget is spent', () => {
    const rule: BandRule = { ...cold, stabilityBudgetMinutes: 60, shelfLifeDays: 30 };
    const xs = evaluate(
      [rule],
      series('d', 'temp', [5, ...repeat(10, 30), 5, ...repeat(-1, 30), 5, ...repeat(10, 45), 5]),
    ) as BandExcursion[];
    // Only heat spends the budget: 30 min → 15 days; freezing adds nothing; 30 + 45 > 60 → all 30 days.
    assert.deepEqual(
      xs.map((x) => x.shelfDaysLost),
      [15, 15, 30],
    );
    assert.equal(only<BandExcursion>(evaluate([cold], series('d', 'temp', [5, 10, 5]))).shelfDaysLost, null);
  });

  it('checks humidity with the same band semantics', () => {
    const rh: BandRule = { kind: 'band', id: 'humid', sensor: 'rh', min: 30, max: 80, toleranceMinutes: 10, mode: 'continuous' };
    const x = only<BandExcursion>(evaluate([rh, cold], series('d', 'rh', [50, 85, 95, 90, 80])));
    assert.deepEqual([x.sensor, x.durationMinutes, x.peak, x.breached], ['rh', 3, 95, false]);
  });
});

describe('threshold rule (shock)', () => {
  it('reports every reading above maxG as its own event; exactly maxG is fine', () => {
    const xs = evaluate([{ kind: 'threshold', id: 'drop', sensor: 'shock', maxG: 5 }], series('d', 'shock', [1, 6.5, 7, 2, 5]));
    assert.deepEqual(
      xs.map((x) => [
        x.kind,
        x.startedAt,
        x.endedAt,
        x.open,
        x.breached,
        'peak' in x ? x.peak : null,
        x.evidence.readingIds.first,
      ]),
      [
        ['threshold', at(1), at(1), false, true, 6.5, '1:0'],
        ['threshold', at(2), at(2), false, true, 7, '2:0'],
      ],
    );
  });
});

describe('light rule', () => {
  const pos = (dev: string, minute: number, v: LatLon, leaf: number): EvidencedReading => ({
    deviceId: dev,
    t: at(minute),
    k: 'pos',
    v,
    leafIndex: leaf,
    readingId: `${leaf}:0`,
  });

  it('allows opening inside the port geofence and reports it outside, using the tracker position in force', () => {
    const readings = [
      pos('tracker', 0, MOMBASA_PORT, 100),
      pos('tracker', 30, INDIAN_OCEAN, 101),
      ...series('logger', 'lux', [0, 500, 500, 0], 10, 1, 0), // in port
      ...series('logger', 'lux', [0, 500, 500, 0], 40, 1, 10), // at sea
    ];
    const x = only<LightExcursion>(evaluate([portOnly], readings));
    assert.deepEqual(
      [x.sensor, x.startedAt, x.endedAt, x.durationMinutes, x.peak, x.position],
      ['lux', at(41), at(43), 2, 500, INDIAN_OCEAN],
    );
    assert.deepEqual(x.evidence, {
      firstLeafIndex: 11,
      lastLeafIndex: 13,
      readingIds: { first: '11:0', peak: '11:0', last: '13:0' },
    });
  });

  it('treats an opening before any position fix as outside every zone', () => {
    const x = only<LightExcursion>(
      evaluate([portOnly], [...series('logger', 'door', [1, 1, 0]), pos('tracker', 5, MOMBASA_PORT, 50)]),
    );
    assert.deepEqual([x.sensor, x.position, x.durationMinutes], ['door', null, 2]);
  });

  it('counts the zone boundary as inside', () => {
    const edge: LatLon = [MOMBASA_PORT[0] + 2500 / 111_195, MOMBASA_PORT[1]];
    const rule: LightRule = { ...portOnly, allowedZones: [{ name: 'edge', center: MOMBASA_PORT, radiusM: 2500.01 }] };
    assert.deepEqual(evaluate([rule], [pos('t', 0, edge, 0), ...series('l', 'lux', [500, 0], 1, 1, 1)]), []);
    const tight: LightRule = { ...portOnly, allowedZones: [{ name: 'edge', center: MOMBASA_PORT, radiusM: 2499 }] };
    assert.equal(evaluate([tight], [pos('t', 0, edge, 0), ...series('l', 'lux', [500, 0], 1, 1, 1)]).length, 1);
  });

  it('re-judges openings when a position arrives late', () => {
    const lux = series('logger', 'lux', [500, 500, 500, 0], 10, 1, 0);
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [portOnly] });
    ev.push([pos('tracker', 0, INDIAN_OCEAN, 20), ...lux]);
    assert.equal(ev.excursions().length, 1);
    ev.push([pos('tracker', 11, MOMBASA_PORT, 21)]);
    // Minute 10 is still at sea; from 11 the container is in port.
    const x = only<LightExcursion>(ev.excursions());
    assert.deepEqual([x.startedAt, x.endedAt, x.durationMinutes], [at(10), at(11), 1]);
  });

  it('only watches the sensors listed', () => {
    const rule: LightRule = { ...portOnly, sensors: ['door'] };
    assert.deepEqual(evaluate([rule], series('l', 'lux', [500, 0])), []);
    assert.equal(evaluate([rule], series('l', 'door', [1, 0])).length, 1);
  });
});

describe('gap rule', () => {
  const rule: GapRule = { kind: 'gap', id: 'silent', maxSilenceMinutes: 60, window: { from: at(100), to: at(1000) } };
  const minutes = (xs: Excursion[]) => xs.map((x) => [x.startedAt, x.endedAt, x.durationMinutes, x.open]);

  it('reports silences longer than the limit inside the window, clipped to it', () => {
    const rs = [
      ...series('d', 'batt', [90], 0), // before the window
      ...series('d', 'temp', [5, 5], 200, 60, 1), // 200 → 260: exactly 60, fine
      ...series('d', 'rh', [50, 50], 400, 61, 3), // 260 → 400 gap; 400 → 461: 61 min, a gap
      ...series('d', 'temp', [5], 1100, 1, 5), // 461 → 1100, clipped at 1000
    ];
    assert.deepEqual(minutes(evaluate([rule], rs)), [
      [at(100), at(200), 100, false],
      [at(260), at(400), 140, false],
      [at(400), at(461), 61, false],
      [at(461), at(1000), 539, false],
    ]);
    const first = evaluate([rule], rs)[0] as GapExcursion;
    assert.deepEqual(first.evidence, { firstLeafIndex: 0, lastLeafIndex: 1, readingIds: { first: '0:0', last: '1:0' } });
  });

  it('reports a silence still going on only with asOf, and a device that never reported', () => {
    const rs = series('d', 'temp', [5, 5], 100, 30);
    assert.deepEqual(evaluate([rule], rs), []);
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [rule], devices: ['d', 'mute'] });
    ev.push(rs);
    const xs = ev.excursions({ asOf: at(300) }) as GapExcursion[];
    assert.deepEqual(
      xs.map((x) => [x.deviceId, x.startedAt, x.endedAt, x.lastObservedAt, x.open, x.evidence.readingIds]),
      [
        ['d', at(130), null, at(300), true, { first: '1:0', last: null }],
        ['mute', at(100), null, at(300), true, { first: null, last: null }],
      ],
    );
    // After the window closes the silence is over: closed at window.to.
    const late = ev.excursions({ asOf: at(5000) });
    assert.deepEqual(
      late.map((x) => [x.endedAt, x.open]),
      [
        [at(1000), false],
        [at(1000), false],
      ],
    );
    assert.equal(late[0]!.id, xs[0]!.id, 'the id of an ongoing silence does not change as time passes');
  });

  it('splits a gap when a late reading lands in it', () => {
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [rule] });
    ev.push(series('d', 'temp', [5, 5], 100, 300));
    assert.deepEqual(minutes(ev.excursions()), [[at(100), at(400), 300, false]]);
    ev.push(series('d', 'temp', [5], 250, 1, 9));
    assert.deepEqual(minutes(ev.excursions()), [
      [at(100), at(250), 150, false],
      [at(250), at(400), 150, false],
    ]);
  });
});

describe('streaming evaluator', () => {
  it('ignores redeliveries, refuses a reused reading id with other content, and adds nothing from a bad batch', () => {
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [cold] });
    const rs = series('d', 'temp', [5, 10, 5]);
    assert.deepEqual(ev.push(rs), { accepted: 3, duplicates: 0, ignored: 0 });
    assert.deepEqual(ev.push(rs), { accepted: 0, duplicates: 3, ignored: 0 });
    const before = ev.excursions();
    const fresh = series('d', 'temp', [12], 10, 1, 50);
    assert.throws(
      () => ev.push([...fresh, { ...rs[1]!, v: 11 } as EvidencedReading]),
      (err: unknown) => err instanceof RuleError && err.path === 'readings[1].readingId' && /different content/.test(err.message),
    );
    assert.throws(
      () => ev.push([...fresh, { ...rs[0]!, t: -1 } as EvidencedReading]),
      /readings\[1\]\.t: must be a non-negative integer/,
    );
    assert.deepEqual(ev.excursions(), before);
    assert.equal(ev.size, 3);
    ev.push(fresh);
    assert.equal(ev.excursions().length, 2);
  });

  it('only takes readings of the shipment devices', () => {
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [cold], devices: ['d'] });
    assert.deepEqual(ev.push([...series('d', 'temp', [5]), ...series('other', 'temp', [20], 0, 1, 5)]), {
      accepted: 1,
      duplicates: 0,
      ignored: 1,
    });
    assert.deepEqual(ev.excursions(), []);
  });

  it('keeps an excursion id while the excursion grows, and ties it to the shipment', () => {
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [cold] });
    ev.push(series('d', 'temp', [5, 10]));
    const growing = only<BandExcursion>(ev.excursions());
    ev.push(series('d', 'temp', [10, 10, 5], 2, 1, 2));
    const closed = only<BandExcursion>(ev.excursions());
    assert.equal(closed.id, growing.id);
    assert.equal(closed.open, false);
    assert.equal(closed.id, excursionId('s', 'cold', 'd', '1:0'));
    assert.match(closed.id, /^0x[0-9a-f]{64}$/);
    assert.notEqual(excursionId('other', 'cold', 'd', '1:0'), closed.id);
    assert.notEqual(excursionId('s', 'cold', 'd', null), excursionId('s', 'cold', 'd', 'null'));
  });

  it('refuses bad options with the field named', () => {
    assert.throws(() => createRuleEvaluator({ shipmentId: '', rules: [cold] }), /^RuleError: shipmentId: /);
    assert.throws(() => createRuleEvaluator({ shipmentId: 's', rules: [] }), /rules: must hold at least one rule/);
    assert.throws(
      () => createRuleEvaluator({ shipmentId: 's', rules: [cold], devices: ['a', 'a'] }),
      /devices\[1\]: "a" is listed twice/,
    );
    const ev = createRuleEvaluator({ shipmentId: 's', rules: [cold] });
    assert.throws(() => ev.excursions({ asOf: -5 }), /asOf: /);
    assert.throws(
      () => ev.push([{ deviceId: 'd', t: 1, k: 'smell' as 'temp', v: 1, leafIndex: 0, readingId: '0:0' }]),
      /readings\[0\]\.k: unknown kind "smell"/,
    );
  });

  it('produces JSON-serialisable results', () => {
    const xs = evaluate([cold, portOnly], series('d', 'temp', [5, 10, 5]));
    assert.deepEqual(JSON.parse(JSON.stringify(xs)), xs);
  });
});
