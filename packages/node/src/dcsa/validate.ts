// Whether a pushed TNT 3.0 event may be stored: the spec's schema (schema.ts),
// then what the node needs and the standards behind the fields — an eventID, a
// known event type with its matching type code, a parseable time, ISO 6346
// container numbers, UN/LOCODE locations. Every problem names its JSONPath. Pure.
import { EVENT_CLASSIFIER_CODES, EVENT_TYPES, type DcsaEventType, TYPE_CODE_FIELD } from './codes.js';
import type { DcsaFeedback } from './errors.js';
import { iso6346Problem } from './iso6346.js';
import { eventSchemaProblems, requestSchemaProblems } from './schema.js';
import { unLocodeProblem } from './unlocode.js';

export type TntEvent = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const error = (propertyPath: string, message: string): DcsaFeedback => ({ severity: 'ERROR', propertyPath, message });

/** Every UNLocationCode anywhere in the event, with its path. */
function unLocodes(v: unknown, path: string, out: [string, unknown][]): void {
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) unLocodes(x, `${path}[${i}]`, out);
  } else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === 'UNLocationCode') out.push([`${path}.${k}`, x]);
      else unLocodes(x, `${path}.${k}`, out);
    }
}

/** What the node requires of one event beyond the schema (which requires nothing). */
export function eventRuleProblems(e: TntEvent, base: string): DcsaFeedback[] {
  const out: DcsaFeedback[] = [];
  if (typeof e.eventID !== 'string' || e.eventID.length === 0) out.push(error(`${base}.eventID`, 'is required'));
  if (e.isRetracted === true) return out; // a retraction needs only its eventID
  const c = e.eventClassification;
  if (!isObject(c)) {
    out.push(error(`${base}.eventClassification`, 'is required'));
  } else {
    const type = c.eventTypeCode;
    if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
      out.push(error(`${base}.eventClassification.eventTypeCode`, `must be one of ${EVENT_TYPES.join(', ')}`));
    } else {
      const { field, codes } = TYPE_CODE_FIELD[type as DcsaEventType];
      const code = c[field];
      if (typeof code !== 'string' || !codes.includes(code))
        out.push(error(`${base}.eventClassification.${field}`, `a ${type} event needs one of ${codes.join(', ')}`));
    }
    if (c.eventClassifierCode !== undefined && !EVENT_CLASSIFIER_CODES.includes(String(c.eventClassifierCode)))
      out.push(error(`${base}.eventClassification.eventClassifierCode`, `must be one of ${EVENT_CLASSIFIER_CODES.join(', ')}`));
  }
  if (typeof e.eventDateTime !== 'string') out.push(error(`${base}.eventDateTime`, 'is required'));
  const eq = e.equipmentDetails;
  if (isObject(eq) && typeof eq.equipmentReference === 'string') {
    const p = iso6346Problem(eq.equipmentReference);
    if (p) out.push(error(`${base}.equipmentDetails.equipmentReference`, p));
  }
  const locations: [string, unknown][] = [];
  unLocodes(e, base, locations);
  for (const [path, code] of locations) {
    const p = typeof code === 'string' ? unLocodeProblem(code) : null;
    if (p) out.push(error(path, p));
  }
  return out;
}

/** Problems of a POST /events body: schema first, then the node's rules per event (empty: all valid). */
export function postEventsProblems(body: unknown): DcsaFeedback[] {
  if (!isObject(body) || !Array.isArray(body.events))
    return [error('$.events', 'the body must be {"events": [ … ]} (TNT 3.0 PostEventsRequest)')];
  const schema = requestSchemaProblems(body);
  if (schema.length > 0) return schema.map((p) => error(p.path, p.message));
  if (body.events.length === 0) return [error('$.events', 'must hold at least one event')];
  return body.events.flatMap((e, i) => eventRuleProblems(e as TntEvent, `$.events[${i}]`));
}

/** The same checks for an event the node derives itself (a bug if any fail). */
export function derivedEventProblems(e: TntEvent): DcsaFeedback[] {
  const schema = eventSchemaProblems(e, '$');
  return schema.length > 0 ? schema.map((p) => error(p.path, p.message)) : eventRuleProblems(e, '$');
}
