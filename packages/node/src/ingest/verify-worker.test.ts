import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALG_EDDSA, ALG_ES256, decodeSign1, encodeSign1 } from '@tradetwin/core/cose/sign1';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { hashLeaf } from '../log/transparency-log.js';
import { decodeSign1Fast, MAX_LEAF_PREFIX, sha256Range, writeTelemetryLeaf } from './verify-worker.js';

/** decodeSign1's result or its error, comparable. */
function outcome(decode: (b: Uint8Array) => unknown, b: Uint8Array): unknown {
  try {
    return { ok: decode(b) };
  } catch (err) {
    return { err: err instanceof Error ? `${err.name} ${(err as { code?: string }).code} ${err.message}` : String(err) };
  }
}

describe('log leaves built on the verify workers', () => {
  it("are core's encodeLeaf bytes and the log's leaf hash, for every head length", () => {
    const times = [0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 1_764_000_000_123, Number.MAX_SAFE_INTEGER];
    const lengths = [0, 1, 23, 24, 255, 256, 65_535, 65_536];
    for (const receivedAt of times) {
      for (const n of lengths) {
        const body = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
        const buf = new Uint8Array(3 + MAX_LEAF_PREFIX + n);
        const end = writeTelemetryLeaf(buf, 3, receivedAt, body);
        const expected = encodeLeaf({ kind: 'telemetry', receivedAt, body });
        assert.deepEqual(buf.subarray(4, end), expected, `receivedAt ${receivedAt}, ${n} bytes`);
        assert.deepEqual(new Uint8Array(sha256Range(buf, 3, end)), hashLeaf(expected));
      }
    }
    assert.throws(() => writeTelemetryLeaf(new Uint8Array(64), 0, -1, new Uint8Array(1)), RangeError);
  });
});

describe("the verify workers' COSE_Sign1 fast path", () => {
  it("decodes and refuses exactly as decodeSign1, on devices' envelopes and every one-byte change of them", () => {
    const sig = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const kids = ['reefer-7', 'k'.repeat(23), 'k'.repeat(24), 'k'.repeat(64)];
    const payloads = [0, 5, 23, 24, 255, 256, 1000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 13) & 0xff));
    let compared = 0;
    for (const alg of [ALG_ES256, ALG_EDDSA] as const) {
      for (const kid of kids) {
        for (const payload of payloads) {
          const good = encodeSign1({ alg, kid, payload, signature: sig });
          assert.deepEqual(outcome(decodeSign1Fast, good), outcome(decodeSign1, good));
          // Every byte of the fixed-offset part and the heads, set to a spread of values; plus truncations.
          for (let at = 0; at < Math.min(good.length, 16 + kid.length); at++) {
            for (const v of [
              0x00, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x40, 0x57, 0x58, 0x59, 0x5a, 0x60, 0x84, 0xa1, 0xd2, 0xf6, 0xff,
            ]) {
              const m = good.slice();
              m[at] = v;
              assert.deepEqual(outcome(decodeSign1Fast, m), outcome(decodeSign1, m), `byte ${at} = ${v}`);
              compared++;
            }
          }
          for (const cut of [1, 2, 65, 66, 67]) {
            const m = good.subarray(0, good.length - cut);
            assert.deepEqual(outcome(decodeSign1Fast, m), outcome(decodeSign1, m));
          }
          const longer = Uint8Array.from([...good, 0]);
          assert.deepEqual(outcome(decodeSign1Fast, longer), outcome(decodeSign1, longer));
        }
      }
    }
    // A kid that is not UTF-8, and a non-canonical kid head (1-byte length < 24).
    const bad = encodeSign1({ alg: ALG_ES256, kid: 'abc', payload: new Uint8Array(3), signature: sig });
    const notUtf8 = bad.slice();
    notUtf8[9] = 0xff;
    assert.deepEqual(outcome(decodeSign1Fast, notUtf8), outcome(decodeSign1, notUtf8));
    const longHead = Uint8Array.from([...bad.subarray(0, 8), 0x58, 3, ...bad.subarray(9)]);
    assert.deepEqual(outcome(decodeSign1Fast, longHead), outcome(decodeSign1, longHead));
    assert.ok(compared > 10_000);
  });
});
