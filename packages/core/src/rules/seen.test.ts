import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry } from './reading.js';
import { SeenReadings } from './seen.js';

const entry = (leaf: number, pos: number): Entry => ({
  t: pos,
  leaf,
  id: `${leaf}:${pos}`,
  dev: 'd',
  k: 'temp',
  v: 5,
  pos: null,
});

describe('SeenReadings', () => {
  it('finds, adds and deletes readings in small and large (store-and-forward) leaves', () => {
    const seen = new SeenReadings();
    const small = [0, 1, 2].map((p) => entry(7, p));
    const large = Array.from({ length: 1000 }, (_, p) => entry(8, p));
    for (const e of [...small, ...large]) {
      assert.equal(seen.get(e.leaf, e.id), undefined);
      seen.add(e);
    }
    assert.equal(seen.size, 1003);
    for (const e of [...small, ...large]) assert.equal(seen.get(e.leaf, e.id), e);
    assert.equal(seen.get(7, '8:0'), undefined);
    assert.equal(seen.get(9, '9:0'), undefined);
    seen.delete(small[1]!);
    seen.delete(large[500]!);
    seen.delete(large[500]!);
    assert.equal(seen.size, 1001);
    assert.equal(seen.get(7, '7:1'), undefined);
    assert.equal(seen.get(8, '8:500'), undefined);
    assert.equal(seen.get(8, '8:501'), large[501]);
  });
});
