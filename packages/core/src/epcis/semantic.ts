// Rules a conformant EPCIS 2.0 capture interface applies beyond what the JSON
// schema says, or says only as an opaque anyOf: the standard event types only,
// date-times with a zone, offsets as ±hh:mm, each event type's "what" (EPCIS 2.0
// §7.4), ILMD only on commissioning, and a document's event IDs unique (an
// error declaration may repeat the ID of the event it declares erroneous). An
// errorDeclaration is allowed on any event, a corrective one included.
import { documentEvents, EVENT_TYPES } from './document.js';
import { hasTimeZone } from './timestamp.js';

export interface EpcisProblem {
  /** JSON pointer (RFC 6901) to the offending value, '' for the whole input. */
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

/** UTC offsets from -14:00 to +14:00, as the schema's pattern allows them. */
const OFFSET = /^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$/;

function checkTime(out: EpcisProblem[], path: string, v: unknown): void {
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v.trim()) && !hasTimeZone(v)) {
    out.push({ path, message: `"${v}" has no time zone; EPCIS date-times need one (Z or ±hh:mm)` });
  }
}

/**
 * An absolute URI (RFC 3986 §4.3: a scheme, then something, no white space). Event IDs
 * name events across repositories: a relative or path-like one ("../x", "/a/b") names
 * nothing outside the document it came in.
 */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

function checkEventId(out: EpcisProblem[], path: string, v: unknown): void {
  if (typeof v === 'string' && !ABSOLUTE_URI.test(v)) {
    out.push({ path, message: `"${v}" is not an absolute URI; an eventID is a URI such as urn:uuid:… or ni:///sha-256;…` });
  }
}

const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

/** The problems of one event at `path` (a JSON pointer). */
export function eventProblems(event: Obj, path: string): EpcisProblem[] {
  const out: EpcisProblem[] = [];
  const type = event['type'];
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    out.push({
      path: `${path}/type`,
      message:
        type === undefined
          ? `is required: one of ${EVENT_TYPES.join(', ')}`
          : `unknown event type ${JSON.stringify(type)}; expected one of ${EVENT_TYPES.join(', ')}`,
    });
    return out;
  }
  checkTime(out, `${path}/eventTime`, event['eventTime']);
  checkTime(out, `${path}/recordTime`, event['recordTime']);
  checkEventId(out, `${path}/eventID`, event['eventID']);
  for (const list of QUANTITY_LISTS) {
    asArray(event[list]).forEach((q, i) => {
      if (isObj(q) && typeof q['quantity'] === 'number' && q['quantity'] < 0) {
        out.push({
          path: `${path}/${list}/${i}/quantity`,
          message: `${q['quantity']} is negative; a quantity counts or measures what is there`,
        });
      }
    });
  }
  const offset = event['eventTimeZoneOffset'];
  if (typeof offset === 'string' && !OFFSET.test(offset)) {
    out.push({
      path: `${path}/eventTimeZoneOffset`,
      message: `"${offset}" is not a UTC offset; write ±hh:mm between -14:00 and +14:00, e.g. "+01:00"`,
    });
  }
  const declaration = event['errorDeclaration'];
  if (isObj(declaration)) {
    checkTime(out, `${path}/errorDeclaration/declarationTime`, declaration['declarationTime']);
    const ids = declaration['correctiveEventIDs'];
    asArray(ids).forEach((id, i) => {
      checkEventId(out, `${path}/errorDeclaration/correctiveEventIDs/${i}`, id);
    });
    if (Array.isArray(ids) && event['eventID'] !== undefined && ids.includes(event['eventID'])) {
      out.push({ path: `${path}/errorDeclaration/correctiveEventIDs`, message: 'an event cannot be its own corrective event' });
    }
  }
  asArray(event['sensorElementList']).forEach((el, i) => {
    if (!isObj(el)) return;
    const at = `${path}/sensorElementList/${i}`;
    const md = el['sensorMetadata'];
    if (isObj(md)) for (const k of ['time', 'startTime', 'endTime']) checkTime(out, `${at}/sensorMetadata/${k}`, md[k]);
    asArray(el['sensorReport']).forEach((r, j) => {
      if (isObj(r)) checkTime(out, `${at}/sensorReport/${j}/time`, r['time']);
    });
  });
  const pd = event['persistentDisposition'];
  if (isObj(pd) && pd['set'] === undefined && pd['unset'] === undefined) {
    out.push({ path: `${path}/persistentDisposition`, message: 'needs "set" or "unset" (or both)' });
  }
  out.push(...whatProblems(type, event, path));
  return out;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Each event type's "what" dimension (EPCIS 2.0 §7.4.2–7.4.6), as the schema's anyOf branches encode it. */
function whatProblems(type: string, e: Obj, path: string): EpcisProblem[] {
  const action = e['action'];
  const problem = (message: string, at = path): EpcisProblem[] => [{ path: at, message }];
  switch (type) {
    case 'ObjectEvent': {
      const out: EpcisProblem[] = [];
      const what =
        Array.isArray(e['epcList']) || nonEmpty(e['quantityList']) || (nonEmpty(e['sensorElementList']) && isObj(e['readPoint']));
      if (!what)
        out.push(...problem('an ObjectEvent needs epcList, a non-empty quantityList, or sensorElementList with a readPoint'));
      if (e['ilmd'] !== undefined && action !== 'ADD') {
        out.push(
          ...problem(`ilmd is only allowed when action is ADD (commissioning), not ${JSON.stringify(action)}`, `${path}/ilmd`),
        );
      }
      return out;
    }
    case 'AggregationEvent':
    case 'AssociationEvent': {
      const out: EpcisProblem[] = [];
      if (!nonEmpty(e['childEPCs']) && !nonEmpty(e['childQuantityList']) && action !== 'DELETE') {
        out.push(...problem(`an ${type} with action ${JSON.stringify(action)} needs childEPCs or childQuantityList`));
      }
      // EPCIS 2.0 §7.4.3: parentID may be omitted only when observing.
      if (type === 'AggregationEvent' && (action === 'ADD' || action === 'DELETE') && e['parentID'] === undefined) {
        out.push(...problem(`is required when action is ${action}`, `${path}/parentID`));
      }
      return out;
    }
    case 'TransactionEvent':
      return Array.isArray(e['epcList']) || nonEmpty(e['quantityList']) || action === 'DELETE'
        ? []
        : problem('a TransactionEvent needs epcList or a non-empty quantityList (unless action is DELETE)');
    case 'TransformationEvent': {
      const inputs = nonEmpty(e['inputEPCList']) || nonEmpty(e['inputQuantityList']);
      const outputs = nonEmpty(e['outputEPCList']) || nonEmpty(e['outputQuantityList']);
      if ((inputs && outputs) || ((inputs || outputs) && e['transformationID'] !== undefined)) return [];
      return problem(
        inputs || outputs
          ? `a TransformationEvent with only ${inputs ? 'inputs' : 'outputs'} needs a transformationID to join it to its other part`
          : 'a TransformationEvent needs inputs (inputEPCList/inputQuantityList) and outputs (outputEPCList/outputQuantityList)',
      );
    }
    default:
      return [];
  }
}

/** Document-level rules, then every event's. */
export function semanticProblems(input: unknown): EpcisProblem[] {
  const out: EpcisProblem[] = [];
  if (!isObj(input)) return out;
  const isDocument = input['type'] === 'EPCISDocument' || input['type'] === 'EPCISQueryDocument';
  if (isDocument) {
    const version = input['schemaVersion'];
    if (typeof version === 'string' && /^\d+(\.\d+)*$/.test(version) && !version.startsWith('2.') && version !== '2') {
      out.push({ path: '/schemaVersion', message: `schemaVersion ${version} is not EPCIS 2.x` });
    }
    checkTime(out, '/creationDate', input['creationDate']);
  }
  let found: ReturnType<typeof documentEvents>;
  try {
    found = documentEvents(input);
  } catch {
    return out; // the schema reports the missing body
  }
  const seen = new Map<string, number>();
  found.events.forEach((event, i) => {
    const path = isDocument ? `${found.pointer}/${i}` : '';
    out.push(...eventProblems(event as Obj, path));
    const id = event['eventID'];
    // An error declaration restates the erroneous event under its eventID: only
    // events without one must have IDs of their own.
    if (typeof id === 'string' && event['errorDeclaration'] === undefined) {
      const first = seen.get(id);
      if (first !== undefined) out.push({ path: `${path}/eventID`, message: `repeats the eventID of event ${first}` });
      else seen.set(id, i);
    }
  });
  return out;
}
