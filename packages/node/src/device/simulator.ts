// A simulated sensor device for tests, demos and benchmarks: a refrigerated
// container ("reefer") tracker that samples its sensors every `intervalMs`
// and signs envelopes like real firmware. Deterministic for a seed: the
// reading stream does not depend on how it is cut into envelopes, and
// signatures are deterministic (RFC 6979 ECDSA, Ed25519) unless fastSigning.
//
// Physics, roughly: the reefer holds its setpoint with sensor noise, a
// compressor cycle and a slow drift; opening the door lets the inside warm
// and humidify toward ambient (and lights the light sensor); the shock sensor
// reports the peak g of each interval, mostly road vibration with rare spikes;
// the battery drains; GPS follows a route with a few metres of noise.
// Values are quantised like real sensors (1/16 °C, 0.5 %RH, 1/64 g, whole lux
// and %), which also keeps them short in CBOR.
import { createPrivateKey, type KeyObject, sign as cryptoSign } from 'node:crypto';
import {
  type DeviceKey,
  type DevicePublicKey,
  deviceIdProblem,
  generateDeviceKey,
  isKeyType,
  KEY_TYPE_P256,
  type KeyType,
  sign,
} from '@tradetwin/core/device/keys';
import { signTelemetry, type Signer } from '@tradetwin/core/telemetry/envelope';
import {
  MAX_READINGS,
  READING_KINDS,
  type Reading,
  type ReadingKind,
  type TelemetryPayload,
} from '@tradetwin/core/telemetry/payload';
import { createPrng, type Prng } from './prng.js';
import { DEFAULT_ROUTE, positionAt, type Route, type TimedRoute, timeRoute } from './route.js';

export interface ReeferProfile {
  /** °C the reefer holds. */
  setpoint: number;
  /** °C outside, what an open door lets in. */
  ambient: number;
  /** %RH inside with the door closed. */
  humidity: number;
  /** %RH outside. */
  ambientHumidity: number;
  /** Random door openings (Poisson rate). */
  doorOpensPerDay: number;
  /** Random shocks above 2 g (Poisson rate). */
  shockSpikesPerDay: number;
  /** % at the start. */
  batteryStart: number;
  /** % per day. */
  batteryDrainPerDay: number;
}

export const DEFAULT_PROFILE: ReeferProfile = {
  setpoint: 4,
  ambient: 18,
  humidity: 90,
  ambientHumidity: 65,
  doorOpensPerDay: 1,
  shockSpikesPerDay: 2,
  batteryStart: 100,
  batteryDrainPerDay: 1.5,
};

export interface SimulatedDeviceOptions {
  /** Required unless `key` is given (then it is the key's). */
  deviceId?: string;
  /** Default 1 (P-256); ignored when `key` is given. */
  keyType?: KeyType;
  /** The device's key; by default derived from seed and device id. */
  key?: DeviceKey;
  /** Sensors sampled each interval, one reading each, in this order. */
  kinds: readonly ReadingKind[];
  /** ms since epoch of the first sample. */
  startAt: number;
  /** ms between samples. */
  intervalMs: number;
  seed: number | string;
  /** For 'pos': a route (e.g. loadRouteCsv(...)); default DEFAULT_ROUTE. Starts at startAt. */
  route?: Route;
  /** Speed for routes without times, km/h (default 50). */
  speedKmh?: number;
  /** Start over at the end of the route instead of staying there. */
  loopRoute?: boolean;
  /** First sequence number (default 1). */
  firstSeq?: number;
  profile?: Partial<ReeferProfile>;
  /** Door openings that happen for sure, besides the random ones. */
  doorOpenings?: { at: number; durationMs: number }[];
  /** ms between the last reading and the signature (default 150). */
  signDelayMs?: number;
  /** Sign P-256 through OpenSSL (fast, random k: bytes differ per run). Ed25519 always uses OpenSSL: same bytes either way. */
  fastSigning?: boolean;
}

export interface SimulatedDevice {
  readonly deviceId: string;
  readonly key: DeviceKey;
  /** What to register for this device. */
  readonly registration: DevicePublicKey & { deviceId: string };
  /** The last sequence number used (firstSeq − 1 before the first envelope). */
  readonly seq: number;
  /** Time of the next sample. */
  readonly now: number;
  /** The next n readings of the stream (no envelope, no seq). */
  nextReadings(n: number): Reading[];
  /** The next envelope's payload: n readings, signed `signDelayMs` after the last. */
  nextPayload(n: number): TelemetryPayload;
  /** The next envelope (COSE_Sign1 bytes) with n readings. */
  nextEnvelope(n: number): Uint8Array;
  /**
   * Store and forward: the device is offline for `offlineMs`, keeps sampling
   * into its buffer, and on reconnecting signs the buffer into envelopes of up
   * to `readingsPerEnvelope` readings, all signed at the reconnection time.
   */
  storeAndForward(offlineMs: number, readingsPerEnvelope?: number): Uint8Array[];
}

export class SimulatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorError';
  }
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const quantise = (v: number, step: number) => Math.round(v / step) * step;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

// ---------------------------------------------------------------- signing

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An OpenSSL signer for this key: Ed25519 always (deterministic), P-256 only when asked (random k). */
function nodeSigner(key: DeviceKey, fast: boolean): Signer {
  if (key.keyType === KEY_TYPE_P256 && !fast) return sign;
  let handle: KeyObject;
  if (key.keyType === KEY_TYPE_P256) {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
    handle = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: b64(key.privateKey),
        x: b64(key.publicKey.subarray(1, 33)),
        y: b64(key.publicKey.subarray(33)),
      },
      format: 'jwk',
    });
  } else {
    handle = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, key.privateKey]), format: 'der', type: 'pkcs8' });
  }
  return (keyType, _privateKey, message) =>
    new Uint8Array(
      keyType === KEY_TYPE_P256
        ? cryptoSign('sha256', message, { key: handle, dsaEncoding: 'ieee-p1363' })
        : cryptoSign(null, message, handle),
    );
}

// ---------------------------------------------------------------- sensors

/** The physical state of the container, advanced once per sample. */
class Reefer {
  private drift = 0;
  private excursion = 0; // 0 = inside at setpoint, 1 = inside at ambient
  private doorOpenUntil = -Infinity;
  private battery: number;
  private meter: number;
  private readonly route: TimedRoute;

  constructor(
    private readonly p: ReeferProfile,
    private readonly rng: { door: Prng; temp: Prng; rh: Prng; shock: Prng; lux: Prng; pos: Prng; meter: Prng },
    private readonly opts: {
      startAt: number;
      intervalMs: number;
      route: Route;
      speedKmh: number;
      loopRoute: boolean;
      doorOpenings: { at: number; durationMs: number }[];
    },
  ) {
    this.battery = p.batteryStart;
    this.meter = Math.floor(rng.meter.uniform(1_000, 50_000));
    this.route = timeRoute(opts.route, opts.speedKmh);
  }

  doorOpen(t: number): boolean {
    return t < this.doorOpenUntil || this.opts.doorOpenings.some((o) => t >= o.at && t < o.at + o.durationMs);
  }

  /** Advance the state to sample time t (dt after the previous sample). */
  step(t: number, dt: number): void {
    const { p, rng } = this;
    if (!this.doorOpen(t) && rng.door.chance(1 - Math.exp((-p.doorOpensPerDay * dt) / DAY))) {
      // Loading checks and inspections: a few minutes, sometimes a quarter of an hour.
      this.doorOpenUntil = t + (2 * MINUTE + rng.door.exponential(6 * MINUTE));
    }
    // The inside warms toward ambient in minutes with the door open, and cools back over a quarter of an hour.
    this.excursion = this.doorOpen(t)
      ? 1 - (1 - this.excursion) * Math.exp(-dt / (4 * MINUTE))
      : this.excursion * Math.exp(-dt / (15 * MINUTE));
    // Slow mean-reverting drift of a few tenths of a degree over hours.
    const hours = dt / (60 * MINUTE);
    this.drift = clamp(this.drift * Math.exp(-hours / 6) + rng.temp.normal(0, 0.15 * Math.sqrt(hours)), -0.8, 0.8);
    this.battery = Math.max(0, this.battery - (p.batteryDrainPerDay * dt) / DAY);
    this.meter += Math.round(rng.meter.exponential((dt / MINUTE) * 3));
  }

  read(kind: ReadingKind, t: number): Reading {
    const { p, rng } = this;
    switch (kind) {
      case 'temp': {
        const compressor = 0.3 * Math.sin((2 * Math.PI * (t - this.opts.startAt)) / (35 * MINUTE));
        const inside = p.setpoint + this.drift + compressor + (p.ambient - p.setpoint) * this.excursion;
        return { t, k: 'temp', v: quantise(inside + rng.temp.normal(0, 0.08), 1 / 16) };
      }
      case 'rh': {
        const inside = p.humidity + (p.ambientHumidity - p.humidity) * this.excursion;
        return { t, k: 'rh', v: clamp(quantise(inside + rng.rh.normal(0, 1.2), 0.5), 0, 100) };
      }
      case 'shock': {
        // Peak g over the interval: road vibration, and now and then a drop or a hard coupling.
        const spike = rng.shock.chance(1 - Math.exp((-p.shockSpikesPerDay * this.opts.intervalMs) / DAY));
        const g = spike ? 2 + rng.shock.exponential(3) : Math.abs(rng.shock.normal(0.12, 0.05));
        return { t, k: 'shock', v: quantise(Math.min(g, 50), 1 / 64) };
      }
      case 'lux': {
        const lux = this.doorOpen(t) ? rng.lux.normal(350, 120) : rng.lux.uniform(0, 1.5);
        return { t, k: 'lux', v: Math.max(0, Math.round(lux)) };
      }
      case 'door':
        return { t, k: 'door', v: this.doorOpen(t) ? 1 : 0 };
      case 'batt':
        return { t, k: 'batt', v: Math.round(this.battery) };
      case 'meter':
        return { t, k: 'meter', v: this.meter };
      case 'pos': {
        const at = positionAt(this.route, t - this.opts.startAt, this.opts.loopRoute);
        // A few metres of GPS noise, six decimals (~0.1 m) as receivers report.
        const noiseM = 3;
        const lat = clamp(at.lat + rng.pos.normal(0, noiseM / 111_320), -90, 90);
        const lon = clamp(
          at.lon + rng.pos.normal(0, noiseM / (111_320 * Math.max(0.01, Math.cos((at.lat * Math.PI) / 180)))),
          -180,
          180,
        );
        // The receiver's reported horizontal accuracy (95 %, about twice the noise's σ), as NMEA/UBX report it.
        return { t, k: 'pos', v: [Number(lat.toFixed(6)), Number(lon.toFixed(6))], acc: 2 * noiseM };
      }
    }
  }
}

// ---------------------------------------------------------------- the device

function checkOptions(o: SimulatedDeviceOptions): { deviceId: string; keyType: KeyType } {
  const deviceId = o.key?.deviceId ?? o.deviceId;
  if (deviceId === undefined) throw new SimulatorError('give a deviceId or a key');
  const idProblem = deviceIdProblem(deviceId);
  if (idProblem) throw new SimulatorError(idProblem);
  if (o.key && o.deviceId !== undefined && o.deviceId !== o.key.deviceId) {
    throw new SimulatorError(`deviceId ${o.deviceId} differs from the key's device ${o.key.deviceId}`);
  }
  const keyType = o.key?.keyType ?? o.keyType ?? KEY_TYPE_P256;
  if (!isKeyType(keyType)) throw new SimulatorError(`keyType must be 1 (P-256) or 2 (Ed25519), got ${String(keyType)}`);
  if (o.kinds.length === 0) throw new SimulatorError('kinds is empty: give at least one sensor');
  for (const k of o.kinds) {
    if (!(READING_KINDS as readonly string[]).includes(k)) throw new SimulatorError(`unknown kind ${JSON.stringify(k)}`);
  }
  if (new Set(o.kinds).size !== o.kinds.length) throw new SimulatorError('kinds lists a sensor twice');
  if (!Number.isSafeInteger(o.startAt) || o.startAt < 0)
    throw new SimulatorError(`startAt must be ms since epoch, got ${o.startAt}`);
  if (!Number.isSafeInteger(o.intervalMs) || o.intervalMs < 1)
    throw new SimulatorError(`intervalMs must be a positive integer, got ${o.intervalMs}`);
  const firstSeq = o.firstSeq ?? 1;
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1)
    throw new SimulatorError(`firstSeq must be an integer ≥ 1, got ${firstSeq}`);
  return { deviceId, keyType };
}

export function createSimulatedDevice(opts: SimulatedDeviceOptions): SimulatedDevice {
  const { deviceId, keyType } = checkOptions(opts);
  const key: DeviceKey = opts.key ?? {
    deviceId,
    ...generateDeviceKey(keyType, new TextEncoder().encode(`tradetwin-sim/${opts.seed}/${deviceId}`)),
  };
  const signer = nodeSigner(key, opts.fastSigning ?? false);
  const root = createPrng(`${opts.seed}/${deviceId}`);
  const reefer = new Reefer(
    { ...DEFAULT_PROFILE, ...opts.profile },
    {
      door: root.fork('door'),
      temp: root.fork('temp'),
      rh: root.fork('rh'),
      shock: root.fork('shock'),
      lux: root.fork('lux'),
      pos: root.fork('pos'),
      meter: root.fork('meter'),
    },
    {
      startAt: opts.startAt,
      intervalMs: opts.intervalMs,
      route: opts.route ?? DEFAULT_ROUTE,
      speedKmh: opts.speedKmh ?? 50,
      loopRoute: opts.loopRoute ?? false,
      doorOpenings: opts.doorOpenings ?? [],
    },
  );
  const signDelayMs = opts.signDelayMs ?? 150;
  let seq = (opts.firstSeq ?? 1) - 1;
  let tick = 0;
  /** Readings of the current sample not handed out yet. */
  let pending: Reading[] = [];

  const sample = (): void => {
    const t = opts.startAt + tick * opts.intervalMs;
    reefer.step(t, tick === 0 ? 0 : opts.intervalMs);
    pending = opts.kinds.map((k) => reefer.read(k, t));
    tick++;
  };

  const nextReadings = (n: number): Reading[] => {
    if (!Number.isSafeInteger(n) || n < 1) throw new SimulatorError(`reading count must be a positive integer, got ${n}`);
    const out: Reading[] = [];
    while (out.length < n) {
      if (pending.length === 0) sample();
      out.push(...pending.splice(0, n - out.length));
    }
    return out;
  };

  const payloadOf = (r: Reading[], ts: number): TelemetryPayload => {
    if (r.length > MAX_READINGS)
      throw new SimulatorError(`an envelope holds at most ${MAX_READINGS} readings, asked for ${r.length}`);
    seq++;
    return { dev: deviceId, seq, ts, r };
  };

  const device: SimulatedDevice = {
    deviceId,
    key,
    registration: { deviceId, keyType: key.keyType, publicKey: key.publicKey },
    get seq() {
      return seq;
    },
    get now() {
      return pending.length > 0 ? pending[0]!.t : opts.startAt + tick * opts.intervalMs;
    },
    nextReadings,
    nextPayload(n) {
      if (n > MAX_READINGS) throw new SimulatorError(`an envelope holds at most ${MAX_READINGS} readings, asked for ${n}`);
      const r = nextReadings(n);
      return payloadOf(r, r[r.length - 1]!.t + signDelayMs);
    },
    nextEnvelope(n) {
      return signTelemetry(device.nextPayload(n), key, signer);
    },
    storeAndForward(offlineMs, readingsPerEnvelope = MAX_READINGS) {
      if (!Number.isSafeInteger(offlineMs) || offlineMs < 1)
        throw new SimulatorError(`offlineMs must be a positive integer, got ${offlineMs}`);
      if (!Number.isSafeInteger(readingsPerEnvelope) || readingsPerEnvelope < 1 || readingsPerEnvelope > MAX_READINGS) {
        throw new SimulatorError(`readingsPerEnvelope must be 1…${MAX_READINGS}, got ${readingsPerEnvelope}`);
      }
      const reconnectAt = device.now + offlineMs;
      const buffered: Reading[] = [];
      while (device.now < reconnectAt) buffered.push(...nextReadings(1));
      const envelopes: Uint8Array[] = [];
      for (let i = 0; i < buffered.length; i += readingsPerEnvelope) {
        const ts = reconnectAt + (i / readingsPerEnvelope) * signDelayMs;
        envelopes.push(signTelemetry(payloadOf(buffered.slice(i, i + readingsPerEnvelope), ts), key, signer));
      }
      return envelopes;
    },
  };
  return device;
}
