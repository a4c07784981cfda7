// Min/max downsampling (./downsample.ts) and the chart series built on it (./model.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstLastDownsample, minMaxDownsample } from './downsample.js';
import { buildSeries, type IdentifiedReading } from './model.js';

/** A deterministic noisy series with one short spike. */
function series(n: number, spikeAt = -1): { t: number; v: number; id: string }[] {
  let x = 7;
  const out = [];
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647;
    out.push({ t: 1_700_000_000_000 + i * 60_000, v: i === spikeAt ? 14.4 : 4 + (x % 1000) / 1000, id: `${i}:0` });
  }
  return out;
}

describe('minMaxDownsample', () => {
  it('keeps a series that already fits, whole', () => {
    const s = series(100);
    assert.deepEqual(minMaxDownsample(s, 50), s);
  });

  it('keeps every bucket’s min and max, in time order, at most 2 × buckets', () => {
    const s = series(100_000);
    const buckets = 1000;
    const out = minMaxDownsample(s, buckets);
    assert.ok(out.length <= 2 * buckets && out.length >= buckets, `${out.length}`);
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.t > out[i - 1]!.t, 'strictly increasing time');
    // Brute force: the extremes of each bucket are there.
    const from = s[0]!.t;
    const span = s[s.length - 1]!.t - from;
    const kept = new Set(out);
    const byBucket = new Map<number, typeof s>();
    for (const r of s) {
      const b = Math.min(buckets - 1, Math.floor(((r.t - from) / span) * buckets));
      byBucket.set(b, [...(byBucket.get(b) ?? []), r]);
    }
    for (const rows of byBucket.values()) {
      const min = Math.min(...rows.map((r) => r.v));
      const max = Math.max(...rows.map((r) => r.v));
      assert.ok(
        rows.some((r) => r.v === min && kept.has(r)),
        'bucket min kept',
      );
      assert.ok(
        rows.some((r) => r.v === max && kept.has(r)),
        'bucket max kept',
      );
    }
  });

  it('never loses a one-reading excursion', () => {
    const s = series(100_000, 73_210);
    const out = minMaxDownsample(s, 500);
    assert.ok(out.some((r) => r.id === '73210:0' && r.v === 14.4));
    assert.equal(Math.max(...out.map((r) => r.v)), 14.4);
  });

  it('limits to [from, to] and sorts unsorted input', () => {
    const s = series(1000).reverse();
    const from = 1_700_000_000_000 + 100 * 60_000;
    const to = 1_700_000_000_000 + 199 * 60_000;
    const out = minMaxDownsample(s, 10, { from, to });
    assert.ok(out.length <= 20 && out.length > 0);
    assert.ok(out.every((r) => r.t >= from && r.t <= to));
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.t >= out[i - 1]!.t);
    assert.deepEqual(minMaxDownsample(s, 1000, { from, to }).length, 100);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    assert.throws(() => minMaxDownsample([], 0), RangeError);
    assert.throws(() => minMaxDownsample([], 1.5), RangeError);
  });
});

describe('firstLastDownsample', () => {
  it('keeps the first and the last fix and at most 2 × buckets', () => {
    const s = series(10_000);
    const out = firstLastDownsample(s, 100);
    assert.ok(out.length <= 200);
    assert.equal(out[0], s[0]);
    assert.equal(out[out.length - 1], s[s.length - 1]);
  });
});

describe('buildSeries', () => {
  it('splits kinds into columns with reading ids, positions into a track', () => {
    const readings: IdentifiedReading[] = [];
    for (let i = 0; i < 5000; i++) {
      const t = 1_000_000 + i * 1000;
      readings.push({ id: `${i}:0`, t, k: 'temp', v: i === 4000 ? 20 : 5 });
      readings.push({ id: `${i}:1`, t, k: 'rh', v: 80 });
      if (i % 10 === 0) readings.push({ id: `${i}:2`, t, k: 'pos', v: [i / 1000, i / 2000] });
      readings.push({ id: `${i}:3`, t, k: 'door', v: 0 });
    }
    const s = buildSeries('d1', readings, { kinds: ['temp', 'rh', 'pos'], from: 0, to: Number.MAX_SAFE_INTEGER, buckets: 100 });
    assert.deepEqual(Object.keys(s.series).sort(), ['rh', 'temp']);
    assert.equal(s.series.temp!.total, 5000);
    assert.ok(s.series.temp!.t.length <= 200);
    assert.equal(s.series.temp!.t.length, s.series.temp!.v.length);
    assert.equal(s.series.temp!.t.length, s.series.temp!.id.length);
    const peak = s.series.temp!.v.indexOf(20);
    assert.equal(s.series.temp!.id[peak], '4000:0');
    assert.equal(s.track!.total, 500);
    assert.equal(s.track!.lat[0], 0);
    assert.equal(s.downsampled, true);
  });

  it('keeps only the window asked for', () => {
    const readings: IdentifiedReading[] = [10, 20, 30, 40].map((t, i) => ({ id: `${i}:0`, t, k: 'temp', v: t }));
    const s = buildSeries('d1', readings, { kinds: ['temp'], from: 15, to: 35, buckets: 10 });
    assert.deepEqual(s.series.temp!.t, [20, 30]);
    assert.equal(s.track, null);
    assert.equal(s.downsampled, false);
  });
});
