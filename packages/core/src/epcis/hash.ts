// EPCIS event hash IDs (CBV 2.0 §8.9): SHA-256 of the event's pre-hash string,
// as an RFC 6920 "ni" URI tagged with the algorithm's CBV version. Two parties
// holding the same event in any valid syntax compute the same ID, so it can
// name the event on the ledger without revealing it.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { type EpcisEvent, preHashString } from './canonical.js';
import type { JsonLdContext } from './context.js';
import { documentEvents } from './document.js';

export { preHashString } from './canonical.js';

export const HASH_ID_VERSION = 'CBV2.0';

/** `ni:///sha-256;<hex>?ver=CBV2.0` of a pre-hash string. */
export function hashIdOf(preHash: string): string {
  return `ni:///sha-256;${bytesToHex(sha256(utf8ToBytes(preHash)))}?ver=${HASH_ID_VERSION}`;
}

/** The hash ID of one event; `context` is its document's @context (for extension namespaces). */
export function eventHashId(event: EpcisEvent, context?: JsonLdContext): string {
  return hashIdOf(preHashString(event, context));
}

/** The hash IDs of every event of a document (or event, or array of events), in document order. */
export function documentHashIds(doc: unknown): string[] {
  const { events, context } = documentEvents(doc);
  return events.map((e) => eventHashId(e, context));
}
