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
 * The core, over columns: `t` sorted ascending, `v` beside it. Returns the indices kept —
 * per bucket the lowest and the highest value, in time order — at most 2 × buckets;
 * every index in range when that many or fewer fall in [from, to]. NaN values are skipped.
 */
export function minMaxIndices(t: ArrayLike<number>, v: ArrayLike<number>, buckets: number, opts: MinMaxOptions = {}): number[] {
  checkBuckets(buckets);
  const lo = opts.from !== undefined ? lowerBound(t, opts.from) : 0;
  const hi = opts.to !== undefined ? upperBound(t, opts.to) : t.length;
  if (hi - lo <= 2 * buckets) return range(lo, hi);
  const from = opts.from ?? t[lo]!;
  const span = Math.max(1, (opts.to ?? t[hi - 1]!) - from);
  const out: number[] = [];
  let bucket = -1;
  let min = -1;
  let max = -1;
  const close = () => {
    if (min < 0) return;
    if (min === max) out.push(min);
    else if (min < max) out.push(min, max);
    else out.push(max, min);
  };
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    if (Number.isNaN(x)) continue;
    const b = Math.min(buckets - 1, Math.floor(((t[i]! - from) / span) * buckets));
    if (b !== bucket) {
      close();
      bucket = b;
      min = i;
      max = i;
      continue;
    }
    if (x < v[min]!) min = i;
    if (x > v[max]!) max = i;
  }
  close();
  return out;
}

/** Positions, over a sorted time column: per bucket the first and the last fix (a track keeps its shape and its ends). */
export function firstLastIndices(t: ArrayLike<number>, buckets: number, opts: MinMaxOptions = {}): number[] {
  checkBuckets(buckets);
  const lo = opts.from !== undefined ? lowerBound(t, opts.from) : 0;
  const hi = opts.to !== undefined ? upperBound(t, opts.to) : t.length;
  if (hi - lo <= 2 * buckets) return range(lo, hi);
  const from = opts.from ?? t[lo]!;
  const span = Math.max(1, (opts.to ?? t[hi - 1]!) - from);
  const out: number[] = [];
  let bucket = -1;
  for (let i = lo; i < hi; i++) {
    const b = Math.min(buckets - 1, Math.floor(((t[i]! - from) / span) * buckets));
    if (b !== bucket) {
      if (i > lo && out[out.length - 1] !== i - 1) out.push(i - 1);
      out.push(i);
      bucket = b;
    }
  }
  if (hi > lo && out[out.length - 1] !== hi - 1) out.push(hi - 1);
  return out;
}

/** Min/max per bucket over reading objects (sorted here when they are not); returns the objects kept. */
export function minMaxDownsample<T extends TimedValue>(readings: readonly T[], buckets: number, opts: MinMaxOptions = {}): T[] {
  const sorted = isSorted(readings) ? readings : [...readings].sort((a, b) => a.t - b.t);
  const t = sorted.map((r) => r.t);
  const v = sorted.map((r) => r.v);
  return minMaxIndices(t, v, buckets, opts).map((i) => sorted[i]!);
}

/** First/last fix per bucket over reading objects. */
export function firstLastDownsample<T extends { t: number }>(
  readings: readonly T[],
  buckets: number,
  opts: MinMaxOptions = {},
): T[] {
  const sorted = isSorted(readings) ? readings : [...readings].sort((a, b) => a.t - b.t);
  return firstLastIndices(
    sorted.map((r) => r.t),
    buckets,
    opts,
  ).map((i) => sorted[i]!);
}

function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
}

function range(lo: number, hi: number): number[] {
  const out = new Array<number>(Math.max(0, hi - lo));
  for (let i = lo; i < hi; i++) out[i - lo] = i;
  return out;
}

function isSorted(a: readonly { t: number }[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i]!.t < a[i - 1]!.t) return false;
  return true;
}

/** First index with t >= x. */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with t > x. */
function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
