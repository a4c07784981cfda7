// The chart-ready series of one device: per reading kind, columns of time,
// value and reading id (so a point on the chart can be verified), downsampled
// with min/max buckets (./downsample.ts); positions keep first/last per bucket.
// Built on the node (GET /api/v1/devices/{id}/series) or, against a node
// without that route, in the browser from /api/v1/devices/{id}/readings.
import { firstLastDownsample, minMaxDownsample } from './downsample.js';

export interface ScalarSeries {
  /** Readings of this kind in the window, before downsampling. */
  total: number;
  t: number[];
  v: number[];
  /** Reading ids `<leafIndex>:<position>`. */
  id: string[];
}

export interface TrackSeries {
  total: number;
  t: number[];
  lat: number[];
  lon: number[];
  id: string[];
}

export interface SeriesResponse {
  deviceId: string;
  from: number;
  to: number;
  buckets: number;
  /** True when some kind had more than 2 × buckets readings and was reduced. */
  downsampled: boolean;
  series: Record<string, ScalarSeries>;
  track: TrackSeries | null;
}

/** A reading as the API and the envelopes hold it, with its id. */
export interface IdentifiedReading {
  id: string;
  t: number;
  k: string;
  v: number | [number, number];
}

export const DEFAULT_BUCKETS = 1000;
export const MAX_BUCKETS = 10_000;

export function buildSeries(
  deviceId: string,
  readings: Iterable<IdentifiedReading>,
  q: { kinds: readonly string[]; from: number; to: number; buckets: number },
): SeriesResponse {
  const scalar = new Map<string, { t: number; v: number; id: string }[]>();
  const pos: { t: number; lat: number; lon: number; id: string }[] = [];
  const wanted = new Set(q.kinds);
  for (const k of wanted) if (k !== 'pos') scalar.set(k, []);
  for (const r of readings) {
    if (r.t < q.from || r.t > q.to || !wanted.has(r.k)) continue;
    if (r.k === 'pos') {
      if (Array.isArray(r.v)) pos.push({ t: r.t, lat: r.v[0], lon: r.v[1], id: r.id });
    } else if (typeof r.v === 'number') scalar.get(r.k)!.push({ t: r.t, v: r.v, id: r.id });
  }
  let downsampled = false;
  const series: Record<string, ScalarSeries> = {};
  for (const [k, rows] of scalar) {
    const kept = minMaxDownsample(rows, q.buckets);
    downsampled ||= kept.length < rows.length;
    series[k] = { total: rows.length, t: kept.map((r) => r.t), v: kept.map((r) => r.v), id: kept.map((r) => r.id) };
  }
  let track: TrackSeries | null = null;
  if (wanted.has('pos')) {
    const kept = firstLastDownsample(pos, q.buckets);
    downsampled ||= kept.length < pos.length;
    track = { total: pos.length, t: kept.map((r) => r.t), lat: kept.map((r) => r.lat), lon: kept.map((r) => r.lon), id: kept.map((r) => r.id) };
  }
  return { deviceId, from: q.from, to: q.to, buckets: q.buckets, downsampled, series, track };
}
