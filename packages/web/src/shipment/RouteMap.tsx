// The route on a map drawn offline: Natural Earth countries (world-atlas
// TopoJSON, served as a static asset by the node, no tile server) projected
// with d3-geo, the planned legs dashed, the travelled track from the tracker's
// signed positions, the places, where the shipment was last seen, and where a
// container was opened outside the allowed places; with the location rules,
// the geofences, route deviations, unscheduled stops and the DCSA events that
// name a position.
import { geoGraticule10, geoMercator, geoPath } from 'd3-geo';
import { useEffect, useMemo, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlasUrl from 'world-atlas/countries-110m.json?url';
import type { TrackSeries } from '@tradetwin/core/series/model';
import type { Excursion, GeoZone, LocationEvent, ShipmentJson } from '@tradetwin/core/wire/shipments';
import { formatTime } from '../lib/format.js';
import { placeLabels } from './labels.js';
import { routeGeometry } from './route-geometry.js';
import { dcsaMarkers, deviationSegments, stopMarkers, zoneShapes } from './location-geometry.js';

const W = 800;
const H = 460;

type Land = GeoJSON.FeatureCollection | GeoJSON.Feature;
let atlas: Promise<Land> | null = null;

function loadLand(): Promise<Land> {
  atlas ??= fetch(atlasUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`map data: HTTP ${r.status}`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection }>>;
    })
    .then((topo) => feature(topo, topo.objects.countries));
  atlas.catch(() => {
    atlas = null;
  });
  return atlas;
}

export function RouteMap({
  shipment,
  track,
  excursions,
  zones = [],
  locationEvents = [],
  dcsaEvents = [],
}: {
  shipment: ShipmentJson;
  track: TrackSeries | null;
  excursions: Excursion[];
  /** Geofences: the shipment's location rules' and the node's sets. */
  zones?: GeoZone[];
  locationEvents?: LocationEvent[];
  /** DCSA Track & Trace events of the shipment's container (those with a geoCoordinate are drawn). */
  dcsaEvents?: Record<string, unknown>[];
}) {
  const [land, setLand] = useState<Land>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    loadLand().then(
      (l) => live && setLand(l),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const geo = useMemo(() => routeGeometry(shipment, track), [shipment, track]);
  const { path, project } = useMemo(() => {
    const projection = geoMercator().fitExtent(
      [
        [40, 30],
        [W - 40, H - 30],
      ],
      geo.extent as GeoJSON.FeatureCollection,
    );
    return { path: geoPath(projection), project: (c: [number, number]) => projection(c) ?? [0, 0] };
  }, [geo]);

  const labels = useMemo(() => {
    const items = geo.places.map((p) => {
      const [x, y] = project(p.coordinates);
      return { x, y, text: p.name };
    });
    if (geo.current) {
      const [x, y] = project(geo.current.coordinates);
      items.unshift({ x, y, text: `last fix ${formatTime(geo.current.t)}` });
    }
    return placeLabels(items, { width: W });
  }, [geo, project]);

  const fences = useMemo(() => zoneShapes(zones), [zones]);
  const deviations = useMemo(() => deviationSegments(locationEvents), [locationEvents]);
  const stops = useMemo(() => stopMarkers(locationEvents), [locationEvents]);
  const dcsa = useMemo(() => dcsaMarkers(dcsaEvents), [dcsaEvents]);
  const incidents = excursions.filter(
    (x): x is Extract<Excursion, { kind: 'light' }> => x.kind === 'light' && x.position !== null,
  );

  return (
    <div
      className="map"
      data-testid="route-map"
      data-track-points={geo.track?.properties.points ?? 0}
      data-legs={geo.legs.length}
    >
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Map of shipment ${shipment.id}: planned legs and travelled track`}>
        <path className="graticule" d={path(geoGraticule10()) ?? undefined} />
        {land && <path className="land" d={path(land) ?? undefined} />}
        {geo.legs.map((l) => (
          <path key={l.properties.index} className="leg" data-testid="leg" d={path(l) ?? undefined} />
        ))}
        {fences.map((z) => (
          <path
            key={z.id}
            className="geofence"
            data-testid="geofence"
            data-zone={z.id}
            data-shape={z.shape}
            d={path(z.feature) ?? undefined}
          >
            <title>{`Geofence ${z.name}${z.unlocode ? ` (${z.unlocode})` : ''}`}</title>
          </path>
        ))}
        {geo.track && <path className="track" data-testid="track" d={path(geo.track) ?? undefined} />}
        {deviations.map((d) => (
          <path key={d.id} className="deviation" data-testid="deviation" d={path(d.line) ?? undefined}>
            <title>{`Off the planned route, up to ${d.peakKm.toFixed(1)} km`}</title>
          </path>
        ))}
        {stops.map((s) => {
          const [x, y] = project(s.coordinates);
          return (
            <g className="stop" data-testid="stop" key={s.id} transform={`translate(${x},${y})`}>
              <rect x={-5} y={-5} width={10} height={10} />
              <title>{`Unscheduled stop, ${s.minutes} min from ${formatTime(s.startedAt)}`}</title>
            </g>
          );
        })}
        {dcsa.map((m) => {
          const [x, y] = project(m.coordinates);
          return (
            <g className="dcsa" data-testid="dcsa-marker" data-code={m.code} key={m.id} transform={`translate(${x},${y})`}>
              <path d="M0,-7 L6,0 L0,7 L-6,0 Z" />
              <title>{`DCSA ${m.label}, ${formatTime(Date.parse(m.at))}`}</title>
            </g>
          );
        })}
        {geo.places.map((p) => {
          const [x, y] = project(p.coordinates);
          return (
            <g className="place" key={p.name} transform={`translate(${x},${y})`}>
              <circle r={5} />
            </g>
          );
        })}
        {incidents.map((x) => {
          const [cx, cy] = project([x.position![1], x.position![0]]);
          return (
            <g className="incident" key={x.id} transform={`translate(${cx},${cy})`}>
              <circle r={6} />
              <title>{`Opened outside allowed places (${x.ruleId}) at ${formatTime(x.startedAt)}`}</title>
            </g>
          );
        })}
        {geo.current && (
          <g
            className="current"
            data-testid="current-position"
            transform={`translate(${project(geo.current.coordinates).join(',')})`}
          >
            <circle r={7} />
          </g>
        )}
        <g className="labels">
          {labels.map((l) => (
            <text key={l.text} x={l.x + l.dx} y={l.y + l.dy} textAnchor={l.anchor}>
              {l.text}
            </text>
          ))}
        </g>
      </svg>
      <div className="legend" style={{ marginTop: 6 }}>
        <span>
          <i style={{ borderTop: '2px dashed #7b8a95', height: 0 }} />
          planned legs
        </span>
        <span>
          <i style={{ background: '#1f7a8c', height: 3 }} />
          travelled (signed positions{track ? `, ${track.total.toLocaleString('en-US')}` : ''})
        </span>
        <span>
          <i style={{ background: '#e4572e', borderRadius: '50%', width: 10 }} />
          last fix
        </span>
        {fences.length > 0 && (
          <span>
            <i style={{ background: 'rgba(31, 122, 140, 0.18)', border: '1px solid #1f7a8c', width: 12 }} />
            geofences ({fences.length})
          </span>
        )}
        {deviations.length > 0 && (
          <span>
            <i style={{ background: '#d97706', height: 3 }} />
            off the planned route
          </span>
        )}
        {stops.length > 0 && (
          <span>
            <i style={{ background: '#6b21a8', width: 10 }} />
            unscheduled stop
          </span>
        )}
        {dcsa.length > 0 && (
          <span>
            <i style={{ background: '#0f4c5c', width: 10, transform: 'rotate(45deg)' }} />
            DCSA events ({dcsa.map((m) => m.code).join(', ')})
          </span>
        )}
        {incidents.length > 0 && (
          <span>
            <i style={{ background: '#b42318', borderRadius: '50%', width: 10 }} />
            opened outside allowed places
          </span>
        )}
      </div>
      {error && <p className="note warn">{error}: the route is drawn without the land.</p>}
    </div>
  );
}
