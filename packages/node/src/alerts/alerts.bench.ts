// Alert delivery latency (a script, not a test):
//   node_modules/.bin/node --import tsx packages/node/src/alerts/alerts.bench.ts [excursions=200]
// A real node (embedded chain, SQLite; TRADETWIN_TEST_STORE=postgres for PostgreSQL) with one
// signed webhook subscription to excursion alerts and a local receiver. One device on a shipment
// under way sends signed envelopes each holding one breached excursion of its 2–8 °C band, paced
// (one every 50 ms) and then back to back. For each excursion: the moment the monitor recorded it
// (the alert's occurredAt) → the webhook receipt of its alert.
//   latency   p50 / p95 / max (target p95 ≤ 2 s)
import { deviceKey, startTestNode } from '../test-support/node-fixture.js';
import type { AlertPayload } from './payload.js';
import { breachableShipment, breachEnvelope, eventually, webhookReceiver } from './test-support.js';

const N = Number(process.argv[2] ?? 200);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const t = await startTestNode();
const hook = await webhookReceiver();
try {
  const sub = await fetch(`${t.node.httpUrl}/api/v1/alerts/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
    body: JSON.stringify({ kinds: ['excursion'], channel: 'webhook', url: hook.url }),
  });
  if (sub.status !== 201) throw new Error(`subscribe: ${sub.status} ${await sub.text()}`);
  const key = deviceKey('reefer-bench-1');
  const start = Date.now();
  await breachableShipment(t, 'SHP-BENCH-1', key, start);
  // Each excursion (6 min long) 7 min after the previous one, far enough back for both runs.
  let seq = 0;
  const at = () => start - (2 * N + 10) * 420_000 + seq * 420_000;

  const run = async (label: string, gapMs: number) => {
    hook.requests.length = 0;
    hook.accepted.clear();
    hook.acceptedCount.clear();
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      seq++;
      const res = await t.post([breachEnvelope(key, seq, at())]);
      if (!res.ok) throw new Error(`telemetry ${res.status}: ${await res.text()}`);
      await res.body?.cancel();
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
    await eventually(() => hook.accepted.size >= N, `${N} alerts delivered`, 120_000);
    const lat = [...hook.accepted.values()].map((r) => r.at - Date.parse((JSON.parse(r.body) as AlertPayload).alert.occurredAt));
    console.log(
      `${label.padEnd(24)} ${N} excursions in ${((Date.now() - t0) / 1000).toFixed(1)} s: recorded → webhook ` +
        `p50 ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms, max ${Math.max(...lat)} ms (${hook.requests.length} requests, ${hook.accepted.size} alerts)`,
    );
    const dupes = [...hook.acceptedCount.values()].filter((n) => n > 1).length;
    if (dupes > 0) throw new Error(`${dupes} deliveries were acknowledged more than once`);
    return pct(lat, 95);
  };

  const paced = await run('paced (1 per 50 ms)', 50);
  const burst = await run('burst (back to back)', 0);
  console.log(`store ${t.node.storage.kind}; target p95 ≤ 2000 ms: ${paced <= 2000 && burst <= 2000 ? 'met' : 'NOT met'}`);
} finally {
  await hook.close();
  await t.dispose();
}
