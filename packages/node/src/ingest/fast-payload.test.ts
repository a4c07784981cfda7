import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCbor, encodeHead, MAJOR } from '@tradetwin/core/cose/cbor';
import { sigStructure } from '@tradetwin/core/cose/sign1';
import { summarisePayload } from '@tradetwin/core/telemetry/envelope';
import { createSigStructureWriter, summarisePayloadFast } from './fast-payload.js';

/** summarisePayload's result or its error, comparable. */
function slow(b: Uint8Array): { ok: unknown } | { err: string } {
  try {
    return { ok: summarisePayload(b) };
  } catch (err) {
    return { err: err instanceof Error ? `${err.name} ${(err as { code?: string }).code} ${err.message}` : String(err) };
  }
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** A CBOR map with its entries in exactly this order (encodeCbor would sort them). */
const mapInOrder = (entries: [string, Uint8Array][]) =>
  cat(encodeHead(MAJOR.map, entries.length), ...entries.flatMap(([k, v]) => [encodeCbor(k), v]));
const f64 = (v: number) => {
  const out = new Uint8Array(9);
  out[0] = 0xfb;
  new DataView(out.buffer).setFloat64(1, v);
  return out;
};
const f32 = (v: number) => {
  const out = new Uint8Array(5);
  out[0] = 0xfa;
  new DataView(out.buffer).setFloat32(1, v);
  return out;
};

const VALUES: Record<string, number[]> = {
  temp: [-273.15, -273.16, -40, 0, 2.125, 4.5, 1e4, 10_001, Number.NaN, Number.POSITIVE_INFINITY],
  rh: [0, 55.5, 100, 100.5, -0.5],
  batt: [0, 99.75, 100, 101],
  shock: [0, 0.25, 1e6, 1e6 + 1],
  lux: [0, 12_345, 1e7, 1e7 + 1, -1],
  door: [0, 1, 2, 0.5, -0],
  meter: [0, 17, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, 1.5],
};

function payloads(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const t0 = 1_764_000_000_000;
  for (const [k, vs] of Object.entries(VALUES)) {
    for (const v of vs) {
      const reading = { t: t0, k, v };
      out.push(encodeCbor({ dev: 'reefer-7', seq: 3, ts: t0 + 5, r: [reading] } as never));
      // The same value as f32 / f64 where it fits, and readings with keys in other orders.
      const vBytes = [encodeCbor(v as never), f64(v), ...(Math.fround(v) === v ? [f32(v)] : [])];
      for (const vb of vBytes) {
        const r1 = mapInOrder([
          ['v', vb],
          ['t', encodeCbor(t0)],
          ['k', encodeCbor(k)],
        ]);
        out.push(
          mapInOrder([
            ['seq', encodeCbor(9)],
            ['dev', encodeCbor('a')],
            ['r', cat(encodeHead(MAJOR.array, 1), r1)],
            ['ts', encodeCbor(t0)],
          ]),
        );
      }
    }
  }
  for (const n of [1, 2, 23, 24, 255, 256, 1000, 1001]) {
    const r = Array.from({ length: n }, (_, i) => ({ t: t0 + ((i * 7919) % 1000), k: 'temp', v: 4 + i / 8 }));
    out.push(encodeCbor({ dev: 'm', seq: 1, ts: t0, r } as never));
  }
  for (const dev of ['x', 'k'.repeat(23), 'k'.repeat(24), 'A-z.0_9:', 'k'.repeat(64), 'k'.repeat(65), 'bad dev', 'é', '']) {
    out.push(encodeCbor({ dev, seq: 1, ts: t0, r: [{ t: t0, k: 'temp', v: 1 }] } as never));
  }
  for (const seq of [0, 1, 23, 24, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, 1.5]) {
    out.push(encodeCbor({ dev: 'd', seq, ts: seq, r: [{ t: 0, k: 'door', v: 1 }] } as never));
  }
  // Shapes the fast path leaves alone: pos readings, extra fields, missing fields, not a map.
  out.push(encodeCbor({ dev: 'd', seq: 1, ts: t0, r: [{ t: t0, k: 'pos', v: [53.5, 9.9] }] } as never));
  out.push(encodeCbor({ dev: 'd', seq: 1, ts: t0, r: [{ t: t0, k: 'temp', v: 1 }], x: 1 } as never));
  out.push(encodeCbor({ dev: 'd', seq: 1, r: [{ t: t0, k: 'temp', v: 1 }] } as never));
  out.push(encodeCbor([1, 2, 3] as never));
  out.push(encodeCbor({ dev: 'd', seq: 1, ts: t0, r: [] } as never));
  return out;
}

describe("the verify workers' payload fast path", () => {
  it('gives summarisePayload’s summary or declines, on payloads, every one-byte change of them, and truncations', () => {
    const base = payloads();
    let compared = 0;
    let fast = 0;
    let kids: string[] = [];
    const check = (b: Uint8Array, what: string) => {
      const expected = slow(b);
      for (const kid of kids) {
        const f = summarisePayloadFast(b, kid);
        compared++;
        if (f === null) continue;
        fast++;
        assert.deepEqual({ ok: f }, expected, `${what}, kid ${kid}`);
        assert.equal(f.dev, kid, what);
      }
    };
    for (const [n, p] of base.entries()) {
      const own = slow(p);
      // The payload's own dev (the fast path's case), and others (it must decline: dev ≠ kid is for openTelemetry to say).
      kids = ['a', 'reefer-7x', ...('ok' in own ? [(own.ok as { dev: string }).dev] : ['d', 'm'])];
      check(p, `payload ${n}`);
      // Inside a larger buffer at an odd offset (floats are read through a DataView).
      const big = new Uint8Array(p.length + 7);
      big.set(p, 3);
      check(big.subarray(3, 3 + p.length), `payload ${n} at offset 3`);
      if (p.length > 400) continue;
      for (let at = 0; at < p.length; at++) {
        for (const v of [
          0x00, 0x01, 0x17, 0x18, 0x19, 0x1b, 0x20, 0x3a, 0x41, 0x60, 0x61, 0x63, 0x78, 0x80, 0xa3, 0xa4, 0xf9, 0xfa, 0xfb, 0xff,
        ]) {
          const m = p.slice();
          m[at] = v;
          check(m, `payload ${n}, byte ${at} = ${v}`);
          m[at] = p[at]! ^ 0x01;
          check(m, `payload ${n}, byte ${at} ^ 1`);
        }
      }
      for (let cut = 1; cut <= Math.min(p.length, 12); cut++) check(p.subarray(0, p.length - cut), `payload ${n} cut by ${cut}`);
      check(cat(p, Uint8Array.of(0)), `payload ${n} + trailing byte`);
    }
    assert.ok(compared > 50_000, `${compared} compared`);
    assert.ok(fast > 1_000, `the fast path answered ${fast} times`);
  });

  it('answers for the payloads devices send (scalar readings, any key order)', () => {
    const t0 = 1_764_000_000_000;
    for (const p of [
      encodeCbor({ dev: 'reefer-7', seq: 3, ts: t0, r: [{ t: t0, k: 'temp', v: 4.25 }] } as never),
      encodeCbor({
        dev: 'bench-0001',
        seq: 1,
        ts: t0,
        r: [
          { t: t0, k: 'door', v: 1 },
          { t: t0 - 9, k: 'rh', v: 55 },
        ],
      } as never),
    ]) {
      const f = summarisePayloadFast(p, (slow(p) as { ok: { dev: string } }).ok.dev);
      assert.notEqual(f, null);
      assert.deepEqual({ ok: f }, slow(p));
    }
  });
});

describe("the verify workers' Sig_structure writer", () => {
  it('writes sigStructure’s bytes, for every payload head length, growing its buffer', () => {
    const write = createSigStructureWriter();
    for (const n of [0, 1, 23, 24, 255, 256, 5000, 65_535, 65_536, 100]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
      const prot = Uint8Array.of(0xa1, 0x01, 0x26);
      assert.deepEqual(write(prot, payload), sigStructure(prot, payload), `${n} bytes`);
    }
  });
});
