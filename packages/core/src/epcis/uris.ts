// EPC URNs (GS1 Tag Data Standard 2.0 §6) ↔ GS1 Digital Link URIs (GS1 Digital
// Link 1.2). EPCIS 2.0 lets either name an object; the CBV 2.0 §8.9 event hash
// needs one spelling, the "constrained canonical" Digital Link: host
// https://id.gs1.org, no query string, and only the most specific key level.
import { gs1CheckDigit, hasValidCheckDigit } from './gs1-check.js';

export const GS1_RESOLVER = 'https://id.gs1.org';

// ----------------------------------------------------------------- escaping

/** GS1 AI encodable character set 82 (GenSpecs Figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
/** Component Parts / CPID: character set 39. */
const CSET39 = /^[#\-/0-9A-Z]*$/;

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Decodes an EPC URN component; null when it holds characters TDS §6.3 does not allow. */
function fromUrn(s: string): string | null {
  if (!/^(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!'()*+,\-.:;=_])+$/.test(s)) return null;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/** TDS §6.3: " % & / < > ? (and # in CPIs) are escaped in EPC URNs. */
const toUrn = (raw: string) => raw.replace(/["#%&/<>?]/g, hex);

/**
 * Digital Link path segments: only the characters of set 82 that GS1 Digital
 * Link does not allow literally in a path segment are percent-encoded
 * (" # % & / < > ?); ! ' ( ) * + , : ; = stay as they are (2026 reference).
 */
const toDl = (raw: string) => raw.replace(/["#%&/<>? ]/g, hex);

function fromDl(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

// ------------------------------------------------------------ EPC → DL

const CP = /^\d{6,12}$/;
const DIGITS = /^\d+$/;

/** Company prefix + reference of fixed total length, both all digits. */
function keyDigits(cp: string | undefined, ref: string | undefined, total: number): string | null {
  if (cp === undefined || ref === undefined || !CP.test(cp) || !(ref === '' || DIGITS.test(ref))) return null;
  return cp.length + ref.length === total ? cp + ref : null;
}

/** GTIN-14 from company prefix and indicator+item reference (indicator digit first). */
function gtin14(cp: string | undefined, ir: string | undefined): string | null {
  const d = keyDigits(cp, ir, 13);
  if (!d || !ir) return null;
  const body = ir[0] + cp! + ir.slice(1);
  return body + gs1CheckDigit(body);
}

/** A key of `total` digits before its check digit. */
function checked(cp: string | undefined, ref: string | undefined, total: number): string | null {
  const d = keyDigits(cp, ref, total);
  return d ? d + gs1CheckDigit(d) : null;
}

/** A URN component decoded and bounded to 1…max characters of set 82. */
function part(s: string | undefined, max: number, set = CSET82): string | null {
  if (s === undefined) return null;
  const raw = fromUrn(s);
  return raw !== null && raw.length >= 1 && raw.length <= max && set.test(raw) ? raw : null;
}

type ToDl = (f: string[]) => string | null;
const dl = (...segments: (string | null)[]) =>
  segments.some((s) => s === null) ? null : `${GS1_RESOLVER}/${segments.join('/')}`;

const ID: Record<string, ToDl> = {
  sgtin: ([cp, ir, ser, ...x]) => (x.length ? null : dl('01', gtin14(cp, ir), '21', enc(part(ser, 20)))),
  sscc: ([cp, sr, ...x]) => {
    const d = x.length ? null : keyDigits(cp, sr, 17);
    if (!d) return null;
    const body = sr![0] + cp! + sr!.slice(1);
    return dl('00', body + gs1CheckDigit(body));
  },
  sgln: ([cp, lr, ext, ...x]) => {
    if (x.length || ext === undefined) return null;
    const gln = checked(cp, lr, 12);
    return ext === '0' ? dl('414', gln) : dl('414', gln, '254', enc(part(ext, 20)));
  },
  grai: ([cp, at, ser, ...x]) => {
    const d = x.length ? null : keyDigits(cp, at, 12);
    const s = part(ser, 16);
    return d && s ? dl('8003', `0${d}${gs1CheckDigit(`0${d}`)}${toDl(s)}`) : null;
  },
  giai: ([cp, ref, ...x]) => {
    const r = part(ref, 24);
    return !x.length && cp && CP.test(cp) && r && cp.length + r.length <= 30 ? dl('8004', cp + toDl(r)) : null;
  },
  gsrn: ([cp, sr, ...x]) => (x.length ? null : dl('8018', checked(cp, sr, 17))),
  gsrnp: ([cp, sr, ...x]) => (x.length ? null : dl('8017', checked(cp, sr, 17))),
  gdti: ([cp, dt, ser, ...x]) => {
    const k = x.length ? null : checked(cp, dt, 12);
    const s = part(ser, 17);
    return k && s ? dl('253', k + toDl(s)) : null;
  },
  sgcn: ([cp, cr, ser, ...x]) => {
    const k = x.length ? null : checked(cp, cr, 12);
    return k && ser && /^\d{1,12}$/.test(ser) ? dl('255', k + ser) : null;
  },
  ginc: ([cp, ref, ...x]) => {
    const r = part(ref, 24);
    return !x.length && cp && CP.test(cp) && r && cp.length + r.length <= 30 ? dl('401', cp + toDl(r)) : null;
  },
  gsin: ([cp, sr, ...x]) => (x.length ? null : dl('402', checked(cp, sr, 16))),
  itip: ([cp, ir, piece, total, ser, ...x]) => {
    const g = x.length ? null : gtin14(cp, ir);
    return g && /^\d\d$/.test(piece ?? '') && /^\d\d$/.test(total ?? '')
      ? dl('8006', `${g}${piece}${total}`, '21', enc(part(ser, 20)))
      : null;
  },
  upui: ([cp, ir, tpx, ...x]) => (x.length ? null : dl('01', gtin14(cp, ir), '235', enc(part(tpx, 28)))),
  pgln: ([cp, pr, ...x]) => (x.length ? null : dl('417', checked(cp, pr, 12))),
  cpi: ([cp, ref, ser, ...x]) => {
    const r = part(ref, 24, CSET39);
    const ok = !x.length && cp && CP.test(cp) && r && cp.length + r.length <= 30 && /^\d{1,12}$/.test(ser ?? '');
    return ok ? dl('8010', toDl(cp + r), '8011', ser!) : null;
  },
};

const CLASS: Record<string, ToDl> = {
  lgtin: ([cp, ir, lot, ...x]) => (x.length ? null : dl('01', gtin14(cp, ir), '10', enc(part(lot, 20)))),
};

/** EPC pattern URNs whose only wildcard is the serial denote a class: its key alone. */
const IDPAT: Record<string, ToDl> = {
  sgtin: ([cp, ir, star, ...x]) => (x.length || star !== '*' ? null : dl('01', gtin14(cp, ir))),
  upui: ([cp, ir, star, ...x]) => (x.length || star !== '*' ? null : dl('01', gtin14(cp, ir))),
  grai: ([cp, at, star, ...x]) => {
    const d = x.length || star !== '*' ? null : keyDigits(cp, at, 12);
    return d ? dl('8003', `0${d}${gs1CheckDigit(`0${d}`)}`) : null;
  },
  gdti: ([cp, dt, star, ...x]) => (x.length || star !== '*' ? null : dl('253', checked(cp, dt, 12))),
  sgcn: ([cp, cr, star, ...x]) => (x.length || star !== '*' ? null : dl('255', checked(cp, cr, 12))),
  cpi: ([cp, ref, star, ...x]) => {
    const r = part(ref, 24, CSET39);
    return !x.length && star === '*' && cp && CP.test(cp) && r && cp.length + r.length <= 30 ? dl('8010', toDl(cp + r)) : null;
  },
  itip: ([cp, ir, piece, total, star, ...x]) => {
    const g = x.length || star !== '*' ? null : gtin14(cp, ir);
    return g && /^\d\d$/.test(piece ?? '') && /^\d\d$/.test(total ?? '') ? dl('8006', `${g}${piece}${total}`) : null;
  },
};

/** Dotted fields per scheme (patterns have the same count, '*' last). */
const FIELD_COUNT: Record<string, number> = {
  sgtin: 3,
  sscc: 2,
  sgln: 3,
  grai: 3,
  giai: 2,
  gsrn: 2,
  gsrnp: 2,
  gdti: 3,
  sgcn: 3,
  ginc: 2,
  gsin: 2,
  itip: 5,
  upui: 3,
  pgln: 2,
  cpi: 3,
  lgtin: 3,
};

/**
 * Splits the dotted fields of an EPC URN body; the last field keeps any further
 * dots, since serials, lots and asset references may contain them.
 */
function fieldsOf(body: string, count: number): string[] {
  const parts = body.split('.');
  return count > 0 && parts.length > count ? [...parts.slice(0, count - 1), parts.slice(count - 1).join('.')] : parts;
}

function enc(raw: string | null): string | null {
  return raw === null ? null : toDl(raw);
}

/**
 * The canonical GS1 Digital Link URI of an EPC URN (`urn:epc:id:…`), an EPC
 * class URN (`urn:epc:class:lgtin:…`) or a serial-wildcard EPC pattern
 * (`urn:epc:idpat:sgtin:….*`); null when the input is none of these or is
 * malformed, or the scheme has no Digital Link form (gid, usdod, adi, bic, imovn).
 */
export function epcToDigitalLink(urn: string): string | null {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.+)$/.exec(urn.trim());
  if (!m) return null;
  const table = m[1] === 'id' ? ID : m[1] === 'class' ? CLASS : IDPAT;
  const convert = Object.hasOwn(table, m[2]!) ? table[m[2]!] : undefined;
  return convert ? convert(fieldsOf(m[3]!, FIELD_COUNT[m[2]!] ?? 0)) : null;
}

// ------------------------------------------------------ Digital Link parsing

/** DL 1.2 §6.1 short names, still accepted in the path. */
const SHORT_NAMES: Record<string, string> = {
  gtin: '01',
  itip: '8006',
  cpid: '8010',
  gln: '414',
  party: '417',
  gsrnp: '8017',
  gsrn: '8018',
  gcn: '255',
  sscc: '00',
  gdti: '253',
  ginc: '401',
  gsin: '402',
  grai: '8003',
  giai: '8004',
  cpv: '22',
  lot: '10',
  ser: '21',
  glnx: '254',
};

/** Primary keys: the value's shape, and the key qualifiers kept, most specific first (dropped ones map to null). */
const KEYS: Record<string, { value: RegExp; qualifiers: Record<string, RegExp | null>; rank: string[] }> = {
  '00': { value: /^\d{18}$/, qualifiers: {}, rank: [] },
  '01': {
    value: /^(\d{8}|\d{12,14})$/,
    qualifiers: { '22': null, '10': /^.{1,20}$/, '21': /^.{1,20}$/, '235': /^.{1,28}$/ },
    rank: ['21', '235', '10'],
  },
  '253': { value: /^\d{13}.{0,17}$/, qualifiers: {}, rank: [] },
  '255': { value: /^\d{13,25}$/, qualifiers: {}, rank: [] },
  '401': { value: /^.{1,30}$/, qualifiers: {}, rank: [] },
  '402': { value: /^\d{17}$/, qualifiers: {}, rank: [] },
  '414': { value: /^\d{13}$/, qualifiers: { '254': /^.{1,20}$/ }, rank: ['254'] },
  '417': { value: /^\d{13}$/, qualifiers: {}, rank: [] },
  '8003': { value: /^\d{14}.{0,16}$/, qualifiers: {}, rank: [] },
  '8004': { value: /^.{1,30}$/, qualifiers: {}, rank: [] },
  '8006': { value: /^\d{18}$/, qualifiers: { '22': null, '10': /^.{1,20}$/, '21': /^.{1,20}$/ }, rank: ['21', '10'] },
  '8010': { value: /^[#\-/0-9A-Z]{1,30}$/, qualifiers: { '8011': /^\d{1,12}$/ }, rank: ['8011'] },
  '8017': { value: /^\d{18}$/, qualifiers: {}, rank: [] },
  '8018': { value: /^\d{18}$/, qualifiers: {}, rank: [] },
};

/** A Digital Link reduced to its primary key and the one qualifier kept. */
export interface DigitalLinkKey {
  ai: string;
  /** Decoded value (a GTIN is padded to 14 digits). */
  value: string;
  qualifier: { ai: string; value: string } | null;
}

const aiOf = (seg: string) => SHORT_NAMES[seg] ?? seg;

/** Parses any http(s) URI whose path carries a GS1 key; null when it does not. */
export function parseDigitalLink(uri: string): DigitalLinkKey | null {
  const m = /^https?:\/\/[^/?#]+((?:\/[^?#]*)?)/i.exec(uri.trim());
  if (!m) return null;
  const segs = m[1]!.split('/').slice(1);
  // The key may follow a path prefix on a custom domain; like the CBV reference,
  // a key value starts with four digits (a company prefix), which rules out
  // ordinary paths such as /docs/01/intro.
  const start = segs.findIndex((s, i) => Object.hasOwn(KEYS, aiOf(s)) && /^\d{4}/.test(segs[i + 1] ?? ''));
  if (start < 0) return null;
  const ai = aiOf(segs[start]!);
  const spec = KEYS[ai]!;
  let value = fromDl(segs[start + 1]!);
  if (value === null || !spec.value.test(value) || !CSET82.test(value)) return null;
  if (ai === '01') value = value.padStart(14, '0');
  const found: Record<string, string> = {};
  const rest = segs.slice(start + 2);
  if (rest.at(-1) === '') rest.pop(); // a trailing slash
  if (rest.length % 2) return null;
  for (let i = 0; i < rest.length; i += 2) {
    const q = aiOf(rest[i]!);
    if (!Object.hasOwn(spec.qualifiers, q)) return null;
    const v = fromDl(rest[i + 1]!);
    const shape = spec.qualifiers[q];
    if (v === null || !CSET82.test(v) || (shape && !shape.test(v))) return null;
    if (shape) found[q] = v;
  }
  const kept = spec.rank.find((q) => found[q] !== undefined);
  return { ai, value, qualifier: kept ? { ai: kept, value: found[kept]! } : null };
}

/** Builds the constrained canonical URI of a parsed key. */
export function formatDigitalLink(key: DigitalLinkKey): string {
  const head = key.ai === '8010' ? toDl(key.value) : formatKeyValue(key.ai, key.value);
  const tail = key.qualifier ? `/${key.qualifier.ai}/${toDl(key.qualifier.value)}` : '';
  return `${GS1_RESOLVER}/${key.ai}/${head}${tail}`;
}

/** Keys with a numeric head keep it; the alphanumeric rest is percent-encoded. */
function formatKeyValue(ai: string, value: string): string {
  const head = ai === '253' || ai === '255' ? 13 : ai === '8003' ? 14 : ai === '8004' || ai === '401' ? 0 : value.length;
  return value.slice(0, head) + toDl(value.slice(head));
}

/**
 * The constrained canonical form of a GS1 Digital Link URI (CBV 2.0 §8.9):
 * https://id.gs1.org, no query string or fragment, short names replaced by AIs,
 * a GTIN padded to 14 digits, and only the finest identification level kept
 * (01/21 over 01/10, CPV dropped). Null when the URI carries no GS1 key.
 */
export function canonicalDigitalLink(uri: string): string | null {
  const key = parseDigitalLink(uri);
  return key ? formatDigitalLink(key) : null;
}

// ------------------------------------------------------------ DL → EPC

export interface DigitalLinkToEpcOptions {
  /**
   * Digits in the GS1 Company Prefix (6–12). A Digital Link does not mark where
   * the prefix ends and an EPC URN must, so it comes from the GS1 Company Prefix
   * length table; 7 (the most common length, and that of GS1's examples) if not given.
   */
  gcpLength?: number;
}

/**
 * The EPC URN of a GS1 Digital Link URI: an instance (`urn:epc:id:…`), a lot
 * (`urn:epc:class:lgtin:…`), or for a bare GTIN/GRAI/GDTI/… a serial pattern
 * (`urn:epc:idpat:…*`). Null when the URI carries no GS1 key, a check digit is
 * wrong, or the key has no EPC form at the given company prefix length.
 */
export function digitalLinkToEpc(uri: string, opts: DigitalLinkToEpcOptions = {}): string | null {
  const L = opts.gcpLength ?? 7;
  if (!Number.isInteger(L) || L < 6 || L > 12) throw new RangeError(`gcpLength must be 6…12, got ${L}`);
  const key = parseDigitalLink(uri);
  if (!key) return null;
  const { ai, value: v } = key;
  const q = key.qualifier;
  const cp = v.slice(0, L);
  switch (ai) {
    case '00':
      return hasValidCheckDigit(v) ? `urn:epc:id:sscc:${v.slice(1, 1 + L)}.${v[0]}${v.slice(1 + L, 17)}` : null;
    case '01': {
      if (!hasValidCheckDigit(v)) return null;
      const base = `${v.slice(1, 1 + L)}.${v[0]}${v.slice(1 + L, 13)}`;
      if (!q) return `urn:epc:idpat:sgtin:${base}.*`;
      if (q.ai === '21') return `urn:epc:id:sgtin:${base}.${toUrn(q.value)}`;
      if (q.ai === '10') return `urn:epc:class:lgtin:${base}.${toUrn(q.value)}`;
      return `urn:epc:id:upui:${base}.${toUrn(q.value)}`;
    }
    case '414':
      return hasValidCheckDigit(v) ? `urn:epc:id:sgln:${cp}.${v.slice(L, 12)}.${q ? toUrn(q.value) : '0'}` : null;
    case '417':
      return hasValidCheckDigit(v) ? `urn:epc:id:pgln:${cp}.${v.slice(L, 12)}` : null;
    case '8003': {
      const key14 = v.slice(0, 14);
      if (!hasValidCheckDigit(key14) || key14[0] !== '0') return null;
      const base = `${key14.slice(1, 1 + L)}.${key14.slice(1 + L, 13)}`;
      return v.length > 14 ? `urn:epc:id:grai:${base}.${toUrn(v.slice(14))}` : `urn:epc:idpat:grai:${base}.*`;
    }
    case '8004':
      return v.length > L && DIGITS.test(cp) ? `urn:epc:id:giai:${cp}.${toUrn(v.slice(L))}` : null;
    case '8018':
    case '8017':
      return hasValidCheckDigit(v) ? `urn:epc:id:${ai === '8018' ? 'gsrn' : 'gsrnp'}:${cp}.${v.slice(L, 17)}` : null;
    case '253':
    case '255': {
      const key13 = v.slice(0, 13);
      if (!hasValidCheckDigit(key13)) return null;
      const scheme = ai === '253' ? 'gdti' : 'sgcn';
      const base = `${cp}.${key13.slice(L, 12)}`;
      return v.length > 13 ? `urn:epc:id:${scheme}:${base}.${toUrn(v.slice(13))}` : `urn:epc:idpat:${scheme}:${base}.*`;
    }
    case '401':
      return v.length > L && DIGITS.test(cp) ? `urn:epc:id:ginc:${cp}.${toUrn(v.slice(L))}` : null;
    case '402':
      return hasValidCheckDigit(v) ? `urn:epc:id:gsin:${cp}.${v.slice(L, 16)}` : null;
    case '8006': {
      const g = v.slice(0, 14);
      if (!hasValidCheckDigit(g) || q?.ai === '10') return null;
      const base = `${g.slice(1, 1 + L)}.${g[0]}${g.slice(1 + L, 13)}.${v.slice(14, 16)}.${v.slice(16, 18)}`;
      return q ? `urn:epc:id:itip:${base}.${toUrn(q.value)}` : `urn:epc:idpat:itip:${base}.*`;
    }
    case '8010':
      if (v.length <= L || !DIGITS.test(cp)) return null;
      return q ? `urn:epc:id:cpi:${cp}.${toUrn(v.slice(L))}.${q.value}` : `urn:epc:idpat:cpi:${cp}.${toUrn(v.slice(L))}.*`;
    default:
      return null;
  }
}
