// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a reader sees
// The dashboard and the public verify page in a real browser (Chromium via
// playwright-core) against a real node that plays scenario S1: what the pages
// show is compared with the node's API and with the chain itself.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import QRCode from 'qrcode';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parametricCoverAbi } from '@tradetwin/contracts/generated/ParametricCover';
import { memberRegistryAbi } from '@tradetwin/contracts/generated/MemberRegistry';
import { decodeSign1, encodeSign1 } from '@tradetwin/core/cose/sign1';
import { fromBase64, type ProofBundle, toBase64 } from '@tradetwin/core/proof/bundle';
import { decodePayload, encodePayload } from '@tradetwin/core/telemetry/payload';
import type { BandExcursion } from '@tradetwin/core/rules/index';
import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { balanceOf } from '../../chain/cover.js';
import { verifyDossier } from '../../claims/dossier/verify.js';
import { type DemoResult, journeyStart, runDemo } from '../../demo/run.js';
import { BAND_RULE_ID, SHIPMENT_ID } from '../../demo/scenario.js';
import { openRawDatabase } from '../../storage/test-support.js';
import { encodeBase64Url } from '../../test-support/base64url.js';
import { testDatabaseUrl } from '../../test-support/node-fixture.js';
import { buildApp, startWebNode, WEB_ROOT, type WebNode } from '../../test-support/web-node.js';

const CHROMIUM = process.env.TRADETWIN_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(WEB_ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`# SKIP browser tests: no Chromium at ${CHROMIUM} (install it, or set TRADETWIN_CHROMIUM)`);

describe('dashboard and verify page in Chromium', { skip: haveChromium ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let web: WebNode;
  let browser: Browser;
  let disposeDist: () => void = () => undefined;
  let demo: DemoResult;
  const pageErrors: string[] = [];
  let session: { name: string; value: string }[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const built = await buildApp();
    disposeDist = built.dispose;
    const start = journeyStart(Date.now());
    web = await startWebNode({
      distDir: built.distDir,
      configure: (c) => {
        if (c.chain.mode === 'embedded') c.chain.genesisTimestamp = Math.floor((start - 3600_000) / 1000);
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    await web.node.access.addUser('viewer.test', 'browser test passphrase', 'viewer');
    const login = await fetch(`${web.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer.test', password: 'browser test passphrase' }),
    });
    assert.equal(login.status, 200);
    session = login.headers.getSetCookie().map((c) => {
      const [name, value] = c.split(';')[0]!.split('=') as [string, string];
      return { name, value };
    });
    // The journey starts when the test node's chain was told it did.
    (web as WebNode & { start: number }).start = start;
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    disposeDist();
  });

  async function open(
    path: string,
    viewport = { width: 1400, height: 1000 },
    extra: Parameters<Browser['newPage']>[0] = {},
  ): Promise<Page> {
    const page = await browser.newPage({ viewport, ...extra });
    // A member's session (the dashboard needs one; /verify does not), as the login page would set it.
    await page.context().addCookies(session.map((c) => ({ ...c, url: web.url })));
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${path}: console: ${m.text()}`);
    });
    await page.goto(web.url + path);
    return page;
  }

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(web.url + path, { headers: { authorization: `Bearer ${web.node.adminToken}` } });
    assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };

  it('overview follows the demo live (SSE): shipment, breach alert, payout appear without a reload', async () => {
    const page = await open('/');
    await page.locator('[data-testid=live-status][data-status=open]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=shipments]', { hasText: 'No shipments yet' }).waitFor({ timeout: 10_000 });
    const start = (web as WebNode & { start: number }).start;
    demo = await runDemo(web.node, start, () => undefined);
    assert.equal(demo.payouts.length, 1, 'the demo paid');
    // Everything arrives through the event stream: no navigation happened.
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=alerts] .alert.breach').first().waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=payout-amount]').waitFor({ timeout: 15_000 });
    // The persistent alert history (GET /api/v1/alerts) lists the breach, followed live.
    await page
      .locator('[data-testid=alert-history] [data-kind=excursion]', { hasText: SHIPMENT_ID })
      .first()
      .waitFor({ timeout: 15_000 });
    const kinds = await page
      .locator('[data-testid=live-feed] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    for (const k of ['ingest', 'anchor', 'excursion', 'payout'])
      assert.ok(kinds.includes(k), `live feed shows a ${k} event (${kinds.join(',')})`);
    const amount = await page.locator('[data-testid=payout-amount]').getAttribute('data-amount');
    assert.equal(amount, demo.payouts[0]!.amount);
    await page.locator('[data-testid=payout-amount]', { hasText: 'tUSD' }).waitFor();
    assert.match(await page.locator('[data-testid=payout-amount]').innerText(), /^100,000\.00 tUSD$/);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
    await page.close();
  });

  it('shipment page: the shaded excursion is the record’s start/end, the payout is the on-chain amount', async () => {
    const state = await api<ShipmentStateJson>(`/api/v1/shipments/${SHIPMENT_ID}`);
    const x = state.excursions.find((e): e is BandExcursion => e.kind === 'band' && e.ruleId === BAND_RULE_ID && e.breached)!;
    assert.ok(x && x.endedAt !== null);
    // A document the carrier added (a logged "document" leaf), for the documents panel.
    const bl = Buffer.from('%PDF-1.4 bill of lading: vaccines, Brussels to Nairobi');
    const added = await fetch(`${web.url}/api/v1/shipments/${SHIPMENT_ID}/documents?type=bill-of-lading&name=bl.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${web.node.adminToken}`, 'content-type': 'application/pdf' },
      body: bl,
    });
    assert.equal(added.status, 201, await added.clone().text());
    const blLeaf = ((await added.json()) as { leafIndex: number }).leafIndex;
    // A second one whose content is then erased beside the log (its leaf stays): listed as missing, no link.
    const erased = await fetch(`${web.url}/api/v1/shipments/${SHIPMENT_ID}/documents?type=packing-list&name=list.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${web.node.adminToken}`, 'content-type': 'text/plain' },
      body: Buffer.from('12 boxes'),
    });
    assert.equal(erased.status, 201);
    const erasedLeaf = ((await erased.json()) as { leafIndex: number }).leafIndex;
    const db = await openRawDatabase({ dataDir: web.t.dataDir, url: testDatabaseUrl(web.t.dataDir) });
    try {
      await db.run('UPDATE documents SET content = NULL WHERE leaf_index = ?', erasedLeaf);
    } finally {
      await db.close();
    }
    const page = await open(`/shipments/${SHIPMENT_ID}`);
    await page.locator('[data-testid=shipment-page][data-ready=true]').waitFor({ timeout: 15_000 });
    const shade = page.locator(`[data-testid=chart-temp] [data-testid=excursion-shade][data-excursion="${x.id}"]`);
    await shade.waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=proof-row][data-verdict=verified]').length >= 3,
      null,
      { timeout: 20_000 },
    );
    await page.locator('[data-testid=route-map] .land').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'shipment.png'), fullPage: true });
    assert.equal(Number(await shade.getAttribute('data-start')), x.startedAt);
    assert.equal(Number(await shade.getAttribute('data-end')), x.endedAt);
    // …and it is drawn there: its pixels are those times on the chart's x scale.
    const shadeGeometry = () =>
      page.evaluate((id) => {
        const chart = document.querySelector('[data-testid=chart-temp]') as HTMLElement;
        const over = chart.querySelector('.u-over') as HTMLElement;
        const el = chart.querySelector(`[data-excursion="${id}"]`) as HTMLElement;
        const o = over.getBoundingClientRect();
        const r = el.getBoundingClientRect();
        return {
          xMin: Number(chart.dataset.xMin),
          xMax: Number(chart.dataset.xMax),
          width: o.width,
          left: r.left - o.left,
          right: r.right - o.left,
        };
      }, x.id);
    const geo = await shadeGeometry();
    const px = (g: typeof geo, t: number) => ((t - g.xMin) / (g.xMax - g.xMin)) * g.width;
    assert.ok(Math.abs(geo.left - px(geo, x.startedAt)) < 1.5, `left edge ${geo.left} ≈ ${px(geo, x.startedAt)}`);
    assert.ok(Math.abs(geo.right - px(geo, x.endedAt!)) < 1.5, `right edge ${geo.right} ≈ ${px(geo, x.endedAt!)}`);
    // Zoomed to the excursion, the window is loaded in full detail and the shade still sits on the record's times.
    const full = Number(await page.locator('[data-testid=chart-temp]').getAttribute('data-total'));
    assert.ok(
      Number(await page.locator('[data-testid=chart-temp]').getAttribute('data-points')) < full,
      'the journey is downsampled',
    );
    await page.locator(`[data-testid=zoom-to][data-excursion="${x.id}"]`).click();
    await page.waitForFunction(
      (t) => Number((document.querySelector('[data-testid=chart-temp]') as HTMLElement).dataset.total) < t,
      full,
      { timeout: 10_000 },
    );
    const chart = page.locator('[data-testid=chart-temp]');
    assert.equal(
      await chart.getAttribute('data-points'),
      await chart.getAttribute('data-total'),
      'every reading of the window drawn',
    );
    const zoomed = await shadeGeometry();
    assert.ok(
      zoomed.xMin < x.startedAt && zoomed.xMax > x.endedAt! && zoomed.xMax - zoomed.xMin < 86_400_000,
      JSON.stringify(zoomed),
    );
    assert.ok(
      Math.abs(zoomed.left - px(zoomed, x.startedAt)) < 1.5 && Math.abs(zoomed.right - px(zoomed, x.endedAt!)) < 1.5,
      JSON.stringify(zoomed),
    );
    await page.locator('[data-testid=conditions]').screenshot({ path: join(ARTIFACTS, 'shipment-chart-zoomed.png') });
    await page.locator('[data-testid=route]').screenshot({ path: join(ARTIFACTS, 'shipment-map.png') });
    const band = page.locator('[data-testid=chart-temp] [data-testid=band]');
    assert.equal(await band.getAttribute('data-min'), '2');
    assert.equal(await band.getAttribute('data-max'), '8');
    assert.ok(Number(await page.locator('[data-testid=chart-rh]').getAttribute('data-points')) > 0, 'humidity chart drawn');

    // Map: planned legs, the travelled track, the last fix.
    const map = page.locator('[data-testid=route-map]');
    assert.equal(await map.getAttribute('data-legs'), '3');
    assert.ok(Number(await map.getAttribute('data-track-points')) > 100, 'track drawn from the tracker positions');
    await page.locator('[data-testid=route-map] .land').waitFor();
    await page.locator('[data-testid=current-position]').waitFor();
    // The location rules on the map: the four places' geofences (Antwerp a circle, Mombasa a polygon) and the
    // DCSA events with a position — arrival and departure at both ports from the crossings, the door opening.
    assert.deepEqual(
      await page
        .locator('[data-testid=geofence]')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-zone')}:${e.getAttribute('data-shape')}`)),
      ['brussels-plant:circle', 'antwerp-port:circle', 'mombasa-port:polygon', 'nairobi-store:circle'],
    );
    const box = await page.locator('[data-testid=geofence][data-zone=antwerp-port]').boundingBox();
    assert.ok(box && box.width < 200, 'a zone, not the globe around it');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=dcsa-marker]').length >= 5, null, {
      timeout: 10_000,
    });
    const codes = await page
      .locator('[data-testid=dcsa-marker]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.deepEqual(codes.filter((c) => c === 'ARRI' || c === 'DEPA').sort(), ['ARRI', 'ARRI', 'DEPA', 'DEPA']);
    assert.equal(await page.locator('[data-testid=deviation]').count(), 0, 'the journey kept to its route');
    // The command log needs commands:read, which a viewer has not: the panel says so.
    await page.locator('[data-testid=command-log-denied]').waitFor();
    // The documents panel lists it (a viewer may read the shipment); its link downloads the content (checked against its leaf).
    const doc = page.locator(`[data-testid=document][data-leaf="${blLeaf}"]`);
    await doc.waitFor({ timeout: 10_000 });
    assert.match(await doc.innerText(), /Bill of lading\s+bl\.pdf\s+application\/pdf, 5\d B/);
    const href = (await doc.locator('[data-testid=document-link]').getAttribute('href'))!;
    const fetched = await page.request.get(web.url + href);
    assert.equal(fetched.status(), 200);
    assert.match(fetched.headers()['content-disposition'] ?? '', /^attachment; filename="bl\.pdf"/);
    assert.deepEqual(Buffer.from(await fetched.body()), bl);
    const missing = page.locator(`[data-testid=document][data-leaf="${erasedLeaf}"]`);
    assert.match(await missing.locator('[data-testid=document-missing]').innerText(), /list\.txt \(content missing\)/);
    assert.equal(await missing.locator('[data-testid=document-link]').count(), 0);

    // Payout: the amount the page shows (read by the page from the receipt) is the chain's, as the test reads it.
    const payout = state.payouts[0]!;
    const policy = state.policies.find((p) => p.policyId === payout.policyId)!;
    const client = web.node.clients.publicClient;
    const events = await client.getContractEvents({
      address: policy.cover,
      abi: parametricCoverAbi,
      eventName: 'ClaimPaid',
      fromBlock: 0n,
      strict: true,
    });
    assert.equal(events.length, 1);
    const onChain = events[0]!.args.amount;
    assert.equal(events[0]!.transactionHash, payout.txHash);
    const shown = page.locator('[data-testid=payout-onchain]');
    await page.locator('[data-testid=payout-onchain][data-status=success]').waitFor({ timeout: 10_000 });
    assert.equal(BigInt((await shown.getAttribute('data-amount'))!), onChain);
    assert.match(await shown.innerText(), /100,000\.00 tUSD.*matches the node's record/s);
    const balance = await balanceOf(web.node.clients, demo.contracts.token as `0x${string}`, policy.terms.holder!);
    assert.equal(balance, 10_000_000_000n - 1_200_000_000n + onChain, "the holder's token balance holds the payout");

    // The claim dossier: the viewer's button saves the package the node built and signed; it verifies offline.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=dossier-button]').click()]);
    assert.match(download.suggestedFilename(), new RegExp(`^dossier-${SHIPMENT_ID}-policy-${policy.policyId}-.*\\.zip$`));
    const dossier = await verifyDossier(readFileSync(await download.path()), { expectSigner: web.node.address });
    assert.equal(dossier.ok, true, JSON.stringify(dossier.checks.filter((c) => !c.ok)));
    await page.locator('[data-testid=dossier-saved]').waitFor();

    // Evidence: the breach's first, peak and closing readings verified in the page against the chain.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=proof-row]')].filter((e) => e.getAttribute('data-verdict') === 'verified')
          .length >= 3,
      null,
      { timeout: 20_000 },
    );
    const verdicts = await page
      .locator('[data-testid=proof-row]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
    assert.ok(verdicts.length >= 3 && verdicts.every((v) => v === 'verified'), verdicts.join(','));
    const anchored = await api<{ anchor: { size: number } }>('/api/v1/status');
    assert.equal(Number(await page.locator('[data-testid=anchored-size]').getAttribute('data-size')), anchored.anchor.size);

    // The timeline tells the story in order: the breach, its anchor, the payout.
    const kinds = await page
      .locator('[data-testid=timeline] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    const firstExcursion = kinds.indexOf('excursion');
    assert.ok(
      firstExcursion >= 0 && kinds.indexOf('anchor') > firstExcursion && kinds.lastIndexOf('payout') > kinds.indexOf('anchor'),
      kinds.join(','),
    );

    // The QR code on the evidence panel encodes this node's verify URL for the peak reading.
    const qr = page.locator('[data-testid=evidence-qr]');
    const url = `${web.url}/verify/${x.evidence.readingIds.peak}`;
    assert.equal(await qr.getAttribute('data-url'), url);
    const expected = await QRCode.toString(url, {
      type: 'svg',
      margin: 1,
      errorCorrectionLevel: 'M',
      color: { dark: '#14212bff', light: '#ffffffff' },
    });
    const normalised = await page.evaluate((svg) => {
      const el = document.createElement('span');
      el.innerHTML = svg;
      return el.innerHTML;
    }, expected);
    assert.equal(await qr.locator('span[role=img]').innerHTML(), normalised);

    await page.close();
  });

  it('verify page: VERIFIED for a real reading, with what was measured', async () => {
    const x = demo.excursions.find((e): e is BandExcursion => e.kind === 'band' && e.ruleId === BAND_RULE_ID)!;
    const id = x.evidence.readingIds.peak;
    const page = await open(`/verify/${id}`);
    const verdict = page.locator('[data-testid=verdict]');
    await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
    assert.equal(await verdict.getAttribute('data-verdict'), 'verified', await verdict.innerText());
    assert.match(await verdict.innerText(), /^✓\s+VERIFIED\s/);
    const checks = await page
      .locator('[data-check]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-ok')]));
    assert.deepEqual(
      checks.map(([n]) => n),
      ['envelope', 'reading', 'leaf', 'leaf-hash', 'inclusion', 'tree-head', 'anchor', 'device'],
    );
    assert.ok(checks.every(([, ok]) => ok === 'true'));
    // Provenance: the value and time of the reading the node serves under this id, for the demo's shipment.
    const [leaf, pos] = id.split(':').map(Number) as [number, number];
    const stored = await api<{ telemetry: { deviceId: string; readings: { t: number; k: string; v: number }[] } }>(
      `/api/v1/log/leaves/${leaf}`,
    );
    const r = stored.telemetry.readings[pos]!;
    assert.equal(r.v, x.peak);
    assert.equal(await page.locator('[data-testid=reading-value]').innerText(), `${r.v.toFixed(2)} °C`);
    await page.locator('[data-testid=reading-shipment]', { hasText: SHIPMENT_ID }).waitFor();
    const prov = await page.locator('[data-testid=provenance]').innerText();
    assert.ok(prov.includes(stored.telemetry.deviceId));
    assert.ok(prov.includes(new Date(r.t).toISOString().slice(0, 19).replace('T', ' ')));
    await page.screenshot({ path: join(ARTIFACTS, 'verify-desktop.png'), fullPage: true });
    await page.close();
  });

  it('verify page: a tampered bundle is NOT VERIFIED, naming the check that failed', async () => {
    const id = demo.proof.readingId;
    const bundle = await api<ProofBundle>(`/api/v1/readings/${id}/bundle`);
    const cases: { name: string; tamper: (b: ProofBundle) => ProofBundle; failed: string[] }[] = [
      {
        name: 'inclusion path',
        tamper: (b) => ({
          ...b,
          inclusion: { ...b.inclusion, path: b.inclusion.path.map((p, i) => (i === 0 ? (`0x${'ab'.repeat(32)}` as const) : p)) },
        }),
        failed: ['inclusion'],
      },
      {
        // The reading's value lowered back into the band, the device's signature kept: it no longer verifies.
        name: 'reading value',
        tamper: (b) => {
          const m = decodeSign1(fromBase64(b.envelope));
          const p = decodePayload(m.payload);
          const pos = Number(b.readingId.split(':')[1]);
          p.r[pos] = { ...p.r[pos]!, v: 5 } as (typeof p.r)[number];
          return {
            ...b,
            envelope: toBase64(encodeSign1({ alg: m.alg, kid: m.kid, payload: encodePayload(p), signature: m.signature })),
          };
        },
        failed: ['envelope', 'leaf'],
      },
      {
        // A root the node never anchored: the head signature and the chain both refuse it.
        name: 'tree head root',
        tamper: (b) => ({ ...b, treeHead: { ...b.treeHead, root: `0x${'11'.repeat(32)}` } }),
        failed: ['inclusion', 'tree-head', 'anchor'],
      },
    ];
    for (const c of cases) {
      const page = await open(`/verify?bundle=${encodeBase64Url(JSON.stringify(c.tamper(bundle)))}`);
      await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
      const verdict = page.locator('[data-testid=verdict]');
      assert.equal(await verdict.getAttribute('data-verdict'), 'not-verified', c.name);
      assert.deepEqual((await verdict.getAttribute('data-failed'))!.split(','), c.failed, c.name);
      const text = await verdict.innerText();
      assert.match(text, /NOT VERIFIED/);
      for (const f of c.failed) assert.ok(text.includes(`(${f})`), `${c.name}: the verdict names ${f}: ${text}`);
      for (const f of c.failed) assert.equal(await page.locator(`[data-check="${f}"]`).getAttribute('data-ok'), 'false');
      if (c.name === 'reading value') await page.screenshot({ path: join(ARTIFACTS, 'verify-tampered.png'), fullPage: true });
      await page.close();
    }
    // The untouched bundle given the same way verifies.
    const page = await open(`/verify?bundle=${encodeBase64Url(JSON.stringify(bundle))}`);
    await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'verified');
    await page.close();
  });

  it('on a phone (390×844): the verify verdict is readable without horizontal scroll, and the dashboard fits', async () => {
    const page = await open(
      `/verify/${demo.proof.readingId}`,
      { width: 390, height: 844 },
      { deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    );
    await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=checks]').waitFor();
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'verified');
    const m = await page.evaluate(() => {
      const v = document.querySelector('[data-testid=verdict]')!.getBoundingClientRect();
      const h1 = document.querySelector('[data-testid=verdict] h1')!.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        v: { left: v.left, right: v.right, top: v.top, bottom: v.bottom },
        h1Height: h1.height,
      };
    });
    assert.ok(m.scrollWidth <= m.clientWidth, `no horizontal scroll: scrollWidth ${m.scrollWidth} > ${m.clientWidth}`);
    assert.ok(m.v.left >= 0 && m.v.right <= 390, `verdict inside the viewport: ${JSON.stringify(m.v)}`);
    assert.ok(m.v.bottom <= 844, 'verdict above the fold');
    assert.ok(m.h1Height < 60, `verdict title on one line (${m.h1Height}px)`);
    await page.screenshot({ path: join(ARTIFACTS, 'verify-phone.png'), fullPage: false });
    await page.screenshot({ path: join(ARTIFACTS, 'verify-phone-full.png'), fullPage: true });
    // The dashboard holds on a phone too: wide tables scroll inside their cards, not the page.
    for (const [path, ready] of [
      ['/', `[data-shipment="${SHIPMENT_ID}"]`],
      [`/shipments/${SHIPMENT_ID}`, '[data-testid=shipment-page][data-ready=true] [data-testid=chart-temp] canvas'],
    ] as const) {
      await page.goto(web.url + path);
      await page.locator(ready).waitFor({ timeout: 15_000 });
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(w[0]! <= w[1]!, `${path}: no horizontal scroll on a phone (${w[0]} > ${w[1]})`);
      await page.screenshot({ path: join(ARTIFACTS, `phone${path === '/' ? '-overview' : '-shipment'}.png`), fullPage: true });
    }
    await page.close();
  });

  it('devices and members pages show the registry and the consortium as the chain has them', async () => {
    const page = await open('/devices');
    for (const id of ['reefer-logger-001', 'gps-tracker-001']) {
      const row = page.locator(`[data-device="${id}"]`);
      await row.waitFor({ timeout: 10_000 });
      assert.match(await row.innerText(), /registered/);
      await row.locator('.badge', { hasText: 'key matches' }).waitFor({ timeout: 10_000 });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'devices.png'), fullPage: true });
    await page.goto(`${web.url}/members`);
    await page.locator('[data-org]').first().waitFor({ timeout: 10_000 });
    const admitted = await web.node.clients.publicClient.getContractEvents({
      address: web.node.contracts.memberRegistry,
      abi: memberRegistryAbi,
      eventName: 'MemberAdmitted',
      fromBlock: 0n,
      strict: true,
    });
    const rows = await page
      .locator('[data-org]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-org'), (e as HTMLElement).innerText]));
    assert.equal(rows.length, admitted.length);
    for (const e of admitted) {
      const row = rows.find(([org]) => org === String(e.args.orgId));
      assert.ok(row, `org ${e.args.orgId} listed`);
      assert.ok(row[1]!.includes(e.args.name), `${e.args.name} shown`);
    }
    assert.deepEqual(admitted.map((e) => e.args.name).slice(-2), ['Pharma Manufacturer NV', 'Cold Chain Insurance plc']);
    await page.locator('[data-org] .badge', { hasText: 'runs this node' }).waitFor();
    // The demo admitted both by vote: two executed proposals, the insurer's with two organisations' yes.
    const proposals = page.locator('[data-testid="proposals-card"] [data-proposal]');
    await proposals.first().waitFor({ timeout: 10_000 });
    const texts = await proposals.evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText));
    assert.equal(texts.length, 2, texts.join('\n'));
    assert.match(texts[0]!, /Admit\s+Cold Chain Insurance plc[\s\S]*executed[\s\S]*2 yes, 0 no of 2/);
    assert.match(texts[1]!, /Admit\s+Pharma Manufacturer NV[\s\S]*executed[\s\S]*1 yes, 0 no of 1/);
    await page.screenshot({ path: join(ARTIFACTS, 'members.png'), fullPage: true });
    await page.close();
  });

  it('raised no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
