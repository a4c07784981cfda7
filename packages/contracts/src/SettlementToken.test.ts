import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { maxUint256, parseUnits, zeroAddress, type Account, type Address } from 'viem';
import { startDevChain, type DevChain } from './devchain.js';
import { settlementTokenAbi as abi, settlementTokenBytecode } from './generated/index.js';
import { account, assertEvent, clientsFor, deploy, expectRevert, mined, type Clients } from './test-support.js';

const usd = (n: number | string) => parseUnits(String(n), 6);

describe('SettlementToken', () => {
  let chain: DevChain;
  let c: Clients;
  let token: Address;
  const minter = account(0);
  const alice = account(1);
  const bob = account(2);
  const carol = account(3);

  const write = async (from: Account, functionName: 'mint' | 'transfer' | 'approve' | 'transferFrom', args: readonly unknown[]) =>
    mined(c, await c.wallet(from).writeContract({ address: token, abi, functionName, args } as never));
  const attempt = (from: Account, functionName: 'mint' | 'transfer' | 'approve' | 'transferFrom', args: readonly unknown[]) =>
    c.wallet(from).writeContract({ address: token, abi, functionName, args } as never);
  const balanceOf = (who: Address) =>
    c.publicClient.readContract({ address: token, abi, functionName: 'balanceOf', args: [who] });
  const totalSupply = () => c.publicClient.readContract({ address: token, abi, functionName: 'totalSupply' });

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    token = await deploy(c, minter, abi, settlementTokenBytecode, ['TradeTwin USD', 'tUSD', 6, minter.address]);
  });
  after(async () => {
    await chain?.stop();
  });

  it('refuses a zero minter at deployment', async () => {
    await expectRevert(deploy(c, minter, abi, settlementTokenBytecode, ['X', 'X', 6, zeroAddress]), abi, 'ZeroAddress');
  });

  it('has the configured name, symbol, decimals and minter, and no supply', async () => {
    const r = (functionName: 'name' | 'symbol' | 'decimals' | 'minter' | 'totalSupply') =>
      c.publicClient.readContract({ address: token, abi, functionName });
    assert.equal(await r('name'), 'TradeTwin USD');
    assert.equal(await r('symbol'), 'tUSD');
    assert.equal(await r('decimals'), 6);
    assert.equal(await r('minter'), minter.address);
    assert.equal(await r('totalSupply'), 0n);
    const eighteen = await deploy(c, minter, abi, settlementTokenBytecode, ['Other', 'OTH', 18, alice.address]);
    assert.equal(await c.publicClient.readContract({ address: eighteen, abi, functionName: 'decimals' }), 18);
    assert.equal(await c.publicClient.readContract({ address: eighteen, abi, functionName: 'minter' }), alice.address);
  });

  it('the minter mints (Transfer from the zero address)', async () => {
    const receipt = await write(minter, 'mint', [alice.address, usd(1000)]);
    assertEvent(abi, receipt, 'Transfer', { from: zeroAddress, to: alice.address, value: usd(1000) });
    assert.equal(await balanceOf(alice.address), usd(1000));
    assert.equal(await totalSupply(), usd(1000));
  });

  it('nobody else mints; not to the zero address', async () => {
    await expectRevert(attempt(alice, 'mint', [alice.address, 1n]), abi, 'NotMinter', [alice.address]);
    await expectRevert(attempt(bob, 'mint', [bob.address, 1n]), abi, 'NotMinter', [bob.address]);
    await expectRevert(attempt(minter, 'mint', [zeroAddress, 1n]), abi, 'ERC20InvalidReceiver', [zeroAddress]);
    assert.equal(await totalSupply(), usd(1000));
  });

  it('transfers, approves and transfers from, as a standard ERC-20', async () => {
    const t = await write(alice, 'transfer', [bob.address, usd(100)]);
    assertEvent(abi, t, 'Transfer', { from: alice.address, to: bob.address, value: usd(100) });
    const a = await write(bob, 'approve', [carol.address, usd(40)]);
    assertEvent(abi, a, 'Approval', { owner: bob.address, spender: carol.address, value: usd(40) });
    await write(carol, 'transferFrom', [bob.address, carol.address, usd(30)]);
    assert.equal(
      await c.publicClient.readContract({ address: token, abi, functionName: 'allowance', args: [bob.address, carol.address] }),
      usd(10),
    );
    assert.deepEqual(await Promise.all([alice, bob, carol].map((x) => balanceOf(x.address))), [usd(900), usd(70), usd(30)]);
    await write(bob, 'approve', [carol.address, maxUint256]);
    await write(carol, 'transferFrom', [bob.address, carol.address, usd(1)]);
    assert.equal(
      await c.publicClient.readContract({ address: token, abi, functionName: 'allowance', args: [bob.address, carol.address] }),
      maxUint256,
    );
  });

  it('refuses transfers beyond the balance or the allowance', async () => {
    const bal = await balanceOf(bob.address);
    await expectRevert(attempt(bob, 'transfer', [alice.address, bal + 1n]), abi, 'ERC20InsufficientBalance', [
      bob.address,
      bal,
      bal + 1n,
    ]);
    await expectRevert(attempt(carol, 'transferFrom', [alice.address, carol.address, 1n]), abi, 'ERC20InsufficientAllowance', [
      carol.address,
      0n,
      1n,
    ]);
    await expectRevert(attempt(alice, 'transfer', [zeroAddress, 1n]), abi, 'ERC20InvalidReceiver', [zeroAddress]);
    assert.equal(await balanceOf(bob.address), bal);
  });
});
