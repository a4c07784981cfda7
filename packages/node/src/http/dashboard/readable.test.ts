// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a reader sees
// The dashboard as people read it, in Chromium against a node that played
// scenario S1: money in the token's symbol, organisations by name, times in a
// display zone chosen in the page (UTC by default); and the defects issue 15
// found — the verify page telling "not found" from "forged" and showing the
// value against its band, a status badge that never shows green beside
// breaches, actual departures and arrivals against the plan, phone layouts,
// charts with tooltips and a text alternative, a title per page.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodeSign1, encodeSign1 } from '@tradetwin/core/cose/sign1';
import { fromBase64, type ProofBundle, toBase64 } from '@tradetwin/core/proof/bundle';
import type { BandExcursion } from '@tradetwin/core/rules/index';
import { decodePayload, encodePayload } from '@tradetwin/core/telemetry/payload';
import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { orgOf, readMember } from '../../chain/members.js';
import { type DemoResult, journeyStart, runDemo } from '../../demo/run.js';
import { BAND_RULE_ID, SHIPMENT_ID } from '../../demo/scenario.js';
import { encodeBase64Url } from '../../test-support/base64url.js';
import { buildApp, startWebNode, WEB_ROOT, type WebNode } from '../../test-support/web-node.js';

const CHROMIUM = process.env.TRADETWIN_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(WEB_ROOT, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);
const PHONE = { width: 390, height: 844 };

describe('the dashboard as people read it (Chromium)', { skip: haveChromium ? false : `no Chromium at ${CHROMIUM}` }, () => {
  let web: WebNode;
  let browser: Browser;
  let disposeDist: () => void = () => undefined;
  let demo: DemoResult;
  let state: ShipmentStateJson;
  let breach: BandExcursion;
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
    demo = await runDemo(web.node, start, () => undefined);
    assert.equal(demo.payouts.length, 1, 'the demo paid');
    state = await api<ShipmentStateJson>(`/api/v1/shipments/${SHIPMENT_ID}`);
    breach = state.excursions.find((e): e is BandExcursion => e.kind === 'band' && e.ruleId === BAND_RULE_ID && e.breached)!;
    assert.ok(breach);
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
    signedIn = true,
  ): Promise<Page> {
    const page = await browser.newPage({ viewport, ...extra });
    if (signedIn) await page.context().addCookies(session.map((c) => ({ ...c, url: web.url })));
    // tsx names the functions it compiles (esbuild keepNames); the ones passed to page.evaluate need its helper there.
    await page.addInitScript('globalThis.__name = (f) => f');
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${path}: console: ${m.text()}`);
    });
    await page.goto(web.url + path);
    return page;
  }

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(web.url + path, { headers: { authorization: `Bearer ${web.node.adminToken}` } });
    assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  const orgName = async (account: `0x${string}`) =>
    (await readMember(
      web.node.clients,
      web.node.contracts.memberRegistry,
      await orgOf(web.node.clients, web.node.contracts.memberRegistry, account),
    ))!.name;

  it('overview: the payout in tUSD, attesters by name (address on hover), a breached shipment never green', async () => {
    const page = await open('/');
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`).waitFor({ timeout: 15_000 });
    assert.equal(await page.title(), 'Overview · TradeTwin');
    const amount = page.locator('[data-testid=payout-amount]');
    await amount.waitFor();
    assert.equal(await amount.innerText(), '100,000.00 tUSD');
    assert.equal(await amount.getAttribute('data-amount'), demo.payouts[0]!.amount, 'raw units kept');
    // Attesters by name, each address whole in its title.
    const payout = state.payouts[0]!;
    const attesters = page.locator(`[data-payout="${payout.txHash}"] .org`);
    await page
      .locator(`[data-payout="${payout.txHash}"] .org[data-org-name="Cold Chain Insurance plc"]`)
      .waitFor({ timeout: 10_000 });
    const shown = await attesters.evaluateAll((els) => els.map((e) => [e.getAttribute('title'), (e as HTMLElement).innerText]));
    assert.equal(shown.length, payout.signers.length);
    for (const [i, signer] of payout.signers.entries()) {
      assert.equal(shown[i]![0], signer);
      assert.ok(shown[i]![1]!.startsWith(await orgName(signer)), String(shown[i]![1]));
    }
    // S1 arrived with a breach: its status badge is red and says so.
    assert.ok(state.breached > 0 && state.status === 'arrived');
    const badge = page.locator(`[data-shipment="${SHIPMENT_ID}"] [data-testid=shipment-status]`);
    assert.equal(await badge.getAttribute('data-tone'), 'bad');
    assert.equal(await badge.innerText(), `arrived · ${state.breached} breached`);
    assert.equal(await page.locator(`[data-shipment="${SHIPMENT_ID}"] .badge.ok`, { hasText: 'arrived' }).count(), 0);
    await page.close();
  });

  it('times in a display zone and locale chosen in the page, kept across reloads; UTC by default', async () => {
    const page = await open('/');
    const when = page.locator(`[data-shipment="${SHIPMENT_ID}"] td`).nth(1).locator('.muted');
    await when.waitFor({ timeout: 15_000 });
    const arrival = state.shipment.legs[state.shipment.legs.length - 1]!.plannedArrival;
    const utc = new Date(arrival).toISOString().slice(0, 16).replace('T', ' ');
    assert.ok((await when.innerText()).includes(`${utc} UTC`), await when.innerText());
    // The node's own default (config.display) is UTC with ISO-like dates, and its status says so.
    assert.deepEqual((await api<{ display: unknown }>('/api/v1/status')).display, { timeZone: 'UTC', locale: null });

    await page.locator('[data-testid=display-menu] summary').click();
    await page.locator('[data-testid=display-timezone]').selectOption('Africa/Nairobi');
    const nairobi = new Date(arrival + 3 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`, { hasText: `${nairobi} GMT+3` }).waitFor({ timeout: 5_000 });
    // Kept in this browser: a reload shows the same zone.
    await page.reload();
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`, { hasText: `${nairobi} GMT+3` }).waitFor({ timeout: 15_000 });
    // A locale: the date as that locale writes it, in the chosen zone.
    await page.locator('[data-testid=display-menu] summary').click();
    await page.locator('[data-testid=display-locale]').selectOption('de-DE');
    const german = new Intl.DateTimeFormat('de-DE', {
      timeZone: 'Africa/Nairobi',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(arrival);
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`, { hasText: german }).waitFor({ timeout: 5_000 });
    // The shipment page follows the same choice (its chart axis and timeline too).
    await page.goto(`${web.url}/shipments/${SHIPMENT_ID}`);
    await page.locator('[data-testid=timeline]', { hasText: 'GMT+3' }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'display-zone.png'), fullPage: false });
    await page.locator('[data-testid=display-menu] summary').click();
    await page.locator('[data-testid=display-menu] button', { hasText: 'Back to UTC' }).click();
    await page.locator('[data-testid=timeline]', { hasText: ' UTC' }).waitFor();
    assert.equal(await page.locator('[data-testid=timeline]', { hasText: 'GMT+3' }).count(), 0);
    await page.close();
  });

  it('shipment page: departures and arrivals actual against planned, parties by name, chart tooltip and text alternative', async () => {
    const page = await open(`/shipments/${SHIPMENT_ID}`);
    await page.locator('[data-testid=shipment-page][data-ready=true]').waitFor({ timeout: 15_000 });
    assert.equal(await page.title(), `Shipment ${SHIPMENT_ID} · TradeTwin`);
    assert.equal(await page.locator('h1 [data-testid=shipment-status]').getAttribute('data-tone'), 'bad');

    // Timeline: every leg's departure and arrival, the plan and what the tracker's positions show.
    const legs = await page.locator('[data-testid=timeline] li[data-kind=leg]').evaluateAll((els) =>
      els.map((e) => ({
        planned: Number(e.getAttribute('data-planned')),
        actual: e.getAttribute('data-actual'),
        text: (e as HTMLElement).innerText,
      })),
    );
    const planned = state.shipment.legs.flatMap((l) => [l.plannedDeparture, l.plannedArrival]);
    assert.deepEqual(
      legs.map((l) => l.planned),
      planned,
    );
    for (const l of legs) {
      assert.ok(l.actual, `an actual time for ${l.text} (${JSON.stringify(legs)})`);
      // The demo's tracker follows the plan: within the 15 min a fix takes, the downsampled track's bucket, and the 5 km radius.
      assert.ok(Math.abs(Number(l.actual) - l.planned) <= 6 * 3600_000, `${l.text}: actual ${l.actual} vs planned ${l.planned}`);
      assert.match(l.text, /planned .* · actual /);
      assert.match(l.text, /(departed|arrived) /);
      assert.match(l.text, /on time|late|early/);
    }

    // The policy holder and the attesters by name.
    const holder = page.locator('[data-testid=policy-holder]');
    await page.locator('[data-testid=policy-holder][data-org-name="Pharma Manufacturer NV"]').waitFor({ timeout: 10_000 });
    assert.equal(await holder.getAttribute('title'), state.policies[0]!.terms.holder);
    await page.locator('[data-testid=attested-by][data-org-name="Cold Chain Insurance plc"]').waitFor();
    await page.locator('[data-testid=paid-to][data-org-name="Pharma Manufacturer NV"]').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('[data-testid=payout-node-amount]').innerText(), /^100,000\.00 tUSD$/);

    // Tooltip: the reading under the pointer, its value and time in words.
    const chart = page.locator('[data-testid=chart-temp]');
    const over = await chart.locator('.u-over').boundingBox();
    assert.ok(over);
    await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
    const tip = chart.locator('[data-testid=chart-tooltip]');
    await tip.waitFor({ state: 'visible', timeout: 5_000 });
    const v = Number(await tip.getAttribute('data-value'));
    const t = Number(await tip.getAttribute('data-t'));
    assert.equal(await tip.innerText(), `${v.toFixed(2)} °C · ${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    // …which is the reading the node holds under that id.
    const [leafIndex, pos] = (await tip.getAttribute('data-reading'))!.split(':').map(Number) as [number, number];
    const leaf = await api<{ telemetry: { readings: { t: number; v: number }[] } }>(`/api/v1/log/leaves/${leafIndex}`);
    assert.deepEqual([leaf.telemetry.readings[pos]!.t, leaf.telemetry.readings[pos]!.v], [t, v]);
    await page.locator('[data-testid=conditions]').screenshot({ path: join(ARTIFACTS, 'chart-tooltip.png') });

    // Text alternative: the chart says what it shows, and a table lists it.
    const label = (await chart.getAttribute('aria-label'))!;
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.match(
      label,
      /^Temperature of .*readings; lowest .* highest .* allowed 2\.00 °C to 8\.00 °C; \d+ excursions? outside the band \(\d+ breached\)\.$/,
    );
    const summary = page.locator('[data-testid=chart-summary-temp]');
    await summary.locator('summary').click();
    const highest = summary.locator('tr', { hasText: 'Highest' });
    const highestValue = Number.parseFloat(await highest.locator('td').first().innerText());
    assert.ok(highestValue >= breach.peak - 0.005, `highest ${highestValue} ≥ the breach peak ${breach.peak}`);
    assert.ok(label.includes(`highest ${highestValue.toFixed(2)} °C`), label);
    await summary.locator(`tr[data-excursion="${breach.id}"]`, { hasText: `peak ${breach.peak.toFixed(2)} °C` }).waitFor();
    const verifyHref = await summary.locator(`tr[data-excursion="${breach.id}"] a`).getAttribute('href');
    assert.equal(verifyHref, `/verify/${breach.evidence.readingIds.peak}`);
    await page.close();
  });

  it('verify page: not found is not forged; a forged reading says so; the value against its band; its own title', async () => {
    // Not found: nothing checked, and nothing said about forgery.
    const missing = await open('/verify/999999:0', undefined, {}, false);
    const verdict = missing.locator('[data-testid=verdict]');
    await missing.locator('[data-testid=verdict][data-verdict=not-found]').waitFor({ timeout: 10_000 });
    const text = await verdict.innerText();
    assert.match(text, /NOT FOUND/);
    assert.doesNotMatch(text, /NOT VERIFIED|Forged/);
    assert.equal(await missing.title(), 'Verify reading 999999:0 · TradeTwin');
    await missing.screenshot({ path: join(ARTIFACTS, 'verify-not-found.png') });
    await missing.close();
    // The same for an EPCIS event this node never captured (a member asking).
    const eventId = 'ni:///sha-256;0000000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0';
    const noEvent = await open(`/verify/event/${encodeURIComponent(eventId)}`);
    await noEvent.locator('[data-testid=verdict][data-verdict=not-found]').waitFor({ timeout: 10_000 });
    assert.match(await noEvent.locator('[data-testid=verdict]').innerText(), /NOT FOUND[\s\S]*no EPCIS event/);
    assert.equal(await noEvent.title(), 'Verify an EPCIS event · TradeTwin');
    await noEvent.close();

    // Forged: the value changed under the device's signature.
    const id = breach.evidence.readingIds.peak;
    const bundle = await api<ProofBundle>(`/api/v1/readings/${id}/bundle`);
    const m = decodeSign1(fromBase64(bundle.envelope));
    const p = decodePayload(m.payload);
    const at = Number(id.split(':')[1]);
    p.r[at] = { ...p.r[at]!, v: 5 } as (typeof p.r)[number];
    const forged = {
      ...bundle,
      envelope: toBase64(encodeSign1({ alg: m.alg, kid: m.kid, payload: encodePayload(p), signature: m.signature })),
    };
    const page = await open(`/verify?bundle=${encodeBase64Url(JSON.stringify(forged))}`, undefined, {}, false);
    await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'not-verified');
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-reason'), 'forged');
    assert.match(await page.locator('[data-testid=verdict-reason]').innerText(), /^Forged or altered\./);
    assert.equal(await page.title(), 'Verify a proof bundle · TradeTwin');
    await page.close();

    // A real reading, by a member: the value against the shipment's band; the log operator by name.
    const real = await open(`/verify/${id}`);
    await real.locator('[data-testid=verdict][data-verdict=verified]').waitFor({ timeout: 20_000 });
    const band = real.locator('[data-testid=reading-band]');
    await band.waitFor({ timeout: 10_000 });
    assert.deepEqual([await band.getAttribute('data-min'), await band.getAttribute('data-max')], ['2', '8']);
    const above = breach.peak - 8;
    assert.ok(Math.abs(Number(await band.getAttribute('data-outside')) - above) < 1e-6);
    assert.equal(await band.innerText(), `${above.toFixed(2)} °C above the allowed 2.00 °C – 8.00 °C (rule ${BAND_RULE_ID})`);
    const operator = real.locator('[data-testid=log-operator]');
    await real.locator('[data-testid=log-operator]:not([data-org-name=""])').waitFor({ timeout: 10_000 });
    assert.equal(await operator.getAttribute('data-org-name'), await orgName(bundle.treeHead.signer));
    assert.equal(await operator.getAttribute('title'), bundle.treeHead.signer);
    assert.equal(await real.title(), `Verify reading ${id} · TradeTwin`);
    await real.screenshot({ path: join(ARTIFACTS, 'verify-band.png'), fullPage: true });
    await real.close();
  });

  it('each page its own title', async () => {
    const page = await open('/devices');
    for (const [path, title] of [
      ['/devices', 'Devices · TradeTwin'],
      ['/members', 'Members · TradeTwin'],
      ['/verify', 'Verify · TradeTwin'],
      ['/', 'Overview · TradeTwin'],
    ] as const) {
      await page.goto(web.url + path);
      await page.waitForFunction((t) => document.title === t, title, { timeout: 10_000 }).catch(() => undefined);
      assert.equal(await page.title(), title, `${path}: ${await page.locator('main').innerText()}`);
    }
    await page.close();
    const signIn = await open('/', undefined, {}, false);
    await signIn.locator('[data-testid=login]').waitFor();
    assert.equal(await signIn.title(), 'Sign in · TradeTwin');
    await signIn.close();
  });

  it('on a phone (390×844, touch): nothing clipped — tables scroll in their cards — and no instruction needs a mouse', async () => {
    const page = await open(`/`, PHONE, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true, 'the phone has a coarse pointer');
    for (const [path, ready] of [
      ['/', `[data-shipment="${SHIPMENT_ID}"]`],
      [`/shipments/${SHIPMENT_ID}`, '[data-testid=shipment-page][data-ready=true] [data-testid=chart-temp] canvas'],
      [`/verify/${demo.proof.readingId}`, '[data-testid=checks]'],
      ['/devices', '[data-device]'],
      ['/members', '[data-org]'],
    ] as const) {
      await page.goto(web.url + path);
      await page.locator(ready).first().waitFor({ timeout: 20_000 });
      // Open every table's disclosure so hidden tables are measured too.
      await page.evaluate(() => {
        for (const d of document.querySelectorAll('main details')) (d as HTMLDetailsElement).open = true;
      });
      const clipped = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const scrolls = (e: Element | null): boolean => {
          for (let a = e; a && a !== document.body; a = a.parentElement) {
            const o = getComputedStyle(a).overflowX;
            if ((o === 'auto' || o === 'scroll') && a.getBoundingClientRect().right <= width + 1) return true;
          }
          return false;
        };
        const out: string[] = [];
        for (const e of document.querySelectorAll('main *')) {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || r.right <= width + 1 || getComputedStyle(e).position === 'absolute') continue;
          if (e.closest('.u-wrap, .chart')) continue; // the canvas is sized to its card
          if ((e as SVGElement).ownerSVGElement) continue; // an SVG clips what it draws to its own box (the route map)
          if (!scrolls(e.parentElement))
            out.push(`${e.tagName.toLowerCase()}.${String(e.getAttribute('class'))} right ${Math.round(r.right)}`);
        }
        return out;
      });
      assert.deepEqual(clipped, [], `${path}: elements past the right edge outside a scrolling container`);
      const tables = await page.evaluate(() =>
        [...document.querySelectorAll('main table')].map((t) => {
          const wrap = t.closest('.table-wrap');
          return wrap ? getComputedStyle(wrap).overflowX : 'none';
        }),
      );
      assert.ok(
        tables.every((o) => o === 'auto' || o === 'scroll'),
        `${path}: every table scrolls in its card (${tables.join(',')})`,
      );
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /\b(hover|double-click|drag|click)\b/i, `${path}: an instruction only a mouse can follow`);
      await page.screenshot({ path: join(ARTIFACTS, `phone-${path.split('/')[1] || 'overview'}.png`), fullPage: true });
    }
    // The Times menu opens inside the screen.
    await page.goto(`${web.url}/`);
    await page.locator('[data-testid=display-menu] summary').tap();
    const panel = await page.locator('.display-panel').boundingBox();
    assert.ok(
      panel && panel.x >= 0 && panel.x + panel.width <= PHONE.width,
      `Times menu inside the screen: ${JSON.stringify(panel)}`,
    );
    await page.locator(`[data-shipment="${SHIPMENT_ID}"]`).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'phone-times-menu.png'), fullPage: false });
    await page.close();
  });

  it('raised no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
