// Test support for the location rules: synthetic tracks (driving, parking with
// receiver jitter, injected jumps) and the recorded route-14 bus track from
// ../shared/data, turned into the evaluator's input. Not used by the product.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LatLon } from '../telemetry/payload.js';
import type { LocationReading } from './fix.js';

export const T0 = Date.UTC(2026, 0, 26, 15, 0, 0);
export const SEC = 1000;
export const MIN = 60_000;

/** ../shared beside the repository, as the node's tests reach it. */
export const GPS_TRACK_CSV = fileURLToPath(new URL('../../../../../shared/data/gps-route14-outbound.csv', import.meta.url));

const M_PER_DEG = (6_371_008.8 * Math.PI) / 180;

/** The point dx metres east and dy metres north of p (local flat approximation; fine for test offsets). */
export function offset(p: LatLon, dxM: number, dyM: number): LatLon {
  return [p[0] + dyM / M_PER_DEG, p[1] + dxM / (M_PER_DEG * Math.cos((p[0] * Math.PI) / 180))];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A timed position, before it gets a device and a log position. */
export interface TrackPoint {
  t: number;
  p: LatLon;
  accuracyM?: number;
}

/** Drive through the waypoints at a constant speed, one fix every intervalS seconds, starting at t0. */
export function drive(waypoints: LatLon[], speedKmh: number, intervalS: number, t0: number): TrackPoint[] {
  const out: TrackPoint[] = [];
  const mPerS = speedKmh / 3.6;
  let t = t0;
  out.push({ t, p: waypoints[0]! });
  for (let i = 1; i < waypoints.length; i++) {
    const a = waypoints[i - 1]!;
    const b = waypoints[i]!;
    const dy = (b[0] - a[0]) * M_PER_DEG;
    const dx = (b[1] - a[1]) * M_PER_DEG * Math.cos((a[0] * Math.PI) / 180);
    const len = Math.hypot(dx, dy);
    const steps = Math.max(1, Math.round(len / (mPerS * intervalS)));
    for (let s = 1; s <= steps; s++) {
      t += intervalS * SEC;
      out.push({ t, p: offset(a, (dx * s) / steps, (dy * s) / steps) });
    }
  }
  return out;
}

/** Stand at p for minutes, fixes every intervalS with Gaussian-ish jitter of about sigmaM. */
export function park(p: LatLon, minutes: number, intervalS: number, t0: number, sigmaM: number, seed: number): TrackPoint[] {
  const rnd = mulberry32(seed);
  const gauss = () => (rnd() + rnd() + rnd() + rnd() - 2) * Math.sqrt(3);
  const out: TrackPoint[] = [];
  for (let t = t0; t < t0 + minutes * MIN; t += intervalS * SEC)
    out.push({ t, p: offset(p, gauss() * sigmaM, gauss() * sigmaM) });
  return out;
}

/** Join track pieces, each starting after the previous one ends. */
export function sequence(...pieces: ((t0: number) => TrackPoint[])[]): TrackPoint[] {
  const out: TrackPoint[] = [];
  let t0 = T0;
  for (const piece of pieces) {
    const part = piece(t0);
    out.push(...part);
    if (part.length > 0) t0 = part[part.length - 1]!.t + 10 * SEC;
  }
  return out;
}

/** Displace every nth fix (from the first) by jumpM metres in a seeded random direction. */
export function withJumps(track: TrackPoint[], every: number, jumpM: number, seed: number): TrackPoint[] {
  const rnd = mulberry32(seed);
  return track.map((x, i) => {
    if (i % every !== every - 1) return x;
    const a = rnd() * 2 * Math.PI;
    return { ...x, p: offset(x.p, Math.cos(a) * jumpM, Math.sin(a) * jumpM) };
  });
}

/** The evaluator's input: one fix per log leaf, in the track's order, from leaf firstLeaf. */
export function readingsOf(track: TrackPoint[], deviceId: string, firstLeaf = 0): LocationReading[] {
  return track.map((x, i) => {
    const r: LocationReading = {
      t: x.t,
      k: 'pos',
      v: [x.p[0], x.p[1]],
      deviceId,
      leafIndex: firstLeaf + i,
      readingId: `${firstLeaf + i}:0`,
    };
    if (x.accuracyM !== undefined) r.accuracyM = x.accuracyM;
    return r;
  });
}

/** The recorded bus trips of route 14 (Liverpool, 26 Jan 2026), by "vehicle/trip", in time order. */
export function route14Trips(): Map<string, TrackPoint[]> {
  const lines = readFileSync(GPS_TRACK_CSV, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',').map((h) => h.replaceAll('"', ''));
  const col = (name: string): number => header.indexOf(name);
  const [iv, it, its, ilat, ilon] = [col('vehicle_id'), col('trip_id'), col('timestamp'), col('latitude'), col('longitude')];
  const trips = new Map<string, TrackPoint[]>();
  for (const line of lines.slice(1)) {
    const f = line.split(',').map((x) => x.replaceAll('"', ''));
    const key = `${f[iv]}/${f[it]}`;
    const t = Date.parse(`${f[its]!.replace(' ', 'T')}Z`);
    const list = trips.get(key) ?? [];
    list.push({ t, p: [Number(f[ilat]), Number(f[ilon])] });
    trips.set(key, list);
  }
  for (const list of trips.values()) list.sort((a, b) => a.t - b.t);
  return trips;
}
