// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a reader sees
// The verify page checks an EPCIS event's proof in a real browser (Chromium via playwright-core)
// against a real node: an event captured over the GS1 REST binding, its head anchored on the node's
// chain. The genuine proof reads VERIFIED with every check passed (the hash ID recomputed in the
// browser, the leaf, the inclusion proof, the signed head, the root read back from LogAnchor); the
// same proof with the event edited, or with a head root the chain never saw, reads NOT VERIFIED and
// names the checks that failed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { EVENT_CHECKS, type EventProof } from '@tradetwin/core/proof/epcis-event';
import { encodeBase64Url } from '../../test-support/base64url.js';
import { buildApp, startWebNode, type WebNode } from '../../test-support/web-node.js';

const CHROMIUM = process.env.TRADETWIN_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

const EVENT = {
  '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { ex: 'https://ns.example.com/epcis/' }],
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: ['urn:epc:id:sgtin:4012345.011111.verify-1'],
  action: 'OBSERVE',
  bizStep: 'receiving',
  readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
  'ex:dockDoor': '7',
};

describe('verify page checks an EPCIS event proof, in Chromium', {
  skip: haveChromium ? false : `no Chromium at ${CHROMIUM}`,
}, () => {
  let web: WebNode;
  let browser: Browser;
  let disposeDist: () => void = () => undefined;
  let eventID: string;
  let proof: EventProof;
  let cookies: { name: string; value: string }[] = [];
  const pageErrors: string[] = [];

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(web.url + path, {
      ...init,
      headers: { authorization: `Bearer ${web.node.adminToken}`, 'content-type': 'application/json', ...init.headers },
    });

  before(async () => {
    const built = await buildApp();
    disposeDist = built.dispose;
    web = await startWebNode({ distDir: built.distDir });
    const res = await admin('/epcis/events', { method: 'POST', body: JSON.stringify(EVENT) });
    const created = (await res.json()) as { eventID: string };
    assert.equal(res.status, 201, JSON.stringify(created));
    eventID = created.eventID;
    await web.node.anchorer.anchorNow();
    const p = await admin(`/epcis/events/${encodeURIComponent(eventID)}/proof`);
    assert.equal(p.status, 200);
    proof = (await p.json()) as EventProof;
    assert.ok(proof.anchor?.txHash, 'the proof names its anchor');

    await web.node.access.addUser('viewer.epcis', 'epcis verify passphrase', 'viewer');
    const login = await fetch(`${web.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer.epcis', password: 'epcis verify passphrase' }),
    });
    assert.equal(login.status, 200);
    cookies = login.headers.getSetCookie().map((c) => {
      const [name, value] = c.split(';')[0]!.split('=') as [string, string];
      return { name, value };
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    disposeDist();
  });

  async function open(path: string, withSession: boolean): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    if (withSession) await page.context().addCookies(cookies.map((c) => ({ ...c, url: web.url })));
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    await page.goto(web.url + path);
    await page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });
    return page;
  }

  const checksOf = (page: Page) =>
    page
      .locator('[data-testid=checks] li')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-ok')] as const));

  it("the node's proof of a captured event reads VERIFIED: hash ID recomputed, leaf, inclusion, signed head, anchor on chain", async () => {
    const page = await open(`/verify/event/${encodeURIComponent(eventID)}`, true);
    const verdict = page.locator('[data-testid=verdict]');
    assert.equal(await verdict.getAttribute('data-verdict'), 'verified', await verdict.innerText());
    assert.deepEqual(
      await checksOf(page),
      EVENT_CHECKS.map((name) => [name, 'true']),
    );
    assert.equal(await page.locator('[data-testid=event-id]').innerText(), eventID);
    assert.equal(await page.locator('[data-testid=event-bizstep]').innerText(), 'receiving');
    assert.match(await verdict.getAttribute('data-rpc').then(String), /^http/, 'checked against a chain endpoint');
    await page.close();
  });

  it('the same proof given in a link (no session) verifies too', async () => {
    const page = await open(`/verify?event=${encodeBase64Url(JSON.stringify(proof))}`, false);
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'verified');
    await page.close();
  });

  const tampered: [string, (p: EventProof) => EventProof, string[]][] = [
    [
      'the event edited (another business step)',
      (p) => ({ ...p, event: { ...p.event, bizStep: 'shipping' } }),
      ['event', 'hash-id'],
    ],
    [
      'a head root the chain never anchored',
      (p) => ({ ...p, treeHead: { ...p.treeHead, root: `0x${'ab'.repeat(32)}` } }),
      ['inclusion', 'tree-head', 'anchor'],
    ],
  ];
  for (const [what, change, failed] of tampered) {
    it(`a tampered proof (${what}) reads NOT VERIFIED, naming ${failed.join(', ')}`, async () => {
      const page = await open(`/verify?event=${encodeBase64Url(JSON.stringify(change(structuredClone(proof))))}`, false);
      const verdict = page.locator('[data-testid=verdict]');
      assert.equal(await verdict.getAttribute('data-verdict'), 'not-verified');
      assert.deepEqual((await verdict.getAttribute('data-failed'))!.split(','), failed);
      assert.match(await verdict.innerText(), /NOT VERIFIED/);
      for (const name of failed) {
        assert.equal(await page.locator(`[data-testid=checks] li[data-check="${name}"]`).getAttribute('data-ok'), 'false', name);
      }
      assert.match(await page.locator('[data-testid=event-summary]').innerText(), /not verified/);
      await page.close();
    });
  }

  it('raised no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
