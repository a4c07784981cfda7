import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { hashLeaf } from '../log/transparency-log.js';
import { MAX_LEAF_PREFIX, sha256Range, writeTelemetryLeaf } from './verify-worker.js';

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
