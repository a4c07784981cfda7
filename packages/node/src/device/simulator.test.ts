import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import type { DevicePublicKey } from '@tradetwin/core/device/keys';
import { openTelemetry, signTelemetry } from '@tradetwin/core/telemetry/envelope';
import { decodePayload, type Reading, type ReadingKind } from '@tradetwin/core/telemetry/payload';
import { loadRouteCsv } from './route.js';
import { GPS_TRACK_CSV as TRACK } from '../test-support/shared.js';
import {
  createSimulatedDevice,
  DEFAULT_PROFILE,
  type SimulatedDevice,
  type SimulatedDeviceOptions,
  SimulatorError,
} from './simulator.js';

const T0 = Date.UTC(2026, 0, 20, 6);
const MIN = 60_000;
const ALL_KINDS: ReadingKind[] = ['temp', 'rh', 'shock', 'lux', 'pos', 'door', 'meter', 'batt'];
const base: SimulatedDeviceOptions = {
  deviceId: 'reefer-7',
  kinds: ['temp', 'rh', 'pos'],
  startAt: T0,
  intervalMs: MIN,
  seed: 42,
};

function open(device: SimulatedDevice, bytes: Uint8Array) {
  const keys = new Map<string, DevicePublicKey>([[device.deviceId, device.registration]]);
  const r = openTelemetry(bytes, (id) => keys.get(id));
  assert.ok(r.ok, JSON.stringify(r));
  return r.msg;
}

const values = (rs: Reading[], k: ReadingKind) => rs.filter((r) => r.k === k).map((r) => r.v as number);

describe('simulated device', () => {
  it('is deterministic: same seed, same envelopes byte for byte (P-256 and Ed25519)', () => {
    for (const keyType of [1, 2] as const) {
      const a = createSimulatedDevice({ ...base, keyType });
      const b = createSimulatedDevice({ ...base, keyType });
      const ea = [a.nextEnvelope(1), a.nextEnvelope(5), a.nextEnvelope(3)];
      const eb = [b.nextEnvelope(1), b.nextEnvelope(5), b.nextEnvelope(3)];
      assert.deepEqual(ea, eb);
      assert.deepEqual(a.key, b.key);
      const c = createSimulatedDevice({ ...base, keyType, seed: 43 });
      assert.notDeepEqual(
        decodePayload(decodeSign1(c.nextEnvelope(3)).payload).r,
        decodePayload(decodeSign1(ea[1]!).payload).r.slice(0, 3),
      );
    }
  });

  it('streams the same readings however they are cut into envelopes', () => {
    const a = createSimulatedDevice(base);
    const b = createSimulatedDevice(base);
    const cut = [...a.nextReadings(2), ...a.nextReadings(7), ...a.nextReadings(1), ...a.nextReadings(11)];
    assert.deepEqual(cut, b.nextReadings(21));
    // One sample per interval, each kind in order.
    assert.deepEqual(
      cut.slice(0, 6).map((r) => [r.k, r.t]),
      [
        ['temp', T0],
        ['rh', T0],
        ['pos', T0],
        ['temp', T0 + MIN],
        ['rh', T0 + MIN],
        ['pos', T0 + MIN],
      ],
    );
  });

  it('signs envelopes that verify, with seq increasing by one from firstSeq and ts after the readings', () => {
    const d = createSimulatedDevice({ ...base, firstSeq: 17 });
    assert.equal(d.seq, 16);
    let last = 16;
    let lastT = -1;
    for (const n of [1, 3, 10, 1, 6]) {
      const msg = open(d, d.nextEnvelope(n));
      assert.equal(msg.seq, last + 1);
      assert.equal(msg.readings, n);
      assert.ok(msg.firstAt >= lastT && msg.lastAt >= msg.firstAt);
      assert.equal(msg.signedAt, msg.lastAt + 150);
      last = msg.seq;
      lastT = msg.lastAt;
    }
    assert.equal(d.seq, 21);
  });

  it('uses a given key file key, and signs Ed25519 through OpenSSL with the same bytes as core', () => {
    const keyed = createSimulatedDevice({
      ...base,
      deviceId: undefined,
      key: createSimulatedDevice({ ...base, keyType: 2 }).key,
    });
    assert.equal(keyed.deviceId, 'reefer-7');
    const twin = createSimulatedDevice({ ...base, keyType: 2 });
    const payload = twin.nextPayload(4);
    assert.deepEqual(keyed.nextEnvelope(4), signTelemetry(payload, twin.key));
  });

  it('fastSigning P-256 envelopes verify too', () => {
    const d = createSimulatedDevice({ ...base, fastSigning: true });
    assert.equal(open(d, d.nextEnvelope(2)).seq, 1);
  });

  it('keeps every sensor within its physical range over three days', () => {
    const d = createSimulatedDevice({ ...base, kinds: ALL_KINDS, intervalMs: 5 * MIN, seed: 'ranges' });
    const rs = d.nextReadings(ALL_KINDS.length * 864);
    const temp = values(rs, 'temp');
    const sorted = [...temp].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    assert.ok(Math.abs(median - DEFAULT_PROFILE.setpoint) < 0.5, `median ${median} near the setpoint`);
    assert.ok(temp.every((v) => v > DEFAULT_PROFILE.setpoint - 2 && v < DEFAULT_PROFILE.ambient + 1));
    assert.ok(
      temp.every((v) => Number.isInteger(v * 16)),
      'temperatures in 1/16 °C steps',
    );
    assert.ok(values(rs, 'rh').every((v) => v >= 0 && v <= 100 && Number.isInteger(v * 2)));
    const shock = values(rs, 'shock');
    assert.ok(shock.every((v) => v >= 0 && v <= 50));
    assert.ok(shock.filter((v) => v >= 2).length >= 1, 'a few shock spikes in three days');
    assert.ok(shock.filter((v) => v < 0.5).length > shock.length * 0.95, 'mostly road vibration');
    const door = values(rs, 'door');
    assert.ok(door.every((v) => v === 0 || v === 1));
    assert.ok(
      door.some((v) => v === 1),
      'the door opened at least once',
    );
    // Light only with the door open.
    const lux = values(rs, 'lux');
    door.forEach((open, i) => {
      assert.ok(open ? true : lux[i]! <= 2, `lux ${lux[i]} with the door closed`);
    });
    const batt = values(rs, 'batt');
    assert.ok(batt.every((v, i) => v >= 0 && v <= 100 && (i === 0 || v <= batt[i - 1]!)));
    assert.ok(batt.at(-1)! < batt[0]!, 'the battery drains');
    const meter = values(rs, 'meter');
    assert.ok(meter.every((v, i) => Number.isSafeInteger(v) && (i === 0 || v >= meter[i - 1]!)));
    for (const r of rs.filter((x) => x.k === 'pos')) {
      const [lat, lon] = r.v as [number, number];
      assert.ok(lat > 53.4 && lat < 53.47 && lon > -3.03 && lon < -2.31, `${lat},${lon} on the Liverpool–Manchester route`);
    }
    // Every payload the simulator builds passes core's validation.
    const p = createSimulatedDevice({ ...base, kinds: ALL_KINDS }).nextPayload(1000);
    assert.equal(
      decodePayload(decodeSign1(signTelemetry(p, createSimulatedDevice({ ...base, kinds: ALL_KINDS }).key)).payload).r.length,
      1000,
    );
  });

  it('a door opening warms and lights the container, which then cools back', () => {
    const openAt = T0 + 60 * MIN;
    const d = createSimulatedDevice({
      ...base,
      kinds: ['temp', 'door', 'lux'],
      profile: { doorOpensPerDay: 0 },
      doorOpenings: [{ at: openAt, durationMs: 12 * MIN }],
    });
    const rs = d.nextReadings(3 * 180);
    const at = (k: ReadingKind, t: number) => rs.find((r) => r.k === k && r.t === t)!.v as number;
    assert.equal(at('door', openAt - MIN), 0);
    assert.equal(at('door', openAt), 1);
    assert.ok(at('lux', openAt + 5 * MIN) > 50);
    assert.ok(at('temp', openAt - MIN) < 5.5);
    assert.ok(at('temp', openAt + 11 * MIN) > 12, `${at('temp', openAt + 11 * MIN)} °C after 11 minutes open`);
    assert.equal(at('door', openAt + 12 * MIN), 0);
    assert.ok(at('temp', openAt + 100 * MIN) < 5.5, 'back near the setpoint');
  });

  it('follows the recorded route 14 track', {
    skip: !existsSync(TRACK) && 'track not here',
  }, () => {
    const route = loadRouteCsv(TRACK);
    const d = createSimulatedDevice({ ...base, kinds: ['pos'], route, intervalMs: 30_000 });
    const pos = d.nextReadings(140).map((r) => r.v as [number, number]);
    const near = (a: [number, number], b: { lat: number; lon: number }) =>
      Math.abs(a[0] - b.lat) < 0.0005 && Math.abs(a[1] - b.lon) < 0.0005;
    assert.ok(near(pos[0]!, route.waypoints[0]!));
    // The trip takes 57 min 43 s: after that the device stays at the last fix.
    assert.ok(near(pos[139]!, route.waypoints.at(-1)!));
    assert.ok(!near(pos[60]!, route.waypoints[0]!) && !near(pos[60]!, route.waypoints.at(-1)!));
  });

  it('store and forward: a long offline period comes back as full envelopes signed on reconnection', () => {
    const now = Date.now();
    const startAt = now - 10 * 24 * 60 * MIN;
    const d = createSimulatedDevice({ ...base, kinds: ['temp', 'pos'], startAt, intervalMs: 5 * MIN });
    open(d, d.nextEnvelope(2));
    const offlineFrom = d.now;
    const offlineMs = 3 * 24 * 60 * MIN;
    const envelopes = d.storeAndForward(offlineMs);
    const msgs = envelopes.map((e) => open(d, e));
    // 864 samples × 2 kinds = 1728 readings: 1000 + 728.
    assert.deepEqual(
      msgs.map((m) => m.readings),
      [1000, 728],
    );
    assert.deepEqual(
      msgs.map((m) => m.seq),
      [2, 3],
    );
    assert.equal(msgs[0]!.firstAt, offlineFrom);
    for (const m of msgs) {
      assert.ok(m.signedAt >= offlineFrom + offlineMs, 'signed on reconnection');
      assert.ok(m.lastAt < offlineFrom + offlineMs && m.firstAt >= offlineFrom, 'readings from the offline period');
      assert.ok(m.signedAt < now, 'still in the past: the node accepts it as store-and-forward');
      assert.ok(now - m.firstAt < 45 * 24 * 60 * MIN);
    }
    // Live again: the stream continues at the reconnection time.
    const after = open(d, d.nextEnvelope(2));
    assert.equal(after.seq, 4);
    assert.equal(after.firstAt, offlineFrom + offlineMs);
    // Smaller envelopes on request.
    assert.equal(createSimulatedDevice(base).storeAndForward(60 * MIN, 50).length, Math.ceil((60 * 3) / 50));
  });

  it('refuses bad options with a precise reason', () => {
    const cases: [Partial<SimulatedDeviceOptions>, RegExp][] = [
      [{ deviceId: undefined }, /give a deviceId or a key/],
      [{ deviceId: 'reefer 7' }, /contains " "/],
      [{ kinds: [] }, /kinds is empty/],
      [{ kinds: ['temp', 'co2' as ReadingKind] }, /unknown kind "co2"/],
      [{ kinds: ['temp', 'temp'] }, /lists a sensor twice/],
      [{ intervalMs: 0 }, /intervalMs must be a positive integer, got 0/],
      [{ startAt: -1 }, /startAt must be ms since epoch/],
      [{ firstSeq: 0 }, /firstSeq must be an integer ≥ 1, got 0/],
      [{ keyType: 3 as 1 }, /keyType must be 1 \(P-256\) or 2 \(Ed25519\), got 3/],
      [
        { key: createSimulatedDevice({ ...base, deviceId: 'other' }).key },
        /deviceId reefer-7 differs from the key's device other/,
      ],
    ];
    for (const [o, err] of cases) {
      assert.throws(
        () => createSimulatedDevice({ ...base, ...o }),
        (e: unknown) => e instanceof SimulatorError && err.test(e.message),
        err.source,
      );
    }
    const d = createSimulatedDevice(base);
    assert.throws(() => d.nextEnvelope(1001), /at most 1000 readings, asked for 1001/);
    assert.throws(() => d.nextReadings(0), /positive integer, got 0/);
    assert.throws(() => d.storeAndForward(MIN, 0), /readingsPerEnvelope must be 1…1000, got 0/);
  });
});
