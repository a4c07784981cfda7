import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { encodeKeyFile, KeyFileError, parseKeyFile } from './key-file.js';
import {
  deviceIdHash,
  deviceIdProblem,
  generateDeviceKey,
  isValidDeviceId,
  type KeyType,
  publicKeyOf,
  publicKeyProblem,
  sign,
  verify,
} from './keys.js';

const msg = new TextEncoder().encode('["Signature1", …]');

describe('device keys', () => {
  for (const keyType of [1, 2] as KeyType[]) {
    it(`key type ${keyType}: signs 64 bytes that verify, and only for that key and message`, () => {
      const k = generateDeviceKey(keyType);
      assert.equal(k.publicKey.length, keyType === 1 ? 65 : 32);
      assert.equal(publicKeyProblem(keyType, k.publicKey), null);
      const sig = sign(keyType, k.privateKey, msg);
      assert.equal(sig.length, 64);
      assert.equal(verify(keyType, k.publicKey, msg, sig), true);
      assert.equal(verify(keyType, k.publicKey, new Uint8Array([...msg, 0]), sig), false);
      assert.equal(verify(keyType, generateDeviceKey(keyType).publicKey, msg, sig), false);
      const flipped = sig.slice();
      flipped[10]! ^= 1;
      assert.equal(verify(keyType, k.publicKey, msg, flipped), false);
      assert.equal(verify(keyType, k.publicKey, msg, sig.subarray(0, 63)), false);
      assert.equal(verify(keyType === 1 ? 2 : 1, k.publicKey, msg, sig), false);
    });
  }

  it('P-256 accepts high-S signatures (secure elements do not normalise S)', () => {
    const k = generateDeviceKey(1, new TextEncoder().encode('high-s'));
    const sig = sign(1, k.privateKey, msg);
    const n = p256.Point.Fn.ORDER;
    const s = BigInt(`0x${bytesToHex(sig.subarray(32))}`);
    const high = new Uint8Array(64);
    high.set(sig.subarray(0, 32));
    high.set(hexToBytes((n - s).toString(16).padStart(64, '0')), 32);
    assert.ok(n - s > n / 2n, 'the flipped signature is high-S');
    assert.equal(verify(1, k.publicKey, msg, high), true);
    // r or s out of range never verify.
    const zero = new Uint8Array(64);
    assert.equal(verify(1, k.publicKey, msg, zero), false);
    const overN = sig.slice();
    overN.set(hexToBytes((n + 1n).toString(16).padStart(64, '0')), 32);
    assert.equal(verify(1, k.publicKey, msg, overN), false);
  });

  it('Ed25519 matches RFC 8032 test 1', () => {
    const sk = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pk = publicKeyOf(2, sk);
    assert.equal(bytesToHex(pk), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = sign(2, sk, new Uint8Array(0));
    assert.equal(
      bytesToHex(sig),
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    assert.equal(verify(2, pk, new Uint8Array(0), sig), true);
  });

  it('derives the same key from the same seed, another from another seed', () => {
    const seed = new TextEncoder().encode('sim:reefer-7');
    for (const keyType of [1, 2] as KeyType[]) {
      assert.deepEqual(generateDeviceKey(keyType, seed), generateDeviceKey(keyType, seed));
      assert.notDeepEqual(
        generateDeviceKey(keyType, seed).privateKey,
        generateDeviceKey(keyType, new Uint8Array([1])).privateKey,
      );
    }
  });

  it('names what is wrong with a public key', () => {
    const k = generateDeviceKey(1);
    assert.match(publicKeyProblem(1, k.publicKey.subarray(1))!, /must be 65 bytes, got 64/);
    assert.match(publicKeyProblem(1, p256.getPublicKey(k.privateKey, true))!, /must be 65 bytes, got 33/);
    const offCurve = k.publicKey.slice();
    offCurve[64]! ^= 1;
    assert.match(publicKeyProblem(1, offCurve)!, /not a point on the curve/);
    const prefix = k.publicKey.slice();
    prefix[0] = 0x05;
    assert.match(publicKeyProblem(1, prefix)!, /first byte 0x04/);
    assert.match(publicKeyProblem(2, new Uint8Array(31))!, /must be 32 bytes, got 31/);
    // The Ed25519 identity point (y = 1) has small order: no signature may verify under it.
    const identity = Uint8Array.from([1, ...new Uint8Array(31)]);
    assert.match(publicKeyProblem(2, identity)!, /small-order point/);
    assert.equal(verify(2, identity, msg, new Uint8Array(64)), false);
    assert.equal(verify(1, offCurve, msg, sign(1, k.privateKey, msg)), false);
  });
});

describe('device ids', () => {
  it('allow 1–64 of [A-Za-z0-9._:-] and say why others are refused', () => {
    for (const ok of ['a', 'reefer-7', 'urn:dev:ops:32473-Foo_Bar.1', 'x'.repeat(64)]) {
      assert.equal(deviceIdProblem(ok), null, ok);
      assert.equal(isValidDeviceId(ok), true);
    }
    assert.match(deviceIdProblem('')!, /empty/);
    assert.match(deviceIdProblem('x'.repeat(65))!, /65 characters long; at most 64/);
    assert.match(deviceIdProblem('reefer 7')!, /contains " "/);
    assert.match(deviceIdProblem('tëmp')!, /contains "ë"/);
    assert.match(deviceIdProblem(7)!, /must be a string, got number/);
    assert.equal(isValidDeviceId('a/b'), false);
  });

  it('hash to keccak256(utf8(id)) for the chain', () => {
    assert.equal(deviceIdHash('abc'), '0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });
});

describe('device key files', () => {
  it('round-trip', () => {
    for (const keyType of [1, 2] as KeyType[]) {
      const key = { deviceId: 'reefer-7', ...generateDeviceKey(keyType) };
      const text = encodeKeyFile(key);
      assert.deepEqual(Object.keys(JSON.parse(text)), ['deviceId', 'keyType', 'privateKey', 'publicKey']);
      assert.deepEqual(parseKeyFile(text), key);
    }
  });

  it('refuse broken files with the field and the reason', () => {
    const key = { deviceId: 'reefer-7', ...generateDeviceKey(1) };
    const good = JSON.parse(encodeKeyFile(key)) as Record<string, unknown>;
    const other = JSON.parse(encodeKeyFile({ deviceId: 'x', ...generateDeviceKey(1) })) as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ['{', /not JSON/],
      ['[]', /must be a JSON object/],
      [JSON.stringify({ ...good, extra: 1 }), /unknown field "extra"/],
      [JSON.stringify({ ...good, deviceId: 'a b' }), /deviceId: device id "a b" contains " "/],
      [JSON.stringify({ ...good, keyType: 3 }), /keyType must be 1 \(P-256\) or 2 \(Ed25519\), got 3/],
      [JSON.stringify({ ...good, privateKey: 'zz' }), /privateKey is not an even-length hex string/],
      [JSON.stringify({ ...good, privateKey: 'ab' }), /privateKey must be 32 bytes, got 1/],
      [JSON.stringify({ ...good, publicKey: 12 }), /publicKey must be a hex string, got number/],
      [JSON.stringify({ ...good, publicKey: other.publicKey }), /publicKey does not belong to privateKey/],
      [JSON.stringify({ ...good, privateKey: '00'.repeat(32) }), /privateKey is not a valid P-256\/ES256 private key/],
    ];
    for (const [text, err] of cases) {
      assert.throws(
        () => parseKeyFile(text),
        (e: unknown) => e instanceof KeyFileError && err.test(e.message),
        text,
      );
    }
    // A 0x prefix is tolerated.
    assert.deepEqual(parseKeyFile(JSON.stringify({ ...good, privateKey: `0x${String(good.privateKey)}` })), key);
  });
});
