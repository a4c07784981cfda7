// Geometry for the location rules: which side of a zone's fence a fix is on,
// with a dead band around the line, and how far a fix is from a planned route.
//
// Containment and great-circle distance come from turf. Two hot paths use a
// local equirectangular projection (x = Δlon·cos φ0·R, y = Δlat·R) instead:
// - distance to a polygon's edges, only ever needed within a few hundred metres
//   of the fence, where the projection's error is below 0.01 %;
// - distance to a route polyline, projected per leg around the leg's own
//   latitude (legs longer than 5 km are first split along the great circle).
//   turf's geodesic pointToLineDistance measured ~200 µs per fix for a 50-leg
//   route on this machine (location.bench.ts has it as the baseline), 100×
//   the whole budget of a fix at 500,000 fixes/s; the per-leg projection agrees
//   with it within 0.1 % (location-definition.test.ts, "geometry").
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { distance } from '@turf/distance';
import { polygon } from '@turf/helpers';
import type { LatLon } from '../telemetry/payload.js';
import type { GeoZone } from './location-definition.js';

/** IUGG mean earth radius, metres (turf uses 6371008.8 too). */
const R = 6_371_008.8;
const RAD = Math.PI / 180;
const M_PER_DEG_LAT = R * RAD;

/** Where a fix is relative to a fence: clearly inside, clearly outside, or in the dead band around the line. */
export type Side = 'in' | 'out' | 'edge';

/** Distance from (px, py) to the segment (ax, ay)–(bx, by), planar. */
function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  if (u < 0) u = 0;
  else if (u > 1) u = 1;
  const ex = px - (ax + u * dx);
  const ey = py - (ay + u * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

/** A zone prepared for fast, repeated side tests. */
export class ZoneShape {
  /** Bounding box in degrees, widened by maxMarginM, outside which every fix is clearly 'out'. */
  private readonly minLat: number;
  private readonly maxLat: number;
  private readonly minLon: number;
  private readonly maxLon: number;
  private readonly feature: ReturnType<typeof polygon> | null;
  /** Polygon edges in the zone's local projection, metres: x0, y0, x1, y1, … (closed). */
  private readonly xy: Float64Array;
  private readonly lat0: number;
  private readonly lon0: number;
  private readonly kx: number;

  /**
   * maxMarginM bounds every margin side() will be asked about (the dead band
   * plus the worst accuracy believed), so the box test never decides a fix
   * that an exact test would call 'edge'.
   */
  constructor(
    readonly zone: GeoZone,
    maxMarginM: number,
  ) {
    let minLat: number;
    let maxLat: number;
    let minLon: number;
    let maxLon: number;
    let extraM = maxMarginM;
    if (zone.shape === 'circle') {
      [this.lat0, this.lon0] = zone.center;
      minLat = maxLat = this.lat0;
      minLon = maxLon = this.lon0;
      extraM += zone.radiusM;
      this.feature = null;
      this.xy = new Float64Array(0);
    } else {
      minLat = Math.min(...zone.ring.map((p) => p[0]));
      maxLat = Math.max(...zone.ring.map((p) => p[0]));
      minLon = Math.min(...zone.ring.map((p) => p[1]));
      maxLon = Math.max(...zone.ring.map((p) => p[1]));
      this.lat0 = (minLat + maxLat) / 2;
      this.lon0 = (minLon + maxLon) / 2;
      const ring = zone.ring.map(([lat, lon]) => [lon, lat]);
      this.feature = polygon([[...ring, ring[0]!]]);
      this.xy = new Float64Array((zone.ring.length + 1) * 2);
    }
    this.kx = M_PER_DEG_LAT * Math.cos(this.lat0 * RAD);
    if (zone.shape === 'polygon') {
      zone.ring.forEach((p, i) => {
        this.project(p[0], p[1], this.xy, i * 2);
      });
      this.xy[zone.ring.length * 2] = this.xy[0]!;
      this.xy[zone.ring.length * 2 + 1] = this.xy[1]!;
    }
    const dLat = extraM / M_PER_DEG_LAT;
    // The box's widest latitude has the smallest degree of longitude.
    const worstLat = Math.min(89.9, Math.max(Math.abs(minLat - dLat), Math.abs(maxLat + dLat)));
    const dLon = extraM / (M_PER_DEG_LAT * Math.cos(worstLat * RAD));
    this.minLat = minLat - dLat;
    this.maxLat = maxLat + dLat;
    this.minLon = minLon - dLon;
    this.maxLon = maxLon + dLon;
  }

  private project(lat: number, lon: number, out: Float64Array, at: number): void {
    out[at] = (lon - this.lon0) * this.kx;
    out[at + 1] = (lat - this.lat0) * M_PER_DEG_LAT;
  }

  /**
   * 'in' when the fix is inside and at least marginM from the fence, 'out'
   * when outside and at least marginM from it, else 'edge' (the dead band:
   * such a fix proves neither side). marginM must not exceed the constructor's maxMarginM.
   */
  side(lat: number, lon: number, marginM: number): Side {
    if (lat < this.minLat || lat > this.maxLat || lon < this.minLon || lon > this.maxLon) return 'out';
    const zone = this.zone;
    if (zone.shape === 'circle') {
      const d = distance([lon, lat], [this.lon0, this.lat0], { units: 'meters' });
      return d <= zone.radiusM - marginM ? 'in' : d >= zone.radiusM + marginM ? 'out' : 'edge';
    }
    const inside = booleanPointInPolygon([lon, lat], this.feature!);
    return this.edgeDistance(lat, lon) < marginM ? 'edge' : inside ? 'in' : 'out';
  }

  /** Distance to the nearest polygon edge, metres (local projection; see the module comment). */
  private edgeDistance(lat: number, lon: number): number {
    const px = (lon - this.lon0) * this.kx;
    const py = (lat - this.lat0) * M_PER_DEG_LAT;
    const xy = this.xy;
    let best = Infinity;
    for (let i = 0; i + 3 < xy.length; i += 2) {
      const d = segmentDistance(px, py, xy[i]!, xy[i + 1]!, xy[i + 2]!, xy[i + 3]!);
      if (d < best) best = d;
    }
    return best;
  }
}

/** Legs longer than this are split (along the great circle) so each one's flat projection stays within 0.1 %. */
const MAX_LEG_M = 5000;

/** The point a fraction f along the great circle from a to b. */
function along(a: LatLon, b: LatLon, f: number): LatLon {
  const [p1, l1, p2, l2] = [a[0] * RAD, a[1] * RAD, b[0] * RAD, b[1] * RAD];
  const d = distance([a[1], a[0]], [b[1], b[0]], { units: 'radians' });
  const sa = Math.sin((1 - f) * d) / Math.sin(d);
  const sb = Math.sin(f * d) / Math.sin(d);
  const x = sa * Math.cos(p1) * Math.cos(l1) + sb * Math.cos(p2) * Math.cos(l2);
  const y = sa * Math.cos(p1) * Math.sin(l1) + sb * Math.cos(p2) * Math.sin(l2);
  const z = sa * Math.sin(p1) + sb * Math.sin(p2);
  return [Math.atan2(z, Math.hypot(x, y)) / RAD, Math.atan2(y, x) / RAD];
}

function subdivide(route: readonly LatLon[], maxM: number): LatLon[] {
  const out: LatLon[] = [route[0]!];
  for (let i = 1; i < route.length; i++) {
    const a = route[i - 1]!;
    const b = route[i]!;
    const n = Math.ceil(greatCircleM(a, b) / maxM);
    for (let k = 1; k < n; k++) out.push(along(a, b, k / n));
    out.push(b);
  }
  return out;
}

/** A planned route prepared for distance queries. */
export class RouteShape {
  /** Per leg: lat0, lon0, kx, then both ends projected (x0, y0, x1, y1): 7 numbers. */
  private readonly legs: Float64Array;
  /** Per leg bounding box in degrees: minLat, maxLat, minLon, maxLon. */
  private readonly boxes: Float64Array;
  readonly legCount: number;

  constructor(route: readonly LatLon[]) {
    const points = subdivide(route, MAX_LEG_M);
    this.legCount = points.length - 1;
    this.legs = new Float64Array(this.legCount * 7);
    this.boxes = new Float64Array(this.legCount * 4);
    for (let i = 0; i < this.legCount; i++) {
      const [aLat, aLon] = points[i]!;
      const [bLat, bLon] = points[i + 1]!;
      const lat0 = (aLat + bLat) / 2;
      const lon0 = (aLon + bLon) / 2;
      const kx = M_PER_DEG_LAT * Math.cos(lat0 * RAD);
      this.legs.set(
        [lat0, lon0, kx, (aLon - lon0) * kx, (aLat - lat0) * M_PER_DEG_LAT, (bLon - lon0) * kx, (bLat - lat0) * M_PER_DEG_LAT],
        i * 7,
      );
      this.boxes.set([Math.min(aLat, bLat), Math.max(aLat, bLat), Math.min(aLon, bLon), Math.max(aLon, bLon)], i * 4);
    }
  }

  /** Distance from the fix to leg i, metres. */
  legDistance(i: number, lat: number, lon: number): number {
    const g = this.legs;
    const o = i * 7;
    const kx = g[o + 2]!;
    return segmentDistance((lon - g[o + 1]!) * kx, (lat - g[o]!) * M_PER_DEG_LAT, g[o + 3]!, g[o + 4]!, g[o + 5]!, g[o + 6]!);
  }

  /**
   * The leg nearest the fix and its distance, metres. Legs whose box is
   * farther than the best distance so far (a cheap lower bound) are skipped.
   * Starts from `hint` (the leg the previous fix was nearest), which is
   * usually the answer, so the bound prunes almost every other leg.
   */
  nearest(lat: number, lon: number, hint: number): { leg: number; distanceM: number } {
    let leg = hint >= 0 && hint < this.legCount ? hint : 0;
    let best = this.legDistance(leg, lat, lon);
    const b = this.boxes;
    const g = this.legs;
    for (let i = 0; i < this.legCount; i++) {
      if (i === leg) continue;
      const o = i * 4;
      // A lower bound on legDistance: the distance to the leg's box in the leg's own projection.
      const dLat = lat < b[o]! ? b[o]! - lat : lat > b[o + 1]! ? lat - b[o + 1]! : 0;
      const dLon = lon < b[o + 2]! ? b[o + 2]! - lon : lon > b[o + 3]! ? lon - b[o + 3]! : 0;
      const lowM = Math.max(dLat * M_PER_DEG_LAT, dLon * g[i * 7 + 2]!);
      // The slack keeps a leg whose distance could tie the best within rounding: the answer then never
      // depends on the hint, only on the fix (replays may start from another hint).
      if (lowM > best + 1e-6) continue;
      const d = this.legDistance(i, lat, lon);
      if (d < best || (d === best && i < leg)) {
        best = d;
        leg = i;
      }
    }
    return { leg, distanceM: best };
  }
}

/** Great-circle distance, metres (turf's haversine; for tests and the cold paths). */
export function greatCircleM(a: LatLon, b: LatLon): number {
  return distance([a[1], a[0]], [b[1], b[0]], { units: 'meters' });
}
