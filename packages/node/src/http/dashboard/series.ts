// GET /api/v1/devices/{id}/series?kinds=temp,rh,pos&from=&to=&buckets=
// A device's readings as chart columns, downsampled on the node (min/max per
// time bucket, ./downsample.ts), so a shipment page over months of readings
// moves kilobytes, not megabytes. Reads the node's store through the two calls
// it needs (NodeStore satisfies SeriesStore) and decodes the signed envelopes
// with @tradetwin/core, as the node's own readings route does. Decoding CBOR
// is the cost (≈ 2 µs a reading); log leaves never change, so decoded leaves
// are kept in a bounded cache, as compact columns, and a page opened again,
// or by a second person, skips it.
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodePayload, READING_KINDS } from '@tradetwin/core/telemetry/payload';
import { DEFAULT_BUCKETS, MAX_BUCKETS, SeriesBuilder } from '@tradetwin/core/series/model';

export interface SeriesStore {
  telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<{ index: number }[]>;
  leaf(index: number): Promise<{ data: Uint8Array } | null>;
}

export interface SeriesRoutesOptions {
  store: SeriesStore;
  /** Decoded readings kept in memory (≈ 17 bytes each; default 1,000,000). 0 disables the cache. */
  cacheReadings?: number;
}

/** Envelopes read for one request at most (a year of one-minute envelopes). */
export const MAX_SERIES_ENVELOPES = 600_000;

const KINDS = /^(temp|rh|shock|lux|pos|door|meter|batt)(,(temp|rh|shock|lux|pos|door|meter|batt))*$/;

/** One leaf's readings, decoded: kind as an index into READING_KINDS; a position's lon in `lon`. */
interface LeafColumns {
  t: Float64Array;
  k: Uint8Array;
  v: Float64Array;
  lon: Float64Array | null;
}

export class LeafCache {
  private readonly map = new Map<number, LeafColumns>();
  private readings = 0;

  constructor(private readonly maxReadings: number) {}

  get size(): { leaves: number; readings: number } {
    return { leaves: this.map.size, readings: this.readings };
  }

  get(index: number): LeafColumns | undefined {
    const c = this.map.get(index);
    if (c) {
      // Most recently used last.
      this.map.delete(index);
      this.map.set(index, c);
    }
    return c;
  }

  put(index: number, c: LeafColumns): void {
    if (this.maxReadings <= 0 || c.t.length > this.maxReadings) return;
    this.map.set(index, c);
    this.readings += c.t.length;
    for (const [i, old] of this.map) {
      if (this.readings <= this.maxReadings) break;
      this.map.delete(i);
      this.readings -= old.t.length;
    }
  }
}

export function decodeLeafColumns(data: Uint8Array): LeafColumns {
  const r = decodePayload(decodeSign1(decodeLeaf(data).body).payload).r;
  const t = new Float64Array(r.length);
  const k = new Uint8Array(r.length);
  const v = new Float64Array(r.length);
  let lon: Float64Array | null = null;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    t[i] = x.t;
    k[i] = READING_KINDS.indexOf(x.k);
    if (x.k === 'pos') {
      lon ??= new Float64Array(r.length);
      v[i] = x.v[0];
      lon[i] = x.v[1];
    } else v[i] = x.v;
  }
  return { t, k, v, lon };
}

function problem(path: string, status: 400 | 413, code: string, detail: string): Response {
  return new Response(
    JSON.stringify({
      type: `https://tradetwin.dev/problems/${code}`,
      title: code.replaceAll('_', ' '),
      status,
      detail,
      instance: path,
    }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

function int(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback;
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
}

/** Mount with `app.route('/api/v1', seriesRoutes({ store }))`. */
export function seriesRoutes(opts: SeriesRoutesOptions): Hono {
  const { store } = opts;
  const cache = new LeafCache(opts.cacheReadings ?? 1_000_000);
  const app = new Hono();
  // Columns of numbers compress about 3:1 (a phone on a LAN or a remote browser notices).
  app.use('/devices/:id/series', compress({ encoding: 'gzip' }));
  app.get('/devices/:id/series', async (c) => {
    const deviceId = c.req.param('id');
    const kinds = c.req.query('kinds') ?? 'temp,rh';
    if (!KINDS.test(kinds))
      return problem(
        c.req.path,
        400,
        'bad_parameter',
        'kinds must be a comma-separated list of reading kinds (temp, rh, shock, lux, pos, door, meter, batt)',
      );
    const from = int(c.req.query('from'), 0);
    const to = int(c.req.query('to'), Number.MAX_SAFE_INTEGER);
    const buckets = int(c.req.query('buckets'), DEFAULT_BUCKETS);
    if (from === null || to === null || buckets === null)
      return problem(c.req.path, 400, 'bad_parameter', 'from, to and buckets must be non-negative integers');
    if (buckets < 1 || buckets > MAX_BUCKETS)
      return problem(c.req.path, 400, 'bad_parameter', `buckets must be 1…${MAX_BUCKETS}`);
    if (to < from) return problem(c.req.path, 400, 'bad_range', 'to is before from');
    const rows = await store.telemetry({ deviceId, from, to, limit: MAX_SERIES_ENVELOPES + 1 });
    if (rows.length > MAX_SERIES_ENVELOPES) {
      return problem(
        c.req.path,
        413,
        'too_many_readings',
        `more than ${MAX_SERIES_ENVELOPES} envelopes in the window: ask for a shorter one`,
      );
    }
    const wanted = [...new Set(kinds.split(','))];
    const codes = wanted.map((k) => READING_KINDS.indexOf(k as (typeof READING_KINDS)[number]));
    const builder = new SeriesBuilder({ kinds: wanted, from, to, buckets });
    for (const row of rows) {
      let cols = cache.get(row.index);
      if (!cols) {
        const leaf = await store.leaf(row.index);
        if (!leaf) continue;
        cols = decodeLeafColumns(leaf.data);
        cache.put(row.index, cols);
      }
      for (let i = 0; i < cols.t.length; i++) {
        const w = codes.indexOf(cols.k[i]!);
        if (w >= 0) builder.add(wanted[w]!, cols.t[i]!, cols.v[i]!, cols.lon?.[i] ?? 0, row.index, i);
      }
    }
    c.header('Cache-Control', 'no-cache');
    return c.json(builder.build(deviceId));
  });
  return app;
}
