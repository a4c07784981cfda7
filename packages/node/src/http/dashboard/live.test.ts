// The live feed (./live.ts): coalescing, backlog, and the SSE stream over real HTTP.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { LiveEvent } from '@tradetwin/core/wire/live';
import { LiveFeed, liveStream } from './live.js';
import { anchorEvent, ingestEvent, payoutEvent } from './live-events.js';

describe('LiveFeed', () => {
  it('numbers events, keeps a backlog and turns bigints into strings', () => {
    const feed = new LiveFeed({ keep: 3, now: () => 42 });
    const seen: LiveEvent[] = [];
    const off = feed.subscribe((e) => seen.push(e));
    for (let i = 0; i < 5; i++) feed.publish('anchor', { size: i, amount: 10n ** 20n });
    off();
    feed.publish('anchor', { size: 99 });
    assert.deepEqual(
      seen.map((e) => e.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(seen[0], { id: 1, kind: 'anchor', at: 42, data: { size: 0, amount: '100000000000000000000' } });
    assert.deepEqual(
      feed.since(0).map((e) => e.id),
      [4, 5, 6],
    );
    assert.deepEqual(
      feed.since(5).map((e) => e.id),
      [6],
    );
  });

  it('coalesces ingest commits into one event per window', async () => {
    const feed = new LiveFeed({ ingestEveryMs: 30 });
    const seen: LiveEvent[] = [];
    feed.subscribe((e) => seen.push(e));
    feed.publish('ingest', ingestEvent({ firstIndex: 0, size: 10, accepted: [{ deviceId: 'b' }, { deviceId: 'a' }] }));
    feed.publish('ingest', ingestEvent({ firstIndex: 10, size: 12, accepted: [{ deviceId: 'a' }] }));
    feed.publish('payout', payoutEvent({ status: 'paid', policyId: 1, excursionId: '0x01', amount: 5n, txHash: '0xab' }));
    assert.deepEqual(
      seen.map((e) => e.kind),
      ['payout'],
    );
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(seen[1]?.data, { commits: 2, leaves: 12, size: 12, devices: ['a', 'b'] });
    assert.equal(payoutEvent({ status: 'refused', policyId: 1, excursionId: '0x01' }), null);
    assert.deepEqual(anchorEvent({ size: 3, root: new Uint8Array([1, 2]), txHash: '0xff', blockNumber: 7 }), {
      size: 3,
      root: '0x0102',
      txHash: '0xff',
      blockNumber: 7,
      confirmedAt: null,
    });
  });
});

/** Read SSE messages from a fetch body until `count` arrived. */
async function readEvents(res: Response, count: number): Promise<{ event: string; id?: string; data: string }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: { event: string; id?: string; data: string }[] = [];
  let buf = '';
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const m: { event: string; id?: string; data: string } = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) m.event = line.slice(7);
        else if (line.startsWith('id: ')) m.id = line.slice(4);
        else if (line.startsWith('data: ')) m.data += line.slice(6);
      }
      if (m.data) out.push(m);
    }
  }
  await reader.cancel();
  return out;
}

describe('GET /api/v1/events/stream', () => {
  it('streams events as SSE and replays what a reconnecting client missed', async () => {
    const feed = new LiveFeed({ ingestEveryMs: 0 });
    const app = new Hono();
    app.get('/api/v1/events/stream', liveStream(feed));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events/stream`;
    try {
      const res = await fetch(url);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const reading = readEvents(res, 3);
      while (feed.subscribers === 0) await new Promise((r) => setTimeout(r, 5));
      feed.publish('excursion', { id: '0x1', breached: true });
      feed.publish('anchor', { size: 5 });
      const got = await reading;
      assert.deepEqual(
        got.map((m) => m.event),
        ['hello', 'excursion', 'anchor'],
      );
      assert.equal((JSON.parse(got[1]!.data) as LiveEvent).data && got[1]!.id, '1');
      // Disconnected: the subscription goes away.
      for (let i = 0; i < 100 && feed.subscribers > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(feed.subscribers, 0);
      // Missed two events; reconnects with Last-Event-ID 2.
      feed.publish('payout', { policyId: 1 });
      feed.publish('ingest', { firstIndex: 5, size: 6 });
      const again = await readEvents(await fetch(url, { headers: { 'Last-Event-ID': '2' } }), 3);
      assert.deepEqual(
        again.map((m) => [m.event, m.id]),
        [
          ['hello', undefined],
          ['payout', '3'],
          ['ingest', '4'],
        ],
      );
    } finally {
      server.close();
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    }
  });
});
