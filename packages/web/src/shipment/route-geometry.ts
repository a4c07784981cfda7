// The map's geometry as GeoJSON (longitude first): the planned legs, the
// travelled track from the tracker's signed positions, the places, and where
// the shipment was last seen.
import type { ShipmentJson } from '@tradetwin/core/wire/shipments';

type Position = [number, number];

export interface RouteGeometry {
  legs: {
    type: 'Feature';
    properties: { mode: string; index: number };
    geometry: { type: 'LineString'; coordinates: Position[] };
  }[];
  track: { type: 'Feature'; properties: { points: number }; geometry: { type: 'LineString'; coordinates: Position[] } } | null;
  places: { name: string; coordinates: Position }[];
  current: { coordinates: Position; t: number; id: string } | null;
  /** Everything the map must show (for fitting the projection). */
  extent: {
    type: 'FeatureCollection';
    features: { type: 'Feature'; properties: null; geometry: { type: 'MultiPoint'; coordinates: Position[] } }[];
  };
}

export function routeGeometry(
  s: ShipmentJson,
  track: { t: number[]; lat: number[]; lon: number[]; id: string[] } | null,
): RouteGeometry {
  const legs = s.legs.map((l, index) => ({
    type: 'Feature' as const,
    properties: { mode: l.mode, index },
    geometry: {
      type: 'LineString' as const,
      coordinates: [[l.from.lon, l.from.lat] as Position, [l.to.lon, l.to.lat] as Position],
    },
  }));
  const places = new Map<string, Position>();
  for (const l of s.legs) {
    places.set(l.from.name, [l.from.lon, l.from.lat]);
    places.set(l.to.name, [l.to.lon, l.to.lat]);
  }
  const coords: Position[] = track ? track.lat.map((lat, i) => [track.lon[i]!, lat]) : [];
  const last = coords.length - 1;
  const all: Position[] = [...places.values(), ...coords];
  return {
    legs,
    track:
      coords.length > 1
        ? { type: 'Feature', properties: { points: coords.length }, geometry: { type: 'LineString', coordinates: coords } }
        : null,
    places: [...places].map(([name, coordinates]) => ({ name, coordinates })),
    current: track && last >= 0 ? { coordinates: coords[last]!, t: track.t[last]!, id: track.id[last]! } : null,
    extent: {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: null, geometry: { type: 'MultiPoint', coordinates: all } }],
    },
  };
}
