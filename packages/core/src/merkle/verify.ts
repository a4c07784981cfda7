// Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
// (consistency). Pure and isomorphic: the browser verify page runs this code.
import { type Hash, hashEquals, nodeHash } from './hash.js';

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const fail = (reason: string): VerifyResult => ({ ok: false, reason });

/** Recompute the root implied by an inclusion proof; null when the proof shape is impossible. */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Hash, path: readonly Hash[]): Hash | null {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return null;
  if (leafIndex < 0 || leafIndex >= treeSize) return null;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Hash,
  path: readonly Hash[],
  root: Hash,
): VerifyResult {
  if (leafIndex < 0 || leafIndex >= treeSize) return fail('leaf index outside tree');
  const r = rootFromInclusionProof(leafIndex, treeSize, leaf, path);
  if (r === null) return fail('inclusion proof has the wrong length for this tree size');
  return hashEquals(r, root) ? { ok: true } : fail('inclusion proof does not lead to the tree head root');
}

export function verifyConsistency(
  firstSize: number,
  secondSize: number,
  firstRoot: Hash,
  secondRoot: Hash,
  path: readonly Hash[],
): VerifyResult {
  if (firstSize < 0 || secondSize < firstSize) return fail('second tree is smaller than the first');
  if (firstSize === secondSize) {
    if (path.length !== 0) return fail('consistency proof between equal sizes must be empty');
    return hashEquals(firstRoot, secondRoot) ? { ok: true } : fail('same size, different roots');
  }
  if (firstSize === 0) {
    // Every tree extends the empty tree; RFC 9162 defines no proof for it.
    return path.length === 0 ? { ok: true } : fail('consistency proof from the empty tree must be empty');
  }
  if (path.length === 0) return fail('consistency proof is empty');
  const roots = consistencyRoots(firstSize, secondSize, path, firstRoot);
  if (typeof roots === 'string') return fail(roots);
  const { first: fr, second: sr } = roots;
  if (!hashEquals(fr, firstRoot)) return fail('consistency proof does not reproduce the first root');
  if (!hashEquals(sr, secondRoot)) return fail('consistency proof does not reproduce the second root');
  return { ok: true };
}

/**
 * The two roots a consistency path from size m to size n implies (RFC 9162 §2.1.4.2, without comparing
 * them to anything), or why the path has the wrong shape. `seed` is the first root: the RFC leaves it out
 * of the path when m is a power of two. Verifying compares both roots; an equivocation proof shows that a
 * path reproducing one log's larger root gives another root at m than the log signed.
 */
export function consistencyRoots(
  m: number,
  n: number,
  path: readonly Hash[],
  seed: Hash | null,
): { first: Hash; second: Hash } | string {
  if (m < 1 || m >= n) return 'consistency proof needs 0 < first size < second size';
  if (path.length === 0) return 'consistency proof is empty';
  if (isPowerOfTwo(m) && !seed) return 'the first root is needed for a power-of-two first size';
  const proof = isPowerOfTwo(m) ? [seed!, ...path] : [...path];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = proof[0]!;
  let sr = proof[0]!;
  for (const c of proof.slice(1)) {
    if (sn === 0) return 'consistency proof is too long';
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? { first: fr, second: sr } : 'consistency proof is too short';
}

function isPowerOfTwo(n: number): boolean {
  // No bitwise operators: tree sizes may exceed 2^31.
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
