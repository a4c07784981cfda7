// A sorted sequence stored as a list of bounded chunks: appends are O(1) and a
// late insert costs a binary search plus a splice of at most one chunk, instead
// of moving the whole history (a device back after days offline lands in the
// middle of series that may hold millions of readings).

export type Compare<K> = (a: K, b: K) => number;

/** A position: chunk c, index i; the end is { c: chunks.length, i: 0 }. */
export interface Cursor {
  c: number;
  i: number;
}

const MAX_CHUNK = 512;

export class SortedChunks<T, K> {
  private readonly chunks: T[][] = [];
  private count = 0;

  constructor(
    private readonly keyOf: (x: T) => K,
    private readonly cmp: Compare<K>,
  ) {}

  get size(): number {
    return this.count;
  }

  first(): T | undefined {
    return this.chunks[0]?.[0];
  }

  last(): T | undefined {
    const ch = this.chunks[this.chunks.length - 1];
    return ch?.[ch.length - 1];
  }

  /** Insert after any equal keys. */
  insert(x: T): void {
    this.count++;
    const last = this.chunks[this.chunks.length - 1];
    // Fast path: in-order append.
    if (last === undefined || this.cmp(this.keyOf(x), this.keyOf(last[last.length - 1]!)) >= 0) {
      if (last === undefined || last.length >= MAX_CHUNK) this.chunks.push([x]);
      else last.push(x);
      return;
    }
    const { c, i } = this.upperBound(this.keyOf(x));
    const ch = this.chunks[c]!;
    ch.splice(i, 0, x);
    if (ch.length > MAX_CHUNK) this.chunks.splice(c + 1, 0, ch.splice(ch.length >> 1));
  }

  /** First position whose key is ≥ key. */
  lowerBound(key: K): Cursor {
    return this.bound(key, false);
  }

  /** First position whose key is > key. */
  upperBound(key: K): Cursor {
    return this.bound(key, true);
  }

  /** Whether x sorts after key (strict) or at/after it. */
  private past(x: T, key: K, strict: boolean): boolean {
    const d = this.cmp(this.keyOf(x), key);
    return strict ? d > 0 : d >= 0;
  }

  private bound(key: K, strict: boolean): Cursor {
    // First chunk whose last element is past the key.
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const ch = this.chunks[mid]!;
      if (this.past(ch[ch.length - 1]!, key, strict)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.chunks.length) return { c: lo, i: 0 };
    const ch = this.chunks[lo]!;
    let a = 0;
    let b = ch.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.past(ch[mid]!, key, strict)) b = mid;
      else a = mid + 1;
    }
    return { c: lo, i: a };
  }

  at(cur: Cursor): T | undefined {
    return this.chunks[cur.c]?.[cur.i];
  }

  next(cur: Cursor): Cursor {
    const ch = this.chunks[cur.c];
    if (ch === undefined) return cur;
    return cur.i + 1 < ch.length ? { c: cur.c, i: cur.i + 1 } : { c: cur.c + 1, i: 0 };
  }

  /** The position before cur, or null at the start. */
  prev(cur: Cursor): Cursor | null {
    if (cur.i > 0) return { c: cur.c, i: cur.i - 1 };
    const c = cur.c - 1;
    const ch = this.chunks[c];
    return ch === undefined ? null : { c, i: ch.length - 1 };
  }

  /** The element before the first one whose key is > key (the greatest ≤ key). */
  floor(key: K): T | undefined {
    const last = this.last();
    // Fast path: streams mostly ask about the latest time.
    if (last !== undefined && this.cmp(this.keyOf(last), key) <= 0) return last;
    const p = this.prev(this.upperBound(key));
    return p === null ? undefined : this.at(p);
  }

  /** The element before the first one whose key is ≥ key (the greatest < key). */
  below(key: K): T | undefined {
    const p = this.prev(this.lowerBound(key));
    return p === null ? undefined : this.at(p);
  }

  /** Remove every element with lo ≤ key ≤ hi (hi undefined: to the end); returns how many. */
  removeRange(lo: K, hi?: K): number {
    let { c, i } = this.lowerBound(lo);
    let removed = 0;
    while (c < this.chunks.length) {
      const ch = this.chunks[c]!;
      let j = i;
      while (j < ch.length && (hi === undefined || this.cmp(this.keyOf(ch[j]!), hi) <= 0)) j++;
      const stopped = j < ch.length;
      if (j > i) {
        ch.splice(i, j - i);
        removed += j - i;
      }
      if (ch.length === 0) this.chunks.splice(c, 1);
      else c++;
      if (stopped) break;
      i = 0;
    }
    this.count -= removed;
    return removed;
  }

  /** Elements from cur (inclusive) to the end. */
  *from(cur: Cursor): Generator<T> {
    for (let c = cur.c, i = cur.i; c < this.chunks.length; c++, i = 0) {
      const ch = this.chunks[c]!;
      for (; i < ch.length; i++) yield ch[i]!;
    }
  }

  *[Symbol.iterator](): Generator<T> {
    for (const ch of this.chunks) yield* ch;
  }

  toArray(): T[] {
    return this.chunks.flat();
  }
}
