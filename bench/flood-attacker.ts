// The attacker of bench/flood.ts, in its own process: three loops each sending 20,000 envelopes of unknown
// devices (fresh ids every time) and two loops each streaming a 200 MB chunked body, until SIGTERM;
// then prints what it sent and how the node answered.
import { request } from 'node:http';
import { deviceKey, envelope } from '../packages/node/src/test-support/node-fixture.js';

const info = { httpUrl: process.argv[2]! };
const template = envelope({ ...deviceKey('x', 1), deviceId: 'unknown-device-000000' }, 1);
let wave = 0;
function unknownEnvelopes(n: number): Buffer {
  const from = Buffer.from('unknown-device-000000');
  const w = wave++;
  return Buffer.concat(
    Array.from({ length: n }, (_, i) => {
      const id = Buffer.from(`u${String(w).padStart(6, '0')}-${String(i).padStart(13, '0')}`);
      const e = Buffer.from(template);
      for (let at = e.indexOf(from); at >= 0; at = e.indexOf(from, at + 1)) id.copy(e, at);
      return e;
    }),
  );
}

/** A chunked upload of `total` bytes until the node answers or closes. */
function chunked(total: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${info.httpUrl}/api/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor-seq', 'transfer-encoding': 'chunked' },
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let done = false;
    const finish = (r: string) => {
      if (!done) {
        done = true;
        req.destroy();
        resolve(r);
      }
    };
    req.on('response', (res) => {
      res.resume();
      finish(String(res.statusCode));
    });
    req.on('error', (e) => finish((e as NodeJS.ErrnoException).code ?? 'error'));
    const pump = () => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!done) req.end();
    };
    pump();
  });
}

const attacks = {
  floodRequests: 0,
  floodStatuses: {} as Record<string, number>,
  bigBodies: 0,
  bigOutcomes: {} as Record<string, number>,
};
async function attacker(kind: 'flood' | 'big', stop: { done: boolean }) {
  while (!stop.done) {
    if (kind === 'flood') {
      const body = unknownEnvelopes(20_000);
      const res = await fetch(`${info.httpUrl}/api/v1/telemetry`, {
        method: 'POST',
        headers: { 'content-type': 'application/cbor-seq' },
        body: new Uint8Array(body),
      }).catch((e: Error) => ({ status: e.message, arrayBuffer: async () => undefined }));
      await res.arrayBuffer();
      attacks.floodRequests++;
      attacks.floodStatuses[res.status] = (attacks.floodStatuses[res.status] ?? 0) + 1;
    } else {
      const r = await chunked(200 * 1024 * 1024);
      attacks.bigBodies++;
      attacks.bigOutcomes[r] = (attacks.bigOutcomes[r] ?? 0) + 1;
    }
  }
}

const stop = { done: false };
const loops = [
  attacker('flood', stop),
  attacker('flood', stop),
  attacker('flood', stop),
  attacker('big', stop),
  attacker('big', stop),
];
process.on('SIGTERM', () => {
  stop.done = true;
  void Promise.all(loops).then(() => {
    process.stdout.write(`${JSON.stringify(attacks)}\n`);
    process.exit(0);
  });
});
