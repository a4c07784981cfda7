// The floods an attacker sent, against a real node: oversized bodies are cut
// off while they stream in (the node stops reading: counted as the bytes its
// sockets took off the wire), unknown devices cost at most K ledger reads per
// request and a token bucket per source (counted at the chain client), and a
// genuine device is answered while floods run.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
const LIMIT = 8 * 1024 * 1024;
const API_LIMIT = 1024 * 1024;
const K = 32;
const BURST = 40;
const genuine = deviceKey('reefer-flood-1', 2);
const stranger = deviceKey('stranger', 2);
let chainReads = 0;
const sockets = new Set<Socket>();

before(async () => {
  t = await startTestNode({
    configure: (c) => {
      c.ingest.maxBodyBytes = LIMIT;
      c.ingest.lookupsPerRequest = K;
      c.ingest.lookupBurst = BURST;
      c.ingest.lookupsPerSecond = 1;
      c.http.maxBodyBytes = API_LIMIT;
    },
  });
  assert.equal((await t.register(genuine)).status, 201);
  t.node.httpServer.on('connection', (s: Socket) => sockets.add(s));
  // Every DeviceRegistry.device read the node makes, counted at its chain client.
  const pc = t.node.clients.publicClient as unknown as { readContract: (a: { functionName: string }) => Promise<unknown> };
  const read = pc.readContract.bind(pc);
  pc.readContract = (a) => {
    if (a.functionName === 'device') chainReads++;
    return read(a);
  };
});
after(() => t.dispose());

/**
 * Envelopes of unknown devices, as many as an attacker likes: one signed template with its device id
 * (same length) swapped in. The signature no longer matches, but an unknown device is refused before it is checked.
 */
const template = envelope({ ...stranger, deviceId: 'unknown-device-000000' }, 1);
function unknownEnvelopes(prefix: string, n: number): Uint8Array[] {
  const from = Buffer.from('unknown-device-000000');
  return Array.from({ length: n }, (_, i) => {
    const id = Buffer.from(`${prefix}-${String(i).padStart(6, '0')}`.slice(-from.length).padStart(from.length, 'x'));
    const out = Buffer.from(template);
    for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) id.copy(out, at);
    return new Uint8Array(out);
  });
}

/** Bytes the node's sockets have read so far. */
const bytesRead = () => [...sockets].reduce((n, s) => n + s.bytesRead, 0);

/**
 * Stream `total` bytes as a chunked body (64 KiB at a time, honouring back-pressure) until the node answers or
 * closes; returns the status (or the socket error) and how much the client managed to hand to its socket.
 */
function chunkedUpload(
  path: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status?: number; error?: string; sent: number; body?: string }> {
  return new Promise((resolve) => {
    const url = new URL(path, t.node.httpUrl);
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let done = false;
    const finish = (r: { status?: number; error?: string; body?: string }) => {
      if (done) return;
      done = true;
      req.destroy();
      resolve({ ...r, sent });
    };
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => finish({ status: res.statusCode, body }));
      res.on('error', () => finish({ status: res.statusCode, body }));
    });
    req.on('error', (err) => finish({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
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

describe('ingest under a flood', () => {
  it('cuts a 200 MB chunked telemetry upload off at the limit: 413, and the node stops reading', async () => {
    const before = bytesRead();
    const r = await chunkedUpload('/api/v1/telemetry', 200 * 1024 * 1024, { 'content-type': 'application/cbor-seq' });
    const read = bytesRead() - before;
    // Either the 413 arrived, or the node closed the connection on the client still sending; never the whole body.
    if (r.status !== undefined) {
      assert.equal(r.status, 413, r.body);
      assert.match(r.body ?? '', /too_large/);
    } else assert.ok(r.error, 'the upload ended with an answer or a closed connection');
    assert.ok(read < LIMIT + 4 * 1024 * 1024, `the node read ${read} bytes for a ${LIMIT}-byte limit`);
    assert.ok(r.sent < 100 * 1024 * 1024, `the client could hand over ${r.sent} bytes`);
  });

  it('refuses a Content-Length above the limit at once, before the access check', async () => {
    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(API_LIMIT + 1),
    });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await res.json()) as { type: string }).type, 'https://tradetwin.dev/problems/too_large');
  });

  it('does not read the rest of a refused (401) upload to another endpoint', async () => {
    const before = bytesRead();
    const r = await chunkedUpload('/api/v1/admin/devices', 100 * 1024 * 1024, { 'content-type': 'application/json' });
    const read = bytesRead() - before;
    if (r.status !== undefined) assert.equal(r.status, 401, r.body);
    else assert.ok(r.error);
    assert.ok(read < 8 * 1024 * 1024, `the node read ${read} bytes of a refused upload`);
  });

  it('answers 20,000 unknown-device envelopes with at most K ledger reads, and none for ids it just found unknown', async () => {
    const flood = unknownEnvelopes('flood', 20_000);
    const reads0 = chainReads;
    const res = await t.post(flood);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('TradeTwin-Ingest-Max-Envelopes'), '20000');
    const body = (await res.json()) as { accepted: number; results: { reason?: string; detail?: string }[] };
    assert.equal(body.accepted, 0);
    assert.ok(body.results.every((r) => r.reason === 'unknown_device'));
    assert.ok(chainReads - reads0 <= K, `${chainReads - reads0} ledger reads for one request`);
    assert.match(body.results.at(-1)!.detail!, /not looked up on the ledger: one request may have at most 32/);
    // The same flood again: the ids looked up a moment ago are answered from the negative cache.
    const reads1 = chainReads;
    const again = (await (await t.post(flood.slice(0, K))).json()) as { results: { reason?: string }[] };
    assert.ok(again.results.every((r) => r.reason === 'unknown_device'));
    assert.equal(chainReads - reads1, 0, 'no ledger read for a known-unknown id');
  });

  it('bounds lookups per source with a token bucket, telling the refused why', async () => {
    // The bucket of 127.0.0.1 (burst 40, 1/s) is nearly spent by the request above; fresh ids now hit it.
    const reads0 = chainReads;
    const flood = unknownEnvelopes('bucket', 200);
    const body = (await (await t.post(flood)).json()) as { results: { reason?: string; detail?: string }[] };
    assert.ok(chainReads - reads0 < K, `${chainReads - reads0} ledger reads after the bucket was drained`);
    assert.ok(body.results.some((r) => /over 1 lookups of unknown devices per second/.test(r.detail ?? '')));
  });

  it('acknowledges a genuine device while three floods of unknown devices run', async () => {
    const bodies = [0, 1, 2].map((f) => unknownEnvelopes(`wave${f}`, 20_000));
    const floods = bodies.map((b) => t.post(b));
    let floodsDone = 0;
    for (const f of floods) void f.then(() => floodsDone++);
    // Once the node is working on the floods, the genuine device sends its readings.
    const gate = t.node.lookupGate.counters;
    const seen = gate.overRequestBound + gate.overSourceRate;
    const waitUntil = Date.now() + 60_000;
    while (gate.overRequestBound + gate.overSourceRate === seen && floodsDone === 0 && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await t.post([envelope(genuine, 1)]);
    assert.equal(res.status, 201, await res.clone().text());
    assert.ok(floodsDone < 3, 'the genuine reading is answered while the floods are still being refused');
    for (const f of floods) assert.equal((await f).status, 200);
  });
});
