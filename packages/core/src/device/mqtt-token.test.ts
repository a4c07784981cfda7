import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64url } from 'jose';
import { generateDeviceKey, type KeyType } from './keys.js';
import { MQTT_TOKEN_MAX_LIFETIME_S, mintMqttToken, type VerifyTokenOptions, verifyMqttToken } from './mqtt-token.js';

const NODE = '0xAbCdEf0123456789abcdef0123456789ABCDEF01';
const OTHER_NODE = '0x1111111111111111111111111111111111111111';
const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

describe('MQTT device token (JWT signed by the device key)', () => {
  for (const keyType of [1, 2] as KeyType[]) {
    const key = { deviceId: `reefer-${keyType}`, ...generateDeviceKey(keyType) };
    const opts: VerifyTokenOptions = { deviceId: key.deviceId, key, audience: NODE, now: T0 + 60_000 };

    it(`key type ${keyType}: verifies under the device's key, for this device and node, until it expires`, async () => {
      const token = await mintMqttToken(key, { audience: NODE, now: T0, ttlSeconds: 600 });
      const header = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[0]!)));
      assert.equal(header.alg, keyType === 1 ? 'ES256' : 'EdDSA');
      assert.deepEqual(await verifyMqttToken(token, opts), { ok: true, expiresAt: T0 + 600_000 });
      // Audience compared without regard to the address' checksum case.
      assert.equal((await verifyMqttToken(token, { ...opts, audience: NODE.toLowerCase() })).ok, true);
      const refused = async (o: Partial<VerifyTokenOptions>, pattern: RegExp) => {
        const v = await verifyMqttToken(token, { ...opts, ...o });
        assert.equal(v.ok, false);
        assert.match((v as { detail: string }).detail, pattern);
      };
      await refused({ audience: OTHER_NODE }, /aud/);
      await refused({ deviceId: 'reefer-other' }, /sub/);
      await refused({ key: { keyType, publicKey: generateDeviceKey(keyType).publicKey } }, /signature/);
      await refused({ now: T0 + 600_000 + 301_000 }, /exp/);
      await refused({ now: T0 - 301_000 }, /iat/);
    });
  }

  it('refuses tampered, unsigned and over-long tokens, and garbage', async () => {
    const key = { deviceId: 'reefer-x', ...generateDeviceKey(1) };
    const opts = { deviceId: key.deviceId, key, audience: NODE, now: T0 };
    const token = await mintMqttToken(key, { audience: NODE, now: T0 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    const forged = `${h}.${base64url.encode(JSON.stringify({ ...claims, sub: 'reefer-y' }))}.${s}`;
    assert.equal((await verifyMqttToken(forged, { ...opts, deviceId: 'reefer-y' })).ok, false);
    const none = `${base64url.encode('{"alg":"none"}')}.${p}.`;
    assert.equal((await verifyMqttToken(none, opts)).ok, false);
    for (const junk of ['', 'x', 'a.b.c', '\u0000'.repeat(10)]) assert.equal((await verifyMqttToken(junk, opts)).ok, false);
    await assert.rejects(mintMqttToken(key, { audience: NODE, ttlSeconds: MQTT_TOKEN_MAX_LIFETIME_S + 1 }), RangeError);
    // A token whose exp lies more than 24 h after its iat is refused even when signed by the device.
    const { SignJWT, importJWK } = await import('jose');
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: base64url.encode(key.publicKey.subarray(1, 33)),
      y: base64url.encode(key.publicKey.subarray(33)),
      d: base64url.encode(key.privateKey),
    };
    const iat = T0 / 1000;
    const long = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(key.deviceId)
      .setAudience(NODE.toLowerCase())
      .setIssuedAt(iat)
      .setExpirationTime(iat + 30 * 24 * 3600)
      .sign(await importJWK(jwk, 'ES256'));
    const v = await verifyMqttToken(long, opts);
    assert.equal(v.ok, false);
    assert.match((v as { detail: string }).detail, /lifetime/);
  });
});
