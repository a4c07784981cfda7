// Shared shapes of the EPCIS module (node side). Events are JSON objects as
// GS1's EPCIS 2.0 JSON binding defines them; the repository indexes the fields
// the SimpleEventQuery and trace need and keeps the canonical JSON.

export type EpcisEvent = Record<string, unknown>;

// Event types and the pinned context are core's (core/epcis/document.ts).
import type { EventType } from '@tradetwin/core/epcis/document';
import type { ExtensionIndex } from './extension-index.js';

export { EPCIS_CONTEXT_URL as EPCIS_CONTEXT, EVENT_TYPES, type EventType } from '@tradetwin/core/epcis/document';
export const EPCIS_VERSION = '2.0.0';
export const CBV_VERSION = '2.0.0';

/** Where an identifier appears in an event (the EPC/role index). */
export const ROLE = {
  epc: 1, // epcList
  parent: 2, // parentID
  child: 3, // childEPCs
  input: 4, // inputEPCList
  output: 5, // outputEPCList
  quantity: 6, // quantityList[].epcClass
  childQuantity: 7, // childQuantityList[].epcClass
  inputQuantity: 8, // inputQuantityList[].epcClass
  outputQuantity: 9, // outputQuantityList[].epcClass
} as const;
export type RoleName = keyof typeof ROLE;
export type RoleCode = (typeof ROLE)[RoleName];
export const ROLE_NAME: Record<number, RoleName> = Object.fromEntries(Object.entries(ROLE).map(([k, v]) => [v, k])) as Record<
  number,
  RoleName
>;

/** Other references an event makes (link index). */
export const LINK = {
  bizTransaction: 1,
  source: 2,
  destination: 3,
  correctiveEventID: 4,
  persistentDispositionSet: 5,
  persistentDispositionUnset: 6,
} as const;
export type LinkName = keyof typeof LINK;
export type LinkCode = (typeof LINK)[LinkName];

export interface EpcRow {
  epc: string;
  role: RoleCode;
  quantity: number | null;
  uom: string | null;
}

export interface LinkRow {
  kind: LinkCode;
  /** bizTransaction / source / destination type (normalised), else null. */
  type: string | null;
  value: string;
}

/** One sensorReport with the sensorMetadata of its element folded in. */
export interface SensorRow {
  element: number;
  report: number;
  type: string | null;
  deviceId: string | null;
  time: number | null;
  startTime: number | null;
  endTime: number | null;
  uom: string | null;
  value: number | null;
  minValue: number | null;
  maxValue: number | null;
  meanValue: number | null;
  sDev: number | null;
  percRank: number | null;
  percValue: number | null;
  stringValue: string | null;
  booleanValue: number | null;
  hexBinaryValue: string | null;
  uriValue: string | null;
  dataProcessingMethod: string | null;
  microorganism: string | null;
  chemicalSubstance: string | null;
  bizRules: string | null;
}

/** What the repository indexes for one captured event. */
export interface IndexedEvent {
  eventId: string;
  hashId: string;
  type: EventType;
  eventTime: number;
  tzOffset: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  transformationId: string | null;
  hasSensor: boolean;
  declaration: { time: number; reason: string | null } | null;
  epcs: EpcRow[];
  links: LinkRow[];
  sensors: SensorRow[];
  /** User extension fields and ILMD (extension-index.ts). */
  ext: ExtensionIndex;
  /** GS1 Company Prefixes the event's EPC URNs reveal (for GS1-EPC-Format: Always_EPC_URN). */
  gcps: string[];
}

/** An event ready to be logged: its index entry and the exact canonical JSON. */
export interface PreparedEvent {
  index: IndexedEvent;
  /** Canonical JSON (RFC 8785) of the event as stored (eventID set, no recordTime). */
  json: string;
  /** Position in the captured document's eventList. */
  position: number;
}

/** A stored event as the repository returns it. */
export interface StoredEvent {
  leafIndex: number;
  eventId: string;
  hashId: string;
  type: EventType;
  eventTime: number;
  recordTime: number;
  isDeclaration: boolean;
  /** For an original event: the leaf index of the error declaration that marks it. */
  declaredBy: number | null;
  captureId: string | null;
  json: string;
}

export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/** RFC 7807 problem bodies as capture jobs list them. */
export interface CaptureProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  /** Position of the event in the document's eventList, when one event is at fault. */
  eventIndex?: number;
  eventID?: string;
  pointer?: string;
}

export interface CaptureJob {
  captureID: string;
  createdAt: string;
  finishedAt?: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: CaptureErrorBehaviour;
  errors: CaptureProblem[];
  /** TradeTwin additions: how many events the document held and how many were stored, and where. */
  eventCount: number;
  capturedCount: number;
  leaves: { first: number; last: number } | null;
}
