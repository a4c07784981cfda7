// Great-circle distance for geofences. A spherical earth is within 0.5 % of the
// ellipsoid, far below GPS error and the size of a port geofence.
import type { LatLon } from '../telemetry/payload.js';
import type { Zone } from './definition.js';

/** IUGG mean earth radius, metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Haversine distance in metres. */
export function distanceM(a: LatLon, b: LatLon): number {
  return haversineM(a[0], a[1], b[0], b[1]);
}

/** Haversine distance in metres, from bare coordinates (no array per call on hot paths). */
export function haversineM(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const dLat = (bLat - aLat) * RAD;
  const dLon = (bLon - aLon) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * RAD) * Math.cos(bLat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** The first zone containing p (on the boundary counts as inside), or null. */
export function zoneAt(p: LatLon, zones: readonly Zone[]): Zone | null {
  for (const z of zones) if (distanceM(p, z.center) <= z.radiusM) return z;
  return null;
}
