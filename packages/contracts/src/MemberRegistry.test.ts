import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, parseEther, toBytes, zeroAddress, zeroHash, type Account, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount, startDevChain, type DevChain } from './devchain.js';
import { memberRegistryAbi, memberRegistryBytecode } from './generated/index.js';
import {
  account,
  assertEvent,
  blockTime,
  clientsFor,
  deploy,
  eventsOf,
  expectRevert,
  mined,
  ROLE,
  type Clients,
} from './test-support.js';

// Computed here independently of the contract.
const ADMISSION_ROLE = keccak256(toBytes('ADMISSION_ROLE'));
const DEFAULT_ADMIN_ROLE = zeroHash;

type Fn = 'admitMember' | 'addAccount' | 'removeAccount' | 'setRoles' | 'setActive' | 'removeMember' | 'grantRole' | 'revokeRole';

describe('MemberRegistry', () => {
  let chain: DevChain;
  let c: Clients;
  let reg: Address;
  const admin = account(0);
  const a1 = account(1); // org 1
  const a2 = account(2); // added to org 1
  const b1 = account(3); // org 2
  const outsider = account(4);

  const tx = (from: Account, functionName: Fn, args: readonly unknown[]) =>
    c.wallet(from).writeContract({ address: reg, abi: memberRegistryAbi, functionName, args } as never);
  const send = async (from: Account, functionName: Fn, args: readonly unknown[]) => mined(c, await tx(from, functionName, args));
  const read = (functionName: string, args: readonly unknown[]) =>
    c.publicClient.readContract({ address: reg, abi: memberRegistryAbi, functionName, args } as never) as Promise<unknown>;
  const fresh = async () => {
    const a = privateKeyToAccount(generatePrivateKey());
    await fundAccount(chain.rpcUrl, a.address, parseEther('1'));
    return a;
  };
  const denied = (from: Account) => ['AccessControlUnauthorizedAccount', [from.address, ADMISSION_ROLE]] as const;

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    reg = await deploy(c, admin, memberRegistryAbi, memberRegistryBytecode, [admin.address]);
  });
  after(async () => {
    await chain?.stop();
  });

  describe('deployment', () => {
    it('rejects a zero admin', async () => {
      await expectRevert(
        deploy(c, admin, memberRegistryAbi, memberRegistryBytecode, [zeroAddress]),
        memberRegistryAbi,
        'ZeroAddress',
      );
    });
    it('gives the admin DEFAULT_ADMIN_ROLE and ADMISSION_ROLE, and starts empty', async () => {
      assert.equal(await read('ADMISSION_ROLE', []), ADMISSION_ROLE);
      assert.equal(await read('hasRole', [ADMISSION_ROLE, admin.address]), true);
      assert.equal(await read('hasRole', [DEFAULT_ADMIN_ROLE, admin.address]), true);
      assert.equal(await read('hasRole', [ADMISSION_ROLE, a1.address]), false);
      assert.equal(await read('memberCount', []), 0n);
      assert.equal(await read('orgOf', [a1.address]), 0n);
    });
  });

  describe('admitMember', () => {
    it('admits members with ids from 1, stores and emits them', async () => {
      const sim = await c.publicClient.simulateContract({
        account: admin,
        address: reg,
        abi: memberRegistryAbi,
        functionName: 'admitMember',
        args: [a1.address, 'Carrier A', ROLE.CARRIER | ROLE.DEVICE_OWNER],
      });
      assert.equal(sim.result, 1n);
      const receipt = await send(admin, 'admitMember', [a1.address, 'Carrier A', ROLE.CARRIER | ROLE.DEVICE_OWNER]);
      assertEvent(memberRegistryAbi, receipt, 'MemberAdmitted', {
        orgId: 1n,
        account: a1.address,
        name: 'Carrier A',
        roles: ROLE.CARRIER | ROLE.DEVICE_OWNER,
      });
      assert.deepEqual(await read('member', [1n]), {
        name: 'Carrier A',
        roles: ROLE.CARRIER | ROLE.DEVICE_OWNER,
        active: true,
        admittedAt: await blockTime(c, receipt),
      });
      assert.equal(await read('orgOf', [a1.address]), 1n);
      assert.equal(await read('activeOrgOf', [a1.address]), 1n);
      assert.equal(await read('memberCount', []), 1n);

      const r2 = await send(admin, 'admitMember', [b1.address, 'Shipper B', ROLE.SHIPPER]);
      assertEvent(memberRegistryAbi, r2, 'MemberAdmitted', {
        orgId: 2n,
        account: b1.address,
        name: 'Shipper B',
        roles: ROLE.SHIPPER,
      });
      assert.equal(await read('orgOf', [b1.address]), 2n);
      assert.equal(await read('memberCount', []), 2n);
    });
    it('needs ADMISSION_ROLE (members cannot admit)', async () => {
      const x = await fresh();
      await expectRevert(tx(a1, 'admitMember', [x.address, 'X', ROLE.PORT]), memberRegistryAbi, ...denied(a1));
      await expectRevert(tx(outsider, 'admitMember', [x.address, 'X', ROLE.PORT]), memberRegistryAbi, ...denied(outsider));
    });
    it('rejects the zero address, an empty name, no roles and an account that is already a member', async () => {
      await expectRevert(tx(admin, 'admitMember', [zeroAddress, 'Z', ROLE.PORT]), memberRegistryAbi, 'ZeroAddress');
      await expectRevert(tx(admin, 'admitMember', [outsider.address, '', ROLE.PORT]), memberRegistryAbi, 'EmptyName');
      await expectRevert(tx(admin, 'admitMember', [outsider.address, 'Port', 0n]), memberRegistryAbi, 'NoRoles');
      await expectRevert(tx(admin, 'admitMember', [b1.address, 'Again', ROLE.PORT]), memberRegistryAbi, 'AccountAlreadyMember', [
        b1.address,
        2n,
      ]);
      assert.equal(await read('memberCount', []), 2n);
    });
    it('lets a governance account admit once granted ADMISSION_ROLE, and not after revocation', async () => {
      const gov = await fresh();
      const x = await fresh();
      await send(admin, 'grantRole', [ADMISSION_ROLE, gov.address]);
      const receipt = await send(gov, 'admitMember', [x.address, 'Insurer X', ROLE.INSURER]);
      assertEvent(memberRegistryAbi, receipt, 'MemberAdmitted', {
        orgId: 3n,
        account: x.address,
        name: 'Insurer X',
        roles: ROLE.INSURER,
      });
      await send(admin, 'revokeRole', [ADMISSION_ROLE, gov.address]);
      const y = await fresh();
      await expectRevert(tx(gov, 'admitMember', [y.address, 'Y', ROLE.PORT]), memberRegistryAbi, ...denied(gov));
    });
  });

  describe('addAccount', () => {
    it('lets an account of the org add an account', async () => {
      const receipt = await send(a1, 'addAccount', [1n, a2.address]);
      assertEvent(memberRegistryAbi, receipt, 'AccountAdded', { orgId: 1n, account: a2.address });
      assert.equal(await read('orgOf', [a2.address]), 1n);
      assert.equal(await read('hasMemberRole', [a2.address, ROLE.CARRIER]), true);
    });
    it('lets ADMISSION_ROLE add an account to any org', async () => {
      const x = await fresh();
      const receipt = await send(admin, 'addAccount', [2n, x.address]);
      assertEvent(memberRegistryAbi, receipt, 'AccountAdded', { orgId: 2n, account: x.address });
      assert.equal(await read('orgOf', [x.address]), 2n);
    });
    it('rejects unknown orgs', async () => {
      const x = await fresh();
      await expectRevert(tx(admin, 'addAccount', [0n, x.address]), memberRegistryAbi, 'UnknownOrg', [0n]);
      await expectRevert(tx(admin, 'addAccount', [99n, x.address]), memberRegistryAbi, 'UnknownOrg', [99n]);
    });
    it("rejects another org's account and non-members", async () => {
      const x = await fresh();
      await expectRevert(tx(b1, 'addAccount', [1n, x.address]), memberRegistryAbi, 'NotOrgAccount', [b1.address, 1n]);
      await expectRevert(tx(outsider, 'addAccount', [1n, x.address]), memberRegistryAbi, 'NotOrgAccount', [outsider.address, 1n]);
    });
    it('rejects the zero address and accounts that already belong to a member', async () => {
      await expectRevert(tx(a1, 'addAccount', [1n, zeroAddress]), memberRegistryAbi, 'ZeroAddress');
      await expectRevert(tx(a1, 'addAccount', [1n, b1.address]), memberRegistryAbi, 'AccountAlreadyMember', [b1.address, 2n]);
      await expectRevert(tx(a1, 'addAccount', [1n, a2.address]), memberRegistryAbi, 'AccountAlreadyMember', [a2.address, 1n]);
    });
  });

  describe('removeAccount', () => {
    it('lets an account of the org remove another, which can then join elsewhere', async () => {
      const x = await fresh();
      await send(a1, 'addAccount', [1n, x.address]);
      const receipt = await send(a2, 'removeAccount', [x.address]);
      assertEvent(memberRegistryAbi, receipt, 'AccountRemoved', { orgId: 1n, account: x.address });
      assert.equal(await read('orgOf', [x.address]), 0n);
      assert.equal(await read('hasMemberRole', [x.address, 0n]), false);
      await send(b1, 'addAccount', [2n, x.address]);
      assert.equal(await read('orgOf', [x.address]), 2n);
    });
    it('lets an account remove itself, and ADMISSION_ROLE remove any account', async () => {
      const x = await fresh();
      await send(b1, 'addAccount', [2n, x.address]);
      const self = await send(x, 'removeAccount', [x.address]);
      assertEvent(memberRegistryAbi, self, 'AccountRemoved', { orgId: 2n, account: x.address });
      await send(b1, 'addAccount', [2n, x.address]);
      const byAdmin = await send(admin, 'removeAccount', [x.address]);
      assertEvent(memberRegistryAbi, byAdmin, 'AccountRemoved', { orgId: 2n, account: x.address });
      assert.equal(await read('orgOf', [x.address]), 0n);
    });
    it('rejects accounts that are not members', async () => {
      await expectRevert(tx(a1, 'removeAccount', [outsider.address]), memberRegistryAbi, 'NotAMember', [outsider.address]);
    });
    it("rejects another org's account and non-members as callers", async () => {
      await expectRevert(tx(b1, 'removeAccount', [a2.address]), memberRegistryAbi, 'NotOrgAccount', [b1.address, 1n]);
      await expectRevert(tx(outsider, 'removeAccount', [a2.address]), memberRegistryAbi, 'NotOrgAccount', [outsider.address, 1n]);
      assert.equal(await read('orgOf', [a2.address]), 1n);
    });
  });

  describe('setRoles', () => {
    it('replaces the roles and emits RolesChanged', async () => {
      const receipt = await send(admin, 'setRoles', [2n, ROLE.SHIPPER | ROLE.CONSIGNEE | ROLE.FINANCIER]);
      assertEvent(memberRegistryAbi, receipt, 'RolesChanged', {
        orgId: 2n,
        roles: ROLE.SHIPPER | ROLE.CONSIGNEE | ROLE.FINANCIER,
      });
      const m = (await read('member', [2n])) as { roles: bigint };
      assert.equal(m.roles, ROLE.SHIPPER | ROLE.CONSIGNEE | ROLE.FINANCIER);
      assert.equal(await read('hasMemberRole', [b1.address, ROLE.FINANCIER]), true);
      await send(admin, 'setRoles', [2n, ROLE.SHIPPER]);
      assert.equal(await read('hasMemberRole', [b1.address, ROLE.FINANCIER]), false);
    });
    it('needs ADMISSION_ROLE, even for the org itself', async () => {
      await expectRevert(tx(b1, 'setRoles', [2n, ROLE.PORT]), memberRegistryAbi, ...denied(b1));
      await expectRevert(tx(outsider, 'setRoles', [2n, ROLE.PORT]), memberRegistryAbi, ...denied(outsider));
    });
    it('rejects unknown orgs and empty roles', async () => {
      await expectRevert(tx(admin, 'setRoles', [0n, ROLE.PORT]), memberRegistryAbi, 'UnknownOrg', [0n]);
      await expectRevert(tx(admin, 'setRoles', [99n, ROLE.PORT]), memberRegistryAbi, 'UnknownOrg', [99n]);
      await expectRevert(tx(admin, 'setRoles', [2n, 0n]), memberRegistryAbi, 'NoRoles');
    });
  });

  describe('setActive', () => {
    it('suspends a member (its accounts lose their roles) and reactivates it', async () => {
      const off = await send(admin, 'setActive', [1n, false]);
      assertEvent(memberRegistryAbi, off, 'MemberStatusChanged', { orgId: 1n, active: false });
      assert.equal(((await read('member', [1n])) as { active: boolean }).active, false);
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.CARRIER]), false);
      assert.equal(await read('hasMemberRole', [a2.address, 0n]), false);
      assert.equal(await read('activeOrgOf', [a1.address]), 0n);
      assert.equal(await read('orgOf', [a1.address]), 1n, 'still an account of the org');
      const on = await send(admin, 'setActive', [1n, true]);
      assertEvent(memberRegistryAbi, on, 'MemberStatusChanged', { orgId: 1n, active: true });
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.CARRIER]), true);
      assert.equal(await read('activeOrgOf', [a1.address]), 1n);
    });
    it('needs ADMISSION_ROLE (a suspended org cannot reactivate itself)', async () => {
      await send(admin, 'setActive', [2n, false]);
      await expectRevert(tx(b1, 'setActive', [2n, true]), memberRegistryAbi, ...denied(b1));
      await send(admin, 'setActive', [2n, true]);
    });
    it('rejects unknown orgs', async () => {
      await expectRevert(tx(admin, 'setActive', [0n, true]), memberRegistryAbi, 'UnknownOrg', [0n]);
      await expectRevert(tx(admin, 'setActive', [99n, false]), memberRegistryAbi, 'UnknownOrg', [99n]);
    });
  });

  describe('views', () => {
    it('hasMemberRole requires every bit of the role; 0 asks only for active membership', async () => {
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.CARRIER]), true);
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.CARRIER | ROLE.DEVICE_OWNER]), true);
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.CARRIER | ROLE.SHIPPER]), false);
      assert.equal(await read('hasMemberRole', [a1.address, ROLE.SHIPPER]), false);
      assert.equal(await read('hasMemberRole', [a1.address, 0n]), true);
      assert.equal(await read('hasMemberRole', [outsider.address, 0n]), false);
      assert.equal(await read('hasMemberRole', [outsider.address, ROLE.CARRIER]), false);
    });
    it('orgOf and activeOrgOf are 0 for non-members', async () => {
      assert.equal(await read('orgOf', [outsider.address]), 0n);
      assert.equal(await read('activeOrgOf', [outsider.address]), 0n);
    });
    it('member() rejects unknown orgs', async () => {
      await expectRevert(read('member', [0n]), memberRegistryAbi, 'UnknownOrg', [0n]);
      await expectRevert(read('member', [99n]), memberRegistryAbi, 'UnknownOrg', [99n]);
    });
  });

  describe('removeMember', () => {
    it('removes a member for good: suspended, removal time recorded, no later change', async () => {
      const x = await fresh();
      const admitted = await send(admin, 'admitMember', [x.address, 'Leaving Ltd', ROLE.PORT]);
      const [ev] = eventsOf(memberRegistryAbi, admitted, 'MemberAdmitted');
      assert.ok(ev);
      const orgId = (ev.args as { orgId: bigint }).orgId;
      const activeBefore = (await read('activeMemberCount', [])) as bigint;
      assert.equal(await read('removedAt', [orgId]), 0n);
      await expectRevert(tx(x, 'removeMember', [orgId]), memberRegistryAbi, ...denied(x));
      const r = await send(admin, 'removeMember', [orgId]);
      const at = await blockTime(c, r);
      assertEvent(memberRegistryAbi, r, 'MemberRemoved', { orgId, removedAt: at });
      assert.equal(await read('removedAt', [orgId]), at);
      assert.equal(await read('activeMemberCount', []), activeBefore - 1n);
      assert.equal(await read('activeOrgOf', [x.address]), 0n);
      assert.equal(await read('orgOf', [x.address]), orgId, 'its accounts stay known: what it signed stays attributable');
      for (const [fn, args] of [
        ['setActive', [orgId, true]],
        ['setRoles', [orgId, ROLE.SHIPPER]],
        ['removeMember', [orgId]],
        ['addAccount', [orgId, outsider.address]],
      ] as const) {
        await expectRevert(tx(admin, fn, args), memberRegistryAbi, 'MemberIsRemoved', [orgId, at]);
      }
      await expectRevert(tx(admin, 'removeMember', [99n]), memberRegistryAbi, 'UnknownOrg', [99n]);
    });
    it('counts active members through suspension and reactivation', async () => {
      const n = (await read('activeMemberCount', [])) as bigint;
      await send(admin, 'setActive', [2n, false]);
      await send(admin, 'setActive', [2n, false]); // no double count
      assert.equal(await read('activeMemberCount', []), n - 1n);
      await send(admin, 'setActive', [2n, true]);
      assert.equal(await read('activeMemberCount', []), n);
    });
  });
});
