// Subscription delivery latency (a script, not a test):
//   node_modules/.bin/node --import tsx packages/node/src/epcis/subscriptions/subscriptions.bench.ts [captures=300] [subscribers=10]
// A chain-less node over HTTP on 127.0.0.1 with `subscribers` stream webhook
// subscriptions (signed) to one named query and a receiver for each; events are
// captured one per POST /epcis/events, paced (~50/s) and then in a burst. For each
// event and subscriber: capture request sent → webhook receipt containing it.
//   latency   p50 / p95 / max (target p95 ≤ 1 s)
import { performance } from 'node:perf_hooks';
import { deliveredEvents, objectEvent, type Receiver, removeDir, startLightNode, startReceiver } from './test-support.js';

const CAPTURES = Number(process.argv[2] ?? 300);
const SUBSCRIBERS = Number(process.argv[3] ?? 10);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function run(label: string, gapMs: number, n: Awaited<ReturnType<typeof startLightNode>>, rxs: Receiver[]) {
  const sentAt = new Map<string, number>();
  const t0 = performance.now();
  const offset = Date.now() - t0;
  for (let i = 0; i < CAPTURES; i++) {
    const e = objectEvent();
    sentAt.set(e.eventID as string, performance.now() + offset);
    const res = await n.request('/epcis/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], ...e }),
    });
    if (res.status !== 201) throw new Error(`capture ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  const ids = new Set(sentAt.keys());
  for (const rx of rxs)
    await rx.waitFor(
      (rs) => rs.reduce((k, r) => k + deliveredEvents(r.body).filter((e) => ids.has(e.eventID as string)).length, 0) >= CAPTURES,
      60_000,
    );
  const lat: number[] = [];
  for (const rx of rxs)
    for (const r of rx.receipts)
      for (const e of deliveredEvents(r.body)) {
        const s = sentAt.get(e.eventID as string);
        if (s !== undefined) lat.push(r.at - s);
      }
  for (const rx of rxs) rx.receipts.length = 0;
  const wall = performance.now() - t0;
  console.log(
    `${label.padEnd(22)} ${CAPTURES} captures × ${SUBSCRIBERS} subscribers in ${(wall / 1000).toFixed(1)} s: ` +
      `latency p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms (${lat.length} deliveries of events)`,
  );
  return pct(lat, 95);
}

const n = await startLightNode();
try {
  await n.request('/epcis/queries', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'shipping', query: { EQ_bizStep: ['shipping'] } }),
  });
  const rxs: Receiver[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const rx = await startReceiver();
    rxs.push(rx);
    await n.request('/epcis/queries/shipping/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dest: rx.url, signatureToken: `secret-${i}`, stream: true }),
    });
  }
  const paced = await run('paced (~50 captures/s)', 20, n, rxs);
  const burst = await run('burst (back to back)', 0, n, rxs);
  console.log(`target p95 ≤ 1000 ms: ${paced <= 1000 && burst <= 1000 ? 'met' : 'NOT met'}`);
  for (const rx of rxs) await rx.close();
} finally {
  await n.close();
  await removeDir(n.dir);
}
