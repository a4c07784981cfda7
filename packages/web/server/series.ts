// GET /api/v1/devices/{id}/series?kinds=temp,rh,pos&from=&to=&buckets=
// A device's readings as chart columns, downsampled on the node (min/max per
// time bucket, ./downsample.ts), so a shipment page over months of readings
// moves kilobytes, not megabytes. Reads the node's store through the two calls
// it needs (NodeStore satisfies SeriesStore) and decodes the signed envelopes
// with @tradetwin/core, as the node's own readings route does.
import { Hono } from 'hono';
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodePayload } from '@tradetwin/core/telemetry/payload';
import { buildSeries, DEFAULT_BUCKETS, type IdentifiedReading, MAX_BUCKETS } from './series-model.js';

export interface SeriesStore {
  telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<{ index: number }[]>;
  leaf(index: number): Promise<{ data: Uint8Array } | null>;
}

/** Envelopes read for one request at most (a year of one-minute envelopes). */
export const MAX_SERIES_ENVELOPES = 600_000;

const KINDS = /^(temp|rh|shock|lux|pos|door|meter|batt)(,(temp|rh|shock|lux|pos|door|meter|batt))*$/;

function problem(path: string, status: 400 | 413, code: string, detail: string): Response {
  return new Response(
    JSON.stringify({ type: `https://tradetwin.dev/problems/${code}`, title: code.replaceAll('_', ' '), status, detail, instance: path }),
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

function int(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback;
  return /^\d{1,15}$/.test(v) ? Number(v) : null;
}

/** Mount with `app.route('/api/v1', seriesRoutes({ store }))`. */
export function seriesRoutes(deps: { store: SeriesStore }): Hono {
  const app = new Hono();
  app.get('/devices/:id/series', async (c) => {
    const deviceId = c.req.param('id');
    const kinds = c.req.query('kinds') ?? 'temp,rh';
    if (!KINDS.test(kinds)) return problem(c.req.path, 400, 'bad_parameter', 'kinds must be a comma-separated list of reading kinds (temp, rh, shock, lux, pos, door, meter, batt)');
    const from = int(c.req.query('from'), 0);
    const to = int(c.req.query('to'), Number.MAX_SAFE_INTEGER);
    const buckets = int(c.req.query('buckets'), DEFAULT_BUCKETS);
    if (from === null || to === null || buckets === null) return problem(c.req.path, 400, 'bad_parameter', 'from, to and buckets must be non-negative integers');
    if (buckets < 1 || buckets > MAX_BUCKETS) return problem(c.req.path, 400, 'bad_parameter', `buckets must be 1…${MAX_BUCKETS}`);
    if (to < from) return problem(c.req.path, 400, 'bad_range', 'to is before from');
    const rows = await deps.store.telemetry({ deviceId, from, to, limit: MAX_SERIES_ENVELOPES + 1 });
    if (rows.length > MAX_SERIES_ENVELOPES) {
      return problem(c.req.path, 413, 'too_many_readings', `more than ${MAX_SERIES_ENVELOPES} envelopes in the window: ask for a shorter one`);
    }
    const wanted = new Set(kinds.split(','));
    const readings: IdentifiedReading[] = [];
    for (const row of rows) {
      const leaf = await deps.store.leaf(row.index);
      if (!leaf) continue;
      const payload = decodePayload(decodeSign1(decodeLeaf(leaf.data).body).payload);
      payload.r.forEach((r, pos) => {
        if (wanted.has(r.k)) readings.push({ id: `${row.index}:${pos}`, t: r.t, k: r.k, v: r.v });
      });
    }
    const body = buildSeries(deviceId, readings, { kinds: [...wanted], from, to, buckets });
    c.header('Cache-Control', 'no-cache');
    return c.json(body);
  });
  return app;
}
