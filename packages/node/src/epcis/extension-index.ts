// User extension fields and ILMD, indexed generically for the SimpleEventQuery's
// EQ_/GT_/GE_/LT_/LE_/EXISTS_ families (plain, INNER_, ILMD_, INNER_ILMD_,
// ERROR_DECLARATION_, and EQ_readPoint_/EQ_bizLocation_ extension fields).
//
// At capture every extension field becomes rows of the side table epcis_ext
// (rid, seq, area, field, kind, text, num), one per scalar value (an array gives
// one row per element, an object-valued field one row with no value so that
// EXISTS_ sees it). `field` is the field's IRI when its CURIE prefix is declared
// in the event's or document's @context (so two documents naming one namespace
// with different prefixes meet), else the name as written. `kind` says how `num`
// compares: 1 number (JSON numbers and numeric strings), 2 date-time (epoch ms),
// 3 date (UTC midnight ms); 0 text only.
//
// Query parameter names spell the field as a CURIE (query-schema.json:
// `[a-z][a-zA-Z0-9]*:\w+`); the prefix resolves through the prefixes learned at
// capture (epcis_ns) and also matches the name as written.
import type { ValueTest } from './filter.js';
import { parseDateTime } from './time.js';

/** Where an extension field sits; ×2, +1 when nested (INNER_) inside a top-level extension field. */
export const AREA = { event: 0, ilmd: 1, errorDeclaration: 2, readPoint: 3, bizLocation: 4 } as const;
export type AreaName = keyof typeof AREA;

export const KIND = { text: 0, number: 1, dateTime: 2, date: 3 } as const;

export interface ExtRow {
  area: number;
  field: string;
  kind: number;
  text: string | null;
  num: number | null;
}

export interface ExtensionIndex {
  rows: ExtRow[];
  /** CURIE prefixes the event's context declares, [prefix, namespace IRI]. */
  namespaces: [string, string][];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CURIE = /^([A-Za-z][A-Za-z0-9_.-]*):([^/].*)$/;

/** Prefix → namespace IRI declared by the (extra) @context entries of an event. */
export function contextPrefixes(...contexts: unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (c: unknown) => {
    if (Array.isArray(c)) c.forEach(visit);
    else if (isObject(c)) {
      for (const [k, v] of Object.entries(c)) {
        if (typeof v === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(v) && !k.startsWith('@')) out.set(k, v);
        else if (isObject(v) && typeof v['@id'] === 'string' && !k.startsWith('@')) out.set(k, v['@id']);
      }
    }
  };
  contexts.forEach(visit);
  return out;
}

/** The indexed name of an extension field: its IRI when the prefix is declared, else as written. */
export function fieldKey(name: string, prefixes: Map<string, string>): string {
  const m = CURIE.exec(name);
  if (m && !/^https?$/i.test(m[1]!)) {
    const ns = prefixes.get(m[1]!);
    if (ns) return `${ns}${m[2]}`;
  }
  return name;
}

/** A scalar's comparable forms. */
export function scalar(v: unknown): { kind: number; text: string | null; num: number | null } | null {
  if (typeof v === 'number' && Number.isFinite(v)) return { kind: KIND.number, text: String(v), num: v };
  if (typeof v === 'boolean') return { kind: KIND.text, text: String(v), num: null };
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (NUMBER.test(t)) return { kind: KIND.number, text: v, num: Number(t) };
  const dt = parseDateTime(t);
  if (dt.ok) return { kind: KIND.dateTime, text: v, num: dt.ms };
  const d = dateMs(t);
  if (d !== null) return { kind: KIND.date, text: v, num: d };
  return { kind: KIND.text, text: v, num: null };
}

function dateMs(v: string): number | null {
  const m = DATE.exec(v);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2024-02-30 over to March: only real calendar dates count.
  return new Date(ms).toISOString().slice(0, 10) === v ? ms : null;
}

const isExtensionKey = (k: string) => k.includes(':') && !k.startsWith('@');

/** Every extension field of one event, by area. `contexts`: the document's and the event's extra @context entries. */
export function extractExtensions(event: Record<string, unknown>, contexts: unknown[]): ExtensionIndex {
  const prefixes = contextPrefixes(...contexts);
  const rows: ExtRow[] = [];
  const push = (area: number, field: string, value: unknown) => {
    if (Array.isArray(value)) {
      if (value.length === 0) rows.push({ area, field, kind: KIND.text, text: null, num: null });
      for (const v of value) push(area, field, v);
      return;
    }
    const literal = isObject(value) && '@value' in value ? value['@value'] : value;
    const s = scalar(literal);
    rows.push(s ? { area, field, ...s } : { area, field, kind: KIND.text, text: null, num: null });
  };
  // Fields nested (at any depth) inside a top-level extension field: the INNER_ families.
  const inner = (area: number, value: unknown) => {
    if (Array.isArray(value)) {
      for (const v of value) inner(area, v);
      return;
    }
    if (!isObject(value) || '@value' in value) return;
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('@')) continue;
      push(area * 2 + 1, fieldKey(k, prefixes), v);
      inner(area, v);
    }
  };
  const top = (area: number, obj: unknown) => {
    if (!isObject(obj)) return;
    for (const [k, v] of Object.entries(obj)) {
      if (!isExtensionKey(k)) continue;
      push(area * 2, fieldKey(k, prefixes), v);
      inner(area, v);
    }
  };
  top(AREA.event, event);
  // ILMD holds only user fields: every key counts, prefixed or not.
  if (isObject(event.ilmd)) {
    for (const [k, v] of Object.entries(event.ilmd)) {
      if (k.startsWith('@')) continue;
      push(AREA.ilmd * 2, fieldKey(k, prefixes), v);
      inner(AREA.ilmd, v);
    }
  }
  top(AREA.errorDeclaration, event.errorDeclaration);
  top(AREA.readPoint, event.readPoint);
  top(AREA.bizLocation, event.bizLocation);
  return { rows, namespaces: [...prefixes.entries()] };
}

// ------------------------------------------------------------ query parameters

export type ExtOp = 'EQ' | 'GT' | 'GE' | 'LT' | 'LE' | 'EXISTS';

export interface ExtParam {
  op: ExtOp;
  area: number;
  /** The field as the parameter spells it (a CURIE). */
  field: string;
}

const FIELD = '([a-z][a-zA-Z0-9]*:\\w+)';
const EXT_PARAM = new RegExp(`^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_)?${FIELD}$`);
const LOCATION_EXT_PARAM = new RegExp(`^EQ_(INNER_)?(readPoint|bizLocation)_${FIELD}$`);
/** Looks like an extension-field parameter but does not fit the binding's grammar (for a precise 400). */
export const EXT_PARAM_SHAPE = /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_|ERROR_DECLARATION_|readPoint_|bizLocation_)?[^_]*:/;

export function parseExtParam(name: string): ExtParam | null {
  const m = EXT_PARAM.exec(name);
  if (m) {
    const area = m[3] === 'ILMD_' ? AREA.ilmd : m[3] === 'ERROR_DECLARATION_' ? AREA.errorDeclaration : AREA.event;
    return { op: m[1] as ExtOp, area: area * 2 + (m[2] ? 1 : 0), field: m[4]! };
  }
  const l = LOCATION_EXT_PARAM.exec(name);
  if (l) return { op: 'EQ', area: AREA[l[2] as 'readPoint' | 'bizLocation'] * 2 + (l[1] ? 1 : 0), field: l[3]! };
  return null;
}

/** The field names to look up for a parameter's CURIE: as written, and the IRI of each namespace its prefix was captured with. */
export function fieldCandidates(field: string, namespacesOf: (prefix: string) => string[]): string[] {
  const m = CURIE.exec(field);
  const out = new Set([field]);
  if (m) for (const ns of namespacesOf(m[1]!)) out.add(`${ns}${m[2]}`);
  return [...out];
}

export type ValueFault = { fault: string };

/** The value test of one comparison parameter, or why its value is not comparable. */
export function extValueTest(op: Exclude<ExtOp, 'EXISTS'>, values: string[]): ValueTest | ValueFault {
  if (op === 'EQ') {
    const typed: { kind: number; num: number }[] = [];
    for (const v of values) {
      const s = scalar(v);
      if (s && s.kind !== KIND.text && s.num !== null) typed.push({ kind: s.kind, num: s.num });
    }
    return { op: 'EQ', texts: [...values], typed };
  }
  if (values.length !== 1) return { fault: `takes one value, got ${values.length}` };
  const s = scalar(values[0]);
  if (!s || s.kind === KIND.text || s.num === null)
    return { fault: `compares numbers, dates or date-times; "${values[0]}" is none of them` };
  const cmp = ({ GT: '>', GE: '>=', LT: '<', LE: '<=' } as const)[op];
  return { op: cmp, kind: s.kind, num: s.num };
}
