import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { CborTag, encodeCbor } from '@tradetwin/core/cose/cbor';
import { ALG_EDDSA, ALG_ES256, decodeSign1, encodeProtectedHeader, encodeSign1, sigStructure } from '@tradetwin/core/cose/sign1';
import { type DeviceKey, type DevicePublicKey, generateDeviceKey, sign } from '@tradetwin/core/device/keys';
import { openTelemetry, signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { TelemetryPayload } from '@tradetwin/core/telemetry/payload';
import type { VerifyOutcome } from './pipeline.js';
import { createVerifier, type Verifier } from './verifier.js';
import { importDeviceKey, p1363ToDer, verifyWithNodeCrypto } from './verify-worker.js';

const T0 = 1_764_000_000_000;
const seedOf = (s: string) => new TextEncoder().encode(s);
const device = (deviceId: string, keyType: 1 | 2): DeviceKey => ({ deviceId, ...generateDeviceKey(keyType, seedOf(deviceId)) });

const p256Dev = device('reefer-1', 1);
const edDev = device('tracker-2', 2);
const stranger = device('stranger-3', 1);
const offCurveDev = device('broken-key-4', 1);
const smallOrderDev = device('small-order-5', 2);
const offCurveKey = offCurveDev.publicKey.slice();
offCurveKey[64]! ^= 1;

const registry = new Map<string, DevicePublicKey>([
  [p256Dev.deviceId, { keyType: 1, publicKey: p256Dev.publicKey }],
  [edDev.deviceId, { keyType: 2, publicKey: edDev.publicKey }],
  [offCurveDev.deviceId, { keyType: 1, publicKey: offCurveKey }],
  // The identity point: small order, so no signature may verify under it.
  [smallOrderDev.deviceId, { keyType: 2, publicKey: Uint8Array.from([1, ...new Uint8Array(31)]) }],
]);

const payloadOf = (dev: string, seq: number, readings = 1): TelemetryPayload => ({
  dev,
  seq,
  ts: T0 + seq * 1000 + 999,
  r: Array.from({ length: readings }, (_, i) => ({ t: T0 + seq * 1000 + i, k: 'temp' as const, v: 4 + i / 10 })),
});

function signRaw(key: DeviceKey, payload: Uint8Array, kid = key.deviceId): Uint8Array {
  const alg = key.keyType === 1 ? ALG_ES256 : ALG_EDDSA;
  return encodeSign1({
    alg,
    kid,
    payload,
    signature: sign(key.keyType, key.privateKey, sigStructure(encodeProtectedHeader(alg), payload)),
  });
}

/** The same envelope with s replaced by n − s: still valid ECDSA, and what secure elements often emit. */
function highS(bytes: Uint8Array): Uint8Array {
  const env = decodeSign1(bytes);
  const n = p256.Point.Fn.ORDER;
  const s = BigInt(`0x${Buffer.from(env.signature.subarray(32)).toString('hex')}`);
  const flipped = (s > n / 2n ? s : n - s).toString(16).padStart(64, '0');
  const signature = Uint8Array.from([...env.signature.subarray(0, 32), ...Buffer.from(flipped, 'hex')]);
  return encodeSign1({ alg: env.alg, kid: env.kid, payload: env.payload, signature });
}

function corpus(): { name: string; bytes: Uint8Array }[] {
  const good1 = signTelemetry(payloadOf(p256Dev.deviceId, 1), p256Dev);
  const good2 = signTelemetry(payloadOf(edDev.deviceId, 1, 3), edDev);
  const env = decodeSign1(good1);
  const tampered = env.payload.slice();
  tampered[tampered.length - 1]! ^= 1;
  return [
    { name: 'P-256 good', bytes: good1 },
    { name: 'Ed25519 good, 3 readings', bytes: good2 },
    { name: 'P-256 high-S', bytes: highS(signTelemetry(payloadOf(p256Dev.deviceId, 2), p256Dev)) },
    { name: 'P-256 buffer of 1000', bytes: signTelemetry(payloadOf(p256Dev.deviceId, 3, 1000), p256Dev) },
    { name: 'forged P-256', bytes: signTelemetry(payloadOf(p256Dev.deviceId, 4), { ...stranger, deviceId: p256Dev.deviceId }) },
    {
      name: 'forged Ed25519',
      bytes: signTelemetry(payloadOf(edDev.deviceId, 4), { ...device('x', 2), deviceId: edDev.deviceId }),
    },
    { name: 'tampered payload', bytes: encodeSign1({ ...env, payload: tampered }) },
    { name: 'garbage', bytes: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) },
    { name: 'truncated', bytes: good1.subarray(0, good1.length - 5) },
    { name: 'empty', bytes: new Uint8Array(0) },
    { name: 'unknown device', bytes: signTelemetry(payloadOf(stranger.deviceId, 1), stranger) },
    { name: 'alg mismatch', bytes: signTelemetry(payloadOf(edDev.deviceId, 5), { ...stranger, deviceId: edDev.deviceId }) },
    {
      name: 'unsupported alg',
      bytes: encodeCbor(
        new CborTag(18, [encodeCbor(new Map([[1, -36]])), new Map([[4, seedOf(p256Dev.deviceId)]]), env.payload, env.signature]),
      ),
    },
    { name: 'bad kid', bytes: signRaw(p256Dev, env.payload, 'reefer 1') },
    { name: 'signed bad payload', bytes: signRaw(p256Dev, encodeCbor({ ...payloadOf(p256Dev.deviceId, 6), seq: 0 } as never)) },
    { name: 'signed non-CBOR payload', bytes: signRaw(edDev, Uint8Array.from([0xff, 0x00])) },
    { name: 'device mismatch', bytes: signRaw(p256Dev, encodeCbor(payloadOf(edDev.deviceId, 7) as never)) },
    { name: 'off-curve registered key', bytes: signTelemetry(payloadOf(offCurveDev.deviceId, 1), offCurveDev) },
    { name: 'small-order registered key', bytes: signTelemetry(payloadOf(smallOrderDev.deviceId, 1), smallOrderDev) },
  ];
}

/** openTelemetry's verdict as the pipeline sees it (no payload). */
function reference(bytes: Uint8Array, keys: Map<string, DevicePublicKey>): VerifyOutcome {
  const r = openTelemetry(bytes, (id) => keys.get(id));
  if (!r.ok) return r;
  const { payload: _payload, ...msg } = r.msg;
  return { ok: true, msg };
}

const verifiers: Verifier[] = [];
after(async () => {
  await Promise.all(verifiers.map((v) => v.close()));
});
function make(workers: number, keys = registry, chunkSize?: number): Verifier {
  const v = createVerifier({ workers, keys: (id) => keys.get(id), chunkSize });
  verifiers.push(v);
  return v;
}

describe('node:crypto signature primitive', () => {
  it('DER-encodes r‖s minimally, so OpenSSL agrees with noble for leading zeros and high bits', () => {
    const key = generateDeviceKey(1, seedOf('der'));
    const handle = createPublicKey({
      key: Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), key.publicKey]),
      format: 'der',
      type: 'spki',
    });
    let leadingZero = 0;
    let highBit = 0;
    for (let i = 0; i < 600; i++) {
      const msg = seedOf(`m${i}`);
      const sig = sign(1, key.privateKey, msg);
      if (sig[0] === 0 || sig[32] === 0) leadingZero++;
      if (sig[0]! >= 0x80 || sig[32]! >= 0x80) highBit++;
      assert.equal(cryptoVerify('sha256', msg, handle, p1363ToDer(sig)), true, `signature ${i}`);
      assert.equal(cryptoVerify('sha256', msg, { key: handle, dsaEncoding: 'ieee-p1363' }, sig), true);
    }
    assert.ok(leadingZero > 0 && highBit > 0, 'the sample covers both DER edge cases');
    const r = Uint8Array.from([...new Uint8Array(31), 0x05, 0x80, ...new Uint8Array(31)]);
    assert.deepEqual([...p1363ToDer(r)], [0x30, 0x26, 0x02, 0x01, 0x05, 0x02, 0x21, 0x00, 0x80, ...new Uint8Array(31)]);
  });

  it('agrees with core verify on high-S, off-curve keys, small-order keys and out-of-range r, s', () => {
    const msg = seedOf('x');
    const k = importDeviceKey({ keyType: 1, publicKey: p256Dev.publicKey });
    const sig = sign(1, p256Dev.privateKey, msg);
    assert.equal(verifyWithNodeCrypto(k, msg, sig), true);
    const high = decodeSign1(highS(encodeSign1({ alg: ALG_ES256, kid: 'a', payload: msg, signature: sig }))).signature;
    assert.notDeepEqual(high, sig);
    assert.equal(verifyWithNodeCrypto(k, msg, high), true);
    assert.equal(verifyWithNodeCrypto(k, msg, new Uint8Array(64)), false);
    assert.equal(verifyWithNodeCrypto(k, msg, new Uint8Array(64).fill(0xff)), false);
    assert.equal(importDeviceKey({ keyType: 1, publicKey: offCurveKey }).handle, null);
    assert.equal(importDeviceKey(registry.get(smallOrderDev.deviceId)!).handle, null);
    assert.equal(importDeviceKey({ keyType: 2, publicKey: edDev.publicKey }).handle?.asymmetricKeyType, 'ed25519');
  });
});

describe('ingest verifier', () => {
  const messages = corpus();
  const expected = messages.map((m) => reference(m.bytes, registry));

  it('the corpus covers every verdict', () => {
    const reasons = new Set(expected.map((o) => (o.ok ? 'ok' : o.reason)));
    assert.deepEqual([...reasons].sort(), [
      'alg_mismatch',
      'bad_payload',
      'bad_signature',
      'device_mismatch',
      'malformed',
      'ok',
      'unknown_device',
      'unsupported_alg',
    ]);
    assert.equal(expected[2]!.ok, true, 'high-S is accepted');
  });

  for (const workers of [0, 2]) {
    it(`workers=${workers}: same outcomes as openTelemetry, in order`, async () => {
      const v = make(workers);
      assert.deepEqual(await v.verify(messages.map((m) => m.bytes)), expected);
      // Again, now with keys cached, reversed, and as many concurrent single-message calls.
      const reversed = [...messages].reverse();
      assert.deepEqual(await v.verify(reversed.map((m) => m.bytes)), [...expected].reverse());
      const singles = await Promise.all(messages.map((m) => v.verify([m.bytes])));
      assert.deepEqual(singles.flat(), expected);
      assert.deepEqual(await v.verify([]), []);
    });
  }

  it('workers=2 with tiny chunks: a large mixed batch keeps its order across chunks and workers', async () => {
    const v = make(2, registry, 7);
    const big = Array.from({ length: 400 }, (_, i) => messages[(i * 7) % messages.length]!.bytes);
    const want = big.map((b) => reference(b, registry));
    const [a, b] = await Promise.all([v.verify(big), v.verify(big.slice(0, 33))]);
    assert.deepEqual(a, want);
    assert.deepEqual(b, want.slice(0, 33));
  });

  for (const workers of [0, 2]) {
    it(`workers=${workers}: a device registered after a refusal verifies on the next call; forget() drops old keys`, async () => {
      const keys = new Map(registry);
      const v = make(workers, keys);
      const msg = signTelemetry(payloadOf(stranger.deviceId, 9), stranger);
      const [first] = await v.verify([msg]);
      assert.deepEqual(first, {
        ok: false,
        reason: 'unknown_device',
        detail: 'device stranger-3 is not registered',
        deviceId: 'stranger-3',
      });
      keys.set(stranger.deviceId, { keyType: 1, publicKey: stranger.publicKey });
      const [second] = await v.verify([msg]);
      assert.equal(second!.ok, true);
      // A directory reset that gives the id another key: effective at once without workers, after forget() with them.
      keys.set(stranger.deviceId, { keyType: 1, publicKey: p256Dev.publicKey });
      v.forget(stranger.deviceId);
      const [third] = await v.verify([msg]);
      assert.equal(third!.ok ? 'ok' : third!.reason, 'bad_signature');
    });
  }

  it('close() terminates the workers; later calls are refused', async () => {
    const v = createVerifier({ workers: 2, keys: (id) => registry.get(id) });
    const pending = assert.rejects(v.verify(messages.map((m) => m.bytes)), /verifier is closed/);
    await v.close();
    await pending;
    await assert.rejects(v.verify([messages[0]!.bytes]), /verifier is closed/);
  });

  it('a failing key directory fails the affected call, not the verifier', async () => {
    let broken = true;
    const v = make(1, registry);
    const flaky = createVerifier({
      workers: 1,
      keys: (id) => {
        if (broken) throw new Error('directory offline');
        return registry.get(id);
      },
    });
    verifiers.push(flaky);
    await assert.rejects(flaky.verify([messages[0]!.bytes]), /device key lookup failed: directory offline/);
    broken = false;
    assert.deepEqual(await flaky.verify([messages[0]!.bytes]), [expected[0]]);
    assert.deepEqual(await v.verify([messages[1]!.bytes]), [expected[1]]);
  });

  it('refuses a negative worker count', () => {
    assert.throws(() => createVerifier({ workers: -1, keys: () => undefined }), /workers must be an integer ≥ 0/);
  });

  it('starts its workers when tsx is registered through its API (the tradetwin bin), from another cwd', async () => {
    const verifierUrl = new URL('./verifier.ts', import.meta.url).href;
    const good = Buffer.from(messages[0]!.bytes).toString('hex');
    const key = Buffer.from(p256Dev.publicKey).toString('hex');
    const script = `
      const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
      register();
      const { createVerifier } = await import(${JSON.stringify(verifierUrl)});
      const v = createVerifier({ workers: 1, keys: () => ({ keyType: 1, publicKey: Buffer.from('${key}', 'hex') }) });
      const out = await v.verify([Buffer.from('${good}', 'hex')]);
      await v.close();
      console.log(JSON.stringify(out));`;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: '/', timeout: 30_000 }, (err, out, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out),
      );
    });
    const [outcome] = JSON.parse(stdout) as VerifyOutcome[];
    assert.deepEqual(outcome, expected[0]);
    assert.ok(fileURLToPath(verifierUrl).endsWith('verifier.ts'));
  });
});
