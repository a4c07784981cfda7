// The node API's JSON about shipments (the digital twins), their policies and
// payouts: GET /api/v1/shipments, /shipments/{id}, /policies, /payouts.
// Excursions and rules are the rules engine's own types.
import type { Hex } from 'viem';
import type { Rule } from '../rules/definition.js';
import type { Excursion } from '../rules/excursion.js';
import type { GeoZone, LocationRule } from '../rules/location-definition.js';
import type { LocationEvent } from '../rules/location-event.js';
import type { MoneyJson, TokenJson } from './money.js';
import type { OrgRefJson } from './orgs.js';

export type { Excursion, GeoZone, LocationEvent, LocationRule, MoneyJson, OrgRefJson, Rule, TokenJson };

export interface PlaceJson {
  name: string;
  unlocode?: string;
  lat: number;
  lon: number;
}

export interface LegJson {
  from: PlaceJson;
  to: PlaceJson;
  mode: 'road' | 'sea' | 'air' | 'rail';
  plannedDeparture: number;
  plannedArrival: number;
}

export interface ShipmentJson {
  id: string;
  goods: { description: string; quantity?: number; unit?: string; gtin?: string };
  parties: { role: string; name: string; account?: Hex }[];
  legs: LegJson[];
  devices: { deviceId: string; from: number; to?: number }[];
  rules: Rule[];
  /** Geofences (with UN/LOCODEs), the planned-route corridor, unscheduled-stop rules; absent: none. */
  locationRules?: LocationRule[];
  /** The carrier's references (container, booking, B/L): what DCSA events name the shipment by. */
  references?: { equipment?: string; booking?: string; transportDocument?: string };
}

/** A geofence set (GET /api/v1/geofences, /api/v1/shipments/{id}/geofences). */
export interface GeofenceSetJson {
  scope: 'node' | 'shipment';
  shipmentId?: string;
  zones: GeoZone[];
}

export interface LatestReadingJson {
  t: number;
  k: string;
  v: number | [number, number];
  deviceId: string;
  readingId: string;
}

export interface PolicyTermsJson {
  holder?: Hex;
  shipmentId?: Hex;
  /** Token base units (raw), decimal string; PolicyJson.money has it for people. */
  premium?: string;
  /** Token base units (raw), decimal string; PolicyJson.money has it for people. */
  sumInsured?: string;
  minCentiC?: number;
  maxCentiC?: number;
  toleranceMinutes?: number;
  catastrophicMinutes?: number;
  payoutPerHourBps?: number;
  expiresAt?: string;
  logPublisher?: Hex;
  [k: string]: unknown;
}

export interface PolicyJson {
  policyId: number;
  shipmentId: string;
  cover: Hex;
  terms: PolicyTermsJson;
  state: 'offered' | 'bound' | 'paid' | 'expired' | 'cancelled';
  boundTx?: string;
  /** The cover's settlement token as the chain reports it (absent when the chain did not answer). */
  token?: TokenJson;
  /** The terms' amounts with the token's symbol and decimals (absent without the token). */
  money?: { sumInsured?: MoneyJson; premium?: MoneyJson };
  /** The policy holder by organisation name (terms.holder is the address). */
  holderOrg?: OrgRefJson;
}

export interface PayoutJson {
  policyId: number;
  excursionId: Hex;
  /** Token base units (raw), decimal string; `money` has the amount for people. */
  amount: string;
  /** The amount with its token's symbol and decimals (absent when the chain did not say which token). */
  money?: MoneyJson;
  txHash: Hex;
  paidAt: number;
  /** The attesting oracles' accounts. */
  signers: Hex[];
  /** The same accounts with their organisations' names, in the same order. */
  signerOrgs?: OrgRefJson[];
}

export interface ShipmentStateJson {
  shipment: ShipmentJson;
  status: 'planned' | 'in_transit' | 'arrived';
  latest: Record<string, LatestReadingJson>;
  excursions: Excursion[];
  /** What the location rules derive from the signed GPS fixes: geofence stays, deviations, stops. */
  locationEvents: LocationEvent[];
  breached: number;
  policies: PolicyJson[];
  payouts: PayoutJson[];
}
