// The audit's content check for EPCIS leaves (`tradetwin audit` passes it as
// checkLeaf, next to the telemetry check): the leaf body must hold an event
// whose CBV hash ID is the one logged with it, and — given the repository —
// the index row at that leaf must name the same event, hash ID and record time.
// An index row edited behind the log's back, or a leaf rewritten together with
// its hash, is named to the leaf.
import type { StoredLeaf } from '../storage/types.js';
import { hashIdVersion } from '@tradetwin/core/epcis/hash';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { coreCodec } from './codec.js';
import { decodeEpcisBody, type EpcisCodec, type EpcisRepository, LEAF_KIND } from './repository.js';
import { EPCIS_CONTEXT } from './types.js';

export function checkEpcisLeaves(
  repo?: EpcisRepository,
  codec: EpcisCodec = repo?.codec ?? coreCodec,
): (leaf: StoredLeaf) => Promise<string | null> {
  return async (leaf) => {
    const record = decodeLeaf(leaf.data);
    if (record.kind !== LEAF_KIND) return null;
    let hashId: string;
    let event: Record<string, unknown>;
    try {
      const body = decodeEpcisBody(record.body);
      hashId = body.hashId;
      event = JSON.parse(body.json) as Record<string, unknown>;
    } catch (err) {
      return `epcis leaf body is not CBOR [hashId, canonical JSON, salt]: ${err instanceof Error ? err.message : String(err)}`;
    }
    // Each ID is recomputed under the CBV rules it names (?ver=CBV2.0 or CBV2.1).
    const recomputed = codec.eventHashId(event, EPCIS_CONTEXT, hashIdVersion(hashId) ?? '2.0');
    if (recomputed !== hashId) return `event ${String(event.eventID)} hashes to ${recomputed}, the leaf says ${hashId}`;
    if (repo) {
      const row = await repo.byLeaf(leaf.index);
      if (!row) return `EPCIS event ${String(event.eventID)} at leaf ${leaf.index} is not in the repository index`;
      if (row.hashId !== hashId || row.eventId !== event.eventID || row.recordTime !== record.receivedAt) {
        return `EPCIS index row at leaf ${leaf.index} says ${row.eventId} (${row.hashId}), the leaf holds ${String(event.eventID)} (${hashId})`;
      }
    }
    return null;
  };
}
