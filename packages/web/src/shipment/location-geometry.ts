// What the location rules add to the map, as GeoJSON (longitude first): the
// geofences (circles as geodesic polygons, polygons wound as d3-geo wants:
// clockwise, or it would fill the rest of the globe), corridor deviations as
// segments through their first, farthest and last fix, unscheduled stops, and
// the DCSA events that name a position.
import { geoArea, geoCircle } from 'd3-geo';
import type { GeoZone, LocationEvent } from '@tradetwin/core/wire/shipments';

type Position = [number, number];
const M_PER_DEG = 111_195;

export interface ZoneShape {
  id: string;
  name: string;
  unlocode: string | null;
  shape: 'circle' | 'polygon';
  feature: GeoJSON.Feature<GeoJSON.Polygon>;
}

export interface DcsaMarker {
  id: string;
  code: string;
  label: string;
  coordinates: Position;
  at: string;
}

/** A zone as a Polygon feature d3-geo fills on the inside. */
export function zoneFeature(z: GeoZone): GeoJSON.Feature<GeoJSON.Polygon> {
  let ring: Position[];
  if (z.shape === 'circle') {
    ring = geoCircle()
      .center([z.center[1], z.center[0]])
      .radius(z.radiusM / M_PER_DEG)
      .precision(4)().coordinates[0] as Position[];
  } else {
    ring = z.ring.map(([lat, lon]) => [lon, lat] as Position);
    ring.push(ring[0]!);
  }
  const feature: GeoJSON.Feature<GeoJSON.Polygon> = {
    type: 'Feature',
    properties: null,
    geometry: { type: 'Polygon', coordinates: [ring] },
  };
  // Wound the wrong way, the polygon is the whole globe but the zone: turn it round.
  if (geoArea(feature) > 2 * Math.PI) feature.geometry.coordinates[0] = [...ring].reverse();
  return feature;
}

/** Every zone once (by id), each geofence rule's and each set's. */
export function zoneShapes(zones: GeoZone[]): ZoneShape[] {
  const seen = new Set<string>();
  const out: ZoneShape[] = [];
  for (const z of zones) {
    const key = `${z.id}|${z.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: z.id, name: z.name, unlocode: z.unlocode ?? null, shape: z.shape, feature: zoneFeature(z) });
  }
  return out;
}

/** The geofence zones of a shipment's own location rules. */
export function definitionZones(locationRules: readonly unknown[] | undefined): GeoZone[] {
  return (locationRules ?? []).flatMap((r) => {
    const rule = r as { kind?: string; zones?: GeoZone[] };
    return rule.kind === 'geofence' && Array.isArray(rule.zones) ? rule.zones : [];
  });
}

const lonLat = (p: [number, number]): Position => [p[1], p[0]];

export function deviationSegments(
  events: LocationEvent[],
): { id: string; line: GeoJSON.Feature<GeoJSON.LineString>; peakKm: number }[] {
  return events.flatMap((e) =>
    e.kind === 'corridor'
      ? [
          {
            id: e.id,
            peakKm: e.peak.distanceM / 1000,
            line: {
              type: 'Feature' as const,
              properties: null,
              geometry: {
                type: 'LineString' as const,
                coordinates: [lonLat(e.first.position), lonLat(e.peak.position), lonLat(e.last.position)],
              },
            },
          },
        ]
      : [],
  );
}

export function stopMarkers(
  events: LocationEvent[],
): { id: string; coordinates: Position; startedAt: number; minutes: number }[] {
  return events.flatMap((e) =>
    e.kind === 'stop'
      ? [{ id: e.id, coordinates: lonLat(e.position), startedAt: e.startedAt, minutes: Math.round(e.durationMinutes) }]
      : [],
  );
}

/** DCSA events with a geoCoordinate (derived ARRI/DEPA, door openings; a carrier's pushed events where they give one). */
export function dcsaMarkers(events: Record<string, unknown>[]): DcsaMarker[] {
  const out: DcsaMarker[] = [];
  for (const e of events) {
    const loc = e.eventLocation as
      | { geoCoordinate?: { latitude?: string; longitude?: string }; UNLocationCode?: string }
      | undefined;
    const lat = Number(loc?.geoCoordinate?.latitude);
    const lon = Number(loc?.geoCoordinate?.longitude);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const c = (e.eventClassification ?? {}) as Record<string, string | undefined>;
    const code =
      c.transportEventTypeCode ??
      c.equipmentEventTypeCode ??
      c.iotEventTypeCode ??
      c.reeferEventTypeCode ??
      c.eventTypeCode ??
      '?';
    out.push({
      id: String(e.eventID),
      code,
      label: `${c.eventTypeCode ?? ''} ${code}${loc?.UNLocationCode ? ` at ${loc.UNLocationCode}` : ''}`.trim(),
      coordinates: [lon, lat],
      at: String(e.eventDateTime ?? ''),
    });
  }
  return out;
}
