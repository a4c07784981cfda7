// C2SP tlog-proof: "c2sp.org/tlog-proof@v1", optional "extra <base64>", "index <n>",
// the inclusion proof (base64 hashes), an empty line, then the checkpoint verbatim.
import type { Hash } from '../merkle/hash.js';
import { decodeBase64, toBase64 } from './base64.js';
import { TlogError } from './errors.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  extra: Uint8Array | null;
  index: number;
  inclusion: Hash[];
  /** Signed checkpoint note with its cosignatures. */
  checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  const extra = p.extra ? `extra ${toBase64(p.extra)}\n` : '';
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${p.inclusion.map((h) => `${toBase64(h)}\n`).join('')}\n${p.checkpoint}`;
}

export function parseTlogProof(s: string): TlogProof {
  const lines = s.split('\n');
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER) throw new TlogError('malformed', `a tlog proof starts with "${TLOG_PROOF_HEADER}"`);
  let extra: Uint8Array | null = null;
  if (lines[i]?.startsWith('extra ')) {
    extra = decodeBase64(lines[i]!.slice(6));
    if (!extra) throw new TlogError('malformed', 'extra data is not base64');
    i++;
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[i++] ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw new TlogError('malformed', 'missing "index <n>" line');
  const inclusion: Hash[] = [];
  for (;;) {
    const line = lines[i++];
    if (line === undefined) throw new TlogError('malformed', 'tlog proof has no checkpoint');
    if (line === '') break;
    const h = decodeBase64(line);
    if (h?.length !== 32) throw new TlogError('malformed', `inclusion proof line "${line}" is not base64 of a 32-byte hash`);
    inclusion.push(h);
    if (inclusion.length > 63) throw new TlogError('malformed', 'inclusion proof longer than 63 hashes');
  }
  return { extra, index: Number(m[1]), inclusion, checkpoint: lines.slice(i).join('\n') };
}
