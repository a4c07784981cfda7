// Tree heads and proofs as defined in RFC 9162 §2.1.1–§2.1.4, written against a
// subtree-hash accessor so that the same definitions serve an in-memory tree
// (tests, browser) and a stored log that caches complete subtrees.
import { EMPTY_ROOT, type Hash, nodeHash, splitPoint } from './hash.js';

/** Returns MTH(D[start:end]) for 0 ≤ start < end ≤ size. */
export type SubtreeHash = (start: number, end: number) => Hash;

export function treeRoot(size: number, subtree: SubtreeHash): Hash {
  return size === 0 ? EMPTY_ROOT : subtree(0, size);
}

/** PATH(m, D[n]) — the audit path for leaf m in a tree of n leaves. */
export function inclusionProof(index: number, size: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const path: Hash[] = [];
  let start = 0;
  let end = size;
  let m = index;
  // Walk down from the root; siblings are collected top-down, the proof is bottom-up.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(subtree(start + k, end));
      end = start + k;
    } else {
      path.push(subtree(start, start + k));
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** PROOF(m, D[n]) — consistency proof between the first m and all n leaves. */
export function consistencyProof(m: number, n: number, subtree: SubtreeHash): Hash[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  }
  if (m === 0 || m === n) return [];
  const out: Hash[] = [];
  // SUBPROOF(m, D[start:end], b), iteratively; nodes collected top-down.
  let start = 0;
  let end = n;
  let mm = m;
  let complete = true;
  while (mm !== end - start) {
    const k = splitPoint(end - start);
    if (mm <= k) {
      out.push(subtree(start + k, end));
      end = start + k;
    } else {
      out.push(subtree(start, start + k));
      start += k;
      mm -= k;
      complete = false;
    }
  }
  if (!complete) out.push(subtree(start, end));
  return out.reverse();
}

/** A subtree accessor over an in-memory array of leaf hashes (recomputes; for tests and small trees). */
export function memorySubtree(leaves: readonly Hash[]): SubtreeHash {
  const memo = new Map<string, Hash>();
  const fn: SubtreeHash = (start, end) => {
    if (end - start === 1) return leaves[start]!;
    const key = `${start}:${end}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const k = splitPoint(end - start);
    const h = nodeHash(fn(start, start + k), fn(start + k, end));
    memo.set(key, h);
    return h;
  };
  return fn;
}
