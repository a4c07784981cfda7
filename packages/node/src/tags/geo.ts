// Great-circle distance for clone detection: a tag cannot be in two places
// farther apart than travel allows in the time between its sightings.

/** IUGG mean Earth radius, km. */
const EARTH_RADIUS_KM = 6371.0088;
/** Half the Earth's circumference: no two places are farther apart. */
export const MAX_SURFACE_DISTANCE_KM = Math.PI * EARTH_RADIUS_KM;

export interface LatLon {
  lat: number;
  lon: number;
}

/** Haversine distance in km between two WGS 84 positions (spherical Earth: within 0.5 %). */
export function distanceKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A latitude/longitude pair as a scanner reports it; null when neither is given. Throws a message when malformed. */
export function checkCoordinates(lat: unknown, lon: unknown): LatLon | null {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (!given(lat) && !given(lon)) return null;
  if (!given(lat) || !given(lon)) throw new RangeError('lat and lon go together: give both or neither');
  const num = (v: unknown, name: string) => {
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) throw new RangeError(`${name} must be a decimal number of degrees, got ${JSON.stringify(v)}`);
    return n;
  };
  const la = num(lat, 'lat');
  const lo = num(lon, 'lon');
  if (la < -90 || la > 90) throw new RangeError(`lat must lie in -90…90 degrees, got ${la}`);
  if (lo < -180 || lo > 180) throw new RangeError(`lon must lie in -180…180 degrees, got ${lo}`);
  return { lat: la, lon: lo };
}
