// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's innerText() is the text a reader sees
// The public verify page cannot be pointed at a fake chain (issue 11, item 3), in a real browser
// against a real node, and the pages load under the node's CSP without a violation.
//
// The attacker's chain is real too: a second anvil on which the attacker deploys the same contracts
// at the very addresses (and chain id) this node pins — an attacker's own chain lets them act as any
// account, here the node's deployer (anvil_impersonateAccount), so the same nonces give the same
// addresses. There the attacker's account is admitted, and an attacker's node (its own key, its own
// device) signs a reading, logs it, signs the head and anchors it. The bundle it serves is
// self-consistent: against the attacker's chain every check passes. On this node's page it must
// never read VERIFIED.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { type Address, createPublicClient, createWalletClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  deviceRegistryAbi,
  deviceRegistryBytecode,
  logAnchorAbi,
  logAnchorBytecode,
  memberRegistryAbi,
  memberRegistryBytecode,
} from '@tradetwin/contracts/generated/index';
import { type DevChain, fundAccount, rpc, startDevChain } from '@tradetwin/contracts/devchain';
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { ALL_ROLES } from '../../chain/members.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../../test-support/node-fixture.js';
import { encodeBase64Url } from '../../test-support/base64url.js';
import { buildApp, startWebNode, type WebNode } from '../../test-support/web-node.js';

const CHROMIUM = process.env.TRADETWIN_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/** Post one signed reading through a node's HTTP ingest, anchor it, and return its proof bundle (public route). */
async function anchoredReading(t: TestNode, deviceId: string): Promise<{ readingId: string; bundle: ProofBundle }> {
  const key = deviceKey(deviceId, 1);
  assert.equal((await t.register(key)).status, 201, `register ${deviceId}`);
  const res = await t.post([envelope(key, 1, { at: Date.now() - 1000 })]);
  const body = (await res.json()) as { index: number };
  assert.equal(res.status, 201, JSON.stringify(body));
  const readingId = `${body.index}:0`;
  await t.node.ingestor.flush();
  await t.node.anchorer.anchorNow();
  const b = await fetch(`${t.node.httpUrl}/api/v1/readings/${readingId}/bundle`);
  assert.equal(b.status, 200);
  const bundle = (await b.json()) as ProofBundle;
  assert.ok(bundle.anchor, 'the bundle names its anchor');
  return { readingId, bundle };
}

/**
 * The attacker's chain: this node's contracts re-deployed at the same addresses by impersonating the
 * node's account (same deployer, same nonces 0–2), the attacker's account admitted as a member.
 */
async function attackerChain(nodeAccount: Address, pinned: Record<'memberRegistry' | 'deviceRegistry' | 'logAnchor', string>) {
  const chain = await startDevChain({ chainId: 31337 });
  try {
    const attackerKey = generatePrivateKey();
    const attacker = privateKeyToAccount(attackerKey);
    await fundAccount(chain.rpcUrl, nodeAccount, 10n ** 21n);
    await fundAccount(chain.rpcUrl, attacker.address, 10n ** 21n);
    await rpc(chain.rpcUrl, 'anvil_impersonateAccount', [nodeAccount]);
    const wallet = createWalletClient({ account: nodeAccount, transport: http(chain.rpcUrl) });
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    const deploy = async (abi: readonly unknown[], bytecode: `0x${string}`, args: readonly unknown[]) => {
      const hash = await wallet.deployContract({ abi, bytecode, args, chain: null } as Parameters<
        typeof wallet.deployContract
      >[0]);
      const receipt = await client.waitForTransactionReceipt({ hash });
      return receipt.contractAddress!;
    };
    const members = await deploy(memberRegistryAbi, memberRegistryBytecode, [nodeAccount]);
    const devices = await deploy(deviceRegistryAbi, deviceRegistryBytecode, [members]);
    const anchor = await deploy(logAnchorAbi, logAnchorBytecode, [members]);
    // The attacker really has the node's addresses on its chain: the link cannot be told apart by them.
    assert.deepEqual(
      [members, devices, anchor].map((a) => a.toLowerCase()),
      [pinned.memberRegistry, pinned.deviceRegistry, pinned.logAnchor].map((a) => a.toLowerCase()),
    );
    const admit = await wallet.writeContract({
      address: members,
      abi: memberRegistryAbi,
      functionName: 'admitMember',
      args: [attacker.address, 'Attacker Ltd', BigInt(ALL_ROLES)],
      chain: null,
    });
    await client.waitForTransactionReceipt({ hash: admit });
    await rpc(chain.rpcUrl, 'anvil_stopImpersonatingAccount', [nodeAccount]);
    return { chain, attackerKey, addresses: { memberRegistry: members, deviceRegistry: devices, logAnchor: anchor } };
  } catch (err) {
    await chain.stop();
    throw err;
  }
}

describe('verify page pinned to the node’s chain, in Chromium', {
  skip: haveChromium ? false : `no Chromium at ${CHROMIUM}`,
}, () => {
  let web: WebNode;
  let evil: TestNode;
  let evilChain: DevChain;
  let browser: Browser;
  let disposeDist: () => void = () => undefined;
  let genuine: { readingId: string; bundle: ProofBundle };
  let forged: { readingId: string; bundle: ProofBundle };
  let cookies: { name: string; value: string }[] = [];

  before(async () => {
    const built = await buildApp();
    disposeDist = built.dispose;
    web = await startWebNode({ distDir: built.distDir });
    genuine = await anchoredReading(web.t, 'reefer-genuine-1');

    const a = await attackerChain(web.node.address as Address, web.node.contracts);
    evilChain = a.chain;
    evil = await startTestNode({
      configure: (c) => {
        c.signerKey = a.attackerKey;
        c.chain = {
          mode: 'external',
          rpcUrl: a.chain.rpcUrl,
          chainId: 31337,
          addresses: a.addresses,
          gasPrice: 'auto',
          pollingIntervalMs: 100,
        };
      },
    });
    forged = await anchoredReading(evil, 'reefer-forged-1');

    await web.node.access.addUser('viewer.csp', 'csp test passphrase', 'viewer');
    const login = await fetch(`${web.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer.csp', password: 'csp test passphrase' }),
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
    await evil?.dispose();
    await evilChain?.stop();
    await web?.stop();
    disposeDist();
  });

  /** A page that records every CSP violation, page error and console error it raises. */
  async function open(path: string, withSession = false): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    if (withSession) await page.context().addCookies(cookies.map((c) => ({ ...c, url: web.url })));
    const problems: string[] = [];
    await page.exposeFunction('__cspViolation', (v: string) => problems.push(`csp: ${v}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(
          `${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`,
        ),
      );
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    const res = await page.goto(web.url + path);
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/, `${path} is served with the CSP`);
    return { page, problems };
  }

  const settled = (page: Page) => page.locator('[data-testid=verdict]:not([data-verdict=pending])').waitFor({ timeout: 20_000 });

  it('the forged bundle names this node’s chain id and contract addresses (the attacker re-deployed them on its chain)', () => {
    assert.equal(forged.bundle.anchor!.chainId, genuine.bundle.anchor!.chainId);
    assert.equal(forged.bundle.anchor!.logAnchor.toLowerCase(), genuine.bundle.anchor!.logAnchor.toLowerCase());
    assert.equal(forged.bundle.anchor!.deviceRegistry.toLowerCase(), genuine.bundle.anchor!.deviceRegistry.toLowerCase());
    assert.notEqual(evilChain.rpcUrl, web.node.rpcUrl);
  });

  it('a forged bundle with the attacker’s RPC in the link is never VERIFIED: checked on this node’s chain it is not anchored', async () => {
    const link = `/verify?bundle=${encodeBase64Url(JSON.stringify(forged.bundle))}&rpc=${encodeURIComponent(evilChain.rpcUrl)}`;
    const { page, problems } = await open(link);
    const toAttacker: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(evilChain.rpcUrl)) toAttacker.push(r.url());
    });
    await settled(page);
    const verdict = page.locator('[data-testid=verdict]');
    assert.equal(await verdict.getAttribute('data-verdict'), 'not-verified', await verdict.innerText());
    assert.equal(await verdict.getAttribute('data-rpc'), web.node.rpcUrl, "checked against the node's own chain");
    const failed = (await verdict.getAttribute('data-failed'))!.split(',');
    assert.ok(failed.includes('anchor'), `the head is not anchored on this node's chain: ${failed}`);
    assert.ok(failed.includes('device'), `the attacker's device is not registered on this node's chain: ${failed}`);
    const text = await verdict.innerText();
    assert.match(text, /NOT VERIFIED/);
    assert.doesNotMatch(text, /^✓/);
    // The link's endpoint is offered, not used.
    const offer = page.locator('[data-testid=rpc-offer]');
    assert.match(await offer.innerText(), new RegExp(evilChain.rpcUrl.replace(/[.:/]/g, '\\$&')));
    assert.match(await page.locator('[data-testid=rpc-trust]').innerText(), /the chain this node is pinned to \(chain 31337\)/);

    assert.deepEqual(toAttacker, [], 'the page never asked the endpoint the link named');

    // The person explicitly chooses the attacker's endpoint: every check passes there, and still no VERIFIED —
    // the verdict names that endpoint and says it is not this node's chain.
    await page.locator('[data-testid=use-link-rpc]').click();
    await page.locator(`[data-testid=verdict][data-rpc="${evilChain.rpcUrl}"]:not([data-verdict=pending])`).waitFor({
      timeout: 20_000,
    });
    const checks = await page
      .locator('[data-check]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-check'), e.getAttribute('data-ok')]));
    assert.ok(
      checks.length === 8 && checks.every(([, ok]) => ok === 'true'),
      `on the attacker's chain the forgery holds: ${JSON.stringify(checks)}`,
    );
    assert.ok(toAttacker.length > 0, 'only now is the chosen endpoint asked');
    assert.equal(await verdict.getAttribute('data-verdict'), 'other-chain');
    const chosen = await verdict.innerText();
    assert.doesNotMatch(chosen, /^✓/);
    assert.match(chosen, /NOT VERIFIED ON THIS NODE'S CHAIN/);
    assert.ok(chosen.includes(evilChain.rpcUrl), `the verdict names the endpoint: ${chosen}`);
    assert.match(chosen, /not this node's chain/);
    assert.match(await page.locator('[data-testid=rpc-trust]').innerText(), /an endpoint you chose — not this node's chain/);
    assert.deepEqual(problems, [], 'no CSP violation reaching the chosen endpoint (the link named it)');
    await page.close();
  });

  it('the forged reading on its own (no rpc in the link) is not VERIFIED either', async () => {
    const { page, problems } = await open(`/verify?bundle=${encodeBase64Url(JSON.stringify(forged.bundle))}`);
    await settled(page);
    assert.equal(await page.locator('[data-testid=verdict]').getAttribute('data-verdict'), 'not-verified');
    assert.equal(await page.locator('[data-testid=rpc-offer]').count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('the genuine reading verifies on the verify page, under the CSP, with no violation or page error', async () => {
    const { page, problems } = await open(`/verify/${genuine.readingId}`);
    await settled(page);
    const verdict = page.locator('[data-testid=verdict]');
    assert.equal(await verdict.getAttribute('data-verdict'), 'verified', await verdict.innerText());
    assert.match(await verdict.innerText(), /^✓\s+VERIFIED\s/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('the dashboard loads for a member under the CSP: overview, devices, members, verify start page — no violation or page error', async () => {
    for (const [path, ready] of [
      ['/', '[data-testid=live-status][data-status=open]'],
      ['/devices', '[data-device="reefer-genuine-1"]'],
      ['/members', 'main'],
      ['/verify', 'main'],
    ] as const) {
      const { page, problems } = await open(path, true);
      await page.locator(ready).first().waitFor({ timeout: 15_000 });
      // Let the page's own requests (API, chain RPC, SSE) run.
      await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
      assert.deepEqual(problems, [], path);
      await page.close();
    }
  });

  it('without a session the dashboard shows the login page, not an error', async () => {
    const { page, problems } = await open('/');
    await page.locator('input[type=password]').waitFor({ timeout: 10_000 });
    // Without a session cookie the page does not even ask: no request refused, nothing logged.
    assert.deepEqual(problems, []);
    await page.close();
  });
});
