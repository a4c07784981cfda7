// A shipment as a digital twin: who is party to it, what moves, the planned
// route, and which devices speak for it during which window. Its state is not
// stored but derived from the evidence (readings in the log, events on chain).
import { deviceIdProblem } from '@tradetwin/core/device/keys';
import { type LocationRule, RuleError, validateLocationRules } from '@tradetwin/core/rules/index';
import { NODE_GEOFENCE_RULE, SHIPMENT_GEOFENCE_RULE } from './geofences.js';

export const PARTY_ROLES = ['shipper', 'carrier', 'consignee', 'insurer', 'port', 'customs', 'financier', 'buyer'] as const;
export type PartyRole = (typeof PARTY_ROLES)[number];

export interface Party {
  role: PartyRole;
  name: string;
  /** The party's chain account (required for the policy holder and oracles). */
  account?: `0x${string}`;
}

export interface Place {
  name: string;
  /** UN/LOCODE, e.g. BEBRU, BEANR, KEMBA, KENBO. */
  unlocode?: string;
  lat: number;
  lon: number;
}

export interface Leg {
  from: Place;
  to: Place;
  mode: 'road' | 'sea' | 'air' | 'rail';
  /** ms since epoch */
  plannedDeparture: number;
  plannedArrival: number;
}

export interface DeviceAttachment {
  deviceId: string;
  /** The device speaks for this shipment from `from` (ms) until `to` (ms, open when absent). */
  from: number;
  to?: number;
}

export interface ShipmentDefinition {
  id: string;
  goods: { description: string; quantity?: number; unit?: string; gtin?: string };
  parties: Party[];
  legs: Leg[];
  devices: DeviceAttachment[];
  /** Condition rules (core/rules), evaluated over the attached devices' readings. */
  rules: unknown[];
  /**
   * Location rules (core/rules: geofences with UN/LOCODEs, the planned-route corridor, unscheduled
   * stops), evaluated over the attached devices' signed GPS fixes. Absent: none. As given here they
   * may omit defaults; validateShipment returns them complete.
   */
  locationRules?: unknown[];
  /** The carrier's references, as DCSA Track & Trace events name the shipment (derived events carry them). */
  references?: ShipmentReferences;
}

export interface ShipmentReferences {
  /** The container number (ISO 6346). */
  equipment?: string;
  /** The carrier booking reference. */
  booking?: string;
  /** The transport document (bill of lading) reference. */
  transportDocument?: string;
}

export class ShipmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShipmentError';
  }
}

const ID = /^[A-Za-z0-9._:-]{1,64}$/;

function place(v: unknown, where: string): Place {
  const p = v as Partial<Place> | null;
  if (!p || typeof p !== 'object') throw new ShipmentError(`${where} must be an object`);
  if (typeof p.name !== 'string' || p.name.trim() === '') throw new ShipmentError(`${where}.name is required`);
  if (typeof p.lat !== 'number' || p.lat < -90 || p.lat > 90)
    throw new ShipmentError(`${where}.lat must be a latitude in degrees`);
  if (typeof p.lon !== 'number' || p.lon < -180 || p.lon > 180)
    throw new ShipmentError(`${where}.lon must be a longitude in degrees`);
  if (p.unlocode !== undefined && !/^[A-Z]{2}[A-Z0-9]{3}$/.test(p.unlocode))
    throw new ShipmentError(`${where}.unlocode is not a UN/LOCODE`);
  return { name: p.name, lat: p.lat, lon: p.lon, ...(p.unlocode ? { unlocode: p.unlocode } : {}) };
}

const time = (v: unknown, where: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShipmentError(`${where} must be ms since epoch`);
  return v;
};

/** Check a shipment definition from an API body or a file; throws ShipmentError naming the field. */
export function validateShipment(raw: unknown, validateRules: (rules: unknown[]) => unknown[] = (r) => r): ShipmentDefinition {
  const s = raw as Partial<ShipmentDefinition> | null;
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new ShipmentError('a shipment must be a JSON object');
  if (typeof s.id !== 'string' || !ID.test(s.id)) throw new ShipmentError('id must be 1-64 characters of [A-Za-z0-9._:-]');
  if (!s.goods || typeof s.goods.description !== 'string' || s.goods.description === '') {
    throw new ShipmentError('goods.description is required');
  }
  if (!Array.isArray(s.parties) || s.parties.length === 0) throw new ShipmentError('parties must list at least one party');
  const parties = s.parties.map((p, i) => {
    if (!PARTY_ROLES.includes(p?.role as PartyRole))
      throw new ShipmentError(`parties[${i}].role must be one of ${PARTY_ROLES.join(', ')}`);
    if (typeof p.name !== 'string' || p.name === '') throw new ShipmentError(`parties[${i}].name is required`);
    if (p.account !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(p.account))
      throw new ShipmentError(`parties[${i}].account is not an address`);
    return { role: p.role, name: p.name, ...(p.account ? { account: p.account } : {}) };
  });
  if (!Array.isArray(s.legs) || s.legs.length === 0) throw new ShipmentError('legs must list at least one leg');
  const legs = s.legs.map((l, i) => {
    if (!['road', 'sea', 'air', 'rail'].includes(l?.mode))
      throw new ShipmentError(`legs[${i}].mode must be road, sea, air or rail`);
    const leg: Leg = {
      from: place(l.from, `legs[${i}].from`),
      to: place(l.to, `legs[${i}].to`),
      mode: l.mode,
      plannedDeparture: time(l.plannedDeparture, `legs[${i}].plannedDeparture`),
      plannedArrival: time(l.plannedArrival, `legs[${i}].plannedArrival`),
    };
    if (leg.plannedArrival <= leg.plannedDeparture) throw new ShipmentError(`legs[${i}] arrives before it departs`);
    return leg;
  });
  if (!Array.isArray(s.devices)) throw new ShipmentError('devices must be a list (it may be empty)');
  const devices = s.devices.map((d, i) => {
    const problem = deviceIdProblem(d?.deviceId);
    if (problem) throw new ShipmentError(`devices[${i}].deviceId: ${problem}`);
    const a: DeviceAttachment = { deviceId: d.deviceId, from: time(d.from, `devices[${i}].from`) };
    if (d.to !== undefined) {
      a.to = time(d.to, `devices[${i}].to`);
      if (a.to <= a.from) throw new ShipmentError(`devices[${i}].to is before its from`);
    }
    return a;
  });
  const rules = validateRules(Array.isArray(s.rules) ? s.rules : []);
  const references = s.references === undefined ? undefined : shipmentReferences(s.references);
  const locationRules = shipmentLocationRules(s.locationRules);
  return {
    id: s.id,
    goods: { ...s.goods },
    parties,
    legs,
    devices,
    rules,
    ...(locationRules ? { locationRules } : {}),
    ...(references ? { references } : {}),
  };
}

function shipmentLocationRules(v: unknown): LocationRule[] | undefined {
  if (v === undefined || (Array.isArray(v) && v.length === 0)) return undefined;
  try {
    const rules = validateLocationRules(v, 'locationRules');
    const reserved = rules.findIndex((r) => r.id === NODE_GEOFENCE_RULE || r.id === SHIPMENT_GEOFENCE_RULE);
    if (reserved >= 0)
      throw new ShipmentError(`locationRules[${reserved}].id: "${rules[reserved]!.id}" is reserved for the node's geofence sets`);
    return rules;
  } catch (err) {
    // The rule error already names the field (locationRules[0].zones[1].unlocode: …).
    if (err instanceof RuleError) throw new ShipmentError(err.message);
    throw err;
  }
}

function shipmentReferences(v: unknown): ShipmentReferences {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ShipmentError('references must be an object');
  const out: ShipmentReferences = {};
  for (const [k, max] of [
    ['equipment', 11],
    ['booking', 35],
    ['transportDocument', 20],
  ] as const) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x === '' || x.length > max)
      throw new ShipmentError(`references.${k} must be a string of 1-${max} characters`);
    out[k] = x;
  }
  return out;
}

/** Is this device speaking for the shipment at time t? */
export function attachedAt(s: ShipmentDefinition, deviceId: string, t: number): boolean {
  return s.devices.some((d) => d.deviceId === deviceId && t >= d.from && (d.to === undefined || t < d.to));
}
