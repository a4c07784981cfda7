// What the index keeps of a TNT 3.0 event (storage/dcsa.ts's row): its
// identity, classification, equipment and document references, update time.
// Pure.
import type { DcsaEventRow, DcsaOrigin } from '../storage/dcsa.js';
import type { TntEvent } from './validate.js';

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The spec's identity of an event: originating party (code, provider, list) and eventID. */
export function eventKey(e: TntEvent): string {
  const p = obj(obj(e.eventRouting).originatingParty);
  return [p.partyCode, p.codeListProvider, p.codeListName, e.eventID].map((x) => str(x) ?? '').join('|');
}

function references(e: TntEvent, typeCode: string): string[] {
  const s = obj(e.shipmentDetails);
  const refs = [s.documentReference, ...(Array.isArray(s.additionalDocumentReferences) ? s.additionalDocumentReferences : [])];
  const out = new Set<string>();
  for (const r of refs) {
    const o = obj(r);
    if (o.typeCode === typeCode && typeof o.reference === 'string') out.add(o.reference);
  }
  return [...out];
}

/** When the event was last updated: eventUpdatedDateTime, else eventDateTime, else when the node received it. */
export function updatedAtOf(e: TntEvent, receivedAt: number): number {
  for (const v of [e.eventUpdatedDateTime, e.eventDateTime]) {
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(t)) return t;
  }
  return receivedAt;
}

export function eventRow(rid: number, e: TntEvent, origin: DcsaOrigin, json: string, receivedAt: number): DcsaEventRow {
  const c = obj(e.eventClassification);
  return {
    rid,
    key: eventKey(e),
    eventId: str(e.eventID) ?? '',
    eventType: str(c.eventTypeCode) ?? (e.isRetracted === true ? 'RETRACTED' : ''),
    shipmentEventTypeCode: str(c.shipmentEventTypeCode),
    equipmentEventTypeCode: str(c.equipmentEventTypeCode),
    transportEventTypeCode: str(c.transportEventTypeCode),
    equipmentReference: str(obj(e.equipmentDetails).equipmentReference),
    bookingReferences: references(e, 'BKG'),
    transportDocumentReferences: references(e, 'TRD'),
    updatedAt: updatedAtOf(e, receivedAt),
    origin,
    json,
  };
}
