// Routes for simulated GPS: waypoints with optional times, interpolated
// linearly. A route can come from a CSV track (e.g. a vehicle's recorded GPS
// fixes: columns latitude, longitude and optionally timestamp, vehicle_id,
// trip_id), replayed with its own timing, or be driven at a constant speed.
import { readFileSync } from 'node:fs';

export interface Waypoint {
  lat: number;
  lon: number;
  /** ms after the route's start, when the track recorded it. */
  atMs?: number;
}

export interface Route {
  name: string;
  waypoints: Waypoint[];
}

/** A route whose every waypoint has a time: what positionAt interpolates. */
export interface TimedRoute {
  name: string;
  points: Required<Waypoint>[];
  durationMs: number;
}

export class RouteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteError';
  }
}

/** Port of Liverpool (Seaforth) to Trafford Park, Manchester, over the M62. */
export const DEFAULT_ROUTE: Route = {
  name: 'liverpool-seaforth-to-trafford-park',
  waypoints: [
    { lat: 53.4627, lon: -3.0214 },
    { lat: 53.4399, lon: -2.9664 },
    { lat: 53.4098, lon: -2.804 },
    { lat: 53.4287, lon: -2.5317 },
    { lat: 53.4632, lon: -2.3181 },
  ],
};

const EARTH_RADIUS_M = 6_371_008.8;

export function haversineMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function checkWaypoint(w: Waypoint, where: string): void {
  if (!Number.isFinite(w.lat) || w.lat < -90 || w.lat > 90)
    throw new RouteError(`${where}: latitude ${w.lat} is not within -90…90`);
  if (!Number.isFinite(w.lon) || w.lon < -180 || w.lon > 180)
    throw new RouteError(`${where}: longitude ${w.lon} is not within -180…180`);
}

/**
 * Give every waypoint a time: the track's own times when all waypoints have
 * them, else a constant speed along the great-circle legs.
 */
export function timeRoute(route: Route, speedKmh = 50): TimedRoute {
  if (route.waypoints.length === 0) throw new RouteError(`route ${route.name} has no waypoints`);
  route.waypoints.forEach((w, i) => {
    checkWaypoint(w, `route ${route.name} waypoint ${i}`);
  });
  const timed = route.waypoints.every((w) => w.atMs !== undefined);
  if (!timed && !(speedKmh > 0)) throw new RouteError(`speed must be positive, got ${speedKmh} km/h`);
  const metersPerMs = (speedKmh * 1000) / 3_600_000;
  const points: Required<Waypoint>[] = [];
  route.waypoints.forEach((w, i) => {
    const prev = points[i - 1];
    let atMs: number;
    if (timed) atMs = w.atMs! - route.waypoints[0]!.atMs!;
    else atMs = prev ? prev.atMs + haversineMeters(prev, w) / metersPerMs : 0;
    if (prev && atMs < prev.atMs) throw new RouteError(`route ${route.name} waypoint ${i} is earlier than waypoint ${i - 1}`);
    points.push({ lat: w.lat, lon: w.lon, atMs });
  });
  return { name: route.name, points, durationMs: points[points.length - 1]!.atMs };
}

/** Where the route is `offsetMs` after its start: before the start at the first point, after the end at the last (or looping). */
export function positionAt(route: TimedRoute, offsetMs: number, loop = false): { lat: number; lon: number } {
  const pts = route.points;
  let t = offsetMs;
  if (loop && route.durationMs > 0) t = ((t % route.durationMs) + route.durationMs) % route.durationMs;
  if (t <= 0 || pts.length === 1) return { lat: pts[0]!.lat, lon: pts[0]!.lon };
  if (t >= route.durationMs) return { lat: pts[pts.length - 1]!.lat, lon: pts[pts.length - 1]!.lon };
  // Binary search for the leg [i, i+1] that holds t.
  let lo = 0;
  let hi = pts.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (pts[mid]!.atMs <= t) lo = mid;
    else hi = mid;
  }
  const a = pts[lo]!;
  const b = pts[hi]!;
  const f = b.atMs === a.atMs ? 1 : (t - a.atMs) / (b.atMs - a.atMs);
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}

/** Split one CSV line, honouring double-quoted fields (with "" escapes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseTimestamp(s: string): number {
  // "2026-01-26 15:57:02" has no zone: read as UTC.
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`);
}

/**
 * A route from a CSV GPS track. With vehicle_id/trip_id columns the file may
 * hold several trips: `trip` picks one ("<vehicle_id>/<trip_id>" or a trip_id),
 * else the trip with the most fixes. Fixes are ordered by timestamp, whose
 * spacing then drives the replay.
 */
export function parseRouteCsv(text: string, opts: { name?: string; trip?: string } = {}): Route {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new RouteError('CSV track has no rows');
  const header = csvFields(lines[0]!).map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const [latCol, lonCol, tsCol, vehCol, tripCol] = ['latitude', 'longitude', 'timestamp', 'vehicle_id', 'trip_id'].map(col);
  if (latCol! < 0 || lonCol! < 0)
    throw new RouteError(`CSV track needs latitude and longitude columns; it has ${header.join(', ')}`);
  const trips = new Map<string, { line: number; lat: number; lon: number; at?: number }[]>();
  lines.slice(1).forEach((line, i) => {
    const f = csvFields(line);
    const lineNo = i + 2;
    const lat = Number(f[latCol!]);
    const lon = Number(f[lonCol!]);
    const where = `CSV line ${lineNo}`;
    if (f[latCol!] === undefined || f[latCol!] === '' || Number.isNaN(lat))
      throw new RouteError(`${where}: latitude ${JSON.stringify(f[latCol!])} is not a number`);
    if (f[lonCol!] === undefined || f[lonCol!] === '' || Number.isNaN(lon))
      throw new RouteError(`${where}: longitude ${JSON.stringify(f[lonCol!])} is not a number`);
    checkWaypoint({ lat, lon }, where);
    let at: number | undefined;
    if (tsCol! >= 0) {
      at = parseTimestamp(f[tsCol!] ?? '');
      if (Number.isNaN(at)) throw new RouteError(`${where}: timestamp ${JSON.stringify(f[tsCol!])} is not a date`);
    }
    const key = tripCol! >= 0 ? `${vehCol! >= 0 ? f[vehCol!] : ''}/${f[tripCol!]}` : '';
    let rows = trips.get(key);
    if (!rows) {
      rows = [];
      trips.set(key, rows);
    }
    rows.push({ line: lineNo, lat, lon, at });
  });
  let chosen: string;
  if (opts.trip !== undefined) {
    const match = [...trips.keys()].find((k) => k === opts.trip || k.split('/')[1] === opts.trip);
    if (match === undefined)
      throw new RouteError(`CSV track has no trip ${JSON.stringify(opts.trip)}; trips: ${[...trips.keys()].join(', ')}`);
    chosen = match;
  } else {
    chosen = [...trips.entries()].reduce((best, e) => (e[1].length > best[1].length ? e : best))[0];
  }
  const rows = trips.get(chosen)!;
  if (rows.every((r) => r.at !== undefined)) rows.sort((a, b) => a.at! - b.at! || a.line - b.line);
  return {
    name: opts.name ?? (chosen ? `trip ${chosen}` : 'csv track'),
    waypoints: rows.map((r) => (r.at === undefined ? { lat: r.lat, lon: r.lon } : { lat: r.lat, lon: r.lon, atMs: r.at })),
  };
}

export function loadRouteCsv(path: string, opts: { name?: string; trip?: string } = {}): Route {
  return parseRouteCsv(readFileSync(path, 'utf8'), opts);
}
