// Child process that pre-signs the corpus: single- or multi-reading telemetry
// payloads from many P-256 devices, signed ES256 as a device's secure element
// would, written to one file per load-generator connection.
//
// The bytes are exactly what core's signTelemetry produces (the payload is
// encoded by a specialised fast path that main checks against encodePayload on
// samples; the signature is OpenSSL's ECDSA, normalised to low S as noble's
// sign does). Only the speed differs: encodePayload validates and sorts map
// keys per reading (~0.5 ms for a 60-reading payload) and node's ieee-p1363
// signing path costs twice the DER one.
import { closeSync, openSync, writeSync } from 'node:fs';
import { createPrivateKey, type KeyObject, sign as cryptoSign } from 'node:crypto';
import { encodeCbor } from '@tradetwin/core/cose/cbor';
import { ALG_ES256, encodeProtectedHeader, encodeSign1, sigStructure } from '@tradetwin/core/cose/sign1';

export interface SignDevice {
  deviceId: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface SignConnectionJob {
  file: string;
  /** Device indices owned by this connection (messages go round-robin over them). */
  devices: number[];
  warmupMessages: number;
  timedMessages: number;
}

export interface SignJob {
  devices: SignDevice[];
  connections: SignConnectionJob[];
  readingsPerMessage: number;
  perRequest: number;
  /** First seq per device index. */
  seqBase: number[];
  /** Time of a device's reading k (counted from seqBase) is t0 + k * stepMs. */
  t0: number;
  stepMs: number;
}

export interface SignResult {
  /** Per connection: requests in the warm-up part, then in the timed part. */
  warmupRequests: number[];
  timedRequests: number[];
  messages: number;
  readings: number;
  bytes: number;
  cpuMs: number;
}

/** A file record: u32 body length, u32 messages, u32 readings, then the cbor-seq body. */
export const RECORD_HEADER = 12;

// Reading kinds and values: every value is encoded once with core's CBOR encoder.
const KINDS: { k: string; values: number[] }[] = [
  { k: 'temp', values: Array.from({ length: 64 }, (_, i) => 2 + i / 8) },
  { k: 'rh', values: Array.from({ length: 40 }, (_, i) => 40 + i / 2) },
  { k: 'batt', values: Array.from({ length: 32 }, (_, i) => 100 - i / 4) },
  { k: 'door', values: [0, 1] },
  { k: 'shock', values: Array.from({ length: 16 }, (_, i) => i / 4) },
];

interface ReadingTemplate {
  /** a3 'k' <kind> 't' */
  prefix: Uint8Array;
  /** 'v' <value> */
  suffix: Uint8Array;
}

function templates(): ReadingTemplate[] {
  const out: ReadingTemplate[] = [];
  const text = (s: string) => encodeCbor(s);
  for (const { k, values } of KINDS) {
    for (const v of values) {
      out.push({
        prefix: concat([Uint8Array.of(0xa3), text('k'), text(k), text('t')]),
        suffix: concat([text('v'), encodeCbor(v)]),
      });
    }
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Shortest-form CBOR head. */
function head(major: number, v: number, out: number[]): void {
  const m = major << 5;
  if (v < 24) out.push(m | v);
  else if (v < 0x100) out.push(m | 24, v);
  else if (v < 0x10000) out.push(m | 25, v >> 8, v & 0xff);
  else if (v < 0x100000000) out.push(m | 26, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  else {
    const hi = Math.floor(v / 0x100000000);
    const lo = v >>> 0;
    out.push(m | 27, (hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    out.push((lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

const TXT_R = encodeCbor('r');
const TXT_TS = encodeCbor('ts');
const TXT_DEV = encodeCbor('dev');
const TXT_SEQ = encodeCbor('seq');

/**
 * Deterministic CBOR of {dev, seq, ts, r: [{t, k, v}…]}: map keys in RFC 8949
 * §4.2.1 order (shorter encodings first, then bytewise): r, ts, dev, seq; and
 * k, t, v inside a reading.
 */
export function encodePayloadFast(
  dev: Uint8Array,
  seq: number,
  ts: number,
  readings: { t: number; tpl: ReadingTemplate }[],
): Uint8Array {
  const parts: Uint8Array[] = [];
  const h: number[] = [0xa4, ...TXT_R];
  head(4, readings.length, h);
  parts.push(Uint8Array.from(h));
  for (const r of readings) {
    const t: number[] = [];
    head(0, r.t, t);
    parts.push(r.tpl.prefix, Uint8Array.from(t), r.tpl.suffix);
  }
  const tail: number[] = [...TXT_TS];
  head(0, ts, tail);
  tail.push(...TXT_DEV, ...dev, ...TXT_SEQ);
  head(0, seq, tail);
  parts.push(Uint8Array.from(tail));
  return concat(parts);
}

// P-256 group order, and half of it: noble's sign (lowS: true) never emits s > n/2.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;

/** DER ECDSA-Sig-Value → raw r‖s (32 + 32 bytes), low S. */
export function derToRaw(der: Uint8Array): Uint8Array {
  let p = 2;
  if (der[1]! & 0x80) p = 2 + (der[1]! & 0x7f);
  const out = new Uint8Array(64);
  for (const at of [0, 32]) {
    if (der[p] !== 0x02) throw new Error('bad DER signature');
    const len = der[p + 1]!;
    let v = der.subarray(p + 2, p + 2 + len);
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    out.set(v, at + 32 - v.length);
    p += 2 + len;
  }
  const s = BigInt(`0x${Buffer.from(out.subarray(32)).toString('hex')}`);
  if (s > HALF_N) out.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

export function privateKeyObject(d: SignDevice): KeyObject {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: b64(d.privateKey),
      x: b64(d.publicKey.subarray(1, 33)),
      y: b64(d.publicKey.subarray(33, 65)),
    },
    format: 'jwk',
  });
}

class RecordWriter {
  private parts: Uint8Array[] = [];
  private size = 0;
  bytes = 0;
  constructor(private readonly fd: number) {}
  record(messages: Uint8Array[], readings: number): void {
    let body = 0;
    for (const m of messages) body += m.length;
    const hdr = Buffer.alloc(RECORD_HEADER);
    hdr.writeUInt32LE(body, 0);
    hdr.writeUInt32LE(messages.length, 4);
    hdr.writeUInt32LE(readings, 8);
    this.parts.push(hdr, ...messages);
    this.size += RECORD_HEADER + body;
    this.bytes += body;
    if (this.size > 8 << 20) this.flush();
  }
  flush(): void {
    if (this.size === 0) return;
    writeSync(this.fd, Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
  }
}

export function runSignJob(job: SignJob): SignResult {
  const cpu0 = process.threadCpuUsage();
  const tpls = templates();
  const keys = job.devices.map(privateKeyObject);
  const ids = job.devices.map((d) => encodeCbor(d.deviceId));
  const protectedBytes = encodeProtectedHeader(ALG_ES256);
  const R = job.readingsPerMessage;
  const result: SignResult = { warmupRequests: [], timedRequests: [], messages: 0, readings: 0, bytes: 0, cpuMs: 0 };
  for (const conn of job.connections) {
    const fd = openSync(conn.file, 'w');
    const w = new RecordWriter(fd);
    const next = new Map<number, number>(); // device → messages signed so far
    let j = 0;
    const sendPart = (count: number): number => {
      let requests = 0;
      for (let done = 0; done < count; ) {
        const n = Math.min(job.perRequest, count - done);
        const batch: Uint8Array[] = [];
        for (let m = 0; m < n; m++, j++) {
          const dev = conn.devices[j % conn.devices.length]!;
          const k = next.get(dev) ?? 0;
          next.set(dev, k + 1);
          const seq = job.seqBase[dev]! + k;
          const readings: { t: number; tpl: ReadingTemplate }[] = new Array(R);
          const first = k * R;
          for (let i = 0; i < R; i++) {
            // Single-reading devices keep one kind; loggers cycle through kinds.
            const tplIndex = R === 1 ? (dev * 37 + k) % 64 : (dev * 31 + first + i) % tpls.length;
            readings[i] = { t: job.t0 + (first + i) * job.stepMs, tpl: tpls[tplIndex]! };
          }
          const ts = readings[R - 1]!.t + 7;
          const payload = encodePayloadFast(ids[dev]!, seq, ts, readings);
          const der = cryptoSign('sha256', sigStructure(protectedBytes, payload), keys[dev]!);
          batch.push(encodeSign1({ alg: ALG_ES256, kid: job.devices[dev]!.deviceId, payload, signature: derToRaw(der) }));
        }
        w.record(batch, n * R);
        done += n;
        requests++;
      }
      return requests;
    };
    result.warmupRequests.push(sendPart(conn.warmupMessages));
    result.timedRequests.push(sendPart(conn.timedMessages));
    w.flush();
    closeSync(fd);
    result.messages += conn.warmupMessages + conn.timedMessages;
    result.readings += (conn.warmupMessages + conn.timedMessages) * R;
    result.bytes += w.bytes;
  }
  const cpu = process.threadCpuUsage(cpu0);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  return result;
}

// Run as a child process (so that signing memory stays out of the benchmark
// process's peak RSS): one job in over IPC, one result out.
if (process.send && process.argv.includes('--bench-sign')) {
  process.once('message', (job: SignJob) => {
    const result = runSignJob(job);
    process.send!(result, () => process.exit(0));
  });
}
