// GS1-EPC-Format (EPCIS 2.0 REST binding): how identifiers appear in responses.
//   Always_GS1_Digital_Link  EPC URNs become GS1 Digital Link URIs (always possible for a GS1 key);
//   Always_EPC_URN           GS1 Digital Links become EPC URNs, which needs the GS1 Company Prefix
//                            length: it is taken from the company prefixes this repository has seen
//                            in EPC URNs (captured events, master data); a Digital Link whose prefix
//                            is unknown is left as captured;
//   Never_Translates, No_Preference  as captured.
// Without the header, Always_GS1_Digital_Link (the binding's default).
// Translated: epcList, childEPCs, inputEPCList, outputEPCList, parentID, the epcClass of every
// quantity list, readPoint.id, bizLocation.id, sourceList[].source, destinationList[].destination.
import { EpcisProblem } from './problem.js';
import type { EpcForms } from './vocab.js';

export const EPC_FORMATS = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];
/**
 * When the request names none: the binding's default ("If absent the default value is
 * Always_GS1_Digital_Link"), so partners' tooling sees the form it expects. The logged bytes stay
 * what was captured; proofs (/events/{id}/proof) carry those, and Never_Translates returns them as is.
 */
export const DEFAULT_EPC_FORMAT: EpcFormat = 'Always_GS1_Digital_Link';

export const CBV_XML_FORMATS = ['No_Preference', 'Always_Web_URI', 'Always_URN', 'Never_Translates'] as const;

/** The request's GS1-EPC-Format; a value outside the binding's enum cannot be served: 406. */
export function parseEpcFormat(header: string | undefined): EpcFormat {
  if (header === undefined || header.trim() === '') return DEFAULT_EPC_FORMAT;
  const v = header.trim();
  if ((EPC_FORMATS as readonly string[]).includes(v)) return v as EpcFormat;
  throw new EpcisProblem(
    406,
    'epcisException:NotAcceptableException',
    'unsupported_epc_format',
    `GS1-EPC-Format "${v}" cannot be served: use one of ${EPC_FORMATS.join(', ')}`,
    { header: 'GS1-EPC-Format' },
  );
}

/** GS1-CBV-XML-Format only shapes XML; a value outside its enum is still refused (406). */
export function checkCbvXmlFormat(header: string | undefined): string | null {
  if (header === undefined || header.trim() === '') return null;
  const v = header.trim();
  if ((CBV_XML_FORMATS as readonly string[]).includes(v)) return v;
  throw new EpcisProblem(
    406,
    'epcisException:NotAcceptableException',
    'unsupported_cbv_xml_format',
    `GS1-CBV-XML-Format "${v}" cannot be served: use one of ${CBV_XML_FORMATS.join(', ')}`,
    { header: 'GS1-CBV-XML-Format' },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Apply `f` to every identifier of an event that GS1-EPC-Format governs; a value `f` changes is replaced in place. */
export function mapIdentifiers(event: Record<string, unknown>, f: (v: string) => string): void {
  const at = (o: Record<string, unknown> | unknown[], k: string | number) => {
    const v = (o as Record<string | number, unknown>)[k];
    if (typeof v !== 'string') return;
    const out = f(v);
    if (out !== v) (o as Record<string | number, unknown>)[k] = out;
  };
  for (const k of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) {
    const list = event[k];
    if (Array.isArray(list)) for (let i = 0; i < list.length; i++) at(list, i);
  }
  at(event, 'parentID');
  for (const k of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    const list = event[k];
    if (Array.isArray(list)) for (const q of list) if (isObject(q)) at(q, 'epcClass');
  }
  for (const k of ['readPoint', 'bizLocation']) {
    const o = event[k];
    if (isObject(o)) at(o, 'id');
  }
  for (const [k, key] of [
    ['sourceList', 'source'],
    ['destinationList', 'destination'],
  ] as const) {
    const list = event[k];
    if (Array.isArray(list)) for (const x of list) if (isObject(x)) at(x, key);
  }
}

const URN = /^urn:epc:(id|class|idpat):([a-z0-9-]+):([^.]+)\./i;
/** Schemes whose first URN field is not a GS1 Company Prefix. */
const NO_GCP = new Set(['gid', 'usdod', 'adi', 'bic', 'imovn']);

/** The GS1 Company Prefix of an EPC URN, if it has one. */
export function companyPrefixOf(urn: string): string | null {
  const m = URN.exec(urn);
  if (!m || NO_GCP.has(m[2]!.toLowerCase()) || !/^\d{6,12}$/.test(m[3]!)) return null;
  return m[3]!;
}

/** The company prefixes an event's EPC URNs reveal (what lets a Digital Link be written as a URN later). */
export function companyPrefixes(event: Record<string, unknown>): string[] {
  const out = new Set<string>();
  mapIdentifiers(event, (v) => {
    const p = companyPrefixOf(v);
    if (p) out.add(p);
    return v;
  });
  return [...out];
}

export type Translator = (value: string) => string;

/**
 * The identifier translation of one format. `knownPrefix` tells whether a company prefix was seen;
 * a Digital Link is read at each prefix length 6…12 and written as the URN whose prefix is known.
 */
export function identifierTranslator(format: EpcFormat, forms: EpcForms, knownPrefix: (p: string) => boolean): Translator | null {
  if (format === 'Always_GS1_Digital_Link') {
    const cache = new Map<string, string>();
    return (v) => {
      if (!/^urn:epc:(id|class|idpat):/i.test(v)) return v;
      let out = cache.get(v);
      if (out === undefined) {
        try {
          out = forms.epcToDigitalLink?.(v) ?? v;
        } catch {
          out = v;
        }
        cache.set(v, out);
      }
      return out;
    };
  }
  if (format === 'Always_EPC_URN') {
    const cache = new Map<string, string>();
    return (v) => {
      if (!/^https?:\/\//i.test(v) || !forms.digitalLinkToEpc) return v;
      let out = cache.get(v);
      if (out === undefined) {
        out = v;
        for (let gcpLength = 6; gcpLength <= 12; gcpLength++) {
          let urn: string | null = null;
          try {
            urn = forms.digitalLinkToEpc(v, { gcpLength });
          } catch {
            urn = null;
          }
          const p = urn ? companyPrefixOf(urn) : null;
          if (urn && p && knownPrefix(p)) {
            out = urn;
            break;
          }
        }
        cache.set(v, out);
      }
      return out;
    };
  }
  return null;
}

/** An event's JSON text with its identifiers translated (unchanged text when nothing changes). */
export function translateEventJson(json: string, t: Translator | null): string {
  if (!t) return json;
  const event = JSON.parse(json) as Record<string, unknown>;
  let changed = false;
  mapIdentifiers(event, (v) => {
    const out = t(v);
    if (out !== v) changed = true;
    return out;
  });
  return changed ? JSON.stringify(event) : json;
}
