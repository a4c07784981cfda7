import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { verify } from '../device/keys.js';
import { CborTag, encodeCbor } from './cbor.js';
import { CoseError } from './error.js';
import { ALG_EDDSA, ALG_ES256, decodeSign1, encodeSign1, sigStructure } from './sign1.js';

// cose-wg/Examples sign1-tests/sign-pass-03 (RFC 9052 C.2.1 key "11"): ES256 over
// "This is the content." with empty external_aad, published untagged.
const EXAMPLE_UNTAGGED =
  '8443a10126a10442313154546869732069732074686520636f6e74656e742e5840' +
  'eae868ecc176883766c5dc5ba5b8dca25dab3c2e56a551ce5705b793914348e19f43d6c6ba654472da301b645b293c9ba939295b97c4bdb847782bff384c5794';
const EXAMPLE_TBS = '846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e';
const b64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const EXAMPLE_KEY = new Uint8Array([
  0x04,
  ...b64url('usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8='),
  ...b64url('IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4='),
]);

const sig64 = new Uint8Array(64).fill(7);
const payload = new TextEncoder().encode('payload');

function rejects(bytes: Uint8Array, code: CoseError['code'], detail: RegExp): void {
  assert.throws(
    () => decodeSign1(bytes),
    (err: unknown) => {
      assert.ok(err instanceof CoseError, `expected CoseError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.match(err.message, detail);
      return true;
    },
  );
}

/** A COSE_Sign1 built from raw parts, so each part can be broken on its own. */
function build(parts: { tag?: number; items?: unknown[] }): Uint8Array {
  const items = parts.items ?? [
    encodeCbor(new Map([[1, ALG_ES256]])),
    new Map([[4, new TextEncoder().encode('dev-1')]]),
    payload,
    sig64,
  ];
  return encodeCbor(new CborTag(parts.tag ?? 18, items as never));
}

describe('COSE_Sign1 interop with the cose-wg examples', () => {
  it('builds the same Sig_structure and verifies the published ES256 signature', () => {
    const env = decodeSign1(hexToBytes(`d2${EXAMPLE_UNTAGGED}`));
    assert.equal(env.alg, ALG_ES256);
    assert.equal(env.kid, '11');
    assert.equal(new TextDecoder().decode(env.payload), 'This is the content.');
    assert.equal(bytesToHex(sigStructure(env.protectedBytes, env.payload)), EXAMPLE_TBS);
    assert.equal(verify(1, EXAMPLE_KEY, sigStructure(env.protectedBytes, env.payload), env.signature), true);
  });

  it('refuses the untagged form (tag 18 is required)', () => {
    rejects(hexToBytes(EXAMPLE_UNTAGGED), 'malformed', /expected COSE_Sign1 tag 18 at byte 0, got an array of 4/);
  });
});

describe('COSE_Sign1 encoding', () => {
  it('encodes deterministically and decodes to the same parts', () => {
    const bytes = encodeSign1({ alg: ALG_EDDSA, kid: 'reefer-7', payload, signature: sig64 });
    assert.equal(bytesToHex(bytes.subarray(0, 6)), 'd28443a10127');
    assert.equal(bytesToHex(bytes.subarray(6, 8)), 'a104');
    const env = decodeSign1(bytes);
    assert.deepEqual(
      { alg: env.alg, kid: env.kid, payload: env.payload, signature: env.signature },
      { alg: ALG_EDDSA, kid: 'reefer-7', payload, signature: sig64 },
    );
    assert.deepEqual(encodeSign1({ alg: ALG_EDDSA, kid: 'reefer-7', payload, signature: sig64 }), bytes);
  });

  it('refuses to encode a signature that is not 64 bytes', () => {
    assert.throws(() => encodeSign1({ alg: ALG_ES256, kid: 'd', payload, signature: new Uint8Array(70) }), /64 bytes, got 70/);
  });
});

describe('COSE_Sign1 strict decoding', () => {
  const kid = new Map([[4, new TextEncoder().encode('dev-1')]]);
  const prot = encodeCbor(new Map([[1, ALG_ES256]]));

  it('accepts the well-formed message the tests below break', () => {
    assert.equal(decodeSign1(build({})).kid, 'dev-1');
  });

  it('refuses other tags and other array shapes', () => {
    rejects(build({ tag: 98 }), 'malformed', /expected COSE_Sign1 tag 18 at byte 0, got tag 98/);
    rejects(build({ items: [prot, kid, payload] }), 'malformed', /4-element array, got an array of 3/);
    rejects(encodeCbor(new CborTag(18, new Map() as never)), 'malformed', /4-element array, got map/);
  });

  it('refuses bad protected headers; unknown algorithms are unsupported_alg', () => {
    rejects(
      build({ items: [new Map([[1, -7]]), kid, payload, sig64] }),
      'malformed',
      /protected header must be a byte string \(got map\)/,
    );
    rejects(build({ items: [new Uint8Array(0), kid, payload, sig64] }), 'malformed', /protected header is empty/);
    rejects(
      build({ items: [encodeCbor([1, -7]), kid, payload, sig64] }),
      'malformed',
      /protected header must be a map, got array/,
    );
    rejects(build({ items: [encodeCbor(new Map([[3, 0]])), kid, payload, sig64] }), 'malformed', /label 3; only alg/);
    rejects(build({ items: [encodeCbor(new Map()), kid, payload, sig64] }), 'malformed', /no alg/);
    rejects(build({ items: [hexToBytes('a10126ff'), kid, payload, sig64] }), 'malformed', /protected header: 1 trailing bytes/);
    rejects(
      build({ items: [encodeCbor(new Map([[1, -35]])), kid, payload, sig64] }),
      'unsupported_alg',
      /alg -35 is not supported/,
    );
    rejects(build({ items: [encodeCbor(new Map([[1, 'ES256']])), kid, payload, sig64] }), 'unsupported_alg', /alg "ES256"/);
  });

  it('refuses unprotected headers without a byte-string kid, or with more than kid', () => {
    rejects(build({ items: [prot, new Map(), payload, sig64] }), 'malformed', /no kid/);
    rejects(
      build({ items: [prot, new Map([[4, 'dev-1']]), payload, sig64] }),
      'malformed',
      /kid must be a byte string, got text string/,
    );
    rejects(
      build({
        items: [
          prot,
          new Map<number, unknown>([
            [4, payload],
            [33, 1],
          ]),
          payload,
          sig64,
        ],
      }),
      'malformed',
      /label 33; only kid/,
    );
    rejects(
      build({ items: [prot, new Map([[4, new Uint8Array([0xc3, 0x28])]]), payload, sig64] }),
      'malformed',
      /kid is not valid UTF-8/,
    );
    rejects(build({ items: [prot, [4], payload, sig64] }), 'malformed', /unprotected header must be a map, got array/);
  });

  it('refuses detached or non-bstr payloads and signatures of the wrong size', () => {
    rejects(build({ items: [prot, kid, null, sig64] }), 'malformed', /detached payloads are not accepted/);
    rejects(build({ items: [prot, kid, 'text', sig64] }), 'malformed', /payload must be a byte string, got text string/);
    rejects(build({ items: [prot, kid, payload, new Uint8Array(63)] }), 'malformed', /signature must be 64 bytes, got 63/);
    rejects(build({ items: [prot, kid, payload, 'sig'] }), 'malformed', /signature must be a byte string \(got text string\)/);
  });

  it('refuses trailing bytes, truncation and non-shortest heads in the envelope', () => {
    const good = build({});
    rejects(new Uint8Array([...good, 0]), 'malformed', /1 trailing bytes after the COSE_Sign1/);
    rejects(good.subarray(0, good.length - 1), 'malformed', /runs past the end of the input at byte/);
    // The same message with the payload length written as 0x5800 + n instead of 0x40 + n.
    const h = bytesToHex(good);
    const widened = h.replace('477061796c6f6164', '58077061796c6f6164');
    assert.notEqual(widened, h);
    rejects(hexToBytes(widened), 'malformed', /not in its shortest form at byte/);
    rejects(new Uint8Array(0), 'malformed', /unexpected end of CBOR input at byte 0/);
  });
});
