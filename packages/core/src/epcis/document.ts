// Where the events of an EPCIS 2.0 JSON(-LD) payload are: an EPCISDocument's
// eventList, an EPCISQueryDocument's query results, a body holding one event,
// a bare event, or a plain array of events (the capture of several events).
import type { EpcisEvent } from './canonical.js';
import type { JsonLdContext } from './context.js';

/** The EPCIS 2.0.0 JSON-LD context, by reference (the hash and validation pin it, never fetch it). */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export const EVENT_TYPES = [
  'ObjectEvent',
  'AggregationEvent',
  'TransactionEvent',
  'TransformationEvent',
  'AssociationEvent',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface DocumentEvents {
  events: EpcisEvent[];
  /** The document's @context, which names the namespaces its events' extensions use. */
  context: JsonLdContext | undefined;
  /** JSON pointer of the event list ('' for a bare event). */
  pointer: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The events of a document in document order; throws a TypeError naming what is missing. */
export function documentEvents(doc: unknown): DocumentEvents {
  if (Array.isArray(doc)) return { events: doc.filter(isObj), context: undefined, pointer: '' };
  if (!isObj(doc)) throw new TypeError('an EPCIS document or event must be a JSON object');
  const context = doc['@context'] as JsonLdContext | undefined;
  const body = doc['epcisBody'];
  if (!isObj(body)) {
    if (typeof doc['type'] === 'string' && !/Document$/.test(doc['type'])) return { events: [doc], context, pointer: '' };
    throw new TypeError('no epcisBody: not an EPCIS document, and not an event');
  }
  if (Array.isArray(body['eventList']))
    return { events: body['eventList'].filter(isObj), context, pointer: '/epcisBody/eventList' };
  const results = body['queryResults'];
  if (isObj(results) && isObj(results['resultsBody']) && Array.isArray(results['resultsBody']['eventList'])) {
    return {
      events: results['resultsBody']['eventList'].filter(isObj),
      context,
      pointer: '/epcisBody/queryResults/resultsBody/eventList',
    };
  }
  if (isObj(body['event'])) return { events: [body['event']], context, pointer: '/epcisBody/event' };
  throw new TypeError('epcisBody has no eventList, queryResults.resultsBody.eventList or event');
}

export interface EpcisDocumentOptions {
  /** When the document was made (ms since epoch); now if not given. */
  creationDate?: number;
  /** Extra JSON-LD term definitions, e.g. the namespaces of the events' extensions. */
  namespaces?: Record<string, string>;
}

/** An EPCISDocument carrying the events in the given order. */
export function epcisDocument(events: readonly EpcisEvent[], opts: EpcisDocumentOptions = {}): Record<string, unknown> {
  const namespaces = { ...opts.namespaces };
  for (const e of events) {
    const ctx = e['@context'];
    for (const part of Array.isArray(ctx) ? ctx : [ctx]) if (isObj(part)) Object.assign(namespaces, part);
  }
  return {
    '@context': Object.keys(namespaces).length ? [EPCIS_CONTEXT_URL, namespaces] : [EPCIS_CONTEXT_URL],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date(opts.creationDate ?? Date.now()).toISOString(),
    epcisBody: { eventList: [...events] },
  };
}
