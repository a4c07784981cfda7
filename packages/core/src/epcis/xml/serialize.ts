// The JSON-LD event model → EPCIS 2.0 XML (EPCISDocument or EPCISQueryDocument),
// valid against GS1's XSD: fields in each event type's XSD order, CBV values as
// URNs, user extensions as elements in their @context namespaces. parse.ts reads
// the result back to the same JSON (numbers and booleans of extensions keep their
// type through xsi:type), so an event keeps its CBV 2.0 hash ID across syntaxes.
//
// What XML cannot hold throws XmlNotRepresentableError (the REST binding answers
// 406): several certificationInfo values, fields the event type's XSD lacks,
// extension names with no namespace, characters XML 1.0 forbids.
import type { VocabKind } from '../vocab.js';
import {
  EPCIS_QUERY_XML_NS,
  EPCIS_XML_NS,
  EVENT_FIELDS,
  FIELD_KIND,
  type FieldKind,
  isEventType,
  NCNAME,
  SENSOR_METADATA_ATTRS,
  SENSOR_REPORT_ATTRS,
  SENSOR_VOCAB,
  STANDARD_PREFIXES,
  XSD_NS,
  XSI_NS,
  xmlTerm,
} from './model.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export class XmlNotRepresentableError extends Error {
  readonly code = 'not_representable_in_xml';
  constructor(message: string) {
    super(message);
    this.name = 'XmlNotRepresentableError';
  }
}

// Characters XML 1.0 cannot carry at all (not even as references).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters to refuse
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function text(v: unknown, where: string): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
  if (s === null) throw new XmlNotRepresentableError(`${where}: ${JSON.stringify(v)} is not a text value`);
  if (NOT_XML.test(s)) throw new XmlNotRepresentableError(`${where}: holds a control character XML 1.0 cannot carry`);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
const attrText = (v: unknown, where: string) =>
  text(v, where).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/** xsd:decimal has no exponent: 1e21 and 1e-7 are written out in full. */
function decimal(v: unknown, where: string): string {
  if (typeof v === 'string') return text(v, where);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new XmlNotRepresentableError(`${where}: not a number`);
  const s = String(v);
  if (!/e/i.test(s)) return s;
  if (Number.isInteger(v)) return BigInt(v).toString();
  return v.toFixed(100).replace(/0+$/, '');
}

/** Builds the document text; elements one per line, indented. */
class Writer {
  readonly parts: string[] = [];
  constructor(private depth = 0) {}

  open(tag: string, attrs = ''): void {
    this.parts.push(`\n${'  '.repeat(this.depth)}<${tag}${attrs}>`);
    this.depth++;
  }
  close(tag: string): void {
    this.depth--;
    this.parts.push(`\n${'  '.repeat(this.depth)}</${tag}>`);
  }
  leaf(tag: string, body: string, attrs = ''): void {
    this.parts.push(`\n${'  '.repeat(this.depth)}<${tag}${attrs}${body === '' ? '/>' : `>${body}</${tag}>`}`);
  }
}

/** The XML namespaces of the document: the @context's prefixes, and any an extension name brings. */
class Namespaces {
  private readonly byPrefix = new Map<string, string>();
  private readonly byUri = new Map<string, string>();
  /** The prefixes the XML syntax itself uses. */
  private static readonly RESERVED = new Set(['epcis', 'epcisq', 'xsi', 'xsd', 'xml', 'xmlns']);

  constructor(contexts: unknown[]) {
    const visit = (ctx: unknown): void => {
      if (Array.isArray(ctx)) ctx.forEach(visit);
      else if (isObj(ctx))
        for (const [p, uri] of Object.entries(ctx)) {
          if (typeof uri === 'string' && NCNAME.test(p) && !p.includes(':') && /^[a-z][a-z0-9+.-]*:/i.test(uri))
            this.declare(p, uri);
        }
    };
    contexts.forEach(visit);
  }

  private declare(wanted: string, uri: string): string {
    const known = this.byUri.get(uri);
    if (known !== undefined) return known;
    let p = wanted;
    for (let i = 1; Namespaces.RESERVED.has(p) || this.byPrefix.has(p); i++) p = `${wanted}${i}`;
    this.byPrefix.set(p, uri);
    this.byUri.set(uri, p);
    return p;
  }

  /** The qualified XML name of a JSON-LD extension key (prefix:local or a full IRI). */
  qname(key: string, where: string): string {
    const colon = key.indexOf(':');
    if (colon > 0 && !key.startsWith('//', colon + 1)) {
      const prefix = key.slice(0, colon);
      const local = key.slice(colon + 1);
      const uri = this.byPrefix.get(prefix) ?? STANDARD_PREFIXES.get(prefix);
      if (uri !== undefined && NCNAME.test(local)) return `${this.declare(prefix, uri)}:${local}`;
    }
    const cut = Math.max(key.lastIndexOf('/'), key.lastIndexOf('#'));
    if (/^(https?|urn):/i.test(key) && cut > 0 && NCNAME.test(key.slice(cut + 1))) {
      return `${this.declare('ns', key.slice(0, cut + 1))}:${key.slice(cut + 1)}`;
    }
    throw new XmlNotRepresentableError(
      `${where}: "${key}" names no namespace (XML extension elements need one: define its prefix in @context)`,
    );
  }

  declarations(): string {
    return [...this.byPrefix].map(([p, uri]) => ` xmlns:${p}="${attrText(uri, `@context ${p}`)}"`).join('');
  }
}

class Serializer {
  constructor(
    private readonly ns: Namespaces,
    private readonly w: Writer,
  ) {}

  /** A user extension element (or ILMD field): text, typed scalar, or nested elements. */
  extension(key: string, v: unknown, where: string): void {
    if (Array.isArray(v)) {
      for (const x of v) this.extension(key, x, where);
      return;
    }
    if (v === null || v === undefined) return;
    const q = this.ns.qname(key, where);
    if (isObj(v) && ('@value' in v || '@id' in v)) {
      this.extension(key, v['@value'] ?? v['@id'], where);
      return;
    }
    if (isObj(v)) {
      const entries = Object.entries(v).filter(([k]) => !k.startsWith('@'));
      if (entries.length === 0) {
        this.w.leaf(q, '');
        return;
      }
      this.w.open(q);
      for (const [k, x] of entries) this.extension(k, x, `${where}/${k}`);
      this.w.close(q);
      return;
    }
    const type =
      typeof v === 'boolean'
        ? ' xsi:type="xsd:boolean"'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? ' xsi:type="xsd:integer"'
            : ' xsi:type="xsd:double"'
          : '';
    this.w.leaf(q, typeof v === 'number' && Number.isInteger(v) ? decimal(v, where) : text(v, `${where}`), type);
  }

  private extensionsOf(o: Json, standard: ReadonlySet<string>, where: string): void {
    for (const [k, v] of Object.entries(o)) {
      if (standard.has(k) || k.startsWith('@')) continue;
      this.extension(k, v, `${where}/${k}`);
    }
  }

  event(e: Json, where: string): void {
    const rawType = typeof e.type === 'string' ? e.type.replace(/^(epcis:|https:\/\/ref\.gs1\.org\/epcis\/)/, '') : '';
    if (!isEventType(rawType))
      throw new XmlNotRepresentableError(`${where}: ${JSON.stringify(e.type)} is not an EPCIS event type`);
    const fields = EVENT_FIELDS[rawType];
    for (const k of Object.keys(e)) {
      if (k in FIELD_KIND && !fields.includes(k)) {
        throw new XmlNotRepresentableError(`${where}: ${rawType} has no ${k} in the XML binding`);
      }
      if (!(k in FIELD_KIND) && k !== 'type' && !k.startsWith('@')) this.ns.qname(k, `${where}/${k}`);
    }
    this.w.open(rawType);
    for (const f of fields) if (e[f] !== undefined && e[f] !== null) this.field(FIELD_KIND[f]!, f, e[f], `${where}/${f}`);
    this.extensionsOf(e, new Set(['type', ...Object.keys(FIELD_KIND)]), where);
    this.w.close(rawType);
  }

  private field(kind: FieldKind, name: string, v: unknown, where: string): void {
    const w = this.w;
    const list = (each: (x: unknown, at: string) => void) => {
      const xs = asArray(v);
      if (xs.length === 0) {
        w.leaf(name, '');
        return;
      }
      w.open(name);
      for (const [i, x] of xs.entries()) each(x, `${where}/${i}`);
      w.close(name);
    };
    const obj = (x: unknown, at: string): Json => {
      if (!isObj(x)) throw new XmlNotRepresentableError(`${at}: expected an object`);
      return x;
    };
    const only = (o: Json, keys: string[], at: string) => {
      for (const k of Object.keys(o))
        if (!keys.includes(k)) throw new XmlNotRepresentableError(`${at}: ${k} has no place in the XML binding`);
    };
    switch (kind) {
      case 'text': {
        const xs = asArray(v);
        if (xs.length !== 1) throw new XmlNotRepresentableError(`${where}: XML holds exactly one ${name}, not ${xs.length}`);
        w.leaf(name, text(xs[0], where));
        return;
      }
      case 'BizStep':
      case 'Disp':
        w.leaf(name, text(typeof v === 'string' ? xmlTerm(kind, v) : v, where));
        return;
      case 'epcs':
        list((x, at) => w.leaf('epc', text(x, at)));
        return;
      case 'quantities':
        list((x, at) => {
          const q = obj(x, at);
          only(q, ['epcClass', 'quantity', 'uom'], at);
          if (q.uom !== undefined && q.quantity === undefined)
            throw new XmlNotRepresentableError(`${at}: XML has no uom without a quantity`);
          w.open('quantityElement');
          w.leaf('epcClass', text(q.epcClass, `${at}/epcClass`));
          if (q.quantity !== undefined) w.leaf('quantity', decimal(q.quantity, `${at}/quantity`));
          if (q.uom !== undefined) w.leaf('uom', text(q.uom, `${at}/uom`));
          w.close('quantityElement');
        });
        return;
      case 'location': {
        const o = typeof v === 'string' ? { id: v } : obj(v, where);
        w.open(name);
        w.leaf('id', text(o.id, `${where}/id`));
        this.extensionsOf(o, new Set(['id']), where);
        w.close(name);
        return;
      }
      case 'bizTransactions':
        this.typedList(name, 'bizTransaction', 'BTT', v, where, false);
        return;
      case 'sources':
        this.typedList(name, 'source', 'SDT', v, where, true);
        return;
      case 'destinations':
        this.typedList(name, 'destination', 'SDT', v, where, true);
        return;
      case 'sensors': {
        const xs = asArray(v);
        if (xs.length === 0) throw new XmlNotRepresentableError(`${where}: XML needs at least one sensorElement`);
        w.open(name);
        xs.forEach((x, i) => {
          const at = `${where}/${i}`;
          const s = obj(x, at);
          const reports = asArray(s.sensorReport);
          if (reports.length === 0) throw new XmlNotRepresentableError(`${at}: XML needs at least one sensorReport`);
          w.open('sensorElement');
          if (s.sensorMetadata !== undefined)
            w.leaf(
              'sensorMetadata',
              '',
              this.sensorAttrs(obj(s.sensorMetadata, `${at}/sensorMetadata`), SENSOR_METADATA_ATTRS, at),
            );
          for (const [j, r] of reports.entries())
            w.leaf('sensorReport', '', this.sensorAttrs(obj(r, `${at}/sensorReport/${j}`), SENSOR_REPORT_ATTRS, at));
          // A sensor element's JSON-LD "type" (SensorElement) has no XML counterpart and no meaning for the event.
          this.extensionsOf(s, new Set(['sensorMetadata', 'sensorReport', 'type']), at);
          w.close('sensorElement');
        });
        w.close(name);
        return;
      }
      case 'persistentDisposition': {
        const o = obj(v, where);
        only(o, ['set', 'unset'], where);
        w.open(name);
        for (const which of ['unset', 'set'] as const)
          for (const d of asArray(o[which])) w.leaf(which, text(typeof d === 'string' ? xmlTerm('Disp', d) : d, where));
        w.close(name);
        return;
      }
      case 'ilmd':
        w.open(name);
        this.extensionsOf(obj(v, where), new Set(), where);
        w.close(name);
        return;
      case 'errorDeclaration': {
        const o = obj(v, where);
        w.open(name);
        if (o.declarationTime !== undefined) w.leaf('declarationTime', text(o.declarationTime, `${where}/declarationTime`));
        if (o.reason !== undefined)
          w.leaf('reason', text(typeof o.reason === 'string' ? xmlTerm('ER', o.reason) : o.reason, `${where}/reason`));
        if (o.correctiveEventIDs !== undefined) {
          w.open('correctiveEventIDs');
          for (const id of asArray(o.correctiveEventIDs)) w.leaf('correctiveEventID', text(id, `${where}/correctiveEventIDs`));
          w.close('correctiveEventIDs');
        }
        this.extensionsOf(o, new Set(['declarationTime', 'reason', 'correctiveEventIDs']), where);
        w.close(name);
        return;
      }
    }
  }

  private typedList(name: string, item: string, kind: VocabKind, v: unknown, where: string, typeRequired: boolean): void {
    const xs = asArray(v);
    if (xs.length === 0) throw new XmlNotRepresentableError(`${where}: XML needs at least one ${item}`);
    this.w.open(name);
    xs.forEach((x, i) => {
      const at = `${where}/${i}`;
      if (!isObj(x)) throw new XmlNotRepresentableError(`${at}: expected an object`);
      for (const k of Object.keys(x))
        if (k !== 'type' && k !== item) throw new XmlNotRepresentableError(`${at}: ${k} has no place in the XML binding`);
      if (typeRequired && x.type === undefined) throw new XmlNotRepresentableError(`${at}: XML requires a type`);
      const type =
        x.type === undefined ? '' : ` type="${attrText(typeof x.type === 'string' ? xmlTerm(kind, x.type) : x.type, at)}"`;
      this.w.leaf(item, text(x[item], `${at}/${item}`), type);
    });
    this.w.close(name);
  }

  private sensorAttrs(o: Json, known: ReadonlySet<string>, where: string): string {
    let out = '';
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || v === null) continue;
      if (isObj(v) || Array.isArray(v)) throw new XmlNotRepresentableError(`${where}/${k}: an XML attribute holds one value`);
      const vocab = SENSOR_VOCAB[k];
      if (known.has(k)) {
        const value = vocab && known === SENSOR_REPORT_ATTRS && typeof v === 'string' ? xmlTerm(vocab, v) : v;
        out += ` ${k}="${attrText(value, `${where}/${k}`)}"`;
      } else {
        out += ` ${this.ns.qname(k, `${where}/${k}`)}="${attrText(v, `${where}/${k}`)}"`;
      }
    }
    return out;
  }
}

/**
 * An EPCISDocument or EPCISQueryDocument (JSON-LD, as the JSON binding has it) as
 * EPCIS 2.0 XML. Throws XmlNotRepresentableError when XML cannot carry it.
 */
export function epcisXml(doc: Json): string {
  const body = isObj(doc.epcisBody) ? doc.epcisBody : {};
  const isQuery = doc.type === 'EPCISQueryDocument';
  if (!isQuery && doc.type !== 'EPCISDocument')
    throw new XmlNotRepresentableError(`/type: ${JSON.stringify(doc.type)} is not an EPCIS document type`);
  const results = isQuery && isObj(body.queryResults) ? body.queryResults : {};
  const list = isQuery ? (isObj(results.resultsBody) ? results.resultsBody.eventList : undefined) : body.eventList;
  const events = asArray(list);
  const listPointer = isQuery ? '/epcisBody/queryResults/resultsBody/eventList' : '/epcisBody/eventList';

  const ns = new Namespaces([doc['@context'], ...events.map((e) => (isObj(e) ? e['@context'] : undefined))]);
  // The events first: they may bring namespaces the root element must declare.
  const inner = new Writer(isQuery ? 5 : 3);
  const s = new Serializer(ns, inner);
  events.forEach((e, i) => {
    if (!isObj(e)) throw new XmlNotRepresentableError(`${listPointer}/${i}: not an event object`);
    s.event(e, `${listPointer}/${i}`);
  });
  const w = new Writer();

  const rootName = isQuery ? 'epcisq:EPCISQueryDocument' : 'epcis:EPCISDocument';
  const rootNs = isQuery
    ? ` xmlns:epcisq="${EPCIS_QUERY_XML_NS}" xmlns:epcis="${EPCIS_XML_NS}"`
    : ` xmlns:epcis="${EPCIS_XML_NS}"`;
  const version = doc.schemaVersion ?? '2.0';
  const created = doc.creationDate ?? new Date().toISOString();
  w.parts.push('<?xml version="1.0" encoding="UTF-8"?>');
  w.open(
    rootName,
    `${rootNs} xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}"${ns.declarations()} schemaVersion="${attrText(version, '/schemaVersion')}" creationDate="${attrText(created, '/creationDate')}"`,
  );
  w.open('EPCISBody');
  if (isQuery) {
    w.open('epcisq:QueryResults');
    w.leaf('queryName', text(results.queryName ?? 'SimpleEventQuery', '/epcisBody/queryResults/queryName'));
    if (results.subscriptionID !== undefined)
      w.leaf('subscriptionID', text(results.subscriptionID, '/epcisBody/queryResults/subscriptionID'));
    w.open('resultsBody');
  }
  if (events.length === 0) w.leaf('EventList', '');
  else {
    w.open('EventList');
    w.parts.push(...inner.parts);
    w.close('EventList');
  }
  if (isQuery) {
    w.close('resultsBody');
    w.close('epcisq:QueryResults');
  }
  w.close('EPCISBody');
  w.close(rootName);
  return `${w.parts.join('')}\n`;
}
