import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeCbor } from '../cose/cbor.js';
import { CoseError } from '../cose/error.js';
import { decodePayload, encodePayload, MAX_READINGS, readingSpan, type TelemetryPayload, validatePayload } from './payload.js';

const T0 = 1_764_000_000_000;
const payload: TelemetryPayload = {
  dev: 'reefer-7',
  seq: 42,
  ts: T0 + 5000,
  r: [
    { t: T0 + 1000, k: 'temp', v: 4.5 },
    { t: T0, k: 'pos', v: [53.44451, -2.925173] },
    { t: T0 + 3000, k: 'door', v: 1 },
    { t: T0 + 2000, k: 'meter', v: 123456 },
  ],
};

function badPayload(raw: unknown, detail: RegExp): void {
  assert.throws(
    () => validatePayload(raw),
    (err: unknown) => {
      assert.ok(err instanceof CoseError);
      assert.equal(err.code, 'bad_payload');
      assert.match(err.message, detail);
      return true;
    },
  );
}

describe('telemetry payload', () => {
  it('encodes deterministically and decodes to the same payload', () => {
    const bytes = encodePayload(payload);
    // Map keys in bytewise order of their encoding: r, ts, dev, seq; readings k, t, v.
    assert.equal(bytesToHex(bytes.subarray(0, 4)), 'a4617284');
    assert.deepEqual(decodePayload(bytes), payload);
    assert.deepEqual(encodePayload(decodePayload(bytes)), bytes);
  });

  it('spans the earliest to the latest reading, in any order', () => {
    assert.deepEqual(readingSpan(payload), { firstAt: T0, lastAt: T0 + 3000 });
  });

  it('accepts every kind with its value type', () => {
    const kinds = { temp: -18.5, rh: 100, shock: 3.2, lux: 0, pos: [-33.9, 151.2], door: 0, meter: 0, batt: 87 };
    const r = Object.entries(kinds).map(([k, v], i) => ({ t: T0 + i, k, v }));
    assert.equal(validatePayload({ ...payload, r }).r.length, 8);
  });

  it('names the field and the rule for each kind of bad payload', () => {
    const withReading = (x: Record<string, unknown>) => ({ ...payload, r: [payload.r[0], x] });
    const cases: [unknown, RegExp][] = [
      [[1, 2], /^payload: must be a map, got array/],
      [{ ...payload, extra: 1 }, /^payload: unknown field "extra"/],
      [{ dev: 'a', seq: 1, ts: 1 }, /^payload: missing field "r"/],
      [{ ...payload, dev: 'reefer 7' }, /^dev: device id "reefer 7" contains " "/],
      [{ ...payload, dev: 7 }, /^dev: device id must be a string, got number/],
      [{ ...payload, seq: 0 }, /^seq: must be ≥ 1/],
      [{ ...payload, seq: -3 }, /^seq: must not be negative, got -3/],
      [{ ...payload, seq: 1.5 }, /^seq: must be an unsigned integer, got float 1.5/],
      [{ ...payload, seq: '1' }, /^seq: must be an unsigned integer, got text string "1"/],
      [{ ...payload, seq: 2 ** 53 }, /^seq: 9007199254740992 exceeds 2\^53 − 1/],
      [{ ...payload, ts: null }, /^ts: must be an unsigned integer, got null/],
      [{ ...payload, r: [] }, /^r: must hold at least one reading/],
      [{ ...payload, r: {} }, /^r: must be an array of readings, got object/],
      [{ ...payload, r: Array(MAX_READINGS + 1).fill(payload.r[0]) }, /^r: holds 1001 readings; at most 1000/],
      [withReading({ t: T0, k: 'temp' }), /^r\[1\]: missing field "v"/],
      [withReading({ t: T0, k: 'temp', v: 1, unit: 'C' }), /^r\[1\]: unknown field "unit"/],
      [withReading({ t: -1, k: 'temp', v: 1 }), /^r\[1\]\.t: must not be negative/],
      [withReading({ t: T0, k: 'co2', v: 1 }), /^r\[1\]\.k: unknown kind text string "co2"/],
      [withReading({ t: T0, k: 'temp', v: '4' }), /^r\[1\]\.v: must be a number, got text string "4"/],
      [withReading({ t: T0, k: 'temp', v: NaN }), /^r\[1\]\.v: must be finite, got NaN/],
      [withReading({ t: T0, k: 'temp', v: -300 }), /^r\[1\]\.v: -300 °C is outside -273.15…10000 °C/],
      [withReading({ t: T0, k: 'rh', v: 104.2 }), /^r\[1\]\.v: 104.2 % is outside 0…100 %/],
      [withReading({ t: T0, k: 'shock', v: -1 }), /^r\[1\]\.v: -1 g is outside/],
      [withReading({ t: T0, k: 'door', v: 2 }), /^r\[1\]\.v: door must be 0 \(closed\) or 1 \(open\), got integer 2/],
      [withReading({ t: T0, k: 'meter', v: 1.5 }), /^r\[1\]\.v: must be an unsigned integer, got float 1.5/],
      [withReading({ t: T0, k: 'pos', v: [1, 2, 3] }), /^r\[1\]\.v: pos must be \[lat, lon\], got an array of 3/],
      [withReading({ t: T0, k: 'pos', v: 5 }), /^r\[1\]\.v: pos must be \[lat, lon\], got integer 5/],
      [withReading({ t: T0, k: 'pos', v: [91, 0] }), /^r\[1\]\.v\[0\]: 91 ° is outside -90…90 °/],
      [withReading({ t: T0, k: 'pos', v: [0, -181] }), /^r\[1\]\.v\[1\]: -181 ° is outside -180…180 °/],
    ];
    for (const [raw, detail] of cases) badPayload(raw, detail);
  });

  it('takes an optional accuracy on positions, and only there', () => {
    const withAcc: TelemetryPayload = { ...payload, r: [{ t: T0, k: 'pos', v: [53.44451, -2.925173], acc: 4.5 }] };
    const bytes = encodePayload(withAcc);
    assert.deepEqual(decodePayload(bytes), withAcc);
    assert.deepEqual(encodePayload(decodePayload(bytes)), bytes);
    // A position without it is what older devices send: still valid, and encoded as before (no acc key).
    const without = encodePayload({ ...payload, r: [{ t: T0, k: 'pos', v: [53.44451, -2.925173] }] });
    assert.equal(decodePayload(without).r[0]!.k, 'pos');
    assert.equal('acc' in decodePayload(without).r[0]!, false);
    const withReading = (r: unknown) => ({ ...payload, r: [payload.r[0], r] });
    badPayload(withReading({ t: T0, k: 'pos', v: [1, 2], acc: -1 }), /^r\[1\]\.acc: -1 m is outside 0…100000 m/);
    badPayload(withReading({ t: T0, k: 'pos', v: [1, 2], acc: 'x' }), /^r\[1\]\.acc: must be a number/);
    badPayload(withReading({ t: T0, k: 'temp', v: 4, acc: 3 }), /^r\[1\]: unknown field "acc" \(allowed: t, k, v\)/);
  });

  it('takes exactly 1000 readings', () => {
    assert.equal(validatePayload({ ...payload, r: Array(MAX_READINGS).fill(payload.r[0]) }).r.length, 1000);
  });

  it('refuses payload bytes that are not CBOR, or CBOR maps with non-text keys', () => {
    assert.throws(
      () => decodePayload(new Uint8Array([0xa4, 0x61])),
      /^CoseError: payload: not valid CBOR: CBOR map is longer than the input at byte 0$/,
    );
    assert.throws(() => decodePayload(encodeCbor(new Map([[1, 'x']]))), /payload: keys must be text, got integer 1/);
    assert.throws(() => decodePayload(encodeCbor('hello')), /payload: must be a map, got text string "hello"/);
  });
});
