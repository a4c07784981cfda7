import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startDevChain } from '@tradetwin/contracts/devchain';
import { sqliteNodeStore } from '../storage/test-support.js';
import { createChainClients } from './clients.js';
import { ContractsError, DEVICE_CURSOR_SETTING, ensureContracts, readDeployment } from './deploy.js';
import { embeddedStateFile, startEmbeddedChain } from './embedded.js';
import { LogAnchorClient } from './log-anchor.js';
import { ALL_ROLES, readMember } from './members.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-chain-deploy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = generatePrivateKey();
const ADDRESS = privateKeyToAccount(KEY).address;
const clientsFor = (rpcUrl: string, chainId = 31337, signerKey = KEY) =>
  createChainClients({ rpcUrl, chainId, signerKey, gasPrice: 'auto', pollingIntervalMs: 50 });

describe('contract deployment on the embedded chain', () => {
  it('deploys once, finds the contracts and anchored heads after a restart, redeploys on a reset chain', async () => {
    const store = await sqliteNodeStore(join(dir, 'node.db'));
    let chain = await startEmbeddedChain(dir, { port: 0, chainId: 31337, fund: [ADDRESS] });
    let clients = clientsFor(chain.rpcUrl);
    const first = await ensureContracts(store, clients, { orgName: 'Acme Logistics' });
    assert.equal(first.deployed, true);
    assert.equal(first.redeployed, false);
    assert.equal(first.orgId, 1);
    const member = await readMember(clients, first.addresses.memberRegistry, 1);
    assert.equal(member?.name, 'Acme Logistics');
    assert.equal(member?.roles, ALL_ROLES);
    assert.equal(member?.active, true);
    assert.deepEqual((await readDeployment(store))?.addresses, first.addresses);
    await store.setSetting(DEVICE_CURSOR_SETTING, '123');

    const anchor = new LogAnchorClient(clients, first.addresses.logAnchor);
    const root = keccak256(toHex('root-7'));
    const tx = await anchor.publishHead({ size: 7, root, timestamp: 1_764_000_000_000 });
    assert.equal((await clients.publicClient.waitForTransactionReceipt({ hash: tx })).status, 'success');

    // Restart: the state file brings everything back.
    await chain.stop();
    chain = await startEmbeddedChain(dir, { port: 0, chainId: 31337, fund: [ADDRESS] });
    clients = clientsFor(chain.rpcUrl);
    const second = await ensureContracts(store, clients, { orgName: 'Acme Logistics' });
    assert.equal(second.deployed, false);
    assert.deepEqual(second.addresses, first.addresses);
    const anchor2 = new LogAnchorClient(clients, second.addresses.logAnchor);
    assert.deepEqual(await anchor2.latestHead(), { size: 7, root, timestamp: 1_764_000_000_000 });
    assert.equal(await anchor2.isAnchored(7, root), true);
    const heads = await anchor2.anchoredHeads(ADDRESS, second.fromBlock);
    assert.deepEqual(
      heads.map((h) => [h.size, h.root, h.timestamp, h.txHash]),
      [[7, root, 1_764_000_000_000, tx]],
    );

    // Reset: the state file is gone, so the contracts are too; the node deploys them again and says so.
    await chain.stop();
    rmSync(embeddedStateFile(dir));
    chain = await startEmbeddedChain(dir, { port: 0, chainId: 31337, fund: [ADDRESS] });
    clients = clientsFor(chain.rpcUrl);
    const third = await ensureContracts(store, clients, { orgName: 'Acme Logistics' });
    assert.equal(third.deployed, true);
    assert.equal(third.redeployed, true);
    assert.match(third.message, /reset/);
    assert.equal(await store.getSetting(DEVICE_CURSOR_SETTING), '', 'device events are read again from the new deployment');
    assert.equal((await readDeployment(store))?.fromBlock, third.fromBlock);
    assert.equal(await new LogAnchorClient(clients, third.addresses.logAnchor).latestAnchoredSize(), 0);
    await chain.stop();

    // Another chain id: a clear error, nothing deployed.
    const other = await startDevChain({ chainId: 4242 });
    try {
      await assert.rejects(
        ensureContracts(store, clientsFor(other.rpcUrl, 4242), { orgName: 'Acme Logistics' }),
        (err: Error) => {
          assert.ok(err instanceof ContractsError);
          assert.match(err.message, /chain 31337.*configured for chain 4242/);
          return true;
        },
      );
      await assert.rejects(ensureContracts(store, clientsFor(other.rpcUrl, 31337), { orgName: 'x' }), /serves chain 4242/);
    } finally {
      await other.stop();
    }
    await store.close();
  });

  it('verifies configured addresses of an external network and tells a non-member to get admitted', async () => {
    const chain = await startDevChain({});
    try {
      const founder = clientsFor(chain.rpcUrl, 31337, '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
      const founded = await ensureContracts(await sqliteNodeStore(':memory:'), founder, { orgName: 'Founder' });

      const joiner = createChainClients({
        rpcUrl: chain.rpcUrl,
        chainId: 31337,
        signerKey: generatePrivateKey(),
        gasPrice: 0,
        pollingIntervalMs: 50,
      });
      const store = await sqliteNodeStore(':memory:');
      await assert.rejects(ensureContracts(store, joiner, { orgName: 'Joiner', addresses: founded.addresses }), (err: Error) => {
        assert.ok(err instanceof ContractsError);
        assert.match(err.message, /is not a member of MemberRegistry .*proposeAdmission\(/);
        return true;
      });
      const wrong = { ...founded.addresses, logAnchor: privateKeyToAccount(generatePrivateKey()).address };
      await assert.rejects(ensureContracts(store, founder, { orgName: 'F', addresses: wrong }), /no contract code at/);

      const ok = await ensureContracts(store, founder, { orgName: 'Founder', addresses: founded.addresses });
      assert.equal(ok.deployed, false);
      assert.equal(ok.orgId, 1);
      assert.deepEqual((await readDeployment(store))?.deployedByNode, false);
    } finally {
      await chain.stop();
    }
  });
});
