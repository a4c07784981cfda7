// Namespaces from a JSON-LD @context, for the two places the event hash needs
// them (CBV §8.9): user extension names are written {namespace}localName, as
// XML would name the element, and CURIE values are expanded to IRIs.
import { CBV_NS, EPCIS_NS, GS1_VOC_NS } from './vocab.js';

export type JsonLdContext = string | Record<string, unknown> | readonly (string | Record<string, unknown>)[];

export interface Namespaces {
  /** Prefix → namespace, standard ones first, a document's own definitions over them. */
  readonly terms: ReadonlyMap<string, string>;
}

/**
 * The prefixes of the EPCIS 2.0 context, which documents reference by URL
 * (pinned, never fetched). `gs1:` names the GS1 Web Vocabulary at its current
 * home (ref.gs1.org/voc), and the CBV master-data namespace is written as XML
 * declares it (no trailing colon), as the reference implementation does.
 */
const STANDARD: [string, string][] = [
  ['epcis', EPCIS_NS],
  ['cbv', CBV_NS],
  ['cbvmda', 'urn:epcglobal:cbv:mda'],
  ['gs1', GS1_VOC_NS],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
];

/**
 * Collects prefix definitions from any number of contexts (strings are remote
 * references and add nothing). A document's own definitions are used exactly as
 * it declares them, a trailing ':' or '#' included.
 */
const STANDARD_ONLY: Namespaces = { terms: new Map(STANDARD) };
const byContext = new WeakMap<object, Namespaces>();

export function namespacesOf(...contexts: unknown[]): Namespaces {
  // The usual case, many events under one document context: computed once per context object.
  const own = contexts.filter((c) => c !== undefined && c !== null && typeof c !== 'string');
  if (own.length === 0) return STANDARD_ONLY;
  if (own.length === 1) {
    const cached = byContext.get(own[0] as object);
    if (cached) return cached;
    const ns = collect(own);
    byContext.set(own[0] as object, ns);
    return ns;
  }
  return collect(own);
}

function collect(contexts: unknown[]): Namespaces {
  const terms = new Map<string, string>(STANDARD);
  const visit = (ctx: unknown): void => {
    if (Array.isArray(ctx)) ctx.forEach(visit);
    else if (ctx !== null && typeof ctx === 'object') {
      for (const [k, v] of Object.entries(ctx)) {
        if (k.startsWith('@')) continue;
        if (typeof v === 'string') terms.set(k, v);
        else if (v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)['@id'] === 'string') {
          terms.set(k, (v as Record<string, string>)['@id']!);
        }
      }
    }
  };
  contexts.forEach(visit);
  return { terms };
}

/** The prefix and local part of a CURIE whose prefix is declared; null for anything else (an IRI, a bare term). */
function splitCurie(text: string, ns: Namespaces): { space: string; local: string } | null {
  const colon = text.indexOf(':');
  if (colon <= 0 || text.startsWith('//', colon + 1)) return null;
  const space = ns.terms.get(text.slice(0, colon));
  return space === undefined ? null : { space, local: text.slice(colon + 1) };
}

/**
 * A property name as the hash writes it: `example:myField` →
 * `{http://ns.example.com/epcis/}myField`. A bare name, an IRI or a CURIE of an
 * undeclared prefix stays as written: XML would have no namespace to give it either.
 */
export function expandName(key: string, ns: Namespaces): string {
  const c = splitCurie(key, ns);
  return c ? `{${c.space}}${c.local}` : key;
}

const GS1_PREFIXES = new Set(['gs1', 'cbv', 'epcis']);

/**
 * A value written as a CURIE of a GS1 vocabulary, as its IRI (`gs1:Temperature`
 * → https://ref.gs1.org/voc/Temperature). Values with other prefixes stay as
 * written: in XML a value is a literal, and the reference keeps them too.
 */
export function expandValueCurie(value: string, ns: Namespaces): string {
  const colon = value.indexOf(':');
  if (colon <= 0 || !GS1_PREFIXES.has(value.slice(0, colon))) return value;
  const c = splitCurie(value, ns);
  return c ? c.space + c.local : value;
}
