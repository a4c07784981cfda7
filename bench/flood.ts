// Ingest under a flood (issue 11, item 4): while 3 × 20,000 unknown-device envelopes and two 200 MB chunked
// bodies are sent (again and again for the flood window), a genuine device sends single readings one after
// another; genuine latency p50/p99 and the node process's RSS growth, with a no-flood baseline in the same run.
//   node_modules/.bin/node --import tsx bench/flood.ts [--seconds 15] [--out bench/results/flood.json]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { bytesToHex } from 'viem';
import { envelope, deviceKey } from '../packages/node/src/test-support/node-fixture.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const seconds = Number(arg('seconds', '15'));
const out = arg('out', 'bench/results/flood.json');

const child = spawn(process.execPath, ['--import', 'tsx', new URL('./flood-node.ts', import.meta.url).pathname], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const info = await new Promise<{ httpUrl: string; adminToken: string; pid: number }>((resolve) => {
  createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
});
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${info.pid}/status`, 'utf8'))![1]) * 1024;

const genuine = deviceKey('bench-genuine', 1);
const reg = await fetch(`${info.httpUrl}/api/v1/admin/devices`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${info.adminToken}` },
  body: JSON.stringify({ deviceId: genuine.deviceId, keyType: genuine.keyType, publicKey: bytesToHex(genuine.publicKey) }),
});
if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);

let seq = 0;
/** Genuine single readings, one after the other, for `ms`; latencies in ms and the statuses seen. */
async function genuineTraffic(ms: number) {
  const lat: number[] = [];
  const statuses: Record<number, number> = {};
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const body = envelope(genuine, ++seq);
    const t0 = performance.now();
    const res = await fetch(`${info.httpUrl}/api/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/cose' },
      body: new Uint8Array(body),
    });
    await res.arrayBuffer();
    lat.push(performance.now() - t0);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { lat, statuses };
}

function sampleRss(stop: { done: boolean }, into: number[]) {
  const tick = () => {
    into.push(rss());
    if (!stop.done) setTimeout(tick, 100);
  };
  tick();
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : null;
};

// Warm up (worker threads, key import, SQLite), then the baseline, then the flood.
await genuineTraffic(2000);
const baseStop = { done: false };
const baseRss: number[] = [];
sampleRss(baseStop, baseRss);
const base = await genuineTraffic(seconds * 1000);
baseStop.done = true;
const rssBefore = Math.max(...baseRss);

const floodStop = { done: false };
const floodRss: number[] = [];
sampleRss(floodStop, floodRss);
// The attackers run in their own process, so that building and sending floods does not delay the genuine client.
const attackerProc = spawn(
  process.execPath,
  ['--import', 'tsx', new URL('./flood-attacker.ts', import.meta.url).pathname, info.httpUrl],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const attacksDone = new Promise<unknown>((resolve) => {
  createInterface({ input: attackerProc.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
});
await new Promise((r) => setTimeout(r, 500));
const flood = await genuineTraffic(seconds * 1000);
floodStop.done = true;
attackerProc.kill('SIGTERM');
const attacks = await attacksDone;
const rssPeak = Math.max(...floodRss);

const result = {
  at: new Date().toISOString(),
  seconds,
  baseline: {
    requests: base.lat.length,
    statuses: base.statuses,
    p50Ms: pct(base.lat, 50),
    p99Ms: pct(base.lat, 99),
    maxMs: pct(base.lat, 100),
  },
  flood: {
    requests: flood.lat.length,
    statuses: flood.statuses,
    p50Ms: pct(flood.lat, 50),
    p99Ms: pct(flood.lat, 99),
    maxMs: pct(flood.lat, 100),
    attacks,
  },
  rss: {
    baselinePeakMB: Math.round(rssBefore / 2 ** 20),
    floodPeakMB: Math.round(rssPeak / 2 ** 20),
    growthMB: Math.round((rssPeak - rssBefore) / 2 ** 20),
  },
  targets: { p99Ms: 250, rssGrowthMB: 100 },
};
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
child.kill('SIGTERM');
