// One spelling per value so that captured events and query parameters meet:
// CBV values may arrive bare ("shipping"), as CBV 1.x URNs
// ("urn:epcglobal:cbv:bizstep:shipping"), as CBV 2.0 Web URIs
// ("https://ref.gs1.org/cbv/BizStep-shipping") or as CURIEs ("cbv:BizStep-shipping");
// GS1 Web Vocabulary terms (measurement types) as "Temperature", "gs1:Temperature"
// or "https://gs1.org/voc/Temperature". The index stores the bare form of
// standard values and any other URI unchanged. EPCs are stored as EPC URNs when
// a GS1 Digital Link URI converts to one (EPCIS 2.0 §8.2.7.1.1 treats them alike).

export type CbvKind = 'BizStep' | 'Disp' | 'ER' | 'SDT' | 'BTT';

const URN_SEGMENT: Record<CbvKind, string> = { BizStep: 'bizstep', Disp: 'disp', ER: 'er', SDT: 'sdt', BTT: 'btt' };

export function normaliseCbv(kind: CbvKind, value: string): string {
  const v = value.trim();
  if (!v.includes(':')) return v;
  const urn = `urn:epcglobal:cbv:${URN_SEGMENT[kind]}:`;
  if (v.startsWith(urn)) return v.slice(urn.length);
  for (const prefix of [`https://ref.gs1.org/cbv/${kind}-`, `http://ref.gs1.org/cbv/${kind}-`, `cbv:${kind}-`]) {
    if (v.startsWith(prefix)) return v.slice(prefix.length);
  }
  return v;
}

const GS1_VOC = ['https://gs1.org/voc/', 'http://gs1.org/voc/', 'https://www.gs1.org/voc/', 'http://www.gs1.org/voc/', 'gs1:'];

export function normaliseGs1Term(value: string): string {
  const v = value.trim();
  for (const p of GS1_VOC) if (v.startsWith(p)) return v.slice(p.length);
  return v;
}

/** Conversions between EPC URNs and GS1 Digital Link URIs (core/epcis/uris). */
export interface EpcForms {
  epcToDigitalLink?(urn: string): string | null;
  canonicalDigitalLink?(uri: string): string | null;
  digitalLinkToEpc?(uri: string, opts?: { gcpLength?: number }): string | null;
}

/**
 * The index key of an identifier: the constrained canonical GS1 Digital Link
 * (https://id.gs1.org/…) when the value is an EPC URN or Digital Link with a GS1
 * key — URN → Digital Link is unambiguous, the reverse needs the company prefix
 * length — and the value itself otherwise.
 */
export function epcKey(value: string, forms: EpcForms = {}): string {
  let cache = keyCache.get(forms);
  if (!cache) {
    cache = new Map();
    keyCache.set(forms, cache);
  }
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  const key = computeKey(value, forms);
  if (cache.size >= 100_000) cache.clear();
  cache.set(value, key);
  return key;
}

const keyCache = new WeakMap<EpcForms, Map<string, string>>();

function computeKey(value: string, forms: EpcForms): string {
  const v = value.trim();
  try {
    // core's epcToDigitalLink already yields the constrained canonical form.
    if (/^urn:epc:(id|class|idpat):/i.test(v)) return forms.epcToDigitalLink?.(v) ?? v;
    if (/^https?:\/\//i.test(v)) return forms.canonicalDigitalLink?.(v) ?? v;
  } catch {
    // not convertible: keep it as given
  }
  return v;
}

// ------------------------------------------------------------- EPC patterns

/**
 * A MATCH_* parameter value: an exact identifier, or an EPC pattern
 * (urn:epc:idpat:<scheme>:<f1>.<f2>…, "*" a whole field) matching the instance
 * EPCs of the scheme, their classes (sgtin ↔ lgtin lots) and class patterns,
 * whichever of URN or Digital Link form the index holds them in.
 */
export interface EpcMatcher {
  exact: string | null;
  /** Index ranges [from, to) to scan for a pattern; each hit is confirmed by test() unless the range is exact. */
  ranges: { from: string; to: string; exact: boolean }[];
  test(value: string): boolean;
}

const IDPAT = /^urn:epc:idpat:([a-z0-9-]+):(.+)$/i;
const SCHEME_AI: Record<string, string> = {
  sgtin: '01',
  lgtin: '01',
  upui: '01',
  sscc: '00',
  sgln: '414',
  grai: '8003',
  giai: '8004',
  gsrn: '8018',
  gsrnp: '8017',
  gdti: '253',
  sgcn: '255',
  ginc: '401',
  gsin: '402',
  itip: '8006',
  pgln: '417',
  cpi: '8010',
};

export function epcMatcher(value: string, forms: EpcForms = {}): EpcMatcher {
  const m = IDPAT.exec(value);
  if (!m || !m[2]!.includes('*')) {
    const key = epcKey(value, forms);
    return { exact: key, ranges: [], test: (v) => v === key };
  }
  const scheme = m[1]!.toLowerCase();
  const fields = m[2]!.split('.');
  const fieldsMatch = (urn: string): boolean => {
    const u = /^urn:epc:(id|class|idpat):([a-z0-9-]+):(.+)$/i.exec(urn);
    if (!u) return false;
    const s = u[2]!.toLowerCase();
    if (!(s === scheme || (scheme === 'sgtin' && s === 'lgtin') || (scheme === 'lgtin' && s === 'sgtin'))) return false;
    const vf = u[3]!.split('.');
    if (vf.length !== fields.length) return false;
    return fields.every((f, i) => f === '*' || f === vf[i]);
  };
  // URN-keyed values (identifiers with no Digital Link form, or an index without converters).
  const fixed: string[] = [];
  for (const f of fields) {
    if (f === '*') break;
    fixed.push(f);
  }
  const prefixFields = fixed.length > 0 ? `${fixed.join('.')}${fixed.length < fields.length ? '.' : ''}` : '';
  const bases = [`urn:epc:id:${scheme}:`, `urn:epc:idpat:${scheme}:`];
  if (scheme === 'sgtin') bases.push('urn:epc:class:lgtin:');
  // Only the last field a wildcard: everything under the prefix matches.
  const lastOnly = fixed.length === fields.length - 1;
  const ranges = bases.map((b) => ({ from: `${b}${prefixFields}`, to: `${b}${prefixFields}\uffff`, exact: lastOnly }));
  // Digital-Link-keyed values: the GS1 key's range, each hit read back as a URN at the pattern's prefix length.
  const ai = SCHEME_AI[scheme];
  let classKey: string | null = null;
  if (forms.epcToDigitalLink && ai) {
    try {
      classKey =
        fields.slice(0, -1).every((f) => f !== '*') && fields[fields.length - 1] === '*' ? forms.epcToDigitalLink(value) : null;
    } catch {
      classKey = null;
    }
    // A GS1 key has a fixed length, so everything from the class key on is the class or below it.
    if (classKey) ranges.push({ from: classKey, to: `${classKey}\uffff`, exact: true });
    else ranges.push({ from: `https://id.gs1.org/${ai}/`, to: `https://id.gs1.org/${ai}/\uffff`, exact: false });
  }
  const cp = fields[0];
  const lengths = cp && cp !== '*' ? [cp.length] : [6, 7, 8, 9, 10, 11, 12];
  const test = (v: string): boolean => {
    if (v.startsWith('urn:')) return fieldsMatch(v) || (v.startsWith(`urn:epc:idpat:${scheme}:`) && v === value);
    if (classKey && (v === classKey || v.startsWith(`${classKey}/`))) return true;
    if (!forms.digitalLinkToEpc || !v.startsWith('https://id.gs1.org/')) return false;
    for (const gcpLength of lengths) {
      try {
        const urn = forms.digitalLinkToEpc(v, { gcpLength });
        if (urn && fieldsMatch(urn)) return true;
      } catch {
        // not at this prefix length
      }
    }
    return false;
  };
  return { exact: null, ranges, test };
}
