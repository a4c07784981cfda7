// C2SP tlog-witness add-checkpoint request bodies: "old <size>", consistency
// proof lines (base64 hashes, at most 63), an empty line, then the checkpoint.
import type { Hash } from '../merkle/hash.js';
import { decodeBase64, toBase64 } from './base64.js';
import { TlogError } from './errors.js';

export const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Hash[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

export function formatAddCheckpoint(r: AddCheckpointRequest): string {
  if (r.proof.length > MAX_PROOF_LINES) throw new TlogError('malformed', `more than ${MAX_PROOF_LINES} proof lines`);
  return `old ${r.oldSize}\n${r.proof.map((h) => `${toBase64(h)}\n`).join('')}\n${r.checkpoint}`;
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const first = body.indexOf('\n');
  const m = first < 0 ? null : /^old (0|[1-9][0-9]*)$/.exec(body.slice(0, first));
  if (!m) throw new TlogError('malformed', 'the body does not start with an "old <size>" line');
  const oldSize = Number(m[1]);
  if (!Number.isSafeInteger(oldSize)) throw new TlogError('malformed', 'old size is too large');
  const proof: Hash[] = [];
  let at = first + 1;
  for (;;) {
    const nl = body.indexOf('\n', at);
    if (nl < 0) throw new TlogError('malformed', 'the body has no empty line before the checkpoint');
    const line = body.slice(at, nl);
    at = nl + 1;
    if (line === '') break;
    const h = decodeBase64(line);
    if (h?.length !== 32) throw new TlogError('malformed', `proof line "${line}" is not base64 of a 32-byte hash`);
    proof.push(h);
    if (proof.length > MAX_PROOF_LINES) throw new TlogError('malformed', `more than ${MAX_PROOF_LINES} proof lines`);
  }
  return { oldSize, proof, checkpoint: body.slice(at) };
}
