import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestClient, encodeErrorResult, http, parseEther } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { logAnchorAbi } from '@tradetwin/contracts/generated/index';
import { DEV_ACCOUNTS, fundAccount, startDevChain, type DevChain } from '@tradetwin/contracts/devchain';
import { sqliteNodeStore } from '../storage/test-support.js';
import { createChainClients } from './clients.js';
import { ensureContracts, type ContractAddresses } from './deploy.js';
import { ChainError, decodeRevert, toChainError } from './errors.js';
import { LogAnchorClient } from './log-anchor.js';
import { confirmTx } from './transact.js';

let chain: DevChain;
let addrs: ContractAddresses;
const clients = (signerKey: `0x${string}`, gasPrice: 'auto' | number = 'auto') =>
  createChainClients({ rpcUrl: chain.rpcUrl, chainId: 31337, signerKey, gasPrice, pollingIntervalMs: 20 });
const root = `0x${'ab'.repeat(32)}` as const;

before(async () => {
  chain = await startDevChain({});
  addrs = (await ensureContracts(await sqliteNodeStore(':memory:'), clients(DEV_ACCOUNTS[0]), { orgName: 'Errors org' }))
    .addresses;
});
after(() => chain.stop());

describe('ChainError mapping', () => {
  it('decodes revert data of all three contracts', () => {
    const data = encodeErrorResult({ abi: logAnchorAbi, errorName: 'SizeNotIncreasing', args: [5n, 3n] });
    assert.deepEqual(decodeRevert(data), { errorName: 'SizeNotIncreasing', args: [5n, 3n] });
    assert.equal(decodeRevert('0xdeadbeef'), null);
    const wrapped = toChainError(Object.assign(new Error('outer'), { cause: { data: { data } } }));
    assert.equal(wrapped.code, 'reverted');
    assert.equal(wrapped.errorName, 'SizeNotIncreasing');
    assert.match(wrapped.message, /SizeNotIncreasing\(5, 3\)/);
  });

  it('rejected: the node refuses a transaction it cannot pay for (legacy, fixed gas price)', async () => {
    const key = generatePrivateKey();
    // Member but unfunded: estimateGas passes, the node refuses the raw transaction.
    const { admitByVote } = await import('./governance.js');
    const c = clients(key, 1_000_000_000);
    await admitByVote(clients(DEV_ACCOUNTS[0]), addrs.governance!, [{ account: c.account.address, name: 'Poor org', roles: 1 }]);
    const err = await new LogAnchorClient(c, addrs.logAnchor)
      .publishHead({ size: 1, root, timestamp: 1 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof ChainError, String(err));
    assert.equal(err.code, 'rejected');
    assert.match(err.message, /funds|allowance/i);

    // Funded, the same settings send a legacy transaction at exactly that price.
    await fundAccount(chain.rpcUrl, c.account.address, parseEther('1'));
    const hash = await new LogAnchorClient(c, addrs.logAnchor).publishHead({ size: 1, root, timestamp: 1 });
    const tx = await c.publicClient.getTransaction({ hash });
    assert.equal(tx.type, 'legacy');
    assert.equal(tx.gasPrice, 1_000_000_000n);
    assert.equal(tx.from.toLowerCase(), c.account.address.toLowerCase());
  });

  it('timeout: waiting for a receipt that does not come; unreachable: nothing listens', async () => {
    const test = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) });
    const c = clients(DEV_ACCOUNTS[0]);
    const anchor = new LogAnchorClient(c, addrs.logAnchor);
    await test.setAutomine(false);
    try {
      const hash = await anchor.publishHead({ size: 10, root, timestamp: 2 });
      assert.equal(await anchor.receipt(hash), null);
      await assert.rejects(
        confirmTx(c, hash, 'publishHead', 200),
        (e: unknown) => e instanceof ChainError && e.code === 'timeout',
      );
    } finally {
      await test.setAutomine(true);
      await test.mine({ blocks: 1 });
    }
    const dead = createChainClients({
      rpcUrl: 'http://127.0.0.1:9',
      chainId: 31337,
      signerKey: DEV_ACCOUNTS[0],
      gasPrice: 0,
      pollingIntervalMs: 20,
    });
    const e = await new LogAnchorClient(dead, addrs.logAnchor)
      .publishHead({ size: 11, root, timestamp: 3 })
      .catch((x: unknown) => x);
    assert.ok(e instanceof ChainError && e.code === 'unreachable', String(e));
    const r = await new LogAnchorClient(dead, addrs.logAnchor).receipt(root).catch((x: unknown) => x);
    assert.ok(r instanceof ChainError && r.code === 'unreachable', String(r));
  });
});
