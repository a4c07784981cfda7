// Scenario S1 (docs: ../shared/design/SCENARIOS.md): a vaccine consignment in a
// reefer, Brussels → Antwerp → (sea) → Mombasa → Nairobi. During transhipment
// at Mombasa the door stays open for 95 minutes and the load warms to ~14 °C
// against a 2–8 °C band with 30 minutes' tolerance. Pure data: times are
// offsets from the journey start, so the demo can place it anywhere in time.
import type { Address } from 'viem';
import type { PolicyTerms } from '@tradetwin/contracts/cover';
import { shipmentIdHash } from '../chain/cover.js';
import type { Route } from '../device/route.js';
import type { Leg, Place, ShipmentDefinition } from '../shipments/definition.js';

const H = 3600_000;
const D = 24 * H;

export const PLACES = {
  brussels: { name: 'Brussels (manufacturer)', unlocode: 'BEBRU', lat: 50.8503, lon: 4.3517 },
  antwerp: { name: 'Port of Antwerp', unlocode: 'BEANR', lat: 51.2637, lon: 4.3986 },
  mombasa: { name: 'Port of Mombasa', unlocode: 'KEMBA', lat: -4.0435, lon: 39.6682 },
  nairobi: { name: 'Nairobi (Ministry of Health store)', unlocode: 'KENBO', lat: -1.2921, lon: 36.8219 },
} satisfies Record<string, Place>;

/** Offsets from the journey start, ms. */
export const TIMELINE = {
  departBrussels: 0,
  arriveAntwerp: 3 * H,
  sail: 8 * H,
  arriveMombasa: 18 * D,
  /** Transhipment: the reefer is unplugged and its door left open. */
  doorOpen: 18 * D + 3 * H,
  doorOpenMs: 95 * 60_000,
  departMombasa: 18 * D + 8 * H,
  arriveNairobi: 18 * D + 20 * H,
} as const;

/** The whole journey lasts this long; the demo starts it this long (plus a margin) before now. */
export const JOURNEY_MS = TIMELINE.arriveNairobi;

/** Sea route waypoints (Channel, Gibraltar, Suez, Red Sea, Gulf of Aden), timed along the leg. */
const SEA: [number, number][] = [
  [51.2637, 4.3986],
  [51.0, 1.6],
  [48.5, -5.5],
  [36.0, -6.0],
  [36.5, 0.0],
  [37.3, 11.0],
  [33.0, 25.0],
  [31.3, 32.3],
  [27.5, 34.0],
  [15.0, 41.8],
  [12.5, 45.0],
  [11.5, 51.5],
  [2.0, 47.0],
  [-4.0435, 39.6682],
];

/** The tracker's route, with the time of every waypoint. */
export function journeyRoute(): Route {
  const sea = SEA.map(([lat, lon], i) => ({
    lat,
    lon,
    atMs: TIMELINE.sail + ((TIMELINE.arriveMombasa - TIMELINE.sail) * i) / (SEA.length - 1),
  }));
  return {
    name: 'brussels-antwerp-mombasa-nairobi',
    waypoints: [
      { lat: PLACES.brussels.lat, lon: PLACES.brussels.lon, atMs: TIMELINE.departBrussels },
      { lat: PLACES.antwerp.lat, lon: PLACES.antwerp.lon, atMs: TIMELINE.arriveAntwerp },
      ...sea,
      { lat: PLACES.mombasa.lat, lon: PLACES.mombasa.lon, atMs: TIMELINE.departMombasa },
      { lat: -3.4, lon: 38.6, atMs: TIMELINE.departMombasa + 5 * H },
      { lat: PLACES.nairobi.lat, lon: PLACES.nairobi.lon, atMs: TIMELINE.arriveNairobi },
    ],
  };
}

/** When the logger uploads what it buffered (store-and-forward): ports with coverage. */
export const UPLOADS = [
  { at: TIMELINE.sail, where: 'Antwerp, before sailing' },
  { at: TIMELINE.departMombasa, where: 'Mombasa, after transhipment' },
  { at: TIMELINE.arriveNairobi, where: 'Nairobi, on delivery' },
] as const;

/**
 * The places as geofences, with their UN/LOCODEs: the ports a circle and a polygon around the
 * terminals, the shipper's plant and the consignee's store circles. Crossings become DCSA ARRI/DEPA.
 */
export const GEOFENCE_RULE_ID = 'places';
export const PORT_LOCODES = [PLACES.antwerp.unlocode, PLACES.mombasa.unlocode] as const;

export function demoGeofences() {
  const circle = (id: string, p: Place, radiusM: number) => ({
    id,
    name: p.name,
    unlocode: p.unlocode!,
    shape: 'circle' as const,
    center: [p.lat, p.lon] as [number, number],
    radiusM,
  });
  const m = PLACES.mombasa;
  return [
    circle('brussels-plant', PLACES.brussels, 2000),
    circle('antwerp-port', PLACES.antwerp, 5000),
    {
      id: 'mombasa-port',
      name: m.name,
      unlocode: m.unlocode,
      shape: 'polygon' as const,
      // Kilindini harbour and the container terminal, roughly 9 × 10 km.
      ring: [
        [m.lat - 0.04, m.lon - 0.05],
        [m.lat - 0.04, m.lon + 0.04],
        [m.lat + 0.05, m.lon + 0.04],
        [m.lat + 0.05, m.lon - 0.05],
      ] as [number, number][],
    },
    circle('nairobi-store', PLACES.nairobi, 2000),
  ];
}

export const DEVICES = { reefer: 'reefer-logger-001', tracker: 'gps-tracker-001' } as const;
export const SHIPMENT_ID = 'SHP-VAX-2026-0001';
export const BAND_RULE_ID = 'temp-2-8';
/** The reefer container (ISO 6346, check digit 3) and the carrier's booking and B/L: DCSA events name them. */
export const SHIPMENT_REFERENCES = {
  equipment: 'OCLU2026013',
  booking: 'OCL2026VAX01',
  transportDocument: 'OCLBL2026VAX01',
} as const;

export function demoShipment(start: number, parties: { shipper: string; carrier: string; insurer: string }): ShipmentDefinition {
  const leg = (from: Place, to: Place, mode: Leg['mode'], dep: number, arr: number): Leg => ({
    from,
    to,
    mode,
    plannedDeparture: start + dep,
    plannedArrival: start + arr,
  });
  return {
    id: SHIPMENT_ID,
    goods: { description: 'Vaccine vials, 2–8 °C (60 pallets)', quantity: 60, unit: 'pallet', gtin: '09506000134352' },
    references: { ...SHIPMENT_REFERENCES },
    parties: [
      { role: 'shipper', name: 'Pharma Manufacturer NV', account: parties.shipper as `0x${string}` },
      { role: 'carrier', name: 'Ocean Carrier Ltd', account: parties.carrier as `0x${string}` },
      { role: 'consignee', name: 'Ministry of Health, Kenya' },
      { role: 'insurer', name: 'Cold Chain Insurance plc', account: parties.insurer as `0x${string}` },
    ],
    legs: [
      leg(PLACES.brussels, PLACES.antwerp, 'road', TIMELINE.departBrussels, TIMELINE.arriveAntwerp),
      leg(PLACES.antwerp, PLACES.mombasa, 'sea', TIMELINE.sail, TIMELINE.arriveMombasa),
      leg(PLACES.mombasa, PLACES.nairobi, 'road', TIMELINE.departMombasa, TIMELINE.arriveNairobi),
    ],
    devices: [
      { deviceId: DEVICES.reefer, from: start - H, to: start + TIMELINE.arriveNairobi + H },
      { deviceId: DEVICES.tracker, from: start - H, to: start + TIMELINE.arriveNairobi + H },
    ],
    rules: [
      {
        kind: 'band',
        id: BAND_RULE_ID,
        sensor: 'temp',
        min: 2,
        max: 8,
        toleranceMinutes: 30,
        mode: 'continuous',
        stabilityBudgetMinutes: 720,
        shelfLifeDays: 730,
      },
      { kind: 'band', id: 'rh-30-95', sensor: 'rh', min: 30, max: 95, toleranceMinutes: 60, mode: 'continuous' },
      { kind: 'threshold', id: 'shock-10g', sensor: 'shock', maxG: 10 },
      {
        kind: 'light',
        id: 'opened-outside-ports',
        luxAbove: 50,
        sensors: ['door'],
        allowedZones: [
          { name: 'Brussels plant', center: [PLACES.brussels.lat, PLACES.brussels.lon], radiusM: 2000 },
          { name: 'Nairobi store', center: [PLACES.nairobi.lat, PLACES.nairobi.lon], radiusM: 2000 },
        ],
      },
      { kind: 'gap', id: 'silence-3h', maxSilenceMinutes: 180, window: { from: start, to: start + TIMELINE.arriveNairobi } },
    ],
    // On the GPS tracker's signed fixes: the places' fences, the planned route's corridor, unscheduled stops.
    locationRules: [
      { kind: 'geofence', id: GEOFENCE_RULE_ID, zones: demoGeofences() },
      {
        kind: 'corridor',
        id: 'planned-route-50km',
        route: journeyRoute().waypoints.map((w) => [w.lat, w.lon] as [number, number]),
        maxDistanceKm: 50,
        minMinutes: 60,
      },
      { kind: 'stop', id: 'unscheduled-stop', allowedZones: demoGeofences() },
    ],
  };
}

const USD = 1_000_000n; // tUSD has 6 decimals

/**
 * S1's parametric cover: 250,000 tUSD on the consignment for 1,200 premium; 2–8 °C with 30 minutes'
 * tolerance, 20 % per started hour beyond, all from 4 h; open until five days after the journey.
 * The evidence must come from `logPublisher`'s log (the carrier's node).
 */
export function s1PolicyTerms(p: { holder: Address; shipmentId: string; start: number; logPublisher: Address }): PolicyTerms {
  return {
    holder: p.holder,
    shipmentId: shipmentIdHash(p.shipmentId),
    premium: 1_200n * USD,
    sumInsured: 250_000n * USD,
    minCentiC: 200,
    maxCentiC: 800,
    toleranceMinutes: 30,
    catastrophicMinutes: 240,
    payoutPerHourBps: 2_000,
    expiresAt: BigInt(Math.floor((p.start + JOURNEY_MS + 5 * D) / 1000)),
    logPublisher: p.logPublisher,
  };
}
