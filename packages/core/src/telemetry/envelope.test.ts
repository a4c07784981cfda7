import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CborTag, encodeCbor } from '../cose/cbor.js';
import { CoseError } from '../cose/error.js';
import { ALG_EDDSA, ALG_ES256, decodeSign1, encodeProtectedHeader, encodeSign1, sigStructure } from '../cose/sign1.js';
import { type DeviceKey, type DevicePublicKey, generateDeviceKey, type KeyType, sign } from '../device/keys.js';
import { openTelemetry, signTelemetry } from './envelope.js';
import type { TelemetryPayload } from './payload.js';

const T0 = 1_764_000_000_000;
const seed = (s: string) => new TextEncoder().encode(s);
const p256Key: DeviceKey = { deviceId: 'reefer-7', ...generateDeviceKey(1, seed('reefer-7')) };
const edKey: DeviceKey = { deviceId: 'tracker.9', ...generateDeviceKey(2, seed('tracker.9')) };
const registry = new Map<string, DevicePublicKey>([
  [p256Key.deviceId, { keyType: 1, publicKey: p256Key.publicKey }],
  [edKey.deviceId, { keyType: 2, publicKey: edKey.publicKey }],
]);
const lookup = (id: string) => registry.get(id);

const payloadOf = (dev: string, seq = 1): TelemetryPayload => ({
  dev,
  seq,
  ts: T0 + 9000,
  r: [
    { t: T0 + 5000, k: 'temp', v: 3.9 },
    { t: T0, k: 'rh', v: 81 },
    { t: T0 + 8000, k: 'pos', v: [53.4, -2.9] },
  ],
});

/** Sign arbitrary payload bytes under `key`, bypassing payload validation (a buggy or hostile device). */
function signRaw(key: DeviceKey, payload: Uint8Array, kid = key.deviceId): Uint8Array {
  const alg = key.keyType === 1 ? ALG_ES256 : ALG_EDDSA;
  const signature = sign(key.keyType, key.privateKey, sigStructure(encodeProtectedHeader(alg), payload));
  return encodeSign1({ alg, kid, payload, signature });
}

describe('signTelemetry / openTelemetry', () => {
  for (const key of [p256Key, edKey]) {
    it(`round-trips a key type ${key.keyType} envelope with its summary`, () => {
      const bytes = signTelemetry(payloadOf(key.deviceId, 7), key);
      assert.equal(decodeSign1(bytes).alg, key.keyType === 1 ? ALG_ES256 : ALG_EDDSA);
      const opened = openTelemetry(bytes, lookup);
      assert.ok(opened.ok, JSON.stringify(opened));
      const { payload, ...msg } = opened.msg;
      assert.deepEqual(msg, { deviceId: key.deviceId, seq: 7, signedAt: T0 + 9000, firstAt: T0, lastAt: T0 + 8000, readings: 3 });
      assert.deepEqual(payload, payloadOf(key.deviceId, 7));
    });
  }

  it('signs deterministically for P-256 (RFC 6979) and Ed25519', () => {
    for (const key of [p256Key, edKey]) {
      assert.deepEqual(signTelemetry(payloadOf(key.deviceId), key), signTelemetry(payloadOf(key.deviceId), key));
    }
  });

  it('refuses to sign a payload for another device or an invalid payload', () => {
    assert.throws(
      () => signTelemetry(payloadOf('other'), p256Key),
      (e: unknown) => e instanceof CoseError && e.code === 'device_mismatch',
    );
    assert.throws(
      () => signTelemetry({ ...payloadOf(p256Key.deviceId), seq: 0 }, p256Key),
      (e: unknown) => e instanceof CoseError && e.code === 'bad_payload' && /seq: must be ≥ 1/.test(e.message),
    );
  });

  it('passes the looked-up key object to a custom signature verifier', () => {
    const seen: unknown[] = [];
    const keys = new Map([[p256Key.deviceId, { keyType: 1 as KeyType, publicKey: p256Key.publicKey, handle: 'cached' }]]);
    const r = openTelemetry(
      signTelemetry(payloadOf(p256Key.deviceId), p256Key),
      (id) => keys.get(id),
      (k) => {
        seen.push(k.handle);
        return false;
      },
    );
    assert.deepEqual(seen, ['cached']);
    assert.equal(r.ok ? 'ok' : r.reason, 'bad_signature');
  });
});

describe('openTelemetry refusals, in check order', () => {
  const good = signTelemetry(payloadOf(p256Key.deviceId), p256Key);
  const refusal = (bytes: Uint8Array, keys = lookup) => {
    const r = openTelemetry(bytes, keys);
    assert.equal(r.ok, false);
    return r.ok ? null! : r;
  };

  it('malformed: not COSE, or a kid that is no device id', () => {
    assert.deepEqual(refusal(new Uint8Array([1, 2, 3])), {
      ok: false,
      reason: 'malformed',
      detail: 'expected COSE_Sign1 tag 18 at byte 0, got unsigned integer',
    });
    const r = refusal(signRaw(p256Key, new Uint8Array([0xa0]), 'reefer 7'));
    assert.equal(r.reason, 'malformed');
    assert.match(r.detail, /^kid: device id "reefer 7" contains " "/);
    assert.equal(r.deviceId, undefined);
  });

  it('unsupported_alg', () => {
    const env = decodeSign1(good);
    const bytes = encodeCbor(
      new CborTag(18, [encodeCbor(new Map([[1, -257]])), new Map([[4, seed('reefer-7')]]), env.payload, env.signature]),
    );
    assert.equal(refusal(bytes).reason, 'unsupported_alg');
  });

  it('unknown_device, naming the device so the node can ask the ledger', () => {
    const stranger: DeviceKey = { deviceId: 'stranger', ...generateDeviceKey(1) };
    assert.deepEqual(refusal(signTelemetry(payloadOf('stranger'), stranger)), {
      ok: false,
      reason: 'unknown_device',
      detail: 'device stranger is not registered',
      deviceId: 'stranger',
    });
  });

  it('alg_mismatch: ES256 envelope for a device registered with an Ed25519 key', () => {
    const impostor: DeviceKey = { ...generateDeviceKey(1), deviceId: edKey.deviceId };
    const r = refusal(signTelemetry(payloadOf(edKey.deviceId), impostor));
    assert.equal(r.reason, 'alg_mismatch');
    assert.match(r.detail, /alg -7 does not match device tracker\.9's Ed25519\/EdDSA key \(alg -8\)/);
  });

  it('bad_signature: another key, a changed payload byte, a changed signature, a changed protected header', () => {
    const forger: DeviceKey = { ...generateDeviceKey(1), deviceId: p256Key.deviceId };
    assert.equal(refusal(signTelemetry(payloadOf(p256Key.deviceId), forger)).reason, 'bad_signature');
    const env = decodeSign1(good);
    const tampered = env.payload.slice();
    tampered[tampered.length - 1]! ^= 1;
    const reenc = (payload: Uint8Array, signature = env.signature) =>
      encodeSign1({ alg: env.alg, kid: env.kid, payload, signature });
    assert.equal(refusal(reenc(tampered)).reason, 'bad_signature');
    const sig = env.signature.slice();
    sig[0]! ^= 0x80;
    assert.equal(refusal(reenc(env.payload, sig)).reason, 'bad_signature');
    assert.equal(openTelemetry(reenc(env.payload), lookup).ok, true);
    // The protected header is signed as bytes: {1: -7} re-encoded as a1 01 38 06 decodes alike but does not verify.
    const widened = encodeCbor(
      new CborTag(18, [new Uint8Array([0xa1, 0x01, 0x38, 0x06]), new Map([[4, seed('reefer-7')]]), env.payload, env.signature]),
    );
    assert.equal(decodeSign1(widened).alg, ALG_ES256);
    assert.equal(refusal(widened).reason, 'bad_signature');
  });

  it('bad_payload only after the signature verified: the device signed nonsense', () => {
    const r = refusal(signRaw(p256Key, encodeCbor({ ...payloadOf(p256Key.deviceId), seq: 0 } as never)));
    assert.deepEqual(r, {
      ok: false,
      reason: 'bad_payload',
      detail: 'seq: must be ≥ 1 (sequence numbers start at 1)',
      deviceId: 'reefer-7',
    });
    const notCbor = refusal(signRaw(p256Key, new Uint8Array([0xff])));
    assert.equal(notCbor.reason, 'bad_payload');
    assert.match(notCbor.detail, /^payload: not valid CBOR/);
    // The same nonsense under a forged signature is a bad signature, not a bad payload.
    const forger: DeviceKey = { ...generateDeviceKey(1), deviceId: p256Key.deviceId };
    assert.equal(refusal(signRaw(forger, new Uint8Array([0xff]))).reason, 'bad_signature');
  });

  it("device_mismatch: a payload for another device under this device's kid", () => {
    const r = refusal(signRaw(p256Key, encodeCbor(payloadOf(edKey.deviceId) as never)));
    assert.deepEqual(r, {
      ok: false,
      reason: 'device_mismatch',
      detail: 'payload dev "tracker.9" differs from kid "reefer-7"',
      deviceId: 'reefer-7',
    });
  });
});
