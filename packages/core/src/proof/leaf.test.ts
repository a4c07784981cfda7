import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeLeaf, encodeLeaf, LeafFormatError } from './leaf.js';

describe('log leaf encoding', () => {
  it('is a deterministic CBOR array and round-trips', () => {
    const rec = { kind: 'telemetry', receivedAt: 1_764_000_000_123, body: new Uint8Array([0xd2, 0x84, 1, 2]) };
    const bytes = encodeLeaf(rec);
    // 0x84 array(4), 0x01, text(9) "telemetry", uint64 head 0x1b, bytes(4)
    assert.equal(bytes[0], 0x84);
    assert.equal(bytes[1], 0x01);
    assert.equal(bytes[2], 0x69);
    assert.equal(bytes[12], 0x1b);
    assert.equal(bytes[21], 0x44);
    const back = decodeLeaf(bytes);
    assert.equal(back.kind, 'telemetry');
    assert.equal(back.receivedAt, rec.receivedAt);
    assert.deepEqual([...back.body], [...rec.body]);
    assert.deepEqual(encodeLeaf(back), bytes);
  });

  it('uses the shortest integer heads', () => {
    const small = encodeLeaf({ kind: 'x', receivedAt: 23, body: new Uint8Array(300) });
    assert.deepEqual([...small.subarray(0, 7)], [0x84, 0x01, 0x61, 0x78, 0x17, 0x59, 0x01]);
  });

  it('rejects truncated, extended and foreign bytes', () => {
    const good = encodeLeaf({ kind: 'telemetry', receivedAt: 5, body: new Uint8Array([1, 2, 3]) });
    assert.throws(() => decodeLeaf(good.subarray(0, good.length - 1)), LeafFormatError);
    assert.throws(() => decodeLeaf(new Uint8Array([...good, 0])), LeafFormatError);
    assert.throws(() => decodeLeaf(new Uint8Array([0x83, 1, 2])), LeafFormatError);
    const v2 = good.slice();
    v2[1] = 2;
    assert.throws(() => decodeLeaf(v2), /unknown leaf version/);
  });
});
