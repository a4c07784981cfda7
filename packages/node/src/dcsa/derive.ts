// DCSA events the node derives from its own evidence. Pure: evidence in, TNT 3.0
// events out, each with a deterministic eventID (the same evidence always
// derives the same event, so deriving again adds nothing) and the extension
// field `x-tradetwin-evidence` naming what proves it — the readings (ids
// "<leaf>:<position>") and log leaves of a monitor excursion, or the EPCIS
// event (its eventID, hash id and log leaf).
//
//   temperature band excursion (breached)   REEFER MEAS, the peak as a probe measurement
//   door opened outside allowed zones       IOT DETC, iotEventCode DRO, where it happened
//   geofence entry / exit of a zone with a UN/LOCODE (the location rules on the tracker's signed fixes):
//     TRANSPORT ARRI / DEPA at that UN/LOCODE; the mode of transport is the planned leg's that ends / starts
//     there (road → TRUCK, sea → VESSEL, rail → RAIL). Not GTIN/GTOT: a truck inside the port area has not
//     passed the terminal's gate — those come from the terminal's own EPCIS events below.
//   EPCIS ObjectEvent/… with a BIC container EPC (urn:epc:id:bic:…) and a CBV bizStep:
//     arriving → GTIN, departing → GTOT, loading → LOAD, unloading → DISC   (EQUIPMENT)
import type { Crossing, Excursion, GeofenceEvent, LocationEvent } from '@tradetwin/core/rules/index';
import type { Leg, ShipmentDefinition } from '../shipments/definition.js';
import type { TntEvent } from './validate.js';

/** Who the node is in a derived event's routing: its chain address, in a mutually defined list. */
export interface DerivingNode {
  address: string;
}

export const EVIDENCE_FIELD = 'x-tradetwin-evidence';

/** Which version of a derived event this is: "open" while its excursion is open, "final" after. */
export function derivedVersion(e: TntEvent): string {
  const ev = e[EVIDENCE_FIELD] as { open?: unknown } | undefined;
  return ev?.open === true ? 'open' : 'final';
}

const iso = (ms: number) => new Date(ms).toISOString();

function routing(node: DerivingNode) {
  return { originatingParty: { partyCode: node.address, codeListProvider: 'ZZZ', codeListName: 'TradeTwin' } };
}

function shipmentDetails(s: ShipmentDefinition) {
  const r = s.references ?? {};
  return {
    ...(r.booking ? { documentReference: { typeCode: 'BKG', reference: r.booking } } : {}),
    ...(r.transportDocument ? { additionalDocumentReferences: [{ typeCode: 'TRD', reference: r.transportDocument }] } : {}),
    shipmentReferences: [{ typeCode: 'CSI', reference: s.id }],
  };
}

function equipment(s: ShipmentDefinition) {
  const ref = s.references?.equipment;
  return ref ? { equipmentDetails: { equipmentReference: ref } } : {};
}

/**
 * The DCSA event a monitor excursion proves, or null when it proves none: a breached temperature band
 * excursion is a reefer alarm (REEFER MEAS); a door opened where it should not be is an IoT DRO event.
 * Derived again as the excursion grows or closes, it keeps its eventID and moves eventUpdatedDateTime,
 * so consumers see the newest version only (TNT 3.0's override rule).
 */
export function eventFromExcursion(x: Excursion, s: ShipmentDefinition, node: DerivingNode): TntEvent | null {
  const evidence = {
    kind: 'excursion',
    excursionId: x.id,
    shipmentId: x.shipmentId,
    ruleId: x.ruleId,
    deviceId: x.deviceId,
    open: x.open,
    breached: x.breached,
    ...(x.kind !== 'gap'
      ? {
          readingIds: x.evidence.readingIds,
          leaves: { first: x.evidence.firstLeafIndex, last: x.evidence.lastLeafIndex },
        }
      : {}),
  };
  const base = {
    eventRouting: routing(node),
    eventDateTime: iso(x.startedAt),
    eventUpdatedDateTime: iso(x.lastObservedAt),
    shipmentDetails: shipmentDetails(s),
    ...equipment(s),
  };
  if (x.kind === 'band' && x.sensor === 'temp' && x.breached) {
    return {
      eventID: `tt-reefer-${x.id}`,
      ...base,
      eventClassification: { eventTypeCode: 'REEFER', eventClassifierCode: 'ACT', reeferEventTypeCode: 'MEAS' },
      reeferDetails: {
        temperatureUnit: 'CEL',
        temperatureProbeMeasurements: [
          { measuredTemperatureValue: x.peak, probeLabel: `${x.deviceId} (peak, ${x.direction} band)` },
        ],
      },
      [EVIDENCE_FIELD]: { ...evidence, peak: x.peak, minutesOutside: x.minutesOutside },
    };
  }
  if (x.kind === 'light' && x.sensor === 'door') {
    return {
      eventID: `tt-iot-door-${x.id}`,
      ...base,
      ...(x.position
        ? { eventLocation: { geoCoordinate: { latitude: String(x.position[0]), longitude: String(x.position[1]) } } }
        : {}),
      eventClassification: { eventTypeCode: 'IOT', eventClassifierCode: 'ACT', iotEventTypeCode: 'DETC' },
      iotDetails: { iotEventCode: 'DRO' },
      [EVIDENCE_FIELD]: evidence,
    };
  }
  return null;
}

const MODE_OF_TRANSPORT: Record<Leg['mode'], string | null> = { road: 'TRUCK', sea: 'VESSEL', rail: 'RAIL', air: null };

/** The mode of the planned leg that arrives at (or departs from) the UN/LOCODE; null: no such leg, or air. */
function modeAt(s: ShipmentDefinition, unlocode: string, end: 'to' | 'from'): string | null {
  const leg = s.legs.find((l) => l[end].unlocode === unlocode);
  return leg ? MODE_OF_TRANSPORT[leg.mode] : null;
}

/**
 * The DCSA transport events a location event proves: a geofence stay in a zone with a UN/LOCODE gives
 * ARRI at its confirmed entry and DEPA at its confirmed exit (none for a stay the track began inside, or
 * still open); corridor deviations and stops give none. A confirmed crossing does not change as the stay
 * goes on, so each event is final at once; its eventID follows from the location event's id.
 */
export function eventsFromLocationEvent(e: LocationEvent, s: ShipmentDefinition, node: DerivingNode): TntEvent[] {
  if (e.kind !== 'geofence' || e.zone.unlocode === null) return [];
  const out: TntEvent[] = [];
  const crossings: [GeofenceEvent['entry'], 'ARRI' | 'DEPA', 'to' | 'from'][] = [
    [e.entry, 'ARRI', 'to'],
    [e.exit, 'DEPA', 'from'],
  ];
  for (const [crossing, code, end] of crossings) {
    if (crossing === null) continue;
    out.push(transportEvent(e, crossing, code, modeAt(s, e.zone.unlocode, end), s, node));
  }
  return out;
}

function transportEvent(
  e: GeofenceEvent,
  crossing: Crossing,
  code: 'ARRI' | 'DEPA',
  mode: string | null,
  s: ShipmentDefinition,
  node: DerivingNode,
): TntEvent {
  const leaves = crossing.fixes.map((f) => f.leafIndex);
  return {
    eventID: `tt-transport-${code.toLowerCase()}-${e.id.replace(/^0x/, '')}`,
    eventRouting: routing(node),
    eventDateTime: iso(crossing.at),
    eventUpdatedDateTime: iso(crossing.fixes.at(-1)!.t),
    eventLocation: {
      locationName: e.zone.name.slice(0, 100),
      UNLocationCode: e.zone.unlocode!,
      geoCoordinate: { latitude: String(crossing.position[0]), longitude: String(crossing.position[1]) },
    },
    eventClassification: { eventTypeCode: 'TRANSPORT', eventClassifierCode: 'ACT', transportEventTypeCode: code },
    ...(mode ? { transportDetails: { transportCall: { modeOfTransport: mode } } } : {}),
    shipmentDetails: shipmentDetails(s),
    ...equipment(s),
    [EVIDENCE_FIELD]: {
      kind: 'geofence',
      locationEventId: e.id,
      shipmentId: e.shipmentId,
      ruleId: e.ruleId,
      deviceId: e.deviceId,
      zone: e.zone,
      crossing: code === 'ARRI' ? 'entry' : 'exit',
      open: false,
      // The fixes that confirmed the crossing, and the last believed one before it (the other side).
      readingIds: crossing.fixes.map((f) => f.readingId),
      before: crossing.after?.readingId ?? null,
      leaves: { first: Math.min(...leaves), last: Math.max(...leaves) },
    },
  };
}

/** CBV business steps (bare or as urn:epcglobal:cbv:bizstep:…) and the equipment event each is. */
export const BIZSTEP_EQUIPMENT_CODE: Record<string, string> = {
  arriving: 'GTIN',
  departing: 'GTOT',
  loading: 'LOAD',
  unloading: 'DISC',
};

const BIC_EPC = /^urn:epc:id:bic:([A-Z]{3}[UJZ]\d{7})$/;

function bizStepName(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^(?:urn:epcglobal:cbv:bizstep:|https:\/\/ref\.gs1\.org\/cbv\/BizStep-)?([A-Za-z_]+)$/.exec(v);
  return m ? m[1]! : null;
}

/** The containers (ISO 6346 numbers from BIC EPCs) an EPCIS event names. */
function containersOf(e: Record<string, unknown>): string[] {
  const ids = [
    ...(Array.isArray(e.epcList) ? e.epcList : []),
    ...(Array.isArray(e.childEPCs) ? e.childEPCs : []),
    ...(Array.isArray(e.inputEPCList) ? e.inputEPCList : []),
    ...(Array.isArray(e.outputEPCList) ? e.outputEPCList : []),
    e.parentID,
  ];
  const out = new Set<string>();
  for (const id of ids) {
    const m = typeof id === 'string' ? BIC_EPC.exec(id) : null;
    if (m) out.add(m[1]!);
  }
  return [...out];
}

/** A UN/LOCODE the EPCIS event's business location names (urn:epc:id:… ids do not; a "…unlocode:XXXXX" id does). */
function unLocodeOf(e: Record<string, unknown>): string | null {
  const loc = (e.bizLocation ?? e.readPoint) as { id?: unknown } | undefined;
  const id = typeof loc?.id === 'string' ? loc.id : '';
  const m = /(?:unlocode[:/=])([A-Z]{2}[A-Z2-9]{3})$/i.exec(id);
  return m ? m[1]!.toUpperCase() : null;
}

/**
 * The equipment events an EPCIS event proves: one per container it names, when its bizStep is one
 * of BIZSTEP_EQUIPMENT_CODE (none otherwise). Bills of lading among its bizTransactions become the
 * transport document reference.
 */
export function eventsFromEpcis(
  e: Record<string, unknown>,
  proof: { leafIndex: number; hashId: string },
  node: DerivingNode,
): TntEvent[] {
  const step = bizStepName(e.bizStep);
  const code = step ? BIZSTEP_EQUIPMENT_CODE[step] : undefined;
  if (!code || typeof e.eventTime !== 'string') return [];
  const bols = (Array.isArray(e.bizTransactionList) ? e.bizTransactionList : [])
    .filter((b: { type?: unknown }) => typeof b?.type === 'string' && /(^|[:/-])bol$/.test(b.type))
    // The B/L number is the identifier's last segment (urn:epcglobal:cbv:bt:<issuer>:<number>, or a URL path).
    .map((b: { bizTransaction?: unknown }) => String(b.bizTransaction).split(/[:/]/).at(-1)!.slice(0, 100))
    .filter((ref: string) => ref !== '');
  const locode = unLocodeOf(e);
  const recorded = typeof e.recordTime === 'string' ? e.recordTime : e.eventTime;
  return containersOf(e).map((container) => ({
    eventID: `tt-equipment-${proof.hashId.replace(/^ni:\/\/\/sha-256;/, '').slice(0, 64)}-${container}`,
    eventRouting: routing(node),
    eventDateTime: new Date(Date.parse(e.eventTime as string)).toISOString(),
    eventUpdatedDateTime: new Date(Date.parse(recorded as string)).toISOString(),
    ...(locode ? { eventLocation: { UNLocationCode: locode } } : {}),
    eventClassification: { eventTypeCode: 'EQUIPMENT', eventClassifierCode: 'ACT', equipmentEventTypeCode: code },
    equipmentDetails: { equipmentReference: container },
    ...(bols.length > 0 ? { shipmentDetails: { documentReference: { typeCode: 'TRD', reference: bols[0]! } } } : {}),
    [EVIDENCE_FIELD]: {
      kind: 'epcis',
      eventID: e.eventID ?? null,
      hashId: proof.hashId,
      leafIndex: proof.leafIndex,
      bizStep: e.bizStep,
    },
  }));
}
