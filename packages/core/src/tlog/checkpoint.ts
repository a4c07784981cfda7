// C2SP tlog-checkpoint: the note text of a log's signed tree head — origin, tree
// size, base64 root hash, optional extension lines.
import type { Hash } from '../merkle/hash.js';
import { decodeBase64, toBase64 } from './base64.js';
import { TlogError } from './errors.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  extensions: string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  if (!c.origin || c.origin.includes('\n')) throw new TlogError('malformed', 'checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new TlogError('malformed', `tree size ${c.size} is not a size`);
  if (c.root.length !== 32) throw new TlogError('malformed', 'root hash must be 32 bytes');
  for (const e of c.extensions)
    if (!e || e.includes('\n')) throw new TlogError('malformed', 'extension lines must be non-empty single lines');
  return [c.origin, String(c.size), toBase64(c.root), ...c.extensions].map((l) => `${l}\n`).join('');
}

/**
 * Parses checkpoint note text (the part before the signatures). A size-0 checkpoint with a root other
 * than the empty tree's parses: it is a wrong claim, which tlog-witness answers with 422, not malformed.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new TlogError('malformed', 'checkpoint text does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new TlogError('malformed', 'checkpoint has fewer than three lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (!origin) throw new TlogError('malformed', 'checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine))
    throw new TlogError('malformed', `checkpoint size "${sizeLine}" is not a decimal without leading zeroes`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new TlogError('malformed', `checkpoint size ${sizeLine} is too large`);
  const root = decodeBase64(rootLine);
  if (root?.length !== 32) throw new TlogError('malformed', 'checkpoint root is not base64 of 32 bytes');
  if (extensions.some((e) => e === '')) throw new TlogError('malformed', 'checkpoint extension lines must be non-empty');
  return { origin, size, root, extensions };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
