import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bytesToHex, getAddress, parseEther } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { randomBytes } from 'node:crypto';
import { DEV_ACCOUNTS, DEV_MNEMONIC, anvilBinary, freePort, fundAccount, startDevChain, type DevChain } from './devchain.js';
import { memberRegistryAbi, memberRegistryBytecode } from './generated/index.js';
import { account, clientsFor, deploy, mined, ROLE } from './test-support.js';

describe('devchain', () => {
  let chain: DevChain;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradetwin-devchain-'));
    chain = await startDevChain({ chainId: 4242 });
  });
  after(async () => {
    await chain?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the anvil executable in node_modules', () => {
    assert.ok(existsSync(anvilBinary()));
  });

  it('starts on a free port of 127.0.0.1 with the chosen chain id', async () => {
    assert.equal(chain.rpcUrl, `http://127.0.0.1:${chain.port}`);
    assert.ok(chain.port > 0);
    assert.equal(chain.chainId, 4242);
    assert.equal(await clientsFor(chain).publicClient.getChainId(), 4242);
  });

  it('uses an explicit port and defaults to chain id 31337', async () => {
    const port = await freePort();
    const other = await startDevChain({ port });
    try {
      assert.equal(other.port, port);
      assert.equal(other.rpcUrl, `http://127.0.0.1:${port}`);
      assert.equal(await clientsFor(other).publicClient.getChainId(), 31337);
    } finally {
      await other.stop();
    }
    await other.stop(); // idempotent
    await assert.rejects(fetch(other.rpcUrl, { method: 'POST', body: '{}' }), 'RPC gone after stop()');
  });

  it('fails clearly when the port is taken', async () => {
    const port = await freePort();
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      await assert.rejects(startDevChain({ port, startTimeoutMs: 5000 }), /anvil/);
    } finally {
      srv.close();
    }
  });

  it('DEV_ACCOUNTS are the first five keys of the anvil mnemonic, and anvil funds them', async () => {
    const rpcAccounts = await clientsFor(chain).wallet(account(0)).request({ method: 'eth_accounts' });
    assert.equal(DEV_ACCOUNTS.length, 5);
    DEV_ACCOUNTS.forEach((key, i) => {
      const address = privateKeyToAccount(key).address;
      assert.equal(address, mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }).address);
      const rpcAccount = rpcAccounts[i];
      assert.ok(rpcAccount, `eth_accounts[${i}]`);
      assert.equal(address, getAddress(rpcAccount));
    });
    const balance = await clientsFor(chain).publicClient.getBalance({ address: privateKeyToAccount(DEV_ACCOUNTS[4]).address });
    assert.ok(balance > parseEther('1000'));
  });

  it('fundAccount sets a balance', async () => {
    const address = getAddress(bytesToHex(randomBytes(20)));
    await fundAccount(chain.rpcUrl, address, 123_456_789n);
    assert.equal(await clientsFor(chain).publicClient.getBalance({ address }), 123_456_789n);
    await fundAccount(chain.rpcUrl, address, parseEther('5'));
    assert.equal(await clientsFor(chain).publicClient.getBalance({ address }), parseEther('5'));
  });

  it('mines on an interval with blockTimeSec', async () => {
    const timed = await startDevChain({ blockTimeSec: 1 });
    try {
      const pc = clientsFor(timed).publicClient;
      const start = await pc.getBlockNumber();
      await sleep(1300);
      assert.ok((await pc.getBlockNumber()) > start);
    } finally {
      await timed.stop();
    }
  });

  it('keeps the chain state across stop/start with a state file', async () => {
    const stateFile = join(dir, 'sub', 'state.json'); // parent directory created on demand
    const first = await startDevChain({ stateFile });
    const c1 = clientsFor(first);
    const admin = account(0);
    const registry = await deploy(c1, admin, memberRegistryAbi, memberRegistryBytecode, [admin.address]);
    await mined(
      c1,
      await c1.wallet(admin).writeContract({
        address: registry,
        abi: memberRegistryAbi,
        functionName: 'admitMember',
        args: [admin.address, 'Persisted Org', ROLE.PORT],
      }),
    );
    const code = await c1.publicClient.getCode({ address: registry });
    const height = await c1.publicClient.getBlockNumber();
    await first.stop();
    assert.ok(existsSync(stateFile), 'state file written on stop');

    const second = await startDevChain({ stateFile });
    try {
      const c2 = clientsFor(second);
      assert.equal(await c2.publicClient.getCode({ address: registry }), code);
      assert.ok(code && code.length > 2);
      assert.equal(await c2.publicClient.getBlockNumber(), height);
      assert.equal(
        await c2.publicClient.readContract({ address: registry, abi: memberRegistryAbi, functionName: 'memberCount' }),
        1n,
      );
      const m = await c2.publicClient.readContract({
        address: registry,
        abi: memberRegistryAbi,
        functionName: 'member',
        args: [1n],
      });
      assert.equal(m.name, 'Persisted Org');
      assert.equal(m.roles, ROLE.PORT);
    } finally {
      await second.stop();
    }
  });

  it('loses at most about a second of state when anvil is killed with SIGKILL', async () => {
    const stateFile = join(dir, 'killed.json');
    const first = await startDevChain({ stateFile });
    const c1 = clientsFor(first);
    const admin = account(0);
    const registry = await deploy(c1, admin, memberRegistryAbi, memberRegistryBytecode, [admin.address]);
    await sleep(2200); // > the 1 s state interval
    process.kill(first.pid, 'SIGKILL');
    await first.stop(); // resolves once the process is gone
    const second = await startDevChain({ stateFile });
    try {
      const code = await clientsFor(second).publicClient.getCode({ address: registry });
      assert.ok(code && code.length > 2, 'contract survived the crash');
    } finally {
      await second.stop();
    }
  });
});
