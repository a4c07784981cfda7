import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bytesToHex, parseEther, zeroAddress, zeroHash, type Account, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount, startDevChain, type DevChain } from './devchain.js';
import { logAnchorAbi, logAnchorBytecode, memberRegistryAbi } from './generated/index.js';
import { account, assertEvent, clientsFor, deploy, deployAll, expectRevert, mined, ROLE, type Clients } from './test-support.js';

const root = (): Hex => bytesToHex(randomBytes(32));

describe('LogAnchor', () => {
  let chain: DevChain;
  let c: Clients;
  let members: Address;
  let anchor: Address;
  const admin = account(0);
  const nodeA1 = account(1); // org 1
  const nodeA2 = account(2); // org 1, second account
  const nodeB = account(3); // org 2
  const outsider = account(4);

  const publish = async (from: Account, size: bigint, r: Hex, ts: bigint) =>
    mined(
      c,
      await c
        .wallet(from)
        .writeContract({ address: anchor, abi: logAnchorAbi, functionName: 'publishHead', args: [size, r, ts] }),
    );
  const tryPublish = (from: Account, size: bigint, r: Hex, ts: bigint) =>
    c.wallet(from).writeContract({ address: anchor, abi: logAnchorAbi, functionName: 'publishHead', args: [size, r, ts] });
  const read = <F extends 'latestHead' | 'rootAt' | 'isAnchored' | 'headCount'>(functionName: F, args: readonly unknown[]) =>
    c.publicClient.readContract({ address: anchor, abi: logAnchorAbi, functionName, args } as never) as Promise<unknown>;
  const admission = async (
    functionName: 'admitMember' | 'addAccount' | 'removeAccount' | 'setActive',
    args: readonly unknown[],
  ) => mined(c, await c.wallet(admin).writeContract({ address: members, abi: memberRegistryAbi, functionName, args } as never));
  const newFundedAccount = async () => {
    const a = privateKeyToAccount(generatePrivateKey());
    await fundAccount(chain.rpcUrl, a.address, parseEther('10'));
    return a;
  };

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    const d = await deployAll(c, admin);
    members = d.memberRegistry;
    anchor = d.logAnchor;
    await admission('admitMember', [nodeA1.address, 'Carrier A', ROLE.CARRIER]);
    await admission('addAccount', [1n, nodeA2.address]);
    await admission('admitMember', [nodeB.address, 'Shipper B', ROLE.SHIPPER]);
  });
  after(async () => {
    await chain?.stop();
  });

  it('rejects a zero MemberRegistry address at deployment', async () => {
    await expectRevert(deploy(c, admin, logAnchorAbi, logAnchorBytecode, [zeroAddress]), logAnchorAbi, 'ZeroAddress');
  });

  it('exposes the member registry it checks', async () => {
    assert.equal(await c.publicClient.readContract({ address: anchor, abi: logAnchorAbi, functionName: 'members' }), members);
  });

  it('reports nothing for a publisher that never published', async () => {
    assert.deepEqual(await read('latestHead', [nodeA1.address]), { size: 0n, timestamp: 0n, root: zeroHash });
    assert.equal(await read('headCount', [nodeA1.address]), 0n);
    assert.equal(await read('rootAt', [nodeA1.address, 0n]), zeroHash);
  });

  it('stores, emits and anchors a first head', async () => {
    const r1 = root();
    const receipt = await publish(nodeA1, 10n, r1, 1_700_000_000_000n);
    assertEvent(logAnchorAbi, receipt, 'HeadPublished', {
      publisher: nodeA1.address,
      orgId: 1n,
      size: 10n,
      root: r1,
      timestamp: 1_700_000_000_000n,
      count: 1n,
    });
    assert.deepEqual(await read('latestHead', [nodeA1.address]), { size: 10n, timestamp: 1_700_000_000_000n, root: r1 });
    assert.equal(await read('rootAt', [nodeA1.address, 10n]), r1);
    assert.equal(await read('isAnchored', [nodeA1.address, 10n, r1]), true);
    assert.equal(await read('headCount', [nodeA1.address]), 1n);
  });

  it('keeps earlier roots anchored as later heads arrive; an equal timestamp is allowed', async () => {
    const before = (await read('latestHead', [nodeA1.address])) as { size: bigint; timestamp: bigint; root: Hex };
    const r2 = root();
    const receipt = await publish(nodeA1, before.size + 1n, r2, before.timestamp);
    assertEvent(logAnchorAbi, receipt, 'HeadPublished', {
      publisher: nodeA1.address,
      orgId: 1n,
      size: before.size + 1n,
      root: r2,
      timestamp: before.timestamp,
      count: 2n,
    });
    assert.deepEqual(await read('latestHead', [nodeA1.address]), {
      size: before.size + 1n,
      timestamp: before.timestamp,
      root: r2,
    });
    assert.equal(await read('rootAt', [nodeA1.address, before.size]), before.root);
    assert.equal(await read('rootAt', [nodeA1.address, before.size + 1n]), r2);
    assert.equal(await read('isAnchored', [nodeA1.address, before.size, before.root]), true);
    assert.equal(await read('isAnchored', [nodeA1.address, before.size + 1n, r2]), true);
    assert.equal(await read('headCount', [nodeA1.address]), 2n);
  });

  it('isAnchored is false for a wrong root, a wrong size, another publisher, or the zero root', async () => {
    const h = (await read('latestHead', [nodeA1.address])) as { size: bigint; root: Hex };
    assert.equal(await read('isAnchored', [nodeA1.address, h.size, root()]), false);
    assert.equal(await read('isAnchored', [nodeA1.address, h.size + 1n, h.root]), false);
    assert.equal(await read('isAnchored', [nodeA2.address, h.size, h.root]), false);
    assert.equal(await read('isAnchored', [nodeA1.address, 3n, zeroHash]), false);
    assert.equal(await read('rootAt', [nodeA1.address, h.size + 1n]), zeroHash);
  });

  it('keeps heads per publisher account, also within one org', async () => {
    const r = root();
    const receipt = await publish(nodeA2, 3n, r, 5n); // smaller size and time than nodeA1's: independent
    assertEvent(logAnchorAbi, receipt, 'HeadPublished', {
      publisher: nodeA2.address,
      orgId: 1n,
      size: 3n,
      root: r,
      timestamp: 5n,
      count: 1n,
    });
    const rb = root();
    const rb2 = await publish(nodeB, 3n, rb, 5n);
    assertEvent(logAnchorAbi, rb2, 'HeadPublished', {
      publisher: nodeB.address,
      orgId: 2n,
      size: 3n,
      root: rb,
      timestamp: 5n,
      count: 1n,
    });
    assert.equal(await read('rootAt', [nodeA2.address, 3n]), r);
    assert.equal(await read('rootAt', [nodeB.address, 3n]), rb);
    assert.equal(await read('headCount', [nodeA1.address]), 2n);
  });

  it('rejects publishers that are not accounts of a member', async () => {
    await expectRevert(tryPublish(outsider, 1n, root(), 1n), logAnchorAbi, 'NotAMember', [outsider.address]);
  });

  it('rejects a suspended member and accepts it again once reactivated', async () => {
    await admission('setActive', [2n, false]);
    const h = (await read('latestHead', [nodeB.address])) as { size: bigint; timestamp: bigint };
    await expectRevert(tryPublish(nodeB, h.size + 1n, root(), h.timestamp), logAnchorAbi, 'NotAMember', [nodeB.address]);
    await admission('setActive', [2n, true]);
    await publish(nodeB, h.size + 1n, root(), h.timestamp);
  });

  it('rejects a removed account but keeps its anchored roots', async () => {
    const fresh = await newFundedAccount();
    await admission('addAccount', [2n, fresh.address]);
    const r = root();
    await publish(fresh, 7n, r, 70n);
    await admission('removeAccount', [fresh.address]);
    await expectRevert(tryPublish(fresh, 8n, root(), 80n), logAnchorAbi, 'NotAMember', [fresh.address]);
    assert.equal(await read('isAnchored', [fresh.address, 7n, r]), true);
  });

  it('rejects the zero root', async () => {
    await expectRevert(tryPublish(nodeA1, 1000n, zeroHash, 2_000_000_000_000n), logAnchorAbi, 'EmptyRoot');
  });

  it('requires the size to grow strictly (and never accepts size 0)', async () => {
    const h = (await read('latestHead', [nodeA1.address])) as { size: bigint; timestamp: bigint };
    await expectRevert(tryPublish(nodeA1, h.size, root(), h.timestamp + 1n), logAnchorAbi, 'SizeNotIncreasing', [h.size, h.size]);
    await expectRevert(tryPublish(nodeA1, h.size - 1n, root(), h.timestamp + 1n), logAnchorAbi, 'SizeNotIncreasing', [
      h.size,
      h.size - 1n,
    ]);
    const fresh = await newFundedAccount();
    await admission('addAccount', [1n, fresh.address]);
    await expectRevert(tryPublish(fresh, 0n, root(), 1n), logAnchorAbi, 'SizeNotIncreasing', [0n, 0n]);
  });

  it('rejects a timestamp that goes backwards', async () => {
    const h = (await read('latestHead', [nodeA1.address])) as { size: bigint; timestamp: bigint };
    await expectRevert(tryPublish(nodeA1, h.size + 1n, root(), h.timestamp - 1n), logAnchorAbi, 'TimestampWentBack', [
      h.timestamp,
      h.timestamp - 1n,
    ]);
    await expectRevert(tryPublish(nodeA1, h.size + 1n, root(), 0n), logAnchorAbi, 'TimestampWentBack', [h.timestamp, 0n]);
    assert.equal(await read('headCount', [nodeA1.address]), 2n);
  });

  it('publishes a subsequent head within the gas budget (< 70,000)', async () => {
    const fresh = await newFundedAccount();
    await admission('addAccount', [1n, fresh.address]);
    const first = await publish(fresh, 100n, root(), 1_700_000_000_000n);
    const second = await publish(fresh, 150n, root(), 1_700_000_001_000n);
    const third = await publish(fresh, 200n, root(), 1_700_000_002_000n);
    console.log(`# gas publishHead: first ${first.gasUsed}, second ${second.gasUsed}, third ${third.gasUsed}`);
    assert.ok(second.gasUsed < 70_000n, `second publishHead used ${second.gasUsed} gas`);
    assert.ok(third.gasUsed < 70_000n, `third publishHead used ${third.gasUsed} gas`);
  });
});
