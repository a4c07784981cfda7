// From one EPCIS 2.0 JSON event to what the repository indexes, with the
// semantic checks a JSON schema cannot make (real calendar dates, offsets in
// range, a known event type) reported precisely, each with a JSON pointer.
import { companyPrefixes } from './epc-format.js';
import { extractExtensions } from './extension-index.js';
import { describe, parseDateTime, parseOffset } from './time.js';
import {
  EVENT_TYPES,
  type EpcisEvent,
  type EpcRow,
  type EventType,
  type IndexedEvent,
  LINK,
  type LinkRow,
  ROLE,
  type RoleCode,
  type SensorRow,
} from './types.js';
import { type EpcForms, epcKey, normaliseCbv, normaliseGs1Term } from './vocab.js';

export interface FieldProblem {
  code: string;
  pointer: string;
  detail: string;
}

export type Extracted = { ok: true; index: Omit<IndexedEvent, 'hashId' | 'eventId'> } | { ok: false; problems: FieldProblem[] };

const ACTIONS = new Set(['ADD', 'OBSERVE', 'DELETE']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** `contexts`: the capturing document's extra @context entries (the event's own are read from it). */
export function extractEvent(event: EpcisEvent, base: string, forms: EpcForms = {}, contexts: unknown[] = []): Extracted {
  const problems: FieldProblem[] = [];
  const fail = (code: string, pointer: string, detail: string): void => {
    problems.push({ code, pointer: `${base}${pointer}`, detail });
  };

  const type = event.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    fail(
      'unknown_event_type',
      '/type',
      `event type ${typeof type === 'string' ? `"${type}"` : describe(type)} is not one this repository captures (${EVENT_TYPES.join(', ')})`,
    );
    return { ok: false, problems };
  }
  const t = parseDateTime(event.eventTime);
  if (!t.ok) fail('bad_event_time', '/eventTime', `eventTime ${event.eventTime === undefined ? 'is required' : t.reason}`);
  const tz = parseOffset(event.eventTimeZoneOffset);
  if (!tz.ok) {
    fail(
      'bad_time_zone_offset',
      '/eventTimeZoneOffset',
      event.eventTimeZoneOffset === undefined ? 'eventTimeZoneOffset is required' : `eventTimeZoneOffset: ${tz.reason}`,
    );
  }
  let action: string | null = null;
  if (type !== 'TransformationEvent') {
    if (typeof event.action !== 'string' || !ACTIONS.has(event.action)) {
      fail('bad_action', '/action', `action must be ADD, OBSERVE or DELETE for a ${type}, not ${describe(event.action)}`);
    } else action = event.action;
  }
  if (
    event.eventID !== undefined &&
    (typeof event.eventID !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(event.eventID))
  ) {
    fail('bad_event_id', '/eventID', `eventID must be a URI, not ${describe(event.eventID)}`);
  }

  const epcs: EpcRow[] = [];
  const addEpcs = (field: string, role: RoleCode) => {
    const list = event[field];
    if (list === undefined) return;
    if (!Array.isArray(list)) return fail('bad_field', `/${field}`, `${field} must be an array of URIs`);
    list.forEach((e, i) => {
      if (typeof e !== 'string' || e === '')
        fail('bad_field', `/${field}/${i}`, `${field}[${i}] must be a URI, not ${describe(e)}`);
      else epcs.push({ epc: epcKey(e, forms), role, quantity: null, uom: null });
    });
  };
  const addQuantities = (field: string, role: RoleCode) => {
    const list = event[field];
    if (list === undefined) return;
    if (!Array.isArray(list)) return fail('bad_field', `/${field}`, `${field} must be an array of quantity elements`);
    for (const [i, q] of list.entries()) {
      if (!isObject(q) || typeof q.epcClass !== 'string') {
        fail('bad_field', `/${field}/${i}`, `${field}[${i}] must be an object with an epcClass URI`);
      } else if (q.quantity !== undefined && num(q.quantity) === null) {
        fail('bad_quantity', `/${field}/${i}/quantity`, `quantity must be a number, not ${describe(q.quantity)}`);
      } else {
        epcs.push({ epc: epcKey(q.epcClass, forms), role, quantity: num(q.quantity), uom: str(q.uom) });
      }
    }
  };
  addEpcs('epcList', ROLE.epc);
  addEpcs('childEPCs', ROLE.child);
  addEpcs('inputEPCList', ROLE.input);
  addEpcs('outputEPCList', ROLE.output);
  if (event.parentID !== undefined) {
    if (typeof event.parentID !== 'string' || event.parentID === '') fail('bad_field', '/parentID', 'parentID must be a URI');
    else epcs.push({ epc: epcKey(event.parentID, forms), role: ROLE.parent, quantity: null, uom: null });
  }
  addQuantities('quantityList', ROLE.quantity);
  addQuantities('childQuantityList', ROLE.childQuantity);
  addQuantities('inputQuantityList', ROLE.inputQuantity);
  addQuantities('outputQuantityList', ROLE.outputQuantity);

  const links: LinkRow[] = [];
  const addLinks = (field: string, key: string, kind: LinkRow['kind'], typeKind: 'BTT' | 'SDT') => {
    const list = event[field];
    if (list === undefined) return;
    if (!Array.isArray(list)) return fail('bad_field', `/${field}`, `${field} must be an array`);
    for (const [i, x] of list.entries()) {
      if (!isObject(x) || typeof x[key] !== 'string') {
        fail('bad_field', `/${field}/${i}`, `${field}[${i}] must hold a ${key} URI`);
        continue;
      }
      links.push({
        kind,
        type: typeof x.type === 'string' ? normaliseCbv(typeKind, x.type) : null,
        value: key === 'bizTransaction' ? (x[key] as string) : epcKey(x[key] as string, forms),
      });
    }
  };
  addLinks('bizTransactionList', 'bizTransaction', LINK.bizTransaction, 'BTT');
  addLinks('sourceList', 'source', LINK.source, 'SDT');
  addLinks('destinationList', 'destination', LINK.destination, 'SDT');
  const pd = event.persistentDisposition;
  if (isObject(pd)) {
    for (const [k, kind] of [
      ['set', LINK.persistentDispositionSet],
      ['unset', LINK.persistentDispositionUnset],
    ] as const) {
      const list = pd[k];
      if (Array.isArray(list))
        for (const d of list) if (typeof d === 'string') links.push({ kind, type: null, value: normaliseCbv('Disp', d) });
    }
  }

  let declaration: IndexedEvent['declaration'] = null;
  const ed = event.errorDeclaration;
  if (ed !== undefined) {
    if (!isObject(ed)) fail('bad_error_declaration', '/errorDeclaration', 'errorDeclaration must be an object');
    else {
      const dt = parseDateTime(ed.declarationTime);
      if (!dt.ok) {
        fail(
          'bad_error_declaration',
          '/errorDeclaration/declarationTime',
          `declarationTime ${ed.declarationTime === undefined ? 'is required' : dt.reason}`,
        );
      } else declaration = { time: dt.ms, reason: typeof ed.reason === 'string' ? normaliseCbv('ER', ed.reason) : null };
      if (ed.correctiveEventIDs !== undefined) {
        if (!Array.isArray(ed.correctiveEventIDs)) {
          fail(
            'bad_error_declaration',
            '/errorDeclaration/correctiveEventIDs',
            'correctiveEventIDs must be an array of event IDs',
          );
        } else {
          for (const id of ed.correctiveEventIDs)
            if (typeof id === 'string') links.push({ kind: LINK.correctiveEventID, type: null, value: id });
        }
      }
    }
  }

  const sensors: SensorRow[] = [];
  const sel = event.sensorElementList;
  let hasSensor = false;
  if (sel !== undefined) {
    if (!Array.isArray(sel)) fail('bad_sensor_data', '/sensorElementList', 'sensorElementList must be an array');
    else {
      hasSensor = sel.length > 0;
      for (const [ei, el] of sel.entries()) {
        extractSensorElement(el, ei, sensors, (p, d) => fail('bad_sensor_data', `/sensorElementList/${ei}${p}`, d));
      }
    }
  }

  if (problems.length > 0 || !t.ok || !tz.ok) return { ok: false, problems };
  return {
    ok: true,
    index: {
      type: type as EventType,
      eventTime: t.ms,
      tzOffset: event.eventTimeZoneOffset as string,
      action,
      bizStep: typeof event.bizStep === 'string' ? normaliseCbv('BizStep', event.bizStep) : null,
      disposition: typeof event.disposition === 'string' ? normaliseCbv('Disp', event.disposition) : null,
      readPoint: isObject(event.readPoint) && typeof event.readPoint.id === 'string' ? epcKey(event.readPoint.id, forms) : null,
      bizLocation:
        isObject(event.bizLocation) && typeof event.bizLocation.id === 'string' ? epcKey(event.bizLocation.id, forms) : null,
      transformationId: typeof event.transformationID === 'string' ? event.transformationID : null,
      hasSensor,
      declaration,
      epcs,
      links,
      sensors,
      ext: extractExtensions(event, [...contexts, event['@context']]),
      gcps: companyPrefixes(event),
    },
  };
}

function extractSensorElement(el: unknown, ei: number, out: SensorRow[], fail: (pointer: string, detail: string) => void): void {
  if (!isObject(el)) {
    fail('', 'a sensor element must be an object');
    return;
  }
  const md = isObject(el.sensorMetadata) ? el.sensorMetadata : {};
  const time = (v: unknown, pointer: string): number | null => {
    if (v === undefined) return null;
    const p = parseDateTime(v);
    if (!p.ok) {
      fail(pointer, p.reason);
      return null;
    }
    return p.ms;
  };
  const mdTime = time(md.time, '/sensorMetadata/time');
  const mdStart = time(md.startTime, '/sensorMetadata/startTime');
  const mdEnd = time(md.endTime, '/sensorMetadata/endTime');
  const reports = Array.isArray(el.sensorReport) ? el.sensorReport : [];
  for (const [ri, r] of reports.entries()) {
    if (!isObject(r)) {
      fail(`/sensorReport/${ri}`, 'a sensor report must be an object');
      continue;
    }
    const rTime = time(r.time, `/sensorReport/${ri}/time`);
    out.push({
      element: ei,
      report: ri,
      type: typeof r.type === 'string' ? normaliseGs1Term(r.type) : null,
      deviceId: str(r.deviceID) ?? str(md.deviceID),
      time: rTime ?? mdTime,
      startTime: mdStart,
      endTime: mdEnd,
      uom: str(r.uom),
      value: num(r.value),
      minValue: num(r.minValue),
      maxValue: num(r.maxValue),
      meanValue: num(r.meanValue),
      sDev: num(r.sDev),
      percRank: num(r.percRank),
      percValue: num(r.percValue),
      stringValue: str(r.stringValue),
      booleanValue: typeof r.booleanValue === 'boolean' ? (r.booleanValue ? 1 : 0) : null,
      hexBinaryValue: typeof r.hexBinaryValue === 'string' ? r.hexBinaryValue.toUpperCase() : null,
      uriValue: str(r.uriValue),
      dataProcessingMethod: str(r.dataProcessingMethod) ?? str(md.dataProcessingMethod),
      microorganism: str(r.microorganism),
      chemicalSubstance: str(r.chemicalSubstance),
      bizRules: str(md.bizRules),
    });
  }
}
