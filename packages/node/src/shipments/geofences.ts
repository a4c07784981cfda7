// Geofence sets the node keeps besides what a shipment's definition carries:
// one node-wide (the places every shipment passes — ports, depots) and one per
// shipment, managed with `tradetwin geofence` and /api/v1/…/geofences. Each
// non-empty set becomes one geofence rule of the shipment (NODE_GEOFENCE_RULE,
// SHIPMENT_GEOFENCE_RULE); the monitor re-evaluates the shipment from the log
// when a set changes. Stored as settings (small JSON values, zones validated
// by core/rules as the shipment's own location rules are).
import { type GeoZone, RuleError, validateZone } from '@tradetwin/core/rules/index';
import type { Settings } from '../storage/settings.js';

export const NODE_GEOFENCE_RULE = 'node-geofences';
export const SHIPMENT_GEOFENCE_RULE = 'shipment-geofences';
/** A set is small by design: every fix is tested against every zone. */
export const MAX_ZONES = 500;

export type GeofenceErrorCode = 'bad_zone' | 'zone_exists' | 'unknown_zone' | 'too_many_zones';

export class GeofenceError extends Error {
  constructor(
    readonly code: GeofenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GeofenceError';
  }
}

const settingKey = (shipmentId?: string) => (shipmentId === undefined ? 'geofences' : `geofences:${shipmentId}`);

export class GeofenceSets {
  /** Read-modify-write of one set at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: Settings) {}

  /** The node-wide set (no shipment id) or a shipment's. */
  async zones(shipmentId?: string): Promise<GeoZone[]> {
    const text = await this.settings.getSetting(settingKey(shipmentId));
    return text ? (JSON.parse(text) as GeoZone[]) : [];
  }

  /** Add a zone (validated; its id unique in the set). Throws GeofenceError. */
  add(raw: unknown, shipmentId?: string): Promise<GeoZone> {
    return this.exclusive(async () => {
      let zone: GeoZone;
      try {
        zone = validateZone(raw, 'zone');
      } catch (err) {
        if (err instanceof RuleError) throw new GeofenceError('bad_zone', err.message);
        throw err;
      }
      const zones = await this.zones(shipmentId);
      if (zones.some((z) => z.id === zone.id))
        throw new GeofenceError('zone_exists', `zone ${JSON.stringify(zone.id)} is already in the ${scopeName(shipmentId)}`);
      if (zones.length >= MAX_ZONES)
        throw new GeofenceError('too_many_zones', `the ${scopeName(shipmentId)} holds ${MAX_ZONES} zones already`);
      await this.settings.setSetting(settingKey(shipmentId), JSON.stringify([...zones, zone]));
      return zone;
    });
  }

  /** Remove a zone by id. Throws GeofenceError unknown_zone. */
  remove(id: string, shipmentId?: string): Promise<void> {
    return this.exclusive(async () => {
      const zones = await this.zones(shipmentId);
      const left = zones.filter((z) => z.id !== id);
      if (left.length === zones.length)
        throw new GeofenceError('unknown_zone', `no zone ${JSON.stringify(id)} in the ${scopeName(shipmentId)}`);
      await this.settings.setSetting(settingKey(shipmentId), JSON.stringify(left));
    });
  }

  /** The geofence rules these sets add to a shipment's location rules (none for empty sets). */
  async rulesFor(shipmentId: string): Promise<unknown[]> {
    const rules: unknown[] = [];
    const nodeWide = await this.zones();
    if (nodeWide.length > 0) rules.push({ kind: 'geofence', id: NODE_GEOFENCE_RULE, zones: nodeWide });
    const own = await this.zones(shipmentId);
    if (own.length > 0) rules.push({ kind: 'geofence', id: SHIPMENT_GEOFENCE_RULE, zones: own });
    return rules;
  }

  private exclusive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const scopeName = (shipmentId?: string) =>
  shipmentId === undefined ? 'node-wide geofence set' : `geofence set of shipment ${shipmentId}`;
