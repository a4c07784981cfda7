// The chart-ready series of one device: per reading kind, columns of time,
// value and reading id (so a point on the chart can be verified), downsampled
// with min/max buckets (./downsample.ts); positions keep first/last per bucket.
// Built on the node (GET /api/v1/devices/{id}/series) or, against a node
// without that route, in the browser from /api/v1/devices/{id}/readings.
import { firstLastIndices, minMaxIndices } from './downsample.js';

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

export interface SeriesQuery {
  kinds: readonly string[];
  from: number;
  to: number;
  buckets: number;
}

export const DEFAULT_BUCKETS = 1000;
export const MAX_BUCKETS = 10_000;

/** One kind's readings as columns (v holds the latitude for positions). */
class Columns {
  t: number[] = [];
  v: number[] = [];
  lon: number[] = [];
  leaf: number[] = [];
  pos: number[] = [];
}

/** Collects readings (only the kinds and window asked for), then builds the response. */
export class SeriesBuilder {
  private readonly cols = new Map<string, Columns>();

  constructor(private readonly q: SeriesQuery) {
    for (const k of q.kinds) this.cols.set(k, new Columns());
  }

  wants(kind: string): boolean {
    return this.cols.has(kind);
  }

  add(kind: string, t: number, v: number, lon: number, leaf: number, pos: number): void {
    if (t < this.q.from || t > this.q.to) return;
    const c = this.cols.get(kind);
    if (!c) return;
    c.t.push(t);
    c.v.push(v);
    if (kind === 'pos') c.lon.push(lon);
    c.leaf.push(leaf);
    c.pos.push(pos);
  }

  build(deviceId: string): SeriesResponse {
    let downsampled = false;
    const series: Record<string, ScalarSeries> = {};
    let track: TrackSeries | null = null;
    for (const [kind, raw] of this.cols) {
      const c = sortedByTime(raw);
      const keep = kind === 'pos' ? firstLastIndices(c.t, this.q.buckets) : minMaxIndices(c.t, c.v, this.q.buckets);
      downsampled ||= keep.length < c.t.length;
      const id = keep.map((i) => `${c.leaf[i]}:${c.pos[i]}`);
      const t = keep.map((i) => c.t[i]!);
      if (kind === 'pos') track = { total: c.t.length, t, lat: keep.map((i) => c.v[i]!), lon: keep.map((i) => c.lon[i]!), id };
      else series[kind] = { total: c.t.length, t, v: keep.map((i) => c.v[i]!), id };
    }
    return { deviceId, from: this.q.from, to: this.q.to, buckets: this.q.buckets, downsampled, series, track };
  }
}

function sortedByTime(c: Columns): Columns {
  let sorted = true;
  for (let i = 1; i < c.t.length && sorted; i++) if (c.t[i]! < c.t[i - 1]!) sorted = false;
  if (sorted) return c;
  const order = c.t.map((_, i) => i).sort((a, b) => c.t[a]! - c.t[b]! || a - b);
  const out = new Columns();
  for (const i of order) {
    out.t.push(c.t[i]!);
    out.v.push(c.v[i]!);
    if (c.lon.length) out.lon.push(c.lon[i]!);
    out.leaf.push(c.leaf[i]!);
    out.pos.push(c.pos[i]!);
  }
  return out;
}

/** From reading objects with ids (the readings route's answer). */
export function buildSeries(deviceId: string, readings: Iterable<IdentifiedReading>, q: SeriesQuery): SeriesResponse {
  const b = new SeriesBuilder(q);
  for (const r of readings) {
    if (!b.wants(r.k)) continue;
    const colon = r.id.indexOf(':');
    const leaf = Number(r.id.slice(0, colon));
    const pos = Number(r.id.slice(colon + 1));
    if (Array.isArray(r.v)) b.add(r.k, r.t, r.v[0], r.v[1], leaf, pos);
    else if (typeof r.v === 'number') b.add(r.k, r.t, r.v, 0, leaf, pos);
  }
  return b.build(deviceId);
}
