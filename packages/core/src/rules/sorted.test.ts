import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SortedChunks } from './sorted.js';

const num = (a: number, b: number): number => a - b;

describe('SortedChunks', () => {
  it('behaves like a sorted array under random inserts, bounds and range removals', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const list = new SortedChunks<number, number>((x) => x, num);
    let ref: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      const op = rnd();
      if (op < 0.6) {
        // Mostly appends, some late inserts, many equal keys.
        const x = rnd() < 0.7 ? (ref[ref.length - 1] ?? 0) + Math.floor(rnd() * 3) : Math.floor(rnd() * 5000);
        list.insert(x);
        ref.push(x);
        ref.sort(num);
      } else if (op < 0.65) {
        const lo = Math.floor(rnd() * 5000);
        const hi = rnd() < 0.1 ? undefined : lo + Math.floor(rnd() * 40);
        const keep = ref.filter((x) => x < lo || (hi !== undefined && x > hi));
        assert.equal(list.removeRange(lo, hi), ref.length - keep.length);
        ref = keep;
      } else {
        const k = Math.floor(rnd() * 5000);
        const lb = ref.findIndex((x) => x >= k);
        const ub = ref.findIndex((x) => x > k);
        assert.equal(list.at(list.lowerBound(k)), lb < 0 ? undefined : ref[lb]);
        assert.equal(list.at(list.upperBound(k)), ub < 0 ? undefined : ref[ub]);
        assert.equal(list.floor(k), ref.filter((x) => x <= k).pop());
        assert.equal(list.below(k), ref.filter((x) => x < k).pop());
      }
      assert.equal(list.size, ref.length);
    }
    assert.deepEqual(list.toArray(), ref);
    assert.deepEqual([...list], ref);
    assert.equal(list.first(), ref[0]);
    assert.equal(list.last(), ref[ref.length - 1]);
  });

  it('walks with cursors across chunk borders', () => {
    const list = new SortedChunks<number, number>((x) => x, num);
    for (let i = 0; i < 2000; i++) list.insert(i);
    let cur = list.lowerBound(0);
    const seen: number[] = [];
    while (list.at(cur) !== undefined) {
      seen.push(list.at(cur)!);
      cur = list.next(cur);
    }
    assert.equal(seen.length, 2000);
    let back = list.prev(list.upperBound(1999));
    let count = 0;
    while (back !== null) {
      assert.equal(list.at(back), 1999 - count++);
      back = list.prev(back);
    }
    assert.equal(count, 2000);
    assert.deepEqual([...list.from(list.lowerBound(1995))], [1995, 1996, 1997, 1998, 1999]);
  });
});
