// The device fleet and the pre-signed message corpus. Signing is the devices'
// job, not the node's: all messages are signed (in child processes, one per
// core, so their memory is not counted in the node's peak RSS) before any
// timing starts, and streamed from files during the run so that the corpus
// does not sit in the benchmark process's memory (peak RSS is the node's).
import { availableParallelism } from 'node:os';
import { readSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { type DeviceKey, generateDeviceKey } from '@tradetwin/core/device/keys';
import { openTelemetry } from '@tradetwin/core/telemetry/envelope';
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodePayload, encodePayload } from '@tradetwin/core/telemetry/payload';
import { splitCborSequence } from '../packages/node/src/ingest/cbor-seq.js';
import type { PhaseSettings } from './args.js';
import { RECORD_HEADER, type SignJob, type SignResult } from './sign-worker.js';
import { runChild } from './workers.js';

export function makeDevices(n: number): DeviceKey[] {
  return Array.from({ length: n }, (_, i) => {
    const deviceId = `bench-${String(i).padStart(4, '0')}`;
    return { deviceId, ...generateDeviceKey(1, new TextEncoder().encode(`tradetwin bench device ${i}`)) };
  });
}

export interface Corpus {
  name: string;
  settings: PhaseSettings;
  files: string[];
  warmupRequests: number[];
  timedRequests: number[];
  warmupMessages: number;
  timedMessages: number;
  readings: number;
  bytes: number;
  /** Next unused seq per device (the following phase starts there). */
  nextSeq: number[];
  signWallMs: number;
  signCpuMs: number;
}

/** Connection c owns devices d with d % connections === c: per device, messages then go out in seq order. */
export function ownedDevices(devices: number, connections: number, c: number): number[] {
  const out: number[] = [];
  for (let d = c; d < devices; d += connections) out.push(d);
  return out;
}

const split = (total: number, parts: number, i: number) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);

/** Envelopes each device signs in a phase (warm-up included), as buildCorpus allocates them. */
export function messagesPerDevice(devices: number, connections: number, s: PhaseSettings): number[] {
  const out: number[] = new Array(devices).fill(0);
  for (let c = 0; c < connections; c++) {
    const owned = ownedDevices(devices, connections, c);
    const total = split(s.warmupMessages, connections, c) + split(s.messages, connections, c);
    owned.forEach((d, k) => {
      out[d] = split(total, owned.length, k);
    });
  }
  return out;
}

export async function buildCorpus(opts: {
  name: string;
  dir: string;
  devices: DeviceKey[];
  connections: number;
  settings: PhaseSettings;
  seqBase: number[];
  t0: number;
  stepMs: number;
}): Promise<Corpus> {
  const { devices, connections, settings } = opts;
  const conns = Array.from({ length: connections }, (_, c) => ({
    file: join(opts.dir, `${opts.name}-${c}.bin`),
    devices: ownedDevices(devices.length, connections, c),
    warmupMessages: split(settings.warmupMessages, connections, c),
    timedMessages: split(settings.messages, connections, c),
  }));
  const workers = Math.max(1, Math.min(availableParallelism(), connections));
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const job: SignJob = {
        devices: devices.map((d) => ({ deviceId: d.deviceId, privateKey: d.privateKey, publicKey: d.publicKey })),
        connections: conns.filter((_, c) => c % workers === w),
        readingsPerMessage: settings.readingsPerMessage,
        perRequest: settings.perRequest,
        seqBase: opts.seqBase,
        t0: opts.t0,
        stepMs: opts.stepMs,
      };
      return runChild<SignResult>('./sign-worker.ts', '--bench-sign', job);
    }),
  );
  const signWallMs = performance.now() - t;
  const warmupRequests: number[] = new Array(connections);
  const timedRequests: number[] = new Array(connections);
  results.forEach((r, w) => {
    let i = 0;
    conns.forEach((_, c) => {
      if (c % workers !== w) return;
      warmupRequests[c] = r.warmupRequests[i]!;
      timedRequests[c] = r.timedRequests[i]!;
      i++;
    });
  });
  // Every device got ceil/floor of its connection's messages: recount exactly.
  const nextSeq = opts.seqBase.slice();
  conns.forEach((c) => {
    const total = c.warmupMessages + c.timedMessages;
    c.devices.forEach((d, k) => {
      nextSeq[d] = nextSeq[d]! + split(total, c.devices.length, k);
    });
  });
  const corpus: Corpus = {
    name: opts.name,
    settings,
    files: conns.map((c) => c.file),
    warmupRequests,
    timedRequests,
    warmupMessages: settings.warmupMessages,
    timedMessages: settings.messages,
    readings: results.reduce((n, r) => n + r.readings, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    nextSeq,
    signWallMs,
    signCpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
  };
  checkCorpus(corpus, devices);
  return corpus;
}

/** Read record `skip` of a corpus file: its messages. */
export function readRecord(file: string, skip: number): Uint8Array[] {
  const fd = openSync(file, 'r');
  try {
    const hdr = Buffer.alloc(RECORD_HEADER);
    let pos = 0;
    for (let i = 0; ; i++) {
      if (readSync(fd, hdr, 0, RECORD_HEADER, pos) !== RECORD_HEADER) throw new Error(`${file}: no record ${skip}`);
      const len = hdr.readUInt32LE(0);
      if (i === skip) {
        const body = Buffer.alloc(len);
        readSync(fd, body, 0, len, pos + RECORD_HEADER);
        return splitCborSequence(new Uint8Array(body.buffer, body.byteOffset, len), 1_000_000);
      }
      pos += RECORD_HEADER + len;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The fast encoder must produce exactly signTelemetry's bytes: check samples
 * with core's own code (noble signature check, payload re-encoded by encodePayload).
 */
function checkCorpus(corpus: Corpus, devices: DeviceKey[]): void {
  const byId = new Map(devices.map((d) => [d.deviceId, d]));
  for (const file of corpus.files) {
    const samples = [...readRecord(file, 0).slice(0, 5), ...readRecord(file, 1).slice(-3)];
    for (const msg of samples) {
      const opened = openTelemetry(msg, (id) => byId.get(id));
      if (!opened.ok) throw new Error(`corpus ${corpus.name}: a sample does not open: ${opened.reason} ${opened.detail}`);
      const payload = decodeSign1(msg).payload;
      const again = encodePayload(decodePayload(payload));
      if (Buffer.compare(Buffer.from(again), Buffer.from(payload)) !== 0) {
        throw new Error(`corpus ${corpus.name}: fast payload encoding differs from core's encodePayload`);
      }
    }
  }
}
