// The CBV 2.0 §8.9 pre-hash string of an EPCIS event: its fields in the
// canonical property order, `key=value` for leaves, a list's name once followed
// by its sorted children, user extensions as {namespace}name at the end of their
// parent, no separators. Everything a syntax may vary (key order, whitespace,
// URN vs Digital Link, bare vs URI vocabulary, time zone, trailing zeros) is
// normalised away; recordTime, eventID and errorDeclaration are left out, so a
// corrected or re-recorded event keeps its hash.
import { expandGs1Curie, expandName, gs1Namespace, type JsonLdContext, type Namespaces, namespacesOf } from './context.js';
import { canonicalNumber, canonicalNumericString } from './numbers.js';
import { canonicalTimestamp } from './timestamp.js';
import { canonicalDigitalLink, epcToDigitalLink } from './uris.js';
import { cbvUrnToWebUri, expandBareTerm, type VocabKind } from './vocab.js';

/** An EPCIS 2.0 event in JSON(-LD), as parsed. */
export type EpcisEvent = Readonly<Record<string, unknown>>;

interface Ctx {
  ns: Namespaces;
  gs1: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Code-point order (= UTF-8 byte order), as the rule asks; JS's default compares UTF-16 units. */
export function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const sortJoin = (parts: string[]) =>
  parts
    .filter((p) => p !== '')
    .sort(byCodePoint)
    .join('');

// ------------------------------------------------------------------ values

/** A leaf in pre-hash form, '' when empty: trimmed, GS1 CURIEs and CBV URNs as Web URIs, numbers canonical, EPCs as Digital Links. */
function value(v: unknown, c: Ctx): string {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return canonicalNumber(v);
  if (isObj(v) && ('@value' in v || '@id' in v)) return value(v['@value'] ?? v['@id'], c); // JSON-LD value / node reference
  if (typeof v !== 'string') return '';
  const s = cbvUrnToWebUri(expandGs1Curie(v.trim(), c.ns));
  if (s === '') return '';
  return canonicalNumericString(s) ?? epcToDigitalLink(s) ?? canonicalDigitalLink(s) ?? s;
}

const vocab =
  (kind: VocabKind) =>
  (v: unknown, c: Ctx): string =>
    (typeof v === 'string' ? expandBareTerm(kind, v.trim(), c.gs1) : null) ?? value(v, c);

const time = (v: unknown, c: Ctx): string => (typeof v === 'string' ? canonicalTimestamp(v) : value(v, c));

// -------------------------------------------------------------- structure

/** Renders one field; arrays render each element and sort them. */
type Render = (v: unknown, c: Ctx, key: string) => string;
type Spec = readonly (readonly [string, Render])[];

/** Leaves: `key=value` for each element. */
const leaf =
  (fn: (v: unknown, c: Ctx) => string): Render =>
  (v, c, key) =>
    sortJoin(
      asArray(v).map((x) => {
        const s = fn(x, c);
        return s === '' ? '' : `${key}=${s}`;
      }),
    );

/** The fields of an object in spec order, then its user extensions. */
function fields(o: Obj, spec: Spec, c: Ctx, ignored: readonly string[] = []): string {
  const known = new Set([...spec.map(([k]) => k), ...ignored]);
  const regular = spec.map(([k, render]) => (o[k] === undefined ? '' : render(o[k], c, k))).join('');
  return regular + extensions(o, known, c);
}

/** Objects named by their key, each `key` + its fields; `idShorthand` accepts a bare string for {id}. */
const nested =
  (spec: Spec, opts: { idShorthand?: boolean; ignored?: readonly string[] } = {}): Render =>
  (v, c, key) =>
    sortJoin(
      asArray(v).map((x) => {
        const o = isObj(x) ? x : opts.idShorthand && typeof x === 'string' ? { id: x } : null;
        const body = o ? fields(o, spec, c, opts.ignored) : '';
        return body === '' ? '' : key + body;
      }),
    );

/** Typed entries (bizTransaction, source, destination) carry no name of their own: type= then the value. */
const inline =
  (spec: Spec): Render =>
  (v, c) =>
    sortJoin(asArray(v).map((x) => (isObj(x) ? fields(x, spec, c) : '')));

/** A list: its name once, then its children rendered under `item`. */
const list =
  (item: string, render: Render): Render =>
  (v, c, key) => {
    const body = render(v, c, item);
    return body === '' ? '' : key + body;
  };

// ------------------------------------------------------------ extensions

const COMMENTS = new Set(['rdfs:comment', 'comment']);

/** A user extension (or ILMD) element: `{ns}name=value`, or `{ns}name` followed by its sorted children. */
function extension(key: string, v: unknown, c: Ctx): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => extension(key, x, c));
  if (v === null || v === undefined) return [];
  const name = expandName(key, c.ns);
  if (isObj(v) && !('@value' in v) && !('@id' in v)) {
    const children = Object.entries(v).flatMap(([k, x]) => (k.startsWith('@') || COMMENTS.has(k) ? [] : extension(k, x, c)));
    return [name + sortJoin(children)];
  }
  const s = value(v, c);
  return [s === '' ? name : `${name}=${s}`];
}

function extensions(o: Obj, known: ReadonlySet<string>, c: Ctx): string {
  const parts = Object.entries(o).flatMap(([k, v]) =>
    known.has(k) || k.startsWith('@') || COMMENTS.has(k) ? [] : extension(k, v, c),
  );
  return sortJoin(parts);
}

// ------------------------------------------------------------ the event

const QUANTITY: Spec = [
  ['epcClass', leaf(value)],
  ['quantity', leaf(value)],
  ['uom', leaf(value)],
];

const SENSOR_METADATA: Spec = [
  ['time', leaf(time)],
  ['startTime', leaf(time)],
  ['endTime', leaf(time)],
  ['deviceID', leaf(value)],
  ['deviceMetadata', leaf(value)],
  ['rawData', leaf(value)],
  ['dataProcessingMethod', leaf(value)],
  ['bizRules', leaf(value)],
];

const SENSOR_REPORT: Spec = [
  ['type', leaf(vocab('MeasurementType'))],
  ['exception', leaf(vocab('SensorAlertType'))],
  ['deviceID', leaf(value)],
  ['deviceMetadata', leaf(value)],
  ['rawData', leaf(value)],
  ['dataProcessingMethod', leaf(value)],
  ['time', leaf(time)],
  ['microorganism', leaf(value)],
  ['chemicalSubstance', leaf(value)],
  ['value', leaf(value)],
  ['component', leaf(vocab('Comp'))],
  ['stringValue', leaf(value)],
  ['booleanValue', leaf(value)],
  ['hexBinaryValue', leaf(value)],
  ['uriValue', leaf(value)],
  ['minValue', leaf(value)],
  ['maxValue', leaf(value)],
  ['meanValue', leaf(value)],
  ['sDev', leaf(value)],
  ['percRank', leaf(value)],
  ['percValue', leaf(value)],
  ['uom', leaf(value)],
  ['coordinateReferenceSystem', leaf(value)],
];

const SENSOR_ELEMENT: Spec = [
  ['sensorMetadata', nested(SENSOR_METADATA)],
  ['sensorReport', nested(SENSOR_REPORT)],
];

const typed = (kind: VocabKind, id: string): Render =>
  inline([
    ['type', leaf(vocab(kind))],
    [id, leaf(value)],
  ]);

const epcs = list('epc', leaf(value));
const quantities = list('quantityElement', nested(QUANTITY));

/** CBV 2.0 §8.9.2 canonical property order (eventType is written first, separately). */
const EVENT: Spec = [
  ['eventTime', leaf(time)],
  ['eventTimeZoneOffset', leaf(value)],
  ['certificationInfo', leaf(value)],
  ['parentID', leaf(value)],
  ['epcList', epcs],
  ['inputEPCList', epcs],
  ['childEPCs', epcs],
  ['quantityList', quantities],
  ['childQuantityList', quantities],
  ['inputQuantityList', quantities],
  ['outputEPCList', epcs],
  ['outputQuantityList', quantities],
  ['action', leaf(value)],
  ['transformationID', leaf(value)],
  ['bizStep', leaf(vocab('BizStep'))],
  ['disposition', leaf(vocab('Disp'))],
  [
    'persistentDisposition',
    nested([
      ['set', leaf(vocab('Disp'))],
      ['unset', leaf(vocab('Disp'))],
    ]),
  ],
  ['readPoint', nested([['id', leaf(value)]], { idShorthand: true })],
  ['bizLocation', nested([['id', leaf(value)]], { idShorthand: true })],
  ['bizTransactionList', list('bizTransaction', typed('BTT', 'bizTransaction'))],
  ['sourceList', list('source', typed('SDT', 'source'))],
  ['destinationList', list('destination', typed('SDT', 'destination'))],
  // A sensor element's JSON-LD "type" (SensorElement) says nothing XML would carry.
  ['sensorElementList', list('sensorElement', nested(SENSOR_ELEMENT, { ignored: ['type'] }))],
  // ilmd and user extensions follow, sorted together (ilmd sorts before any {ns}name).
];

/** Not hashed: the record's bookkeeping, and the declaration that corrects it. */
const EXCLUDED = ['type', 'eventID', 'recordTime', 'errorDeclaration', '@context'];

/** "ObjectEvent" also when written as a CURIE or IRI of the EPCIS vocabulary. */
function eventType(t: unknown): string {
  if (typeof t !== 'string') return '';
  return t.trim().replace(/^(epcis:|https:\/\/ref\.gs1\.org\/epcis\/)/, '');
}

/**
 * The pre-hash string of one event. `context` is the enclosing document's
 * @context (an event's own @context is read too); it supplies the namespaces
 * of user extensions.
 */
export function preHashString(event: EpcisEvent, context?: JsonLdContext): string {
  const ns = namespacesOf(context, event['@context']);
  const c: Ctx = { ns, gs1: gs1Namespace(ns) };
  const type = eventType(event['type']);
  return (type === '' ? '' : `eventType=${type}`) + fields(event as Obj, EVENT, c, EXCLUDED);
}
