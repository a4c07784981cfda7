// Downsampling long sensor series for a chart: the time axis is cut into
// equal buckets and each bucket keeps its lowest and its highest reading, in
// time order. A chart a thousand pixels wide then shows every peak and every
// dip of a hundred thousand readings from two thousand points — an excursion
// never disappears between samples, as it would with averaging or striding.
// Pure, no I/O: the node's series route and the browser (fallback) both use it.

export interface TimedValue {
  t: number;
  v: number;
}

export interface MinMaxOptions {
  /** Bucket range; defaults to the first and last reading's time. Readings outside are dropped. */
  from?: number;
  to?: number;
}

/**
 * Min/max per bucket over [from, to] (readings sorted by time, or sorted here).
 * Returns at most 2 × buckets readings, the original objects, in time order; a series
 * that already fits (≤ 2 × buckets readings in range) is returned whole.
 */
export function minMaxDownsample<T extends TimedValue>(readings: readonly T[], buckets: number, opts: MinMaxOptions = {}): T[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  const sorted = isSortedByTime(readings) ? readings : [...readings].sort((a, b) => a.t - b.t);
  const from = opts.from ?? sorted[0]?.t ?? 0;
  const to = opts.to ?? sorted[sorted.length - 1]?.t ?? 0;
  let lo = 0;
  let hi = sorted.length;
  if (opts.from !== undefined) lo = lowerBound(sorted, from);
  if (opts.to !== undefined) hi = upperBound(sorted, to);
  if (hi - lo <= 2 * buckets) return sorted.slice(lo, hi);

  const span = Math.max(1, to - from);
  const out: T[] = [];
  let bucket = -1;
  let min: T | null = null;
  let max: T | null = null;
  const close = () => {
    if (!min || !max) return;
    if (min === max) out.push(min);
    else if (min.t <= max.t) out.push(min, max);
    else out.push(max, min);
  };
  for (let i = lo; i < hi; i++) {
    const r = sorted[i]!;
    if (Number.isNaN(r.v)) continue;
    const b = Math.min(buckets - 1, Math.floor(((r.t - from) / span) * buckets));
    if (b !== bucket) {
      close();
      bucket = b;
      min = r;
      max = r;
      continue;
    }
    if (r.v < min!.v) min = r;
    if (r.v > max!.v) max = r;
  }
  close();
  return out;
}

/** Positions: per bucket the first and the last fix (a track keeps its shape and its ends). */
export function firstLastDownsample<T extends { t: number }>(readings: readonly T[], buckets: number, opts: MinMaxOptions = {}): T[] {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  const sorted = isSortedByTime(readings) ? readings : [...readings].sort((a, b) => a.t - b.t);
  const lo = opts.from !== undefined ? lowerBound(sorted, opts.from) : 0;
  const hi = opts.to !== undefined ? upperBound(sorted, opts.to) : sorted.length;
  if (hi - lo <= 2 * buckets) return sorted.slice(lo, hi);
  const from = opts.from ?? sorted[lo]!.t;
  const span = Math.max(1, (opts.to ?? sorted[hi - 1]!.t) - from);
  const out: T[] = [];
  let bucket = -1;
  let last: T | null = null;
  for (let i = lo; i < hi; i++) {
    const r = sorted[i]!;
    const b = Math.min(buckets - 1, Math.floor(((r.t - from) / span) * buckets));
    if (b !== bucket) {
      if (last && out[out.length - 1] !== last) out.push(last);
      out.push(r);
      bucket = b;
    }
    last = r;
  }
  if (last && out[out.length - 1] !== last) out.push(last);
  return out;
}

function isSortedByTime(a: readonly { t: number }[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]!.t < a[i - 1]!.t) return false;
  return true;
}

/** First index with t >= x. */
function lowerBound(a: readonly { t: number }[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.t < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with t > x. */
function upperBound(a: readonly { t: number }[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.t <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
