// Namespaces from a JSON-LD @context, for the two places the event hash needs
// them (CBV 2.0 §8.9): user extension names are written {namespace}localName, as
// XML would name the element, and CURIE values of the GS1 vocabularies
// (gs1:Temperature, cbv:BizStep-shipping) are expanded.
import { CBV_NS, EPCIS_NS, GS1_NS } from './vocab.js';

export type JsonLdContext = string | Record<string, unknown> | readonly (string | Record<string, unknown>)[];

export interface Namespaces {
  /** Term or prefix → IRI, standard ones first, a document's own definitions over them. */
  readonly terms: ReadonlyMap<string, string>;
}

/** The prefixes of the EPCIS 2.0.0 context, which documents reference by URL (pinned, never fetched). */
const STANDARD: [string, string][] = [
  ['epcis', EPCIS_NS],
  ['cbv', CBV_NS],
  ['cbvmda', 'urn:epcglobal:cbv:mda:'],
  ['gs1', GS1_NS],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
];

/**
 * JSON-LD spells the CBV master-data namespace with a trailing colon so that
 * terms concatenate; XML declares it without. The hash must not depend on the
 * syntax, so the XML namespace name is used (as the reference implementation does).
 */
const XML_NAMESPACE: Record<string, string> = { 'urn:epcglobal:cbv:mda:': 'urn:epcglobal:cbv:mda' };

/** Collects term definitions from any number of contexts (strings are remote references and add nothing). */
export function namespacesOf(...contexts: unknown[]): Namespaces {
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

const ABSOLUTE_IRI = /^(https?|urn):/i;

/**
 * A property name as the hash writes it: `example:myField` → `{http://ns.example.com/epcis/}myField`,
 * a full IRI split at its last / or #; names without a known prefix stay as they are.
 */
export function expandName(key: string, ns: Namespaces): string {
  const colon = key.indexOf(':');
  if (colon > 0) {
    const prefix = ns.terms.get(key.slice(0, colon));
    if (prefix !== undefined && !key.startsWith('//', colon + 1))
      return `{${XML_NAMESPACE[prefix] ?? prefix}}${key.slice(colon + 1)}`;
    if (ABSOLUTE_IRI.test(key)) return splitIri(key) ?? key;
    return key;
  }
  const iri = ns.terms.get(key);
  return iri !== undefined && ABSOLUTE_IRI.test(iri) ? (splitIri(iri) ?? key) : key;
}

function splitIri(iri: string): string | null {
  const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#'), iri.startsWith('urn:') ? iri.lastIndexOf(':') : -1);
  if (cut < 0 || cut === iri.length - 1) return null;
  const space = iri.slice(0, cut + 1);
  return `{${XML_NAMESPACE[space] ?? space}}${iri.slice(cut + 1)}`;
}

const GS1_PREFIXES = new Set(['gs1', 'cbv', 'epcis']);

/**
 * Expands a value written as a CURIE of a GS1 vocabulary (gs1:, cbv:, epcis:).
 * Other prefixes stay: a value is a literal in XML, so expanding a user CURIE
 * would make the two syntaxes hash differently.
 */
export function expandGs1Curie(value: string, ns: Namespaces): string {
  const colon = value.indexOf(':');
  if (colon <= 0) return value;
  const prefix = value.slice(0, colon);
  if (!GS1_PREFIXES.has(prefix) || value.startsWith('//', colon + 1)) return value;
  return (ns.terms.get(prefix) ?? '') + value.slice(colon + 1);
}

/** The gs1: namespace in force (https://gs1.org/voc/ unless the document redefines it). */
export function gs1Namespace(ns: Namespaces): string {
  return ns.terms.get('gs1') ?? GS1_NS;
}
