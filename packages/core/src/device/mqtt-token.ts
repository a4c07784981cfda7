// A device's MQTT credential: username = device id, password = a short-lived
// JWT (RFC 7519, compact JWS) signed by the device's own registered key —
// ES256 for P-256 keys, EdDSA for Ed25519 keys, the key the device already
// signs its telemetry with. Claims: sub = device id, aud = the node's account
// address (so a token made for one node is useless at another), iat, exp, at
// most 24 h apart. The node checks it against the key in DeviceRegistry: no
// shared secret to provision, rotate or leak, and revoking the device on chain
// revokes its broker access. (The scheme Google Cloud IoT Core used; a printable
// password works with any MQTT client, e.g. `mosquitto_pub -P`.)
import { base64url, errors, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { type DeviceKey, type DevicePublicKey, KEY_TYPE_P256 } from './keys.js';

/** Longest accepted lifetime (exp − iat), seconds. */
export const MQTT_TOKEN_MAX_LIFETIME_S = 24 * 3600;
/** What a device mints by default, seconds. */
export const MQTT_TOKEN_DEFAULT_TTL_S = 3600;
/** Device clocks may run this far ahead of or behind the node's, seconds. */
export const MQTT_TOKEN_CLOCK_TOLERANCE_S = 300;

/** The audience a node expects: its account address, lower-case. */
export function mqttAudience(nodeAddress: string): string {
  return nodeAddress.toLowerCase();
}

function jwkOf(key: DevicePublicKey, privateKey?: Uint8Array): JWK {
  const d = privateKey ? { d: base64url.encode(privateKey) } : {};
  if (key.keyType === KEY_TYPE_P256) {
    return {
      kty: 'EC',
      crv: 'P-256',
      x: base64url.encode(key.publicKey.subarray(1, 33)),
      y: base64url.encode(key.publicKey.subarray(33, 65)),
      ...d,
    };
  }
  return { kty: 'OKP', crv: 'Ed25519', x: base64url.encode(key.publicKey), ...d };
}

/** The JOSE name of the algorithm the device signs telemetry with (COSE ES256 / EdDSA). */
const jwsAlg = (key: DevicePublicKey): 'ES256' | 'EdDSA' => (key.keyType === KEY_TYPE_P256 ? 'ES256' : 'EdDSA');

export interface MintOptions {
  /** The node's account address (see mqttAudience). */
  audience: string;
  /** Lifetime, seconds (default 1 h, at most 24 h). */
  ttlSeconds?: number;
  /** ms since epoch (default now). */
  now?: number;
}

/** The MQTT password for this device at this node. */
export async function mintMqttToken(key: DeviceKey, opts: MintOptions): Promise<string> {
  const ttl = opts.ttlSeconds ?? MQTT_TOKEN_DEFAULT_TTL_S;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MQTT_TOKEN_MAX_LIFETIME_S) {
    throw new RangeError(`token lifetime must be 1…${MQTT_TOKEN_MAX_LIFETIME_S} s, got ${ttl}`);
  }
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const alg = jwsAlg(key);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(key.deviceId)
    .setAudience(mqttAudience(opts.audience))
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(await importJWK(jwkOf(key, key.privateKey), alg));
}

export interface VerifyTokenOptions {
  /** The device the client claims to be (its MQTT username). */
  deviceId: string;
  /** The device's registered key. */
  key: DevicePublicKey;
  /** This node's account address. */
  audience: string;
  /** ms since epoch (default now). */
  now?: number;
}

export type TokenVerdict = { ok: true; expiresAt: number } | { ok: false; detail: string };

/** Check a device's MQTT password; never throws. */
export async function verifyMqttToken(token: string, opts: VerifyTokenOptions): Promise<TokenVerdict> {
  const alg = jwsAlg(opts.key);
  try {
    const { payload } = await jwtVerify(token, await importJWK(jwkOf(opts.key), alg), {
      algorithms: [alg],
      subject: opts.deviceId,
      audience: mqttAudience(opts.audience),
      requiredClaims: ['sub', 'aud', 'iat', 'exp'],
      currentDate: new Date(opts.now ?? Date.now()),
      clockTolerance: MQTT_TOKEN_CLOCK_TOLERANCE_S,
      maxTokenAge: MQTT_TOKEN_MAX_LIFETIME_S,
    });
    const { iat, exp } = payload as { iat: number; exp: number };
    if (exp - iat > MQTT_TOKEN_MAX_LIFETIME_S) {
      return { ok: false, detail: `token lifetime ${exp - iat} s exceeds ${MQTT_TOKEN_MAX_LIFETIME_S} s` };
    }
    return { ok: true, expiresAt: exp * 1000 };
  } catch (err) {
    if (err instanceof errors.JOSEError) return { ok: false, detail: `${err.code}: ${err.message}` };
    return { ok: false, detail: `not a valid token: ${err instanceof Error ? err.message : String(err)}` };
  }
}
