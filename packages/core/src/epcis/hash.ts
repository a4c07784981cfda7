// EPCIS event hash IDs (CBV §8.9): SHA-256 of the event's pre-hash string, as
// an RFC 6920 "ni" URI tagged with the CBV version whose rules made it. Two
// parties holding the same event in any valid syntax compute the same ID, so
// it can name the event on the ledger without revealing it.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { type CbvVersion, type EpcisEvent, preHashString } from './canonical.js';
import type { JsonLdContext } from './context.js';
import { documentEvents } from './document.js';

export { type CbvVersion, CBV_VERSIONS, preHashString } from './canonical.js';

/**
 * SHA-256 of UTF-8 text as lowercase hex: OpenSSL where the platform has it (Node,
 * several times faster on the capture path), the audited pure-JS hash elsewhere
 * (browsers), same bytes either way.
 */
const sha256Hex: (text: string) => string = (() => {
  const crypto = globalThis.process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;
  if (crypto) return (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
  return (text: string) => bytesToHex(sha256(utf8ToBytes(text)));
})();

/** The version tag of the default (CBV 2.0) hash IDs. */
export const HASH_ID_VERSION = 'CBV2.0';

/** `ni:///sha-256;<hex>?ver=CBV2.0` (or CBV2.1) of a pre-hash string. */
export function hashIdOf(preHash: string, version: CbvVersion = '2.0'): string {
  return `ni:///sha-256;${sha256Hex(preHash)}?ver=CBV${version}`;
}

/** The hash ID of one event; `context` is its document's @context (for extension namespaces). */
export function eventHashId(event: EpcisEvent, context?: JsonLdContext, version: CbvVersion = '2.0'): string {
  return hashIdOf(preHashString(event, context, version), version);
}

/** The hash IDs of every event of a document (or event, or array of events), in document order. */
export function documentHashIds(doc: unknown, version: CbvVersion = '2.0'): string[] {
  const { events, context } = documentEvents(doc);
  return events.map((e) => eventHashId(e, context, version));
}

/** The CBV version a hash ID was computed under (`?ver=CBV2.1` → '2.1'); null when it names none we know. */
export function hashIdVersion(id: string): CbvVersion | null {
  const m = /\?ver=CBV(2\.[01])$/.exec(id);
  return m ? (m[1] as CbvVersion) : null;
}
