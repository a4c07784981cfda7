// `tradetwin geofence add|list|remove`: the node's geofence sets — the
// node-wide one (ports, depots every shipment passes) or a shipment's own
// (--shipment ID). A zone is a circle (--circle LAT,LON,RADIUS_M), a polygon
// (--polygon "LAT,LON;LAT,LON;…") or the first polygon of a GeoJSON file
// (--geojson FILE: a Polygon, a Feature or a FeatureCollection; GeoJSON
// positions are [lon, lat]), with an optional UN/LOCODE. The zone is checked
// here as the node checks it, so bad input exits 2 before anything is sent.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type GeoZone, RuleError, validateZone } from '@tradetwin/core/rules/index';
import { COMMON, CliError, type Command, EXIT, printJson, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

const base = (values: Record<string, unknown>) => {
  const shipment = str(values, 'shipment');
  return shipment === undefined ? '/api/v1/geofences' : `/api/v1/shipments/${encodeURIComponent(shipment)}/geofences`;
};

function numbers(flag: string, text: string, count: number): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const xs = parts.map(Number);
  if (parts.length !== count || parts.some((p) => p === '') || xs.some((x) => !Number.isFinite(x)))
    throw new CliError(`${flag}: expected ${count} comma-separated numbers, got "${text}"`);
  return xs;
}

/** The first polygon's outer ring of a GeoJSON text, as [lat, lon]; with the feature's properties. */
function fromGeoJson(file: string): { ring: [number, number][]; properties: Record<string, unknown> } {
  if (!existsSync(file)) throw new CliError(`GeoJSON file ${file} does not exist`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const find = (g: unknown, props: Record<string, unknown>): { coords: unknown; properties: Record<string, unknown> } | null => {
    const o = g as { type?: unknown; coordinates?: unknown; geometry?: unknown; features?: unknown; properties?: unknown };
    if (!o || typeof o !== 'object') return null;
    if (o.type === 'Polygon') return { coords: o.coordinates, properties: props };
    if (o.type === 'MultiPolygon' && Array.isArray(o.coordinates)) return { coords: o.coordinates[0], properties: props };
    if (o.type === 'Feature') return find(o.geometry, (o.properties as Record<string, unknown>) ?? {});
    if (o.type === 'FeatureCollection' && Array.isArray(o.features)) {
      for (const f of o.features) {
        const hit = find(f, {});
        if (hit) return hit;
      }
    }
    return null;
  };
  const hit = find(doc, {});
  if (!hit) throw new CliError(`${file} holds no GeoJSON Polygon (a Polygon, a Feature or a FeatureCollection with one)`);
  const outer = Array.isArray(hit.coords) ? hit.coords[0] : undefined;
  if (!Array.isArray(outer)) throw new CliError(`${file}: the polygon has no outer ring`);
  const ring = outer.map((p: unknown, i: number) => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number')
      throw new CliError(`${file}: position ${i} of the outer ring is not [lon, lat]`);
    return [p[1], p[0]] as [number, number];
  });
  return { ring, properties: hit.properties };
}

/** The zone the flags describe, checked as the node will check it; a CliError (exit 2) naming what is wrong. */
export function zoneFromFlags(values: Record<string, unknown>): GeoZone {
  const circle = str(values, 'circle');
  const polygon = str(values, 'polygon');
  const geojson = str(values, 'geojson');
  if ([circle, polygon, geojson].filter((x) => x !== undefined).length !== 1)
    throw new CliError('give exactly one shape: --circle LAT,LON,RADIUS_M, --polygon "LAT,LON;LAT,LON;…" or --geojson FILE');
  let shape: Record<string, unknown>;
  let props: Record<string, unknown> = {};
  if (circle !== undefined) {
    const [lat, lon, radiusM] = numbers('--circle', circle, 3);
    shape = { shape: 'circle', center: [lat, lon], radiusM };
  } else if (polygon !== undefined) {
    const ring = polygon
      .split(';')
      .filter((p) => p.trim() !== '')
      .map((p) => numbers('--polygon', p, 2));
    shape = { shape: 'polygon', ring };
  } else {
    const g = fromGeoJson(geojson!);
    props = g.properties;
    shape = { shape: 'polygon', ring: g.ring };
  }
  const prop = (k: string) => (typeof props[k] === 'string' ? (props[k] as string) : undefined);
  const id = str(values, 'id') ?? prop('id') ?? (geojson ? basename(geojson).replace(/\.(geo)?json$/i, '') : undefined);
  if (!id) throw new CliError('--id is required (the zone id, unique in the set)');
  const unlocode = str(values, 'unlocode') ?? prop('unlocode');
  const raw = { id, name: str(values, 'name') ?? prop('name') ?? id, ...(unlocode ? { unlocode } : {}), ...shape };
  try {
    return validateZone(raw, 'zone');
  } catch (err) {
    if (err instanceof RuleError) throw new CliError(`bad zone: ${err.message}`, EXIT.usage, 'bad_zone');
    throw err;
  }
}

const describeZone = (z: GeoZone) =>
  `${z.id}  ${z.name}${z.unlocode ? ` (${z.unlocode})` : ''}  ${
    z.shape === 'circle' ? `circle ${z.center[0]}, ${z.center[1]} r ${z.radiusM} m` : `polygon of ${z.ring.length} vertices`
  }`;

const add: Command = {
  name: 'geofence add',
  summary: "Add a zone (circle, polygon or GeoJSON polygon, optional UN/LOCODE) to the node-wide or a shipment's geofence set.",
  usage:
    'geofence add --id ID [--name NAME] [--unlocode LOCODE] (--circle LAT,LON,RADIUS_M | --polygon "LAT,LON;LAT,LON;…" | --geojson FILE) ' +
    '[--shipment ID] [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    id: { type: 'string' },
    name: { type: 'string' },
    unlocode: { type: 'string' },
    circle: { type: 'string' },
    polygon: { type: 'string' },
    geojson: { type: 'string' },
    shipment: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const zone = zoneFromFlags(values);
    const stored = await nodeClient(values).post<GeoZone>(base(values), zone);
    if (values.json) printJson(stored);
    else
      out(
        `added ${describeZone(stored)} to the ${str(values, 'shipment') ? `set of ${str(values, 'shipment')}` : 'node-wide set'}`,
      );
  },
};

const list: Command = {
  name: 'geofence list',
  summary: "List the node-wide geofence set, or a shipment's (--shipment ID).",
  usage: 'geofence list [--shipment ID] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, shipment: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const set = await nodeClient(values).get<{ zones: GeoZone[] }>(base(values));
    if (values.json) return void printJson(set.zones);
    if (set.zones.length === 0) out('no zones');
    for (const z of set.zones) out(describeZone(z));
  },
};

const remove: Command = {
  name: 'geofence remove',
  summary: "Remove a zone from the node-wide geofence set, or a shipment's (--shipment ID).",
  usage: 'geofence remove ZONE_ID [--shipment ID] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, shipment: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new CliError('give the zone id: geofence remove ZONE_ID');
    const id = positionals[0]!;
    await nodeClient(values).del(`${base(values)}/${encodeURIComponent(id)}`);
    if (values.json) printJson({ removed: id });
    else out(`removed ${id}`);
  },
};

export const geofenceCommands: Command[] = [add, list, remove];
