import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytesToHex, createTestClient, http, keccak256, parseEther, toBytes, toHex, type Hex } from 'viem';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { generatePrivateKey } from 'viem/accounts';
import { DEV_ACCOUNTS, freePort, fundAccount, startDevChain, type DevChain } from '@tradetwin/contracts/devchain';
import { Anchorer, type AnchorPolicy } from '../anchor/anchorer.js';
import { auditLog } from '../log/audit.js';
import { headSignerFromKey } from '../log/head-signer.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { sqliteNodeStore } from '../storage/test-support.js';
import type { AnchorRecord } from '../storage/types.js';
import { createChainClients, type ChainClients } from './clients.js';
import { ensureContracts, type EnsureContractsResult } from './deploy.js';
import { ChainError } from './errors.js';
import { LogAnchorClient, type PublishedHead } from './log-anchor.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-chain-anchor-'));
const stateFile = join(dir, 'anvil-state.json');
let port: number;
let chain: DevChain;
let deployment: EnsureContractsResult;
const gasUsed: bigint[] = [];

const startChain = async () => {
  chain = await startDevChain({ port, stateFile });
};
const clientsFor = (key: Hex): ChainClients =>
  createChainClients({
    rpcUrl: `http://127.0.0.1:${port}`,
    chainId: 31337,
    signerKey: key,
    gasPrice: 'auto',
    pollingIntervalMs: 20,
  });
const testClient = () => createTestClient({ mode: 'anvil', transport: http(`http://127.0.0.1:${port}`) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leaf = (i: number) => ({
  data: encodeLeaf({ kind: 'document', receivedAt: 1_764_000_000_000 + i, body: toBytes(`doc-${i}`) }),
});
const POLICY: Partial<AnchorPolicy> = { everyLeaves: 1_000_000, everyMs: 60_000, pollMs: 20, dropAfterMs: 400 };

/** A node's log and outbox with its own account. */
async function nodeWith(key: Hex, policy: Partial<AnchorPolicy> = POLICY) {
  const store = await sqliteNodeStore(':memory:');
  const log = await TransparencyLog.open(store, headSignerFromKey(key));
  const clients = clientsFor(key);
  const client = new LogAnchorClient(clients, deployment.addresses.logAnchor);
  const errors: unknown[] = [];
  const confirmed: AnchorRecord[] = [];
  const anchorer = new Anchorer(log, store, client, policy, {
    onError: (e) => errors.push(e),
    onConfirmed: (a) => confirmed.push(a),
  });
  let n = 0;
  const grow = async (k: number) => {
    await log.append(Array.from({ length: k }, () => leaf(n++)));
    anchorer.noteAppended();
  };
  return { store, log, clients, client, anchorer, errors, confirmed, grow };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Exactly one HeadPublished per confirmed size, and nothing else. */
async function assertOneEventPerConfirmedHead(node: Awaited<ReturnType<typeof nodeWith>>): Promise<PublishedHead[]> {
  const events = await node.client.anchoredHeads(node.client.publisher, deployment.fromBlock);
  const confirmed = (await node.store.anchors('confirmed')).map((a) => a.size);
  assert.deepEqual(
    events.map((e) => e.size),
    confirmed,
    'one HeadPublished event per confirmed outbox head',
  );
  for (const e of events) {
    const r = await node.client.receipt(e.txHash);
    assert.equal(r?.status, 'success');
    gasUsed.push(r!.gasUsed);
  }
  return events;
}

before(async () => {
  port = await freePort();
  await startChain();
  deployment = await ensureContracts(await sqliteNodeStore(':memory:'), clientsFor(DEV_ACCOUNTS[0]), {
    orgName: 'Anchor test org',
  });
});
after(async () => {
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
  if (gasUsed.length) console.log(`# publishHead gas used: ${[...new Set(gasUsed.map(String))].join(', ')}`);
});

describe('LogAnchorClient with the anchorer', () => {
  it('anchors heads that the audit then finds on chain', async () => {
    const node = await nodeWith(DEV_ACCOUNTS[0]);
    await node.grow(5);
    const first = await node.anchorer.anchorNow(10_000);
    assert.equal(first?.size, 5);
    assert.equal(first?.status, 'confirmed');
    await node.grow(7);
    const second = await node.anchorer.anchorNow(10_000);
    assert.equal(second?.size, 12);
    assert.equal(await node.client.latestAnchoredSize(), 12);
    assert.equal(await node.client.isAnchored(12, bytesToHex(await node.log.root())), true);
    assert.equal(await node.client.isAnchored(12, keccak256(toHex('other root'))), false);

    const heads = await assertOneEventPerConfirmedHead(node);
    assert.deepEqual(
      heads.map((h) => [h.size, h.txHash]),
      (await node.store.anchors('confirmed')).map((a) => [a.size, a.txHash]),
    );
    const report = await auditLog({ store: node.store, anchoredHeads: heads, nodeAddress: node.client.publisher });
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    assert.deepEqual(report.anchoredHeads, { checked: 2, latestSize: 12, source: 'chain' });
    assert.deepEqual(node.errors, []);
  });

  it('keeps heads pending through a chain outage and confirms each exactly once after it', async () => {
    const key = generatePrivateKey();
    const node = await nodeWith(key);
    const admin = clientsFor(DEV_ACCOUNTS[0]);
    await fundAccount(chain.rpcUrl, node.clients.account.address, parseEther('10'));
    const { admitByVote } = await import('./governance.js');
    await admitByVote(admin, deployment.addresses.governance!, [
      { account: node.clients.account.address, name: 'Outage org', roles: 1 },
    ]);
    await node.grow(3);
    await node.anchorer.anchorNow(10_000);

    await chain.stop();
    await node.anchorer.start();
    await node.grow(4);
    await node.anchorer.tick(true);
    await node.grow(2);
    await node.anchorer.tick(true);
    // Both heads wait in the outbox; the newest is retried and the failures are recorded.
    const pending = await until('failed attempts', async () => {
      const p = await node.store.anchors('pending');
      return p.length > 0 && p.some((a) => a.attempts >= 2) ? p : undefined;
    });
    assert.equal((await node.store.anchors('sent')).length, 0);
    assert.match(pending.at(-1)!.lastError ?? '', /HTTP request failed|fetch failed|ECONNREFUSED|unreachable/i);
    assert.ok(node.errors.length >= 2 && node.errors.every((e) => e instanceof ChainError && e.code === 'unreachable'));

    await startChain();
    await until('confirmation after the outage', async () =>
      (await node.store.latestConfirmedAnchor())?.size === 9 ? true : undefined,
    );
    await node.anchorer.stop();
    assert.deepEqual(
      (await node.store.anchors()).map((a) => [a.size, a.status]),
      [
        [3, 'confirmed'],
        [7, 'superseded'],
        [9, 'confirmed'],
      ],
    );
    await assertOneEventPerConfirmedHead(node);
  });

  it('re-sends a dropped transaction after dropAfterMs and confirms it once', async () => {
    const node = await nodeWith(DEV_ACCOUNTS[0]);
    // Reuse the publisher of the first test: start above its latest size.
    await node.grow((await node.client.latestAnchoredSize()) + 1);
    const test = testClient();
    await test.setAutomine(false);
    try {
      await node.anchorer.tick(true);
      const [sent] = await node.store.anchors('sent');
      assert.ok(sent?.txHash, 'the head was sent');
      await test.dropTransaction({ hash: sent.txHash as Hex });
      await test.setAutomine(true);
      const started = Date.now();
      const done = await node.anchorer.anchorNow(10_000);
      assert.ok(Date.now() - started >= 300, 'waited for dropAfterMs before re-sending');
      assert.equal(done?.size, sent.size);
      // Re-sent with the same nonce and fees, the signed transaction (and so its hash) is the same one.
      assert.equal(done?.attempts, 2);
      assert.equal((await node.client.receipt(done!.txHash as Hex))?.status, 'success');
    } finally {
      await test.setAutomine(true);
    }
    const events = await node.client.anchoredHeads(node.client.publisher, deployment.fromBlock);
    assert.equal(events.filter((e) => e.size === node.log.size).length, 1);
  });

  it('surfaces refused heads as decoded ChainErrors and backs off instead of spinning', async () => {
    // Directly: a size that is not above the latest one.
    const admin = new LogAnchorClient(clientsFor(DEV_ACCOUNTS[0]), deployment.addresses.logAnchor);
    const latest = await admin.latestHead();
    await assert.rejects(
      admin.publishHead({ size: latest.size, root: keccak256(toHex('x')), timestamp: Date.now() }),
      (e: unknown) => {
        assert.ok(e instanceof ChainError);
        assert.equal(e.code, 'reverted');
        assert.equal(e.errorName, 'SizeNotIncreasing');
        assert.deepEqual(e.args, [BigInt(latest.size), BigInt(latest.size)]);
        return true;
      },
    );

    // Through the anchorer: a node whose account was never admitted.
    const key = generatePrivateKey();
    const stranger = await nodeWith(key, { ...POLICY, pollMs: 10 });
    await fundAccount(chain.rpcUrl, stranger.clients.account.address, parseEther('1'));
    await stranger.grow(4);
    await stranger.anchorer.start();
    await stranger.anchorer.tick(true);
    await sleep(600);
    await stranger.anchorer.stop();
    const [a] = await stranger.store.anchors('pending');
    assert.ok(a, 'the head stays in the outbox');
    assert.match(a.lastError ?? '', /NotAMember/);
    assert.ok(a.attempts >= 2, `retried (${a.attempts} attempts)`);
    assert.ok(a.attempts <= 10, `backed off: ${a.attempts} attempts in 600 ms at a 10 ms poll`);
    assert.ok(stranger.errors.every((e) => e instanceof ChainError && e.errorName === 'NotAMember'));

    // A head whose timestamp goes back (a node clock set back): refused, kept, retried with backoff.
    const store = await sqliteNodeStore(':memory:');
    const log = await TransparencyLog.open(store, headSignerFromKey(DEV_ACCOUNTS[0]));
    const errors: unknown[] = [];
    const early = new Anchorer(log, store, admin, { ...POLICY, pollMs: 10 }, { onError: (e) => errors.push(e) }, () => 1_000_000);
    await log.append(Array.from({ length: (await admin.latestAnchoredSize()) + 2 }, (_, i) => leaf(i)));
    await early.tick(true);
    const [back] = await store.anchors('pending');
    assert.match(back?.lastError ?? '', /TimestampWentBack/);
    assert.equal((errors[0] as ChainError).errorName, 'TimestampWentBack');

    // A head below what this account already anchored (a store restored from an old backup): never sent.
    const old = await nodeWith(DEV_ACCOUNTS[0]);
    await old.grow(2);
    await old.anchorer.tick(true);
    const [superseded] = await old.store.anchors('superseded');
    assert.equal(superseded?.size, 2);
    assert.match(superseded?.lastError ?? '', /larger head is already anchored/);
    assert.equal(superseded?.attempts, 0);
  });
});
