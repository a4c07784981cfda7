// Equivocation proofs: two checkpoints signed by the same log key for the same
// origin that cannot both be true. Portable: anyone holding the log's vkey checks
// one with verifyEquivocation, nothing else needed.
//
//  - "same-size": equal sizes, different roots — the two notes are the whole proof.
//  - "not-extending": sizes m < n, with a consistency path from m to n that
//    reproduces the larger checkpoint's root. RFC 9162's verification computes
//    from such a path both roots; bound to the larger root (collision resistance),
//    the path fixes what the size-m prefix of that tree is, and it differs from the
//    smaller checkpoint's root. When m is a power of two the prefix root is itself
//    the first node of the path (RFC 9162 leaves it implicit), so it is carried in
//    `prefixRoot`.
import { type Hash, hashEquals } from '../merkle/hash.js';
import { consistencyRoots } from '../merkle/verify.js';
import { decodeBase64, toBase64 } from './base64.js';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { TlogError } from './errors.js';
import { ed25519NoteVerifier, openNote, parseVerifierKey, SIG_TYPE_ED25519 } from './note.js';

export const EQUIVOCATION_TYPE = 'tradetwin.dev/tlog-equivocation@v1';

export interface EquivocationProof {
  type: typeof EQUIVOCATION_TYPE;
  kind: 'same-size' | 'not-extending';
  origin: string;
  /** The log's verifier key (c2sp signed-note vkey). */
  logKey: string;
  /** Signed checkpoint notes, verbatim; for not-extending, `a` is the smaller. */
  a: string;
  b: string;
  /** not-extending only: consistency path (base64 hashes) from a.size to b.size in b's tree. */
  consistency?: string[];
  /** not-extending with a power-of-two a.size: b's tree's root at a.size (base64). */
  prefixRoot?: string;
}

export type EquivocationCheck = { ok: true; origin: string; sizes: [number, number] } | { ok: false; reason: string };

/** The larger checkpoint's tree at the smaller size, from a path: the evidence that the smaller root is false. */
export function buildEquivocation(
  logKey: string,
  a: { note: string; checkpoint: Checkpoint },
  b: { note: string; checkpoint: Checkpoint },
  evidence?: { path: readonly Hash[]; prefixRoot: Hash | null },
): EquivocationProof {
  const [lo, hi] = a.checkpoint.size <= b.checkpoint.size ? [a, b] : [b, a];
  const base = { type: EQUIVOCATION_TYPE, origin: lo.checkpoint.origin, logKey, a: lo.note, b: hi.note } as const;
  if (lo.checkpoint.size === hi.checkpoint.size) return { ...base, kind: 'same-size' };
  if (!evidence) throw new TlogError('malformed', 'a not-extending equivocation needs the consistency path');
  return {
    ...base,
    kind: 'not-extending',
    consistency: evidence.path.map(toBase64),
    ...(evidence.prefixRoot ? { prefixRoot: toBase64(evidence.prefixRoot) } : {}),
  };
}

export function verifyEquivocation(proof: unknown, trustedLogKey?: string): EquivocationCheck {
  const fail = (reason: string): EquivocationCheck => ({ ok: false, reason });
  if (!proof || typeof proof !== 'object') return fail('not an object');
  const p = proof as Partial<EquivocationProof>;
  if (p.type !== EQUIVOCATION_TYPE) return fail(`type is not ${EQUIVOCATION_TYPE}`);
  if (typeof p.logKey !== 'string' || typeof p.a !== 'string' || typeof p.b !== 'string' || typeof p.origin !== 'string') {
    return fail('logKey, origin, a and b must be strings');
  }
  if (trustedLogKey !== undefined && trustedLogKey !== p.logKey)
    return fail('signed by a different log key than the one trusted');
  let ca: Checkpoint;
  let cb: Checkpoint;
  try {
    const key = parseVerifierKey(p.logKey);
    if (key.type !== SIG_TYPE_ED25519) return fail('log key is not an Ed25519 note key');
    const v = ed25519NoteVerifier(key.name, key.publicKey);
    ca = parseCheckpoint(openNote(p.a, [v]).text);
    cb = parseCheckpoint(openNote(p.b, [v]).text);
  } catch (err) {
    return fail(`a checkpoint is not signed by the log key: ${(err as Error).message}`);
  }
  if (ca.origin !== p.origin || cb.origin !== p.origin) return fail('the checkpoints are not both of the stated origin');
  if (p.kind === 'same-size') {
    if (ca.size !== cb.size) return fail('sizes differ');
    if (hashEquals(ca.root, cb.root)) return fail('the roots are the same: no equivocation');
    return { ok: true, origin: p.origin, sizes: [ca.size, cb.size] };
  }
  if (p.kind !== 'not-extending') return fail('kind is neither same-size nor not-extending');
  if (!(ca.size < cb.size)) return fail('a must be the smaller checkpoint');
  if (ca.size === 0) return fail('every tree extends the empty tree');
  const path = (p.consistency ?? []).map((h) => decodeBase64(h));
  if (!Array.isArray(p.consistency) || path.some((h) => h?.length !== 32))
    return fail('consistency must be base64 32-byte hashes');
  const seed = p.prefixRoot === undefined ? null : decodeBase64(p.prefixRoot);
  const roots = consistencyRoots(ca.size, cb.size, path as Hash[], seed);
  if (typeof roots === 'string') return fail('the consistency path has the wrong shape for these sizes');
  if (!hashEquals(roots.second, cb.root)) return fail('the consistency path does not lead to the larger checkpoint root');
  if (hashEquals(roots.first, ca.root)) return fail('the smaller checkpoint is consistent with the larger: no equivocation');
  return { ok: true, origin: p.origin, sizes: [ca.size, cb.size] };
}
