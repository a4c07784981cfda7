// The SimpleEventQuery over the repository: URI query parameters (EPCIS 2.0
// REST binding, query-schema.json) → a filter tree (filter.ts), which the
// storage driver compiles to its SQL → an EPCISQueryDocument, paged with
// opaque, stable keyset tokens.
//
// Semantics worth knowing:
// - several values of one parameter (pipe-delimited "a|b" or repeated) match any;
//   different parameters must all hold;
// - CBV values match whether given bare ("shipping"), as URNs or as Web URIs;
//   EPCs whether given as EPC URNs or GS1 Digital Link URIs; MATCH_* accept
//   EPC patterns (urn:epc:idpat:sgtin:0614141.107346.*);
// - the sensor filters (EQ_type, EQ_deviceID, GE_value_CEL …) must all hold for
//   one and the same sensorReport; values are compared in the uom named (no conversion);
// - WD_readPoint / WD_bizLocation: the locations named and their descendants in the master
//   data (children, any depth); HASATTR_<field> / EQ_ATTR_<field>_<attr> read the master data of
//   the event's readPoint, bizLocation, bizStep or disposition (master-data.ts);
// - user extension fields and ILMD (EQ_/GT_/GE_/LT_/LE_/EXISTS_[INNER_][ILMD_|ERROR_DECLARATION_]<prefix:name>,
//   EQ_[INNER_]readPoint_/bizLocation_<prefix:name>) read the epcis_ext side table: values compare as
//   numbers, date-times or dates when both sides are, else as text (extension-index.ts);
// - eventCountLimit needs orderBy and excludes maxEventCount (binding); it caps the events over all
//   pages, perPage the events of one page;
// - without orderBy events come in capture order; orderBy eventTime|recordTime
//   defaults to DESC as the standard says.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '@tradetwin/core/json/canonical-json';
import { EpcisProblem } from './problem.js';
import { EXT_PARAM_SHAPE, type ExtOp, extValueTest, fieldCandidates, parseExtParam } from './extension-index.js';
import type { CmpOp, EpcTerm, EventFilter, FilterNode, SensorColumn, SensorTest } from './filter.js';
import { attributeKey } from './master-data.js';
import type { EpcisRepository } from './repository.js';
import { parseDateTime, isoTime } from './time.js';
import { EPCIS_CONTEXT, EVENT_TYPES, LINK, type LinkCode, ROLE, type RoleCode, type StoredEvent } from './types.js';
import { type EpcForms, epcKey, epcMatcher, normaliseCbv, normaliseGs1Term } from './vocab.js';

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

const PARAM_EXC = 'epcisException:QueryParameterException';

function bad(code: string, parameter: string, detail: string): EpcisProblem {
  return new EpcisProblem(400, PARAM_EXC, code, detail, { parameter });
}

const OPS: Record<string, CmpOp> = { GE: '>=', LT: '<', GT: '>', LE: '<=' };

/** A parsed, validated SimpleEventQuery (also the input of the page-token fingerprint). */
export interface EventQuery {
  filter: EventFilter;
  eventCountLimit: number | null;
  maxEventCount: number | null;
  /** Canonical form of the filters, for the token fingerprint. */
  canonical: string;
}

export { SET_THRESHOLD } from './filter.js';

export interface PageRequest {
  perPage: number;
  token: PageToken | null;
}

interface PageToken {
  /** Query fingerprint. */
  q: string;
  /** Sort key and rid of the last event returned. */
  k: number | null;
  r: number;
  /** Events returned so far (eventCountLimit spans pages). */
  n: number;
}

/** Raw query string → [name, value] pairs, percent-decoded but keeping "+" (a time offset sign, never a space here). */
export function rawQueryPairs(url: string): [string, string][] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const out: [string, string][] = [];
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.push([decodeURIComponent(name), decodeURIComponent(value)]);
    } catch {
      throw bad('bad_encoding', name, `query parameter ${name} is not valid percent-encoding`);
    }
  }
  return out;
}

const MATCH_ROLES: Record<string, RoleCode[]> = {
  MATCH_epc: [ROLE.epc, ROLE.child],
  MATCH_parentID: [ROLE.parent],
  MATCH_inputEPC: [ROLE.input],
  MATCH_outputEPC: [ROLE.output],
  MATCH_anyEPC: [ROLE.epc, ROLE.child, ROLE.parent, ROLE.input, ROLE.output],
  MATCH_epcClass: [ROLE.quantity, ROLE.childQuantity],
  MATCH_inputEPCClass: [ROLE.inputQuantity],
  MATCH_outputEPCClass: [ROLE.outputQuantity],
  MATCH_anyEPCClass: [ROLE.quantity, ROLE.childQuantity, ROLE.inputQuantity, ROLE.outputQuantity],
};

const SENSOR_EQ_COL: Record<string, SensorColumn> = {
  EQ_deviceID: 'deviceId',
  EQ_dataProcessingMethod: 'dataProcessingMethod',
  EQ_microorganism: 'microorganism',
  EQ_chemicalSubstance: 'chemicalSubstance',
  EQ_bizRules: 'bizRules',
  EQ_stringValue: 'stringValue',
  EQ_uriValue: 'uriValue',
};

/** Parameters the standard defines that this repository does not evaluate (refused, never silently ignored). */
const UNSUPPORTED = [
  /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_)[a-z][a-zA-Z0-9]*:\w+$/,
  /^(EQ|GE|LT|GT|LE)_quantity_[A-Z0-9]{2,4}$/,
];

/** Fields whose values are vocabulary elements with master data: HASATTR_ / EQ_ATTR_. */
const VOCAB_FIELDS = ['readPoint', 'bizLocation', 'bizStep', 'disposition'] as const;

const NO_MATCH = Object.assign([''], { index: 0, input: '' }) as RegExpExecArray;

export interface ParseOptions {
  forms?: EpcForms;
  /** Parameters fixed by the resource path (/eventTypes/{t}/events, /epcs/{epc}/events …). */
  fixed?: [string, string][];
  /** Repository look-ups some parameters need (absent: CURIEs match as written, WD_ equals EQ_). */
  lookup?: QueryLookup;
}

export interface QueryLookup {
  /** Namespace IRIs captured contexts declared for a CURIE prefix. */
  namespacesOf(prefix: string): string[];
  /** Whether WD_ parameters add the master-data descendants (the driver walks them). */
  descendants: boolean;
}

/** The look-ups of a repository. */
export function repositoryLookup(repo: EpcisRepository): QueryLookup {
  return { namespacesOf: (p) => repo.namespacesOf(p), descendants: true };
}

/**
 * Parse the query parameters of GET /events (and the per-resource /…/events).
 * Returns the query and the page request; throws 400 problems naming the parameter.
 */
export function parseEventQuery(
  pairs: [string, string][],
  opts: ParseOptions = {},
): { query: EventQuery; page: PageRequest; tokenText: string | null } {
  for (const [name, value] of opts.fixed ?? []) {
    if (pairs.some(([p]) => p === name)) {
      throw bad(
        'conflicting_parameter',
        name,
        `${name} is fixed to "${value}" by the resource path; query /events to filter on it freely`,
      );
    }
  }
  const grouped = new Map<string, string[]>();
  for (const [name, value] of [...(opts.fixed ?? []), ...pairs]) {
    const list = grouped.get(name) ?? [];
    list.push(value);
    grouped.set(name, list);
  }
  const where: FilterNode[] = [];
  const canon: Record<string, unknown> = {};
  const sensor: SensorTest[] = [];
  const forms = opts.forms ?? {};
  let perPage = DEFAULT_PER_PAGE;
  let tokenText: string | null = null;
  let orderBy: EventFilter['orderBy'] = 'capture';
  let direction: EventFilter['direction'] | null = null;
  let eventCountLimit: number | null = null;
  let maxEventCount: number | null = null;

  const single = (name: string, values: string[]): string => {
    if (values.length > 1) throw bad('repeated_parameter', name, `parameter ${name} takes one value, got ${values.length}`);
    return values[0]!;
  };
  const list = (name: string, values: string[]): string[] => {
    const out = values.flatMap((v) => v.split('|')).map((v) => v.trim());
    if (out.length === 0 || out.some((v) => v === '')) throw bad('empty_value', name, `parameter ${name} has an empty value`);
    return [...new Set(out)];
  };
  const time = (name: string, values: string[]): number => {
    const v = single(name, values);
    const p = parseDateTime(v);
    if (!p.ok) throw bad('bad_time', name, `${name}: ${p.reason}`);
    return p.ms;
  };
  const number = (name: string, v: string): number => {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()))
      throw bad('bad_number', name, `${name} must be a number, not "${v}"`);
    const n = Number(v);
    // 1e309 is a valid spelling of a number no double (nor SQLite REAL) holds: refuse it, never compare with Infinity.
    if (!Number.isFinite(n)) throw bad('number_out_of_range', name, `${name}: ${v} is outside the range of a double`);
    return n;
  };
  const count = (name: string, values: string[], min: number): number => {
    const v = single(name, values);
    if (!/^\d{1,9}$/.test(v) || Number(v) < min)
      throw bad('bad_integer', name, `${name} must be an integer ≥ ${min}, not "${v}"`);
    return Number(v);
  };
  const flag = (name: string, values: string[]): boolean => {
    const v = single(name, values).toLowerCase();
    if (v === '' || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw bad('bad_boolean', name, `${name} takes true or false (or no value), not "${v}"`);
  };
  const uriList = (name: string, values: string[]): string[] => {
    const out = list(name, values);
    for (const v of out) {
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v)) throw bad('bad_uri', name, `${name}: "${v}" is not a URI`);
    }
    return out;
  };

  for (const name of [...grouped.keys()].sort()) {
    const values = grouped.get(name)!;
    if (name === 'perPage') {
      perPage = Math.min(count(name, values, 1), MAX_PER_PAGE);
      continue;
    }
    if (name === 'nextPageToken') {
      tokenText = single(name, values);
      continue;
    }
    let m: RegExpExecArray = NO_MATCH;
    const is = (re: RegExp): boolean => {
      m = re.exec(name) ?? NO_MATCH;
      return m !== NO_MATCH;
    };
    if (name === 'eventType') {
      const types = list(name, values);
      for (const t of types) {
        if (!(EVENT_TYPES as readonly string[]).includes(t) && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(t)) {
          throw bad(
            'bad_event_type',
            name,
            `eventType "${t}" is neither an EPCIS event type (${EVENT_TYPES.join(', ')}) nor a URI`,
          );
        }
      }
      where.push({ kind: 'in', field: 'type', values: types });
      canon[name] = [...types].sort();
    } else if (is(/^(GE|LT)_(eventTime|recordTime)$/)) {
      const ms = time(name, values);
      where.push({ kind: 'compare', field: m[2] as 'eventTime' | 'recordTime', op: OPS[m[1]!]!, value: ms });
      canon[name] = ms;
    } else if (name === 'EQ_action') {
      const acts = list(name, values);
      for (const a of acts)
        if (!['ADD', 'OBSERVE', 'DELETE'].includes(a))
          throw bad('bad_action', name, `EQ_action values are ADD, OBSERVE or DELETE, not "${a}"`);
      where.push({ kind: 'in', field: 'action', values: acts });
      canon[name] = [...acts].sort();
    } else if (name === 'EQ_bizStep' || name === 'EQ_disposition') {
      const kind = name === 'EQ_bizStep' ? 'BizStep' : 'Disp';
      const vals = [...new Set(list(name, values).map((v) => normaliseCbv(kind, v)))];
      where.push({ kind: 'in', field: name === 'EQ_bizStep' ? 'bizStep' : 'disposition', values: vals });
      canon[name] = [...vals].sort();
    } else if (is(/^(EQ|WD)_(readPoint|bizLocation)$/)) {
      const vals = [...new Set(uriList(name, values).map((v) => epcKey(v, forms)))];
      const withDescendants = m[1] === 'WD' && opts.lookup?.descendants === true;
      where.push({
        kind: 'in',
        field: m[2] as 'readPoint' | 'bizLocation',
        values: vals,
        ...(withDescendants ? { withDescendants } : {}),
      });
      canon[name] = [...vals].sort();
    } else if (is(/^HASATTR_(.*)$/)) {
      const field = vocabField(name, m[1]!);
      const attrs = [...new Set(list(name, values).flatMap((a) => attrCandidates(a, opts.lookup)))];
      where.push({ kind: 'vocabAttr', field, attrs, value: null });
      canon[name] = [...attrs].sort();
    } else if (is(/^EQ_ATTR_([A-Za-z]+)_(.+)$/) || is(/^EQ_ATTR_(.*)()$/)) {
      const field = vocabField(name, m[1]!);
      if (m[2] === '')
        throw bad('bad_parameter_name', name, `${name}: write EQ_ATTR_<field>_<attribute>, e.g. EQ_ATTR_bizLocation_sst`);
      const attrs = attrCandidates(m[2]!, opts.lookup);
      const vals = list(name, values);
      const c = extValueTest('EQ', vals);
      if ('fault' in c) throw bad('bad_value', name, `${name} ${c.fault}`);
      where.push({ kind: 'vocabAttr', field, attrs, value: c });
      canon[name] = [...vals].sort();
    } else if (name === 'EQ_transformationID' || name === 'EQ_eventID') {
      const vals = list(name, values);
      where.push({ kind: 'in', field: name === 'EQ_eventID' ? 'eventId' : 'transformationId', values: vals });
      canon[name] = [...vals].sort();
    } else if (is(/^EQ_persistentDisposition_(set|unset)$/)) {
      const vals = [...new Set(list(name, values).map((v) => normaliseCbv('Disp', v)))];
      const link = m[1] === 'set' ? LINK.persistentDispositionSet : LINK.persistentDispositionUnset;
      where.push(linkNode(link, vals));
      canon[name] = [...vals].sort();
    } else if (MATCH_ROLES[name]) {
      // Raw values: epcMatcher keys exact identifiers itself and reads patterns as patterns.
      const vals = [...new Set(uriList(name, values))];
      const terms: EpcTerm[] = [];
      for (const v of vals) {
        const mt = epcMatcher(v, forms);
        if (mt.exact !== null) terms.push({ exact: mt.exact });
        for (const r of mt.ranges) terms.push({ from: r.from, to: r.to, pattern: r.exact ? null : v });
      }
      where.push({ kind: 'epc', roles: MATCH_ROLES[name]!, terms });
      canon[name] = [...vals].sort();
    } else if (is(/^(EQ|GT|GE|LT|LE)_quantity$/)) {
      if (m[1] === 'EQ') {
        const nums = list(name, values).map((v) => number(name, v));
        where.push({ kind: 'quantity', test: { op: 'IN', values: nums } });
        canon[name] = [...nums].sort();
      } else {
        const n = number(name, single(name, values));
        where.push({ kind: 'quantity', test: { op: OPS[m[1]!]!, value: n } });
        canon[name] = n;
      }
    } else if (name === 'EXISTS_errorDeclaration') {
      if (flag(name, values)) {
        where.push({ kind: 'isDeclaration' });
        canon[name] = true;
      }
    } else if (is(/^(GE|LT)_errorDeclaration_?Time$/)) {
      const ms = time(name, values);
      where.push({
        kind: 'and',
        nodes: [{ kind: 'isDeclaration' }, { kind: 'compare', field: 'declarationTime', op: OPS[m[1]!]!, value: ms }],
      });
      canon[`${m[1]}_errorDeclarationTime`] = ms;
    } else if (name === 'EQ_errorReason') {
      const vals = [...new Set(list(name, values).map((v) => normaliseCbv('ER', v)))];
      where.push({ kind: 'and', nodes: [{ kind: 'isDeclaration' }, { kind: 'in', field: 'errorReason', values: vals }] });
      canon[name] = [...vals].sort();
    } else if (name === 'EQ_correctiveEventID') {
      const vals = uriList(name, values);
      where.push(linkNode(LINK.correctiveEventID, vals));
      canon[name] = [...vals].sort();
    } else if (is(/^EQ_(bizTransaction|source|destination)_([a-z][a-zA-Z0-9_]+)$/)) {
      const link = m[1] === 'bizTransaction' ? LINK.bizTransaction : m[1] === 'source' ? LINK.source : LINK.destination;
      const type = normaliseCbv(m[1] === 'bizTransaction' ? 'BTT' : 'SDT', m[2]!);
      const vals = [...new Set(uriList(name, values).map((v) => (m[1] === 'bizTransaction' ? v : epcKey(v, forms))))];
      where.push(linkNode(link, vals, type));
      canon[name] = [...vals].sort();
    } else if (name === 'EXISTS_sensorElementList') {
      if (flag(name, values)) {
        where.push({ kind: 'hasSensor' });
        canon[name] = true;
      }
    } else if (is(/^(GE|LT)_(time|startTime|endTime)$/)) {
      const ms = time(name, values);
      sensor.push({ column: m[2] as SensorColumn, op: OPS[m[1]!]!, value: ms });
      canon[name] = ms;
    } else if (name === 'EQ_type') {
      const vals = [...new Set(list(name, values).map(normaliseGs1Term))];
      sensor.push({ column: 'type', op: 'IN', values: vals });
      canon[name] = [...vals].sort();
    } else if (SENSOR_EQ_COL[name]) {
      const vals = name === 'EQ_stringValue' ? list(name, values) : uriList(name, values);
      sensor.push({ column: SENSOR_EQ_COL[name]!, op: 'IN', values: vals });
      canon[name] = [...vals].sort();
    } else if (name === 'EQ_hexBinaryValue') {
      const vals = list(name, values).map((v) => {
        if (!/^[0-9A-Fa-f]*$/.test(v) || v.length % 2 !== 0)
          throw bad('bad_hex', name, `EQ_hexBinaryValue: "${v}" is not hexBinary`);
        return v.toUpperCase();
      });
      sensor.push({ column: 'hexBinaryValue', op: 'IN', values: vals });
      canon[name] = [...vals].sort();
    } else if (name === 'EQ_booleanValue') {
      const v = single(name, values).toLowerCase();
      if (v !== 'true' && v !== 'false') throw bad('bad_boolean', name, `EQ_booleanValue takes true or false, not "${v}"`);
      sensor.push({ column: 'booleanValue', op: 'IN', values: [v === 'true' ? 1 : 0] });
      canon[name] = v;
    } else if (is(/^(GE|LT|GT|LE)_percRank$/)) {
      const n = number(name, single(name, values));
      sensor.push({ column: 'percRank', op: OPS[m[1]!]!, value: n });
      canon[name] = n;
    } else if (is(/^EQ_value_([A-Z0-9]{2,4})$/)) {
      const nums = list(name, values).map((v) => number(name, v));
      sensor.push({ column: 'uom', op: 'IN', values: [m[1]!] }, { column: 'value', op: 'IN', values: nums });
      canon[name] = [...nums].sort();
    } else if (is(/^(GE|LT|GT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_([A-Z0-9]{2,4})$/)) {
      const n = number(name, single(name, values));
      sensor.push({ column: 'uom', op: 'IN', values: [m[3]!] }, { column: m[2] as SensorColumn, op: OPS[m[1]!]!, value: n });
      canon[name] = n;
    } else if (name === 'orderBy') {
      const v = single(name, values);
      if (v === 'eventTime' || v === 'recordTime') orderBy = v;
      else throw bad('bad_order_by', name, `orderBy must be eventTime or recordTime, not "${v}"`);
      canon[name] = v;
    } else if (name === 'orderDirection') {
      const v = single(name, values);
      if (v !== 'ASC' && v !== 'DESC') throw bad('bad_order_direction', name, `orderDirection must be ASC or DESC, not "${v}"`);
      direction = v;
      canon[name] = v;
    } else if (name === 'eventCountLimit') {
      eventCountLimit = count(name, values, 1);
      canon[name] = eventCountLimit;
    } else if (name === 'maxEventCount') {
      maxEventCount = count(name, values, 1);
      canon[name] = maxEventCount;
    } else if (parseExtParam(name)) {
      const x = parseExtParam(name)!;
      const fields = fieldCandidates(x.field, (p) => opts.lookup?.namespacesOf(p) ?? []);
      if (x.op === 'EXISTS') {
        if (!flag(name, values)) continue;
        canon[name] = true;
        where.push({ kind: 'extension', area: x.area, fields, value: null });
      } else {
        const vals = x.op === 'EQ' ? list(name, values) : [single(name, values)];
        const c = extValueTest(x.op as Exclude<ExtOp, 'EXISTS'>, vals);
        if ('fault' in c) throw bad('bad_value', name, `${name} ${c.fault}`);
        canon[name] = [...vals].sort();
        where.push({ kind: 'extension', area: x.area, fields, value: c });
      }
    } else if (UNSUPPORTED.some((re) => re.test(name))) {
      throw bad(
        'unsupported_parameter',
        name,
        `query parameter ${name} is defined by EPCIS 2.0 but not supported by this repository`,
      );
    } else if (EXT_PARAM_SHAPE.test(name)) {
      throw bad(
        'bad_parameter_name',
        name,
        `${name} is not an extension-field parameter: write EQ_|GT_|GE_|LT_|LE_|EXISTS_[INNER_][ILMD_|ERROR_DECLARATION_]<prefix>:<name> (prefix [a-z][a-zA-Z0-9]*, name \\w+), or EQ_[INNER_]readPoint_|bizLocation_<prefix>:<name>`,
      );
    } else {
      throw bad('unknown_parameter', name, `unknown query parameter ${name}`);
    }
  }
  if (eventCountLimit !== null && maxEventCount !== null) {
    throw bad('conflicting_parameter', 'maxEventCount', 'eventCountLimit and maxEventCount may not both be given');
  }
  if (eventCountLimit !== null && orderBy === 'capture') {
    throw bad(
      'conflicting_parameter',
      'eventCountLimit',
      'eventCountLimit needs orderBy (eventTime or recordTime): it selects the first N in that order',
    );
  }
  if (direction !== null && orderBy === 'capture') {
    throw bad('conflicting_parameter', 'orderDirection', 'orderDirection needs orderBy (eventTime or recordTime)');
  }
  // All sensor conditions hold for one and the same sensorReport.
  if (sensor.length > 0) where.push({ kind: 'sensor', tests: sensor });
  const query: EventQuery = {
    filter: { where, orderBy, direction: direction ?? (orderBy === 'capture' ? 'ASC' : 'DESC') },
    eventCountLimit,
    maxEventCount,
    canonical: canonicalJson(canon),
  };
  return { query, page: { perPage, token: null }, tokenText };
}

function vocabField(name: string, field: string): (typeof VOCAB_FIELDS)[number] {
  const f = VOCAB_FIELDS.find((v) => v === field);
  if (!f)
    throw bad(
      'bad_parameter_name',
      name,
      `${name}: master-data parameters take readPoint, bizLocation, bizStep or disposition, not "${field}"`,
    );
  return f;
}

/** An attribute name as stored, and the IRIs its CURIE prefix may stand for. */
function attrCandidates(a: string, lookup: QueryLookup | undefined): string[] {
  return [...new Set([attributeKey(a), ...fieldCandidates(a, (p) => lookup?.namespacesOf(p) ?? [])])];
}

function linkNode(link: LinkCode, values: string[], type?: string): FilterNode {
  return { kind: 'link', link, values: [...values], type: type ?? null };
}

// ------------------------------------------------------------ page tokens

function fingerprint(q: EventQuery): string {
  return createHash('sha256').update(`${q.canonical}|${q.filter.orderBy}|${q.filter.direction}`).digest('base64url').slice(0, 16);
}

export function encodeToken(key: Buffer, t: PageToken): string {
  const body = Buffer.from(JSON.stringify([t.q, t.k, t.r, t.n])).toString('base64url');
  const mac = createHmac('sha256', key).update(body).digest('base64url').slice(0, 22);
  return `${body}.${mac}`;
}

/** A token's MAC when this repository issued it (unaltered), else null. */
export function tokenMac(key: Buffer, text: string): string | null {
  const [body, mac] = text.split('.');
  if (!body || !mac || text.split('.').length !== 2) return null;
  const expect = createHmac('sha256', key).update(body).digest('base64url').slice(0, 22);
  if (expect.length !== mac.length || !timingSafeEqual(Buffer.from(expect), Buffer.from(mac))) return null;
  return mac;
}

export async function decodeToken(
  key: Buffer,
  text: string,
  q: EventQuery,
  released?: (mac: string) => Promise<boolean>,
): Promise<PageToken> {
  const invalid = () =>
    bad('bad_page_token', 'nextPageToken', 'nextPageToken was not issued by this repository (or was altered)');
  const mac = tokenMac(key, text);
  if (mac === null) throw invalid();
  if (await released?.(mac))
    throw bad(
      'page_token_released',
      'nextPageToken',
      'nextPageToken was released (DELETE /nextPageToken/{token}): run the query again',
    );
  const body = text.split('.')[0]!;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(v) ||
    v.length !== 4 ||
    typeof v[0] !== 'string' ||
    !(v[1] === null || Number.isSafeInteger(v[1])) ||
    !Number.isSafeInteger(v[2]) ||
    !Number.isSafeInteger(v[3])
  ) {
    throw invalid();
  }
  const t: PageToken = { q: v[0], k: v[1] as number | null, r: v[2] as number, n: v[3] as number };
  if (t.q !== fingerprint(q)) {
    throw bad(
      'page_token_mismatch',
      'nextPageToken',
      'nextPageToken belongs to a different query: repeat the same filters and order to page on',
    );
  }
  return t;
}

// ------------------------------------------------------------ execution

export interface QueryPage {
  events: StoredEvent[];
  /** Token for the next page; absent on the last page. */
  nextPageToken?: string;
}

function keyOf(e: StoredEvent, orderBy: EventFilter['orderBy']): number | null {
  return orderBy === 'eventTime' ? e.eventTime : orderBy === 'recordTime' ? e.recordTime : null;
}

/** Run a parsed query for one page. */
export async function runEventQuery(
  repo: EpcisRepository,
  query: EventQuery,
  page: PageRequest,
  tokenText: string | null = null,
  setThreshold?: number,
): Promise<QueryPage> {
  const token = tokenText !== null ? await decodeToken(repo.tokenKey, tokenText, query, (mac) => repo.isTokenRevoked(mac)) : null;
  const ctx = { epcMatch: repo.epcMatch, ...(setThreshold !== undefined ? { setThreshold } : {}) };
  if (query.maxEventCount !== null && !token) {
    const n = await repo.index.countEvents(query.filter, query.maxEventCount + 1, ctx);
    if (n > query.maxEventCount) {
      throw new EpcisProblem(
        413,
        'epcisException:QueryTooLargeException',
        'query_too_large',
        `more than maxEventCount=${query.maxEventCount} events match this query`,
        { parameter: 'maxEventCount' },
      );
    }
  }
  const done = token?.n ?? 0;
  const remaining = query.eventCountLimit !== null ? query.eventCountLimit - done : Number.POSITIVE_INFINITY;
  const take = Math.max(0, Math.min(page.perPage, remaining));
  if (take === 0) return { events: [] };
  const fetched = await repo.index.queryEvents(
    query.filter,
    { after: token ? { key: token.k, rid: token.r } : null, limit: take + 1 },
    ctx,
  );
  const events = fetched.slice(0, take);
  const more = fetched.length > take && done + take < remaining;
  if (!more) return { events };
  const last = events[events.length - 1]!;
  return {
    events,
    nextPageToken: encodeToken(repo.tokenKey, {
      q: fingerprint(query),
      k: keyOf(last, query.filter.orderBy),
      r: last.leafIndex,
      n: done + events.length,
    }),
  };
}

/** An event as the query interface returns it: as captured, with the repository's recordTime. */
export function eventJson(e: StoredEvent): Record<string, unknown> {
  return { ...(JSON.parse(e.json) as Record<string, unknown>), recordTime: isoTime(e.recordTime) };
}

/** The same, as JSON text: the stored canonical JSON with recordTime spliced in (no parse, no re-serialisation). */
export function eventJsonText(e: StoredEvent): string {
  const body = e.json.trim();
  const rest = body.slice(1).trimStart();
  return `{"recordTime":${JSON.stringify(isoTime(e.recordTime))}${rest.startsWith('}') ? '' : ','}${rest}`;
}

export function queryDocument(events: StoredEvent[], queryName = 'SimpleEventQuery'): Record<string, unknown> {
  return JSON.parse(queryDocumentText(events, queryName)) as Record<string, unknown>;
}

/** An EPCISQueryDocument as JSON text. */
export function queryDocumentText(
  events: StoredEvent[],
  queryName = 'SimpleEventQuery',
  /** Rewrites each event's JSON (GS1-EPC-Format translation). */
  translate?: (json: string) => string,
): string {
  const head = JSON.stringify({
    '@context': [EPCIS_CONTEXT],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
  });
  return `${head.slice(0, -1)},"epcisBody":{"queryResults":{"queryName":${JSON.stringify(queryName)},"resultsBody":{"eventList":[${events
    .map((e) => eventJsonText(translate ? { ...e, json: translate(e.json) } : e))
    .join(',')}]}}}}`;
}
