import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CborError, CborReader, CborTag, decodeCbor, encodeCbor } from './cbor.js';

const hex = (v: Parameters<typeof encodeCbor>[0]) => bytesToHex(encodeCbor(v));

describe('CBOR encoding (RFC 8949 Appendix A vectors, deterministic)', () => {
  it('uses the shortest integer heads', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [255, '18ff'],
      [256, '190100'],
      [65535, '19ffff'],
      [65536, '1a00010000'],
      [1000000, '1a000f4240'],
      [4294967296, '1b0000000100000000'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [-1, '20'],
      [-24, '37'],
      [-25, '3818'],
      [-1000, '3903e7'],
    ];
    for (const [v, h] of cases) assert.equal(hex(v), h, `${v}`);
  });

  it('uses the shortest float that holds the value exactly', () => {
    const cases: [number, string][] = [
      [1.5, 'f93e00'],
      [0.5, 'f93800'],
      [65503.5, 'fa477fdf80'],
      [100000.5, 'fa47c35040'],
      [1.1, 'fb3ff199999999999a'],
      [-4.5, 'f9c480'],
      [2 ** -24, 'f90001'],
      [0.00006103515625, 'f90400'],
      [3.4028234663852886e38, 'fa7f7fffff'],
      [Infinity, 'f97c00'],
      [-Infinity, 'f9fc00'],
      [NaN, 'f97e00'],
      [53.44451, 'fb404ab8e5b4245f5b'],
    ];
    for (const [v, h] of cases) assert.equal(hex(v), h, `${v}`);
  });

  it('encodes strings, bytes, arrays, tags and simple values with definite lengths', () => {
    assert.equal(hex(''), '60');
    assert.equal(hex('IETF'), '6449455446');
    assert.equal(hex('\u00fc'), '62c3bc');
    assert.equal(hex(new Uint8Array([1, 2, 3, 4])), '4401020304');
    assert.equal(hex([1, [2, 3], [4, 5]]), '8301820203820405');
    assert.equal(hex(new CborTag(18, [])), 'd280');
    assert.equal(hex([false, true, null, undefined]), '84f4f5f6f7');
  });

  it('sorts map keys by their encoded bytes', () => {
    // Shorter text keys first, then bytewise: {"r", "ts", "dev", "seq"}.
    assert.equal(hex({ seq: 1, dev: 'd', ts: 2, r: [] }), 'a461728062747302636465766164637365710' + '1');
    assert.equal(
      hex(
        new Map<number | string, number>([
          [4, 0],
          [1, 0],
          [-1, 0],
        ]),
      ),
      'a301000400' + '2000',
    );
  });
});

describe('CBOR decoding', () => {
  it('round-trips what it encodes', () => {
    const v = new Map<number | string, unknown>([
      [
        'r',
        [
          new Map<number | string, unknown>([
            ['t', 1764000000000],
            ['k', 'pos'],
            ['v', [53.44451, -2.925173]],
          ]),
        ],
      ],
      [-7, new Uint8Array([9, 8])],
      ['é', -1.5],
    ]);
    assert.deepEqual(decodeCbor(encodeCbor(v as never)), v);
  });

  it('decodes floats of all three widths and non-shortest integers', () => {
    assert.equal(decodeCbor(hexToBytes('f93e00')), 1.5);
    assert.equal(decodeCbor(hexToBytes('f90001')), 2 ** -24);
    assert.equal(decodeCbor(hexToBytes('fa47c35000')), 100000);
    assert.equal(decodeCbor(hexToBytes('fb3ff199999999999a')), 1.1);
    assert.equal(decodeCbor(hexToBytes('190001')), 1);
  });

  const refuse = (h: string, message: RegExp, offset?: number) => {
    assert.throws(
      () => decodeCbor(hexToBytes(h)),
      (err: unknown) => err instanceof CborError && message.test(err.message) && (offset === undefined || err.offset === offset),
      h,
    );
  };

  it('refuses indefinite lengths, truncation, trailing bytes and lengths past the input', () => {
    refuse('9f01ff', /indefinite-length/, 0);
    refuse('5f4101ff', /indefinite-length/, 0);
    refuse('1a0001', /truncated/, 0);
    refuse('0102', /1 trailing bytes/, 1);
    refuse('5a7fffffff00', /runs past the end/, 0);
    refuse('9b00000000ffffffff', /longer than the input/, 0);
    refuse('', /unexpected end/, 0);
  });

  it('refuses duplicate keys, non-text/int keys, bad UTF-8, huge integers and deep nesting', () => {
    refuse('a2616101616102', /duplicate CBOR map key "a"/, 4);
    refuse('a1f401', /key must be an integer or text/, 1);
    refuse('62c328', /not valid UTF-8/, 0);
    refuse('1b0020000000000000', /exceeds 2\^53/, 0);
    refuse('3b001fffffffffffff', /below/, 0);
    refuse('81'.repeat(40) + '00', /nested too deeply/);
    refuse('f0', /unsupported CBOR simple value/, 0);
  });

  it('in canonical mode refuses heads that are not in their shortest form', () => {
    const r = new CborReader(hexToBytes('1817'), true);
    assert.throws(() => r.head(), /shortest form/);
    assert.equal(new CborReader(hexToBytes('1818'), true).head().arg, 24);
    assert.throws(() => new CborReader(hexToBytes('1900ff'), true).head(), /shortest form/);
    assert.throws(() => new CborReader(hexToBytes('1a0000ffff'), true).head(), /shortest form/);
    assert.throws(() => new CborReader(hexToBytes('1b00000000ffffffff'), true).head(), /shortest form/);
  });
});
