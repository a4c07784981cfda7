import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestClient, http } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { generateDeviceKey } from '@tradetwin/core/device/keys';
import { DEV_ACCOUNTS, startDevChain, type DevChain } from '@tradetwin/contracts/devchain';
import { sqliteNodeStore } from '../storage/test-support.js';
import type { DeviceRecord } from '../storage/types.js';
import { createChainClients, type ChainClients } from './clients.js';
import { ensureContracts, type ContractAddresses } from './deploy.js';
import { ChainDeviceDirectory, DEVICE_CURSOR_SETTING, readDevice, registerDevice, revokeDevice } from './devices.js';
import { ChainError } from './errors.js';
import { passByVote } from './governance.js';
import { ROLES } from './members.js';

let chain: DevChain;
let node: ChainClients;
let other: ChainClients;
let addrs: ContractAddresses;
const P256 = (seed: string) => generateDeviceKey(1, new TextEncoder().encode(seed)).publicKey;
const ED = (seed: string) => generateDeviceKey(2, new TextEncoder().encode(seed)).publicKey;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 5000): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return { value: v, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

before(async () => {
  chain = await startDevChain({});
  const mk = (key: `0x${string}`) =>
    createChainClients({ rpcUrl: chain.rpcUrl, chainId: 31337, signerKey: key, gasPrice: 'auto', pollingIntervalMs: 20 });
  node = mk(DEV_ACCOUNTS[0]);
  other = mk(DEV_ACCOUNTS[1]);
  // Both organisations are genesis members; later changes go through a vote.
  addrs = (
    await ensureContracts(await sqliteNodeStore(':memory:'), node, {
      orgName: 'Node org',
      genesis: { members: [{ account: other.account.address, name: 'Other org', roles: ROLES.CARRIER | ROLES.DEVICE_OWNER }] },
    })
  ).addresses;
});
after(() => chain.stop());

describe('device registry and the chain device directory', () => {
  it('registers, reads (s → ms) and refuses bad registrations with decoded errors', async () => {
    const pk = P256('reefer-1');
    const { blockNumber } = await registerDevice(node, addrs.deviceRegistry, { deviceId: 'reefer-1', keyType: 1, publicKey: pk });
    const block = await node.publicClient.getBlock({ blockNumber: BigInt(blockNumber) });
    const d = await readDevice(node, addrs.deviceRegistry, 'reefer-1');
    assert.deepEqual(d, {
      deviceId: 'reefer-1',
      keyType: 1,
      publicKey: pk,
      ownerOrg: 1,
      metadataHash: `0x${'0'.repeat(64)}`,
      registeredAt: Number(block.timestamp) * 1000,
      revokedAt: null,
    } satisfies DeviceRecord);
    assert.equal(await readDevice(node, addrs.deviceRegistry, 'never-registered'), null);

    const refused = async (p: Promise<unknown>, errorName: string) =>
      assert.rejects(p, (err: unknown) => {
        assert.ok(err instanceof ChainError, String(err));
        assert.equal(err.code, 'reverted');
        assert.equal(err.errorName, errorName);
        return true;
      });
    await refused(
      registerDevice(node, addrs.deviceRegistry, { deviceId: 'reefer-1', keyType: 2, publicKey: ED('x') }),
      'DeviceExists',
    );
    await refused(
      registerDevice(node, addrs.deviceRegistry, { deviceId: 'bad', keyType: 1, publicKey: ED('x') }),
      'BadPublicKey',
    );
    await refused(revokeDevice(other, addrs.deviceRegistry, 'reefer-1'), 'NotDeviceOwner');
    await refused(revokeDevice(node, addrs.deviceRegistry, 'nope'), 'UnknownDevice');
    const stranger = createChainClients({
      rpcUrl: chain.rpcUrl,
      chainId: 31337,
      signerKey: generatePrivateKey(),
      gasPrice: 0,
      pollingIntervalMs: 20,
    });
    await refused(
      registerDevice(stranger, addrs.deviceRegistry, { deviceId: 's-1', keyType: 2, publicKey: ED('s') }),
      'NotAMember',
    );
    const err = await registerDevice(node, addrs.deviceRegistry, { deviceId: 'reefer-1', keyType: 2, publicKey: ED('x') }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof ChainError && err.args?.[0] !== undefined, 'custom error args are decoded');
  });

  it('looks devices up on demand, and a back-dated revocation reaches the directory within a poll interval', async () => {
    const store = await sqliteNodeStore(':memory:');
    const changes: string[] = [];
    const errors: unknown[] = [];
    let revokedAt = 0;
    const dir = new ChainDeviceDirectory(store, node, addrs.deviceRegistry, {
      pollMs: 100,
      onChange: (d, why) => changes.push(`${why}:${d.deviceId}`),
      onError: (e) => errors.push(e),
    });
    await dir.start();
    try {
      // Registered before this directory existed and unknown locally: found by lookup.
      assert.equal(dir.get('reefer-1'), undefined);
      const found = await dir.lookup('reefer-1');
      assert.equal(found?.ownerOrg, 1);
      assert.deepEqual(await store.device('reefer-1'), found);
      assert.equal(dir.get('reefer-1'), found);

      // Another member's device: same path, the chain says who owns it.
      await registerDevice(other, addrs.deviceRegistry, { deviceId: 'tracker-9', keyType: 2, publicKey: ED('t9') });
      assert.equal((await dir.lookup('tracker-9'))?.ownerOrg, 2);

      // A message arrives before its device is registered; the registration then arrives by the event poll.
      assert.equal(await dir.lookup('late-1'), undefined);
      await registerDevice(node, addrs.deviceRegistry, { deviceId: 'late-1', keyType: 2, publicKey: ED('late') });
      await until('late-1 registered', () => dir.get('late-1'));

      // An hour later the key turns out to have leaked 50 minutes ago: back-dated revocation.
      const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) });
      await testClient.increaseTime({ seconds: 3600 });
      await testClient.mine({ blocks: 1 });
      const registeredAt = dir.get('reefer-1')!.registeredAt;
      const leakedAt = registeredAt + 10 * 60_000 + 500; // rounded down to the second on chain
      await revokeDevice(node, addrs.deviceRegistry, 'reefer-1', leakedAt);
      const seen = await until('revocation', () => dir.get('reefer-1')?.revokedAt ?? undefined);
      revokedAt = registeredAt + 10 * 60_000;
      assert.equal(seen.value, revokedAt);
      assert.ok(seen.ms < 1000, `revocation reached the directory after ${seen.ms} ms`);
      assert.equal((await store.device('reefer-1'))?.revokedAt, registeredAt + 10 * 60_000);

      // The other member revokes its own device (now): known by hash since the lookup.
      await revokeDevice(other, addrs.deviceRegistry, 'tracker-9');
      await until('tracker-9 revoked', () => dir.get('tracker-9')?.revokedAt ?? undefined);
      assert.ok(changes.includes('revoked:reefer-1') && changes.includes('registered:late-1'), changes.join());
      assert.deepEqual(errors, []);
    } finally {
      await dir.stop();
    }

    // A new directory over the same store starts from the cache and the cursor.
    const cursor = Number(await store.getSetting(DEVICE_CURSOR_SETTING));
    assert.ok(cursor > 0);
    const again = new ChainDeviceDirectory(store, node, addrs.deviceRegistry, { pollMs: 100 });
    await again.load();
    assert.equal(again.get('reefer-1')?.revokedAt, revokedAt);
    const r = await again.sync();
    assert.equal(r.fromBlock, cursor);
    assert.equal(r.registered + r.revoked, 0);
  });

  it('a suspended member cannot register devices; lookup of an uncached device reports an unreachable chain', async () => {
    const governance = addrs.governance!;
    await passByVote(node, governance, [{ kind: 'status', orgId: 2, active: false }], [other]);
    await assert.rejects(
      registerDevice(other, addrs.deviceRegistry, { deviceId: 'x-2', keyType: 2, publicKey: ED('x2') }),
      (e: unknown) => e instanceof ChainError && e.errorName === 'NotAMember',
    );
    await passByVote(node, governance, [{ kind: 'status', orgId: 2, active: true }], [other]);

    const store = await sqliteNodeStore(':memory:');
    const dead = createChainClients({
      rpcUrl: 'http://127.0.0.1:9',
      chainId: 31337,
      signerKey: generatePrivateKey(),
      gasPrice: 0,
      pollingIntervalMs: 20,
    });
    const errors: unknown[] = [];
    const dir = new ChainDeviceDirectory(store, dead, addrs.deviceRegistry, { onError: (e) => errors.push(e) });
    await dir.start();
    // Not cached and the chain cannot be asked: an error (ingest answers a retryable chain_unavailable), not "unknown".
    await assert.rejects(dir.lookup('reefer-1'), (e: unknown) => e instanceof ChainError && e.code === 'unreachable');
    await dir.stop();
    assert.ok(errors.length >= 2);
    assert.ok(
      errors.every((e) => e instanceof ChainError && e.code === 'unreachable'),
      String(errors[0]),
    );
  });
});
