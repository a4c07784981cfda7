// The CBV §8.9 pre-hash string of an EPCIS event: its fields in the canonical
// property order, `key=value` for leaves, a list's name once followed by its
// sorted children, user extensions as {namespace}name, no separators.
// Everything a syntax may vary (key order, whitespace, URN vs Digital Link, bare
// vs URI vocabulary, time zone, trailing zeros) is normalised away; recordTime,
// eventID, errorDeclaration and certificationInfo are left out, so a corrected
// or re-recorded event keeps its hash.
//
// Two profiles, as the reference implementation (RalphTro/epcis-event-hash-generator,
// 2026 revision) names them:
// - CBV 2.0: the `sensorElementList` name is not written, and user extensions
//   nested inside standard fields (readPoint, sensor elements, …) are moved out
//   of their parent into a block after `ilmd`, each prefixed by its field path.
// - CBV 2.1: the list name is written and nested extensions stay inline, after
//   the standard fields of their parent.
import { expandName, expandValueCurie, type JsonLdContext, type Namespaces, namespacesOf } from './context.js';
import { canonicalNumericString } from './numbers.js';
import { canonicalTimestamp } from './timestamp.js';
import { canonicalDigitalLink, epcToDigitalLink } from './uris.js';
import { cbvUrnToWebUri, expandBareTerm, type VocabKind } from './vocab.js';
import { gs1ClassIri } from './web-vocabulary.js';

/** An EPCIS 2.0 event in JSON(-LD), as parsed. */
export type EpcisEvent = Readonly<Record<string, unknown>>;

/** The CBV version whose event-hash rules apply. */
export type CbvVersion = '2.0' | '2.1';
export const CBV_VERSIONS: readonly CbvVersion[] = ['2.0', '2.1'];

interface Profile {
  /** CBV 2.1: extensions of a standard field stay in it; CBV 2.0 moves them to a trailing block. */
  readonly inlineFieldExtensions: boolean;
  /** CBV 2.1 writes the `sensorElementList` name; CBV 2.0 goes straight to each `sensorElement`. */
  readonly writeSensorElementList: boolean;
}

const PROFILES: Record<CbvVersion, Profile> = {
  '2.0': { inlineFieldExtensions: false, writeSensorElementList: false },
  '2.1': { inlineFieldExtensions: true, writeSensorElementList: true },
};

interface Ctx {
  readonly ns: Namespaces;
  readonly profile: Profile;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * Code-point order (= UTF-8 byte order), as the rule asks. JS compares UTF-16
 * units, which agrees except where a surrogate (a code point above U+FFFF) meets
 * a unit from U+E000 up: the surrogate's code point is then the larger.
 */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function sortJoin(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return parts
    .filter((p) => p !== '')
    .sort(byCodePoint)
    .join('');
}

// ------------------------------------------------------------------ values

/** A scalar as text: JSON numbers as their shortest round-trip spelling, booleans lower case. */
function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  return null;
}

/**
 * A leaf in pre-hash form, '' when empty: trimmed; CURIEs of a declared prefix
 * (and gs1:/cbv:) expanded; CBV 1.x URNs as Web URIs; numbers canonical; EPC
 * URNs and any GS1 Digital Link as the constrained canonical Digital Link.
 */
function value(v: unknown, c: Ctx): string {
  if (isObj(v) && '@value' in v) return value(v['@value'], c); // a JSON-LD value object carries a literal
  const text = scalarText(v);
  if (text === null || text === '') return '';
  return canonicalText(expandValueCurie(text, c.ns));
}

/**
 * Identifiers recur (locations, classes, devices, vocabulary): their canonical
 * forms are remembered, in a bounded map that is simply cleared when full.
 */
const canonicalCache = new Map<string, string>();
const CANONICAL_CACHE_MAX = 50_000;

function canonicalText(text: string): string {
  const hit = canonicalCache.get(text);
  if (hit !== undefined) return hit;
  const out = canonicalUncached(text);
  if (canonicalCache.size >= CANONICAL_CACHE_MAX) canonicalCache.clear();
  canonicalCache.set(text, out);
  return out;
}

function canonicalUncached(text: string): string {
  const s = cbvUrnToWebUri(text);
  // Cheap tests first: most values are none of a number, an EPC URN or a Digital Link.
  const first = s.charCodeAt(0);
  if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) {
    const n = canonicalNumericString(s);
    if (n !== null) return n;
  }
  if (s.startsWith('urn:epc:')) return epcToDigitalLink(s) ?? s;
  if (first === 104 || first === 72) return canonicalDigitalLink(s) ?? s; // h, H: http(s) URIs
  return s;
}

const vocab =
  (kind: VocabKind) =>
  (v: unknown, c: Ctx): string =>
    (typeof v === 'string' ? expandBareTerm(kind, v.trim()) : null) ?? value(v, c);

const time = (v: unknown, c: Ctx): string => (typeof v === 'string' ? canonicalTimestamp(v) : value(v, c));

// -------------------------------------------------------------- structure

type Fmt = (v: unknown, c: Ctx) => string;

/**
 * The shape of a standard field, so that the same description both renders the
 * field and finds the user extensions nested in it.
 * - leaf: `key=value` for each value;
 * - object: `key` + its fields, for each object (an `idShorthand` string stands for {id});
 * - list: `key` once, then each element rendered as `item`;
 * - typed: entries with no name of their own (bizTransaction, source, destination): `type=` then the value.
 */
type Field =
  | { readonly key: string; readonly kind: 'leaf'; readonly fmt: Fmt }
  | {
      readonly key: string;
      readonly kind: 'object';
      readonly fields: readonly Field[];
      readonly idShorthand?: boolean;
      /** Keys that are neither standard nor extensions (JSON-LD's "type" of a sensor element). */
      readonly ignored?: readonly string[];
    }
  | { readonly key: string; readonly kind: 'list'; readonly item: Field; readonly isSensorElementList?: boolean }
  | { readonly key: string; readonly kind: 'typed'; readonly fields: readonly Field[] };

const leafField = (key: string, fmt: Fmt = value): Field => ({ key, kind: 'leaf', fmt });

const COMMENTS = new Set(['rdfs:comment', 'comment']);

/** The object a standard object field holds (a bare id string where allowed), or null. */
function objectOf(f: Extract<Field, { kind: 'object' }>, x: unknown): Obj | null {
  if (isObj(x)) return x;
  return f.idShorthand && typeof x === 'string' ? { id: x } : null;
}

const knownKeys = new WeakMap<readonly Field[], Map<readonly string[] | undefined, ReadonlySet<string>>>();

/** The keys of `o` that are user extensions under `fields` (the sets of standard keys built once per shape). */
function extensionKeys(o: Obj, fields: readonly Field[], ignored?: readonly string[]): string[] {
  let byIgnored = knownKeys.get(fields);
  if (!byIgnored) {
    byIgnored = new Map();
    knownKeys.set(fields, byIgnored);
  }
  let known = byIgnored.get(ignored);
  if (!known) {
    known = new Set([...fields.map((f) => f.key), ...(ignored ?? [])]);
    byIgnored.set(ignored, known);
  }
  const out: string[] = [];
  for (const k in o) if (!known.has(k) && k.charCodeAt(0) !== 64 /* @ */ && !COMMENTS.has(k)) out.push(k);
  return out;
}

/** The standard fields of `o` in order; with `inline`, its own extensions after them. */
function renderFields(o: Obj, fields: readonly Field[], c: Ctx, inline: boolean, ignored?: readonly string[]): string {
  const standard = fields.map((f) => (o[f.key] === undefined ? '' : render(f, o[f.key], c))).join('');
  return inline ? standard + sortJoin(extensionKeys(o, fields, ignored).flatMap((k) => extension(k, o[k], c))) : standard;
}

function render(f: Field, v: unknown, c: Ctx): string {
  switch (f.kind) {
    case 'leaf': {
      if (!Array.isArray(v)) {
        const s = v === null || v === undefined ? '' : f.fmt(v, c);
        return s === '' ? '' : `${f.key}=${s}`;
      }
      return sortJoin(
        v.map((x) => {
          const s = f.fmt(x, c);
          return s === '' ? '' : `${f.key}=${s}`;
        }),
      );
    }
    case 'object':
      return sortJoin(
        asArray(v).map((x) => {
          const o = objectOf(f, x);
          const body = o ? renderFields(o, f.fields, c, c.profile.inlineFieldExtensions, f.ignored) : '';
          return body === '' ? '' : f.key + body;
        }),
      );
    case 'list': {
      const body = render(f.item, v, c);
      return body === '' ? '' : listName(f, c) + body;
    }
    case 'typed':
      return sortJoin(asArray(v).map((x) => (isObj(x) ? renderFields(x, f.fields, c, false) : '')));
  }
}

const listName = (f: Extract<Field, { kind: 'list' }>, c: Ctx) =>
  f.isSensorElementList && !c.profile.writeSensorElementList ? '' : f.key;

/**
 * CBV 2.0's trailing block for one standard field: the user extensions nested
 * anywhere in it, each under the path of standard field names that leads to it
 * (`readPoint{ns}x=1`, `sensorElementsensorReport{ns}y=2`). Deeper fields come
 * first in property order, then an object's own extensions, sorted.
 */
function nestedExtensions(f: Field, v: unknown, c: Ctx): string {
  switch (f.kind) {
    case 'leaf':
    case 'typed':
      return '';
    case 'object': {
      const parts = asArray(v).flatMap((x) => {
        const o = objectOf(f, x);
        if (!o) return [];
        const inner =
          f.fields.map((sub) => (o[sub.key] === undefined ? '' : nestedExtensions(sub, o[sub.key], c))).join('') +
          sortJoin(extensionKeys(o, f.fields, f.ignored).flatMap((k) => extension(k, o[k], c)));
        return inner === '' ? [] : [f.key + inner];
      });
      return parts.sort(byCodePoint).join('');
    }
    case 'list': {
      const inner = nestedExtensions(f.item, v, c);
      return inner === '' ? '' : listName(f, c) + inner;
    }
  }
}

// ------------------------------------------------------------ extensions

/**
 * A user extension (or ILMD) element: `{ns}name=value`, or `{ns}name` followed
 * by its sorted children. An object is hashed with every property it has,
 * `@id` and `@type` included: two extensions that differ in any of them differ.
 */
function extension(key: string, v: unknown, c: Ctx): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => extension(key, x, c));
  if (v === null || v === undefined) return [];
  const name = expandName(key, c.ns);
  if (isObj(v) && !('@value' in v)) {
    const children = Object.entries(v).flatMap(([k, x]) => (COMMENTS.has(k) ? [] : extension(k, x, c)));
    return [name + sortJoin(children)];
  }
  const s = gs1ClassIri(key, v) ?? value(v, c);
  return [s === '' ? name : `${name}=${s}`];
}

// ------------------------------------------------------------ the event

const QUANTITY: Field = {
  key: 'quantityElement',
  kind: 'object',
  fields: [leafField('epcClass'), leafField('quantity'), leafField('uom')],
};

const SENSOR_METADATA: readonly Field[] = [
  leafField('time', time),
  leafField('startTime', time),
  leafField('endTime', time),
  leafField('deviceID'),
  leafField('deviceMetadata'),
  leafField('rawData'),
  leafField('dataProcessingMethod'),
  leafField('bizRules'),
];

const SENSOR_REPORT: readonly Field[] = [
  leafField('type', vocab('MeasurementType')),
  leafField('exception', vocab('SensorAlertType')),
  leafField('deviceID'),
  leafField('deviceMetadata'),
  leafField('rawData'),
  leafField('dataProcessingMethod'),
  leafField('time', time),
  leafField('microorganism'),
  leafField('chemicalSubstance'),
  leafField('value'),
  leafField('component', vocab('Comp')),
  leafField('stringValue'),
  leafField('booleanValue'),
  leafField('hexBinaryValue'),
  leafField('uriValue'),
  leafField('minValue'),
  leafField('maxValue'),
  leafField('meanValue'),
  leafField('sDev'),
  leafField('percRank'),
  leafField('percValue'),
  leafField('uom'),
  leafField('coordinateReferenceSystem'),
];

const SENSOR_ELEMENT: Field = {
  key: 'sensorElement',
  kind: 'object',
  fields: [
    { key: 'sensorMetadata', kind: 'object', fields: SENSOR_METADATA },
    { key: 'sensorReport', kind: 'object', fields: SENSOR_REPORT },
  ],
  // A sensor element's JSON-LD "type" (SensorElement) says nothing XML would carry.
  ignored: ['type'],
};

const typed = (key: string, item: string, kind: VocabKind): Field => ({
  key,
  kind: 'list',
  item: { key: item, kind: 'typed', fields: [leafField('type', vocab(kind)), leafField(item)] },
});

const epcs = (key: string): Field => ({ key, kind: 'list', item: leafField('epc') });
const quantities = (key: string): Field => ({ key, kind: 'list', item: QUANTITY });
const location = (key: string): Field => ({ key, kind: 'object', fields: [leafField('id')], idShorthand: true });

/** CBV §8.9.2 canonical property order (eventType is written first, separately). */
const EVENT: readonly Field[] = [
  leafField('eventTime', time),
  leafField('eventTimeZoneOffset'),
  epcs('epcList'),
  leafField('parentID'),
  epcs('inputEPCList'),
  epcs('childEPCs'),
  quantities('quantityList'),
  quantities('childQuantityList'),
  quantities('inputQuantityList'),
  epcs('outputEPCList'),
  quantities('outputQuantityList'),
  leafField('action'),
  leafField('transformationID'),
  leafField('bizStep', vocab('BizStep')),
  leafField('disposition', vocab('Disp')),
  {
    key: 'persistentDisposition',
    kind: 'object',
    fields: [leafField('set', vocab('Disp')), leafField('unset', vocab('Disp'))],
  },
  location('readPoint'),
  location('bizLocation'),
  typed('bizTransactionList', 'bizTransaction', 'BTT'),
  typed('sourceList', 'source', 'SDT'),
  typed('destinationList', 'destination', 'SDT'),
  { key: 'sensorElementList', kind: 'list', item: SENSOR_ELEMENT, isSensorElementList: true },
  // ilmd and user extensions follow.
];

/**
 * Not hashed: the record's bookkeeping, the declaration that corrects it, and
 * certificationInfo (outside the canonical property order since the 2026 reference).
 */
const EXCLUDED = ['type', 'eventID', 'recordTime', 'errorDeclaration', 'certificationInfo', 'ilmd'];

/** "ObjectEvent" also when written as a CURIE or IRI of the EPCIS vocabulary. */
function eventType(t: unknown): string {
  if (typeof t !== 'string') return '';
  return t.trim().replace(/^(epcis:|https:\/\/ref\.gs1\.org\/epcis\/)/, '');
}

/**
 * The pre-hash string of one event under the rules of CBV `version` (2.0 by
 * default). `context` is the enclosing document's @context (an event's own
 * @context is read too); it supplies the namespaces of user extensions.
 */
export function preHashString(event: EpcisEvent, context?: JsonLdContext, version: CbvVersion = '2.0'): string {
  const c: Ctx = { ns: namespacesOf(context, event['@context']), profile: PROFILES[version] };
  const e = event as Obj;
  const type = eventType(e['type']);
  const standard = EVENT.map((f) => (e[f.key] === undefined ? '' : render(f, e[f.key], c))).join('');
  const ilmd = e['ilmd'] === undefined ? [] : extension('ilmd', e['ilmd'], c);
  const own = extensionKeys(e, EVENT, EXCLUDED).flatMap((k) => extension(k, e[k], c));
  const trailing = c.profile.inlineFieldExtensions
    ? sortJoin([...ilmd, ...own])
    : sortJoin(ilmd) +
      EVENT.map((f) => (e[f.key] === undefined ? '' : nestedExtensions(f, e[f.key], c))).join('') +
      sortJoin(own);
  return (type === '' ? '' : `eventType=${type}`) + standard + trailing;
}
