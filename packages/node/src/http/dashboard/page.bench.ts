// How fast is the shipment page over a long series? A real node gets one
// device's 100,000 signed samples (temperature and humidity: 200,000
// readings, 20 s apart over 23 days, one excursion), a shipment with a band
// rule watches it, and Chromium opens the shipment page: time from navigation
// to both charts drawn with the data (the page stamps it), cold and warm; the series
// route's time and size; zooming into the excursion; and, for comparison, the
// fallback path (the raw readings route, downsampled in the browser).
//
//   cd /work/main && npx node --import tsx packages/node/src/http/dashboard/page.bench.ts [--samples N]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { generateDeviceKey } from '@tradetwin/core/device/keys';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import { buildSeries, type SeriesResponse } from '@tradetwin/core/series/model';
import { seriesRoutes } from './series.js';
import { buildApp, startWebNode } from '../../test-support/web-node.js';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } },
});
const SAMPLES = Number(values.samples);
const RUNS = Number(values.runs);
const CHROMIUM = process.env.TRADETWIN_CHROMIUM ?? '/usr/bin/chromium';
const STEP = 20_000;
const PER_ENVELOPE = 500;
const SHIPMENT = 'BENCH-LONG-1';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}`);
  const built = await buildApp();
  const web = await startWebNode({ distDir: built.distDir });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const node = web.node;
    // The dashboard and its data routes need a member's session: the bench logs in as a viewer, as a person would.
    await node.access.addUser('bench.viewer', 'bench viewer passphrase', 'viewer');
    const login = await fetch(`${web.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bench.viewer', password: 'bench viewer passphrase' }),
    });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
    const sessionCookies = login.headers.getSetCookie().map((c) => {
      const [name, value] = c.split(';')[0]!.split('=') as [string, string];
      return { name, value, url: web.url };
    });
    const cookie = sessionCookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const key = { deviceId: 'bench-reefer-1', ...generateDeviceKey(1) };
    const reg = await web.t.register(key);
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);

    const start = Math.floor((Date.now() - SAMPLES * STEP - 3600_000) / 60_000) * 60_000;
    const spike = Math.floor(SAMPLES * 0.7);
    const t0 = performance.now();
    const envelopes: Uint8Array[] = [];
    for (let s = 0, seq = 1; s < SAMPLES; s += PER_ENVELOPE, seq++) {
      const r: Reading[] = [];
      for (let i = s; i < Math.min(SAMPLES, s + PER_ENVELOPE); i++) {
        const t = start + i * STEP;
        const inSpike = i >= spike && i < spike + 300;
        r.push({ t, k: 'temp', v: inSpike ? 11 + Math.sin(i) : 5 + Math.sin(i / 500) * 1.5 + ((i * 7919) % 100) / 200 });
        r.push({ t, k: 'rh', v: 80 + Math.cos(i / 700) * 8 });
      }
      envelopes.push(signTelemetry({ dev: key.deviceId, seq, ts: r[r.length - 1]!.t, r }, key));
    }
    const signMs = performance.now() - t0;
    const shipment = {
      id: SHIPMENT,
      goods: { description: 'Bench: one reefer, 20 s sampling' },
      parties: [{ role: 'shipper', name: 'Bench shipper' }],
      legs: [
        {
          from: { name: 'Antwerp', lat: 51.26, lon: 4.4 },
          to: { name: 'Mombasa', lat: -4.04, lon: 39.67 },
          mode: 'sea',
          plannedDeparture: start,
          plannedArrival: start + SAMPLES * STEP,
        },
      ],
      devices: [{ deviceId: key.deviceId, from: start - 1, to: start + SAMPLES * STEP + 1 }],
      rules: [{ kind: 'band', id: 'temp-2-8', sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' }],
    };
    const created = await fetch(`${node.httpUrl}/api/v1/shipments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${node.adminToken}` },
      body: JSON.stringify(shipment),
    });
    if (created.status !== 201) throw new Error(`shipment: ${created.status} ${await created.text()}`);
    const t1 = performance.now();
    for (let i = 0; i < envelopes.length; i += 20) {
      const res = await web.t.post(envelopes.slice(i, i + 20), 'application/cbor-seq');
      const body = (await res.json()) as { accepted: number; rejected: number; results: unknown[] };
      if (body.rejected)
        throw new Error(
          `ingest refused: ${JSON.stringify(body.results.find((r) => (r as { status: string }).status === 'rejected'))}`,
        );
    }
    await node.monitor.idle();
    const ingestMs = performance.now() - t1;
    const excursions = node.monitor.excursions(SHIPMENT);

    // The page: navigation → charts drawn with data.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.addCookies(sessionCookies);
    const pageRuns: { total: number; ttfb: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      await page.goto(`${web.url}/shipments/${SHIPMENT}`);
      await page
        .locator('[data-testid=shipment-page][data-ready=true] [data-testid=chart-temp] canvas')
        .waitFor({ timeout: 30_000 });
      await page.locator('[data-testid=chart-temp] [data-testid=excursion-shade]').first().waitFor({ timeout: 30_000 });
      const m = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const drawn = Math.max(
          ...['temp', 'rh'].map((k) =>
            Number((document.querySelector(`[data-testid=chart-${k}]`) as HTMLElement).dataset.drawnAt),
          ),
        );
        return { total: drawn, ttfb: nav.responseStart };
      });
      pageRuns.push(m);
      if (process.env.BENCH_TRACE) {
        const trace = await page.evaluate(() =>
          (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
            (e) =>
              `${e.startTime.toFixed(0).padStart(5)} → ${e.responseEnd.toFixed(0).padStart(5)}  ${e.name.replace(location.origin, '')}`,
          ),
        );
        const marks = await page.evaluate(() =>
          performance.getEntriesByType('mark').map((e) => `${e.startTime.toFixed(0).padStart(5)}  ${e.name}`),
        );
        console.log(`run ${i}: ${m.total.toFixed(0)} ms\n  ${[...trace, ...marks].join('\n  ')}`);
      }
      if (i === RUNS - 1) {
        const z0 = await page.evaluate(() => performance.now());
        await page.locator('[data-testid=zoom-to]').first().click();
        await page.waitForFunction(() => {
          const c = document.querySelector('[data-testid=chart-temp]') as HTMLElement;
          return Number(c.dataset.points) === Number(c.dataset.total);
        });
        const z1 = await page.evaluate(() => performance.now());
        pageRuns.push({ total: -(z1 - z0), ttfb: 0 });
        await page.screenshot({
          path: new URL('../test-artifacts/bench-shipment.png', import.meta.url).pathname,
          fullPage: false,
        });
      }
      await page.close();
    }
    const zoom = -pageRuns.pop()!.total;

    // The series route, as the page calls it.
    const seriesUrl = `${web.url}/api/v1/devices/${key.deviceId}/series?kinds=temp,rh,pos&buckets=1200`;
    const routeRuns: number[] = [];
    let bytes = 0;
    let series: SeriesResponse | undefined;
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      const res = await fetch(seriesUrl, { headers: { 'accept-encoding': 'identity', cookie } });
      const text = await res.text();
      routeRuns.push(performance.now() - a);
      bytes = text.length;
      series = JSON.parse(text) as SeriesResponse;
    }
    const gzRes = await fetch(seriesUrl, { headers: { 'accept-encoding': 'gzip', cookie } });
    const gz =
      gzRes.headers.get('content-encoding') === 'gzip'
        ? `gzip ≈ ${(gzipSync(await gzRes.text()).length / 1024).toFixed(0)} KiB on the wire`
        : null;
    // Cold: a fresh route (empty leaf cache) decodes every envelope again.
    const coldRoute = seriesRoutes({ store: node.store });
    const c0 = performance.now();
    await (await coldRoute.request(`/devices/${key.deviceId}/series?kinds=temp,rh,pos&buckets=1200`)).text();
    const coldMs = performance.now() - c0;

    // The fallback: raw readings (capped at 100,000 per request by the node), downsampled here.
    const f0 = performance.now();
    const raw = await fetch(`${web.url}/api/v1/devices/${key.deviceId}/readings?limit=100000`, { headers: { cookie } });
    if (raw.status !== 200) throw new Error(`readings: ${raw.status} ${await raw.text()}`);
    const rawText = await raw.text();
    const fetched = performance.now() - f0;
    const rawReadings = (JSON.parse(rawText) as { readings: { id: string; t: number; k: string; v: number }[] }).readings;
    const f1 = performance.now();
    buildSeries(key.deviceId, rawReadings, { kinds: ['temp', 'rh', 'pos'], from: 0, to: Number.MAX_SAFE_INTEGER, buckets: 1200 });
    const fallbackBuild = performance.now() - f1;

    await context.close();

    // What each page costs to load: JS + CSS transferred (the node sends the build's .br files), first visit.
    const weigh = async (path: string, ready: string) => {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
      await ctx.addCookies(sessionCookies);
      const page = await ctx.newPage();
      await page.goto(web.url + path);
      await page.locator(ready).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(300);
      const r = await page.evaluate(() =>
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((e) => /\/assets\/.*\.(js|css)$/.test(new URL(e.name).pathname))
          .reduce((a, e) => ({ files: a.files + 1, transfer: a.transfer + e.encodedBodySize, raw: a.raw + e.decodedBodySize }), {
            files: 0,
            transfer: 0,
            raw: 0,
          }),
      );
      await ctx.close();
      return `${r.files} files, ${(r.transfer / 1024).toFixed(0)} KiB transferred (${(r.raw / 1024).toFixed(0)} KiB uncompressed)`;
    };
    const firstId = series!.series.temp!.id[0]!;
    const weights = {
      overview: await weigh('/', '[data-testid=shipments] table'),
      shipment: await weigh(`/shipments/${SHIPMENT}`, '[data-testid=shipment-page][data-ready=true]'),
      verify: await weigh(`/verify/${firstId}`, '[data-testid=verdict]:not([data-verdict=pending])'),
    };
    const files = readdirSync(join(built.distDir, 'assets'));
    const size = (re: RegExp) =>
      files.filter((f) => re.test(f)).reduce((n, f) => n + statSync(join(built.distDir, 'assets', f)).size, 0);
    const buildSizes = {
      js: size(/\.js$/),
      jsBr: size(/\.js\.br$/),
      jsGz: size(/\.js\.gz$/),
      css: size(/\.css$/),
      atlas: size(/\.json$/),
      atlasBr: size(/\.json\.br$/),
    };
    const temp = series!.series.temp!;
    console.log(
      `shipment page bench: ${SAMPLES.toLocaleString('en-US')} samples × (temp, rh) = ${(2 * SAMPLES).toLocaleString('en-US')} readings in ${envelopes.length} envelopes, one device`,
    );
    console.log(`  setup: signing ${ms(signMs)}, ingest + rules ${ms(ingestMs)}; excursions derived: ${excursions.length}`);
    console.log(
      `  series route (temp, rh, pos; 1200 buckets): cold (decoding every envelope) ${ms(coldMs)}, cached median ${ms(median(routeRuns))} over ${RUNS}, ${(bytes / 1024).toFixed(0)} KiB JSON${gz ? ` (${gz})` : ' (not compressed)'}, temp ${temp.total.toLocaleString('en-US')} → ${temp.t.length} points`,
    );
    console.log(
      `  page, navigation → charts drawn with data: first (browser and node caches cold) ${ms(pageRuns[0]!.total)}, median ${ms(median(pageRuns.map((r) => r.total)))} over ${RUNS} (TTFB ${ms(median(pageRuns.map((r) => r.ttfb)))})`,
    );
    console.log(`  zoom into the excursion (detail reload, every reading of the window): ${ms(zoom)}`);
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(
      `  production build: JS ${kib(buildSizes.js)} (${kib(buildSizes.jsGz)} gzip, ${kib(buildSizes.jsBr)} brotli) in ${files.filter((f) => f.endsWith('.js')).length} chunks, CSS ${kib(buildSizes.css)}, world map ${kib(buildSizes.atlas)} (${kib(buildSizes.atlasBr)} brotli, fetched by the shipment page)`,
    );
    console.log(
      `  loaded per page (first visit): overview ${weights.overview}; shipment ${weights.shipment}; verify ${weights.verify}`,
    );
    console.log(
      `  fallback without the series route: readings route ${ms(fetched)} for ${(rawText.length / 1024 / 1024).toFixed(1)} MiB (${rawReadings.length.toLocaleString('en-US')} readings, capped), downsampling ${ms(fallbackBuild)}`,
    );
  } finally {
    await browser.close();
    await web.stop();
    built.dispose();
  }
}

await main();
