import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from 'cbor-x';
import { CborSequenceError, splitCborSequence } from './cbor-seq.js';

describe('CBOR sequence splitting', () => {
  it('splits concatenated items of every major type at their boundaries', () => {
    const items = [
      encode(1),
      encode(-500),
      encode(new Uint8Array(300)),
      encode('text'),
      encode([1, [2, 3], { a: new Uint8Array([1]) }]),
      encode(1.5),
      new Uint8Array([0xd2, 0x84, 0x40, 0xa0, 0x41, 0x00, 0x40]), // tag 18 around a 4-array
    ];
    const joined = Buffer.concat(items);
    const parts = splitCborSequence(joined);
    assert.equal(parts.length, items.length);
    parts.forEach((p, i) => {
      assert.deepEqual(Buffer.from(p), Buffer.from(items[i]!));
    });
  });

  it('refuses truncation, indefinite lengths, lying lengths and too many items', () => {
    const one = encode([1, 2, 3]);
    assert.throws(() => splitCborSequence(one.subarray(0, one.length - 1)), CborSequenceError);
    assert.throws(() => splitCborSequence(new Uint8Array([0x9f, 0x01, 0xff])), /indefinite/);
    assert.throws(() => splitCborSequence(new Uint8Array([0x5a, 0xff, 0xff, 0xff, 0xff])), /truncated/);
    assert.throws(() => splitCborSequence(new Uint8Array([0x9a, 0xff, 0xff, 0xff, 0xff])), /longer than the body/);
    assert.throws(() => splitCborSequence(Buffer.concat([one, one, one]), 2), /more than 2/);
    assert.deepEqual(splitCborSequence(new Uint8Array()), []);
  });
});
