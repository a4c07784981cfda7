// EPCIS 2.0 XML → the JSON-LD document the JSON binding captures. An
// EPCISDocument or EPCISQueryDocument becomes the same JSON(-LD) object a JSON
// client would have sent: events with their standard fields in JSON form
// (lists as arrays, bizTransactions as {type, bizTransaction}, sensor reports as
// objects, CBV values bare), and user extensions named prefix:localName with
// their XML namespaces declared in @context, so the CBV 2.0 hash IDs are the
// same whichever binding carried an event.
//
// Safety: a DOCTYPE (and so any entity declaration) is refused outright, so no
// external or recursive entity is ever loaded or expanded; only the five XML
// entities and character references are decoded. Nesting is bounded (256).
//
// Not carried: EPCISHeader (SBDH, master data) is read past; attributes on
// extension elements that also hold text (JSON-LD has no place for both).
import { XMLValidator } from 'fast-xml-parser';
import { EPCIS_CONTEXT_URL, type EventType } from '../document.js';
import type { VocabKind } from '../vocab.js';
import {
  EPCIS_1_XML_NS,
  EPCIS_QUERY_XML_NS,
  EPCIS_XML_NS,
  EVENT_FIELDS,
  FIELD_KIND,
  type FieldKind,
  isEventType,
  jsonTerm,
  SENSOR_METADATA_ATTRS,
  SENSOR_NUMBERS,
  SENSOR_REPORT_ATTRS,
  SENSOR_VOCAB,
  STANDARD_PREFIXES,
  SYNTAX_NAMESPACES,
  XSI_NS,
} from './model.js';

type Json = Record<string, unknown>;

/** Why an XML document cannot be read as EPCIS; `line` when the fault has a place in the text. */
export class EpcisXmlError extends Error {
  constructor(
    /** xml_doctype | xml_not_well_formed | xml_entity | epcis_version | not_an_epcis_document | xml_unsupported */
    readonly code: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'EpcisXmlError';
  }
}

export interface ParseOptions {
  /**
   * The text is already known to be well-formed (e.g. it passed XSD validation):
   * skip the second well-formedness pass.
   */
  wellFormed?: boolean;
}

interface Attr {
  ns: string;
  local: string;
  prefix: string;
  value: string;
}
interface El {
  ns: string;
  local: string;
  prefix: string;
  attrs: Attr[];
  kids: El[];
  text: string;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five XML entities and character references; any other entity is an error (no DTD defines one). */
function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new EpcisXmlError('xml_entity', `a bare "&" in text: write &amp;`);
    if (name in PREDEFINED) return PREDEFINED[name]!;
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(name);
    if (m) {
      const cp = m[1]!.startsWith('x') ? Number.parseInt(m[1]!.slice(1), 16) : Number(m[1]);
      if (cp > 0x10ffff || cp === 0) throw new EpcisXmlError('xml_entity', `&${name}; is not a character`);
      return String.fromCodePoint(cp);
    }
    throw new EpcisXmlError('xml_entity', `undefined entity &${name};`);
  });
}

/** Deeper than any EPCIS document nests (libxml2's own default limit is 256). */
const MAX_DEPTH = 256;

// One token at a time (sticky): comment | CDATA | PI or declaration | end tag | start tag | text.
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/y;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

interface Open {
  raw: string;
  el: El;
  scope: ReadonlyMap<string, string>;
  text: string[];
}

/**
 * The element tree of a document, namespaces resolved. A small scanner rather
 * than a general parser: callers have established well-formedness already
 * (libxml2 in the node, fast-xml-parser's validator otherwise), and this is the
 * hot path of XML capture. It still refuses what it cannot read.
 */
function tree(text: string, declared: [string, string][]): El {
  const stack: Open[] = [];
  let root: El | undefined;
  const bad = (msg: string, at: number): never => {
    throw new EpcisXmlError('xml_not_well_formed', `not well-formed XML: ${msg}`, text.slice(0, at).split('\n').length);
  };
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    m = TOKEN.exec(text);
    if (!m) bad(`unexpected "${text.slice(at, at + 20)}"`, at);
    const [, cdata, endName, startName, attrText, selfClosing, chars] = m!;
    const top = stack[stack.length - 1];
    if (chars !== undefined || cdata !== undefined) {
      if (top) top.text.push(cdata ?? decode(chars!));
      else if ((chars ?? cdata)!.trim() !== '') bad('text outside the root element', at);
    } else if (endName !== undefined) {
      if (!top || top.raw !== endName) bad(`</${endName}> closes ${top ? `<${top.raw}>` : 'nothing'}`, at);
      stack.pop();
      top!.el.text = top!.text.join('').trim();
    } else if (startName !== undefined) {
      if (!top && root) bad('a second root element', at);
      if (stack.length >= MAX_DEPTH) bad(`elements nested deeper than ${MAX_DEPTH}`, at);
      const raw: [string, string][] = [];
      let scope = top?.scope ?? new Map([['', '']]);
      if (attrText) {
        ATTR.lastIndex = 0;
        for (let a = ATTR.exec(attrText); a; a = ATTR.exec(attrText)) {
          const [, name, v1, v2] = a;
          const value = decode(v1 ?? v2 ?? '');
          if (name === 'xmlns' || name!.startsWith('xmlns:')) {
            if (scope === top?.scope || stack.length === 0) scope = new Map(scope);
            const prefix = name === 'xmlns' ? '' : name!.slice(6);
            (scope as Map<string, string>).set(prefix, value);
            declared.push([prefix, value]);
          } else raw.push([name!, value]);
        }
      }
      const attrs: Attr[] = [];
      for (const [k, v] of raw) {
        const [prefix, local, ns] = qname(k, true, scope) ?? bad(`the prefix of ${k} is not declared`, at);
        attrs.push({ prefix, local, ns, value: v });
      }
      const [prefix, local, ns] = qname(startName, false, scope) ?? bad(`the prefix of <${startName}> is not declared`, at);
      const el: El = { prefix, local, ns, attrs, kids: [], text: '' };
      if (top) top.el.kids.push(el);
      else root = el;
      if (selfClosing !== '/') stack.push({ raw: startName, el, scope, text: [] });
    }
  }
  if (stack.length > 0) bad(`<${stack[stack.length - 1]!.raw}> is not closed`, text.length);
  if (!root) bad('no root element', 0);
  return root!;
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** [prefix, local name, namespace] of a qualified name, or null when its prefix is undeclared. */
function qname(q: string, isAttr: boolean, scope: ReadonlyMap<string, string>): [string, string, string] | null {
  const i = q.indexOf(':');
  const prefix = i < 0 ? '' : q.slice(0, i);
  const local = i < 0 ? q : q.slice(i + 1);
  if (prefix === 'xml') return [prefix, local, XML_NAMESPACE];
  // Unprefixed attributes are in no namespace; unprefixed elements take the default one.
  const ns = isAttr && prefix === '' ? '' : scope.get(prefix);
  return ns === undefined ? null : [prefix, local, ns];
}

// ------------------------------------------------------------ @context

/** Assigns each user namespace one JSON-LD prefix: its XML prefix when free, else a fresh one. */
class Prefixes {
  private readonly byUri = new Map<string, string>();
  private readonly taken = new Map<string, string>();

  constructor(declared: [string, string][]) {
    for (const [p, uri] of STANDARD_PREFIXES) {
      this.taken.set(p, uri);
      this.byUri.set(uri, p);
    }
    for (const [prefix, uri] of declared) if (!SYNTAX_NAMESPACES.has(uri)) this.prefixOf(uri, prefix);
  }

  prefixOf(uri: string, wanted: string): string {
    const known = this.byUri.get(uri);
    if (known !== undefined) return known;
    let p = wanted !== '' && /^[A-Za-z][\w.-]*$/.test(wanted) ? wanted : 'ns';
    for (let i = 1; this.taken.has(p); i++) p = `${wanted || 'ns'}${i}`;
    this.taken.set(p, uri);
    this.byUri.set(uri, p);
    return p;
  }

  /** The user namespaces (not those the EPCIS context already defines). */
  context(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [p, uri] of this.taken) if (STANDARD_PREFIXES.get(p) !== uri) out[p] = uri;
    return out;
  }
}

// ------------------------------------------------------------ values

const xsiType = (el: El): string | undefined => {
  const a = el.attrs.find((x) => x.ns === XSI_NS && x.local === 'type');
  if (!a) return undefined;
  const i = a.value.indexOf(':');
  return i < 0 ? a.value : a.value.slice(i + 1);
};
const isNil = (el: El) => el.attrs.some((x) => x.ns === XSI_NS && x.local === 'nil' && /^(true|1)$/.test(x.value.trim()));

const NUMERIC_XSD = new Set([
  'decimal',
  'integer',
  'int',
  'long',
  'short',
  'byte',
  'double',
  'float',
  'nonNegativeInteger',
  'positiveInteger',
  'nonPositiveInteger',
  'negativeInteger',
  'unsignedLong',
  'unsignedInt',
  'unsignedShort',
  'unsignedByte',
]);

/** An extension leaf: text, or a number / boolean when xsi:type says so (the serializer writes it for JSON numbers and booleans). */
function typedLeaf(el: El): unknown {
  const t = xsiType(el);
  if (t === 'boolean') return /^(true|1)$/.test(el.text);
  if (t !== undefined && NUMERIC_XSD.has(t)) {
    const n = Number(el.text);
    if (el.text !== '' && Number.isFinite(n)) return n;
  }
  return el.text;
}

const number = (s: string): number | string => {
  const n = Number(s.trim());
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
};

class Reader {
  constructor(private readonly prefixes: Prefixes) {}

  key(ns: string, local: string, prefix: string): string {
    if (ns === '') return local;
    return `${this.prefixes.prefixOf(ns, prefix)}:${local}`;
  }

  /** Adds an extension element to an object; a repeated name becomes an array. */
  extension(into: Json, el: El): void {
    const key = this.key(el.ns, el.local, el.prefix);
    const value = this.extensionValue(el);
    const had = into[key];
    if (had === undefined) into[key] = value;
    else if (Array.isArray(had)) had.push(value);
    else into[key] = [had, value];
  }

  private extensionValue(el: El): unknown {
    const attrs = el.attrs.filter((a) => a.ns !== XSI_NS && a.ns !== 'http://www.w3.org/XML/1998/namespace');
    if (el.kids.length === 0 && attrs.length === 0) return typedLeaf(el);
    if (el.kids.length === 0 && el.text !== '') {
      throw new EpcisXmlError(
        'xml_unsupported',
        `<${el.prefix ? `${el.prefix}:` : ''}${el.local}> has both attributes and text: the JSON event model has no place for that`,
      );
    }
    const out: Json = {};
    for (const a of attrs) out[this.key(a.ns, a.local, a.prefix)] = a.value;
    for (const k of el.kids) this.extension(out, k);
    return out;
  }

  /** Children in other namespaces, and the contents of `extension` wrappers, as extension fields of `into`. */
  extensions(into: Json, kids: El[], standard: (k: El) => boolean): void {
    for (const k of kids) {
      if (k.ns === '' && (k.local === 'extension' || k.local === 'baseExtension')) this.extensions(into, k.kids, () => false);
      else if (k.ns !== '' || !standard(k)) this.extension(into, k);
    }
  }

  event(el: El, index: number): Json {
    const type = el.local as EventType;
    const fields = new Set(EVENT_FIELDS[type]);
    const out: Json = { type };
    for (const k of el.kids) {
      if (k.ns !== '' || k.local === 'extension' || k.local === 'baseExtension') continue;
      const kind = FIELD_KIND[k.local];
      if (!kind || !fields.has(k.local)) {
        throw new EpcisXmlError('xml_unsupported', `event ${index} (${type}): <${k.local}> is not a field of ${type}`);
      }
      out[k.local] = this.field(kind, k);
    }
    this.extensions(out, el.kids, (k) => FIELD_KIND[k.local] !== undefined);
    for (const a of el.attrs) if (a.ns !== '' && a.ns !== XSI_NS) out[this.key(a.ns, a.local, a.prefix)] = a.value;
    return out;
  }

  private field(kind: FieldKind, el: El): unknown {
    const kids = (name: string) => el.kids.filter((k) => k.ns === '' && k.local === name);
    const textOf = (name: string) => kids(name)[0]?.text;
    switch (kind) {
      case 'text':
        return el.text;
      case 'BizStep':
      case 'Disp':
        return jsonTerm(kind, el.text);
      case 'epcs':
        return kids('epc').map((k) => k.text);
      case 'quantities':
        return kids('quantityElement').map((q) => {
          const out: Json = { epcClass: q.kids.find((k) => k.ns === '' && k.local === 'epcClass')?.text ?? '' };
          const quantity = q.kids.find((k) => k.ns === '' && k.local === 'quantity');
          if (quantity && !isNil(quantity)) out.quantity = number(quantity.text);
          const uom = q.kids.find((k) => k.ns === '' && k.local === 'uom');
          if (uom) out.uom = uom.text;
          return out;
        });
      case 'location': {
        const out: Json = { id: textOf('id') ?? '' };
        this.extensions(out, el.kids, (k) => k.local === 'id');
        return out;
      }
      case 'bizTransactions':
        return kids('bizTransaction').map((k) => this.typed(k, 'BTT', 'bizTransaction'));
      case 'sources':
        return kids('source').map((k) => this.typed(k, 'SDT', 'source'));
      case 'destinations':
        return kids('destination').map((k) => this.typed(k, 'SDT', 'destination'));
      case 'sensors':
        return kids('sensorElement').map((s) => {
          const out: Json = {};
          const meta = s.kids.find((k) => k.ns === '' && k.local === 'sensorMetadata');
          if (meta) out.sensorMetadata = this.sensorAttrs(meta, SENSOR_METADATA_ATTRS);
          out.sensorReport = s.kids
            .filter((k) => k.ns === '' && k.local === 'sensorReport')
            .map((r) => this.sensorAttrs(r, SENSOR_REPORT_ATTRS));
          this.extensions(out, s.kids, (k) => k.local === 'sensorMetadata' || k.local === 'sensorReport');
          return out;
        });
      case 'persistentDisposition': {
        const out: Json = {};
        for (const which of ['set', 'unset'] as const) {
          const values = kids(which).map((k) => jsonTerm('Disp', k.text));
          if (values.length > 0) out[which] = values;
        }
        return out;
      }
      case 'ilmd': {
        const out: Json = {};
        this.extensions(out, el.kids, () => false);
        return out;
      }
      case 'errorDeclaration': {
        const out: Json = {};
        const time = textOf('declarationTime');
        if (time !== undefined) out.declarationTime = time;
        const reason = textOf('reason');
        if (reason !== undefined) out.reason = jsonTerm('ER', reason);
        const ids = kids('correctiveEventIDs')[0];
        if (ids) out.correctiveEventIDs = ids.kids.filter((k) => k.local === 'correctiveEventID').map((k) => k.text);
        this.extensions(out, el.kids, (k) => ['declarationTime', 'reason', 'correctiveEventIDs'].includes(k.local));
        return out;
      }
    }
  }

  private typed(el: El, kind: VocabKind, key: string): Json {
    const type = el.attrs.find((a) => a.ns === '' && a.local === 'type');
    const out: Json = type ? { type: jsonTerm(kind, type.value) } : {};
    out[key] = el.text;
    return out;
  }

  private sensorAttrs(el: El, known: ReadonlySet<string>): Json {
    const out: Json = {};
    for (const a of el.attrs) {
      if (a.ns === XSI_NS) continue;
      if (a.ns !== '' || !known.has(a.local)) {
        out[this.key(a.ns, a.local, a.prefix)] = a.value;
        continue;
      }
      const vocab = SENSOR_VOCAB[a.local];
      out[a.local] = SENSOR_NUMBERS.has(a.local)
        ? number(a.value)
        : a.local === 'booleanValue'
          ? /^(true|1)$/.test(a.value.trim())
          : vocab && known === SENSOR_REPORT_ATTRS
            ? jsonTerm(vocab, a.value)
            : a.value;
    }
    return out;
  }
}

// ------------------------------------------------------------ documents

/** Position of a well-formedness fault, from fast-xml-parser's validator. */
function wellFormedness(text: string): void {
  const r = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (r === true) return;
  throw new EpcisXmlError('xml_not_well_formed', `not well-formed XML: ${r.err.msg}`, r.err.line, r.err.col);
}

/** The first line of a DOCTYPE or entity declaration, if any. */
function doctypeLine(text: string): number | null {
  const m = /<!(DOCTYPE|ENTITY)/i.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : null;
}

/**
 * Reads an EPCIS 2.0 XML EPCISDocument or EPCISQueryDocument as the JSON-LD
 * document of the JSON binding. Throws EpcisXmlError for text that is not
 * well-formed, declares a DOCTYPE, is not an EPCIS 2.0 document, or holds what
 * the JSON event model cannot carry. It does not validate against the XSD:
 * callers that need that (the node) run the XSD first.
 */
export function parseEpcisXml(text: string, opts: ParseOptions = {}): Json {
  const dtd = doctypeLine(text);
  if (dtd !== null) {
    throw new EpcisXmlError(
      'xml_doctype',
      'DOCTYPE and entity declarations are not accepted: EPCIS XML needs none, and entities are never expanded',
      dtd,
    );
  }
  if (!opts.wellFormed) wellFormedness(text);
  const declared: [string, string][] = [];
  const root = tree(text, declared);

  if (root.ns === EPCIS_1_XML_NS || /^urn:epcglobal:epcis(-query)?:xsd:1$/.test(root.ns)) {
    throw new EpcisXmlError('epcis_version', `${root.local} in ${root.ns} is EPCIS 1.x: this repository speaks EPCIS 2.0`);
  }
  const isDoc = root.local === 'EPCISDocument' && root.ns === EPCIS_XML_NS;
  const isQuery = root.local === 'EPCISQueryDocument' && root.ns === EPCIS_QUERY_XML_NS;
  if (!isDoc && !isQuery) {
    throw new EpcisXmlError(
      'not_an_epcis_document',
      `the root element must be EPCISDocument in ${EPCIS_XML_NS} or EPCISQueryDocument in ${EPCIS_QUERY_XML_NS}, not {${root.ns}}${root.local}`,
    );
  }

  const prefixes = new Prefixes(declared);
  const reader = new Reader(prefixes);
  const child = (el: El | undefined, local: string, ns = '') => el?.kids.find((k) => k.local === local && k.ns === ns);
  const body = child(root, 'EPCISBody');
  const events = (list: El | undefined): Json[] =>
    (list?.kids ?? []).map((e, i) => {
      if (e.ns !== '' || !isEventType(e.local)) {
        throw new EpcisXmlError('xml_unsupported', `event ${i}: <${e.local}> is not an EPCIS 2.0 event type`);
      }
      return reader.event(e, i);
    });

  let epcisBody: Json;
  if (isDoc) {
    epcisBody = { eventList: events(child(body, 'EventList')) };
  } else {
    const results = child(body, 'QueryResults', EPCIS_QUERY_XML_NS);
    if (!results) throw new EpcisXmlError('not_an_epcis_document', 'the EPCISQueryDocument carries no QueryResults');
    const queryResults: Json = { queryName: child(results, 'queryName')?.text ?? '' };
    const sub = child(results, 'subscriptionID');
    if (sub) queryResults.subscriptionID = sub.text;
    queryResults.resultsBody = { eventList: events(child(child(results, 'resultsBody'), 'EventList')) };
    epcisBody = { queryResults };
  }

  const attr = (name: string) => root.attrs.find((a) => a.ns === '' && a.local === name)?.value;
  const namespaces = prefixes.context();
  const doc: Json = {
    '@context': Object.keys(namespaces).length > 0 ? [EPCIS_CONTEXT_URL, namespaces] : [EPCIS_CONTEXT_URL],
    type: isDoc ? 'EPCISDocument' : 'EPCISQueryDocument',
  };
  const version = attr('schemaVersion');
  if (version !== undefined) doc.schemaVersion = version;
  const created = attr('creationDate');
  if (created !== undefined) doc.creationDate = created;
  doc.epcisBody = epcisBody;
  return doc;
}
