import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  keccak256,
  parseEther,
  toBytes,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount, startDevChain, type DevChain } from './devchain.js';
import {
  consortiumGovernanceAbi,
  consortiumGovernanceBytecode,
  deviceRegistryAbi,
  memberRegistryAbi,
  parametricCoverAbi,
  parametricCoverBytecode,
  settlementTokenAbi,
  settlementTokenBytecode,
} from './generated/index.js';
import {
  account,
  assertEvent,
  clientsFor,
  eventsOf,
  deploy,
  deployAll,
  expectRevert,
  mined,
  ROLE,
  type Clients,
} from './test-support.js';

// Computed here independently of the contract.
const ADMISSION_ROLE = keccak256(toBytes('ADMISSION_ROLE'));
const STATE = { Active: 0, Defeated: 1, Passed: 2, Executed: 3, Cancelled: 4, Expired: 5 } as const;
const SETTINGS = { votingPeriod: 3600n, executionDelay: 600n, executionWindow: 86_400n, approvalBps: 5000 };

describe('ConsortiumGovernance', () => {
  let chain: DevChain;
  let c: Clients;
  let members: Address;
  let devices: Address;
  let gov: Address;
  const admin = account(0);
  const a1 = account(1); // org 1 (genesis)
  const a2 = account(2); // second account of org 1
  const b1 = account(3); // org 2 (genesis)
  const c1 = account(4); // org 3 (genesis, device owner)
  let outsider: Account;
  let newcomer: Account; // org 4, admitted by vote
  let late: Account; // org 5, admitted by vote after proposal `later` was made

  const fresh = async () => {
    const a = privateKeyToAccount(generatePrivateKey());
    await fundAccount(chain.rpcUrl, a.address, parseEther('1'));
    return a;
  };
  const govTx = (from: Account, functionName: string, args: readonly unknown[]) =>
    c.wallet(from).writeContract({ address: gov, abi: consortiumGovernanceAbi, functionName, args } as never);
  const govSend = async (from: Account, functionName: string, args: readonly unknown[]) =>
    mined(c, await govTx(from, functionName, args));
  const govRead = (functionName: string, args: readonly unknown[] = []) =>
    c.publicClient.readContract({ address: gov, abi: consortiumGovernanceAbi, functionName, args } as never) as Promise<unknown>;
  const memRead = (functionName: string, args: readonly unknown[] = []) =>
    c.publicClient.readContract({ address: members, abi: memberRegistryAbi, functionName, args } as never) as Promise<unknown>;
  const memTx = (from: Account, functionName: string, args: readonly unknown[]) =>
    c.wallet(from).writeContract({ address: members, abi: memberRegistryAbi, functionName, args } as never);
  let lastProposal: TransactionReceipt | undefined;
  /** Makes a proposal and returns its id (from the simulation, then mined). */
  const propose = async (from: Account, functionName: string, args: readonly unknown[]): Promise<bigint> => {
    const sim = await c.publicClient.simulateContract({
      account: from,
      address: gov,
      abi: consortiumGovernanceAbi,
      functionName,
      args,
    } as never);
    lastProposal = await govSend(from, functionName, args);
    return (sim as { result: bigint }).result;
  };
  const state = async (id: bigint) => Number(await govRead('state', [id]));
  const travel = async (seconds: number) => {
    await c.testClient.increaseTime({ seconds });
    await c.testClient.mine({ blocks: 1 });
  };

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    const d = await deployAll(c, admin);
    members = d.memberRegistry;
    devices = d.deviceRegistry;
    outsider = await fresh();
    // Genesis: the admin admits the founding members, then hands admission to the governance contract.
    await mined(c, await memTx(admin, 'admitMember', [a1.address, 'Carrier A', ROLE.CARRIER]));
    await mined(c, await memTx(admin, 'addAccount', [1n, a2.address]));
    await mined(c, await memTx(admin, 'admitMember', [b1.address, 'Shipper B', ROLE.SHIPPER | ROLE.ORACLE]));
    await mined(c, await memTx(admin, 'admitMember', [c1.address, 'Owner C', ROLE.DEVICE_OWNER | ROLE.ORACLE]));
    gov = await deploy(c, admin, consortiumGovernanceAbi, consortiumGovernanceBytecode, [members, SETTINGS, 2]);
    for (const role of [ADMISSION_ROLE, zeroHash]) await mined(c, await memTx(admin, 'grantRole', [role, gov]));
    for (const role of [ADMISSION_ROLE, zeroHash]) await mined(c, await memTx(admin, 'renounceRole', [role, admin.address]));
  });
  after(async () => {
    await chain?.stop();
  });

  describe('genesis and handover', () => {
    it('leaves the admission and admin roles with the governance contract only', async () => {
      assert.equal(await memRead('hasRole', [ADMISSION_ROLE, gov]), true);
      assert.equal(await memRead('hasRole', [zeroHash, gov]), true);
      assert.equal(await memRead('hasRole', [ADMISSION_ROLE, admin.address]), false);
      assert.equal(await memRead('hasRole', [zeroHash, admin.address]), false);
      assert.equal(await memRead('activeMemberCount'), 3n);
      assert.deepEqual(await govRead('settings'), SETTINGS);
      assert.equal(await govRead('oracleThreshold'), 2);
    });
    it('refuses the admin trying to admit, or to take the role back, after genesis', async () => {
      const x = await fresh();
      await expectRevert(
        memTx(admin, 'admitMember', [x.address, 'Late', ROLE.PORT]),
        memberRegistryAbi,
        'AccessControlUnauthorizedAccount',
        [admin.address, ADMISSION_ROLE],
      );
      await expectRevert(
        memTx(admin, 'grantRole', [ADMISSION_ROLE, admin.address]),
        memberRegistryAbi,
        'AccessControlUnauthorizedAccount',
        [admin.address, zeroHash],
      );
      await expectRevert(memTx(admin, 'removeMember', [2n]), memberRegistryAbi, 'AccessControlUnauthorizedAccount', [
        admin.address,
        ADMISSION_ROLE,
      ]);
    });
    it('refuses bad settings and a zero threshold at deployment', async () => {
      for (const bad of [
        { ...SETTINGS, votingPeriod: 0n },
        { ...SETTINGS, executionWindow: 0n },
        { ...SETTINGS, approvalBps: 4999 },
        { ...SETTINGS, approvalBps: 10_001 },
      ]) {
        await expectRevert(
          deploy(c, admin, consortiumGovernanceAbi, consortiumGovernanceBytecode, [members, bad, 2]),
          consortiumGovernanceAbi,
          'InvalidSettings',
        );
      }
      await expectRevert(
        deploy(c, admin, consortiumGovernanceAbi, consortiumGovernanceBytecode, [members, SETTINGS, 0]),
        consortiumGovernanceAbi,
        'InvalidThreshold',
        [0],
      );
      await expectRevert(
        deploy(c, admin, consortiumGovernanceAbi, consortiumGovernanceBytecode, [zeroAddress, SETTINGS, 2]),
        consortiumGovernanceAbi,
        'ZeroAddress',
      );
    });
  });

  describe('admission by vote', () => {
    let id: bigint;
    it('opens a proposal with the electorate and majority fixed at creation', async () => {
      newcomer = await fresh();
      id = await propose(a1, 'proposeAdmission', [newcomer.address, 'Insurer D', ROLE.INSURER]);
      assert.equal(id, 1n);
      assert.ok(lastProposal);
      assert.equal(eventsOf(consortiumGovernanceAbi, lastProposal, 'ProposalCreated').length, 1);
      console.log(`# gas proposeAdmission: ${lastProposal.gasUsed}`);
      const p = (await govRead('proposal', [id])) as { electorate: number; required: number; proposerOrg: bigint; state: number };
      assert.equal(p.electorate, 3);
      assert.equal(p.required, 2); // more than half of 3
      assert.equal(p.proposerOrg, 1n);
      assert.equal(p.state, STATE.Active);
    });
    it('refuses a vote by a non-member, and a proposal by one', async () => {
      await expectRevert(govTx(outsider, 'vote', [id, true]), consortiumGovernanceAbi, 'NotAMember', [outsider.address]);
      await expectRevert(
        govTx(outsider, 'proposeAdmission', [outsider.address, 'Me', ROLE.PORT]),
        consortiumGovernanceAbi,
        'NotAMember',
        [outsider.address],
      );
    });
    it('counts organisations, not accounts: a second vote of the same member is refused', async () => {
      const r = await govSend(a1, 'vote', [id, true]);
      assertEvent(consortiumGovernanceAbi, r, 'VoteCast', { proposalId: id, orgId: 1n, voter: a1.address, support: true });
      await expectRevert(govTx(a1, 'vote', [id, false]), consortiumGovernanceAbi, 'AlreadyVoted', [id, 1n]);
      await expectRevert(govTx(a2, 'vote', [id, true]), consortiumGovernanceAbi, 'AlreadyVoted', [id, 1n]);
      assert.equal(await govRead('voteOf', [id, 1n]), 1);
      assert.equal(await state(id), STATE.Active);
    });
    it('passes on the majority and refuses execution before the delay', async () => {
      const r = await govSend(b1, 'vote', [id, true]);
      console.log(`# gas vote (deciding): ${r.gasUsed}`);
      const [decided] = eventsOf(consortiumGovernanceAbi, r, 'ProposalDecided');
      assert.ok(decided);
      const executableAt = (decided.args as { executableAt: bigint }).executableAt;
      assert.equal(await state(id), STATE.Passed);
      const [, at, now] = await expectRevert(govTx(a1, 'execute', [id]), consortiumGovernanceAbi, 'ExecutionTooEarly', null);
      assert.equal(at, executableAt);
      assert.ok((now as bigint) < executableAt);
      // Votes after the decision are refused: the outcome is final.
      await expectRevert(govTx(c1, 'vote', [id, false]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Passed]);
    });
    it('executes after the delay: the newcomer is a member, and cannot execute twice', async () => {
      await travel(600);
      const r = await govSend(outsider, 'execute', [id]); // anyone may execute a passed proposal
      console.log(`# gas execute (admission): ${r.gasUsed}`);
      assertEvent(memberRegistryAbi, r, 'MemberAdmitted', {
        orgId: 4n,
        account: newcomer.address,
        name: 'Insurer D',
        roles: ROLE.INSURER,
      });
      assert.equal(await state(id), STATE.Executed);
      assert.equal(await memRead('activeMemberCount'), 4n);
      await expectRevert(govTx(a1, 'execute', [id]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Executed]);
    });
    it('lets only members in the electorate vote: one admitted after the proposal may not', async () => {
      const later = await propose(b1, 'proposeRoles', [2n, ROLE.SHIPPER]);
      late = await fresh();
      const admitNext = await propose(a1, 'proposeAdmission', [late.address, 'Port E', ROLE.PORT]);
      for (const v of [a1, b1, newcomer]) await govSend(v, 'vote', [admitNext, true]); // 3 of 4
      await travel(600);
      await govSend(a1, 'execute', [admitNext]);
      // Org 5 was admitted after `later` was made: it is not in that proposal's electorate.
      const p = (await govRead('proposal', [later])) as { electorate: number };
      assert.equal(p.electorate, 4);
      await expectRevert(govTx(late, 'vote', [later, true]), consortiumGovernanceAbi, 'NotInElectorate', [later, 5n]);
      await govSend(b1, 'cancel', [later]);
    });
  });

  describe('failing, expiring and cancelled proposals', () => {
    it('a proposal that fails the majority is defeated when its voting period ends, and cannot execute', async () => {
      // Electorate now 5 (orgs 1–5), 3 yes needed: three no votes decide it.
      const id = await propose(a1, 'proposeRemoval', [2n]);
      await govSend(a1, 'vote', [id, true]);
      await govSend(b1, 'vote', [id, false]);
      await govSend(c1, 'vote', [id, false]);
      assert.equal(await state(id), STATE.Active);
      await travel(3600); // the voting period ends without a majority
      assert.equal(await state(id), STATE.Defeated);
      await expectRevert(govTx(a1, 'execute', [id]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Defeated]);
      await expectRevert(govTx(a1, 'vote', [id, true]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Defeated]);
      assert.equal(await memRead('removedAt', [2n]), 0n);
    });
    it('a passed proposal not executed within the window expires', async () => {
      const id = await propose(a1, 'proposeRoles', [1n, ROLE.CARRIER | ROLE.ORACLE]);
      for (const v of [a1, b1, c1]) await govSend(v, 'vote', [id, true]);
      assert.equal(await state(id), STATE.Passed);
      await travel(600 + 86_400);
      assert.equal(await state(id), STATE.Expired);
      await expectRevert(govTx(a1, 'execute', [id]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Expired]);
    });
    it('only the proposing member cancels, and a cancelled proposal takes no votes', async () => {
      const id = await propose(b1, 'proposeRoles', [2n, ROLE.SHIPPER]);
      await expectRevert(govTx(a1, 'cancel', [id]), consortiumGovernanceAbi, 'NotProposer', [a1.address, id]);
      await govSend(b1, 'cancel', [id]);
      await expectRevert(govTx(a1, 'vote', [id, true]), consortiumGovernanceAbi, 'WrongProposalState', [id, STATE.Cancelled]);
      await expectRevert(govTx(a1, 'vote', [999n, true]), consortiumGovernanceAbi, 'UnknownProposal', [999n]);
    });
    it('refuses malformed proposals', async () => {
      await expectRevert(govTx(a1, 'proposeAdmission', [zeroAddress, 'Z', ROLE.PORT]), consortiumGovernanceAbi, 'ZeroAddress');
      await expectRevert(govTx(a1, 'proposeAdmission', [outsider.address, '', ROLE.PORT]), consortiumGovernanceAbi, 'EmptyName');
      await expectRevert(govTx(a1, 'proposeAdmission', [outsider.address, 'X', 0n]), consortiumGovernanceAbi, 'NoRoles');
      await expectRevert(govTx(a1, 'proposeRemoval', [99n]), consortiumGovernanceAbi, 'UnknownOrg', [99n]);
      await expectRevert(govTx(a1, 'proposeOracleThreshold', [0, zeroAddress]), consortiumGovernanceAbi, 'InvalidThreshold', [0]);
      await expectRevert(
        govTx(a1, 'proposeSettings', [{ ...SETTINGS, approvalBps: 100 }]),
        consortiumGovernanceAbi,
        'InvalidSettings',
      );
    });
  });

  describe('what passed proposals change', () => {
    /** Proposes, passes with orgs 1–3 (+ the later members) voting yes, waits the delay and executes. */
    const pass = async (functionName: string, args: readonly unknown[], voters: Account[]) => {
      const id = await propose(a1, functionName, args);
      for (const v of voters) {
        if ((await state(id)) !== STATE.Active) break;
        await govSend(v, 'vote', [id, true]);
      }
      assert.equal(await state(id), STATE.Passed);
      await travel(Number(((await govRead('settings')) as typeof SETTINGS).executionDelay));
      return govSend(a1, 'execute', [id]);
    };

    it('changes the oracle threshold of the consortium and of a cover contract', async () => {
      const anchor = (await deployAll(c, admin)).logAnchor; // any LogAnchor serves the constructor
      const token = await deploy(c, admin, settlementTokenAbi, settlementTokenBytecode, ['T', 'T', 6, admin.address]);
      const cover = await deploy(c, admin, parametricCoverAbi, parametricCoverBytecode, [members, anchor, token, 2]);
      const r = await pass('proposeOracleThreshold', [3, cover], [a1, b1, c1]);
      assertEvent(consortiumGovernanceAbi, r, 'OracleThresholdChanged', { previous: 2, threshold: 3, target: cover });
      assert.equal(await govRead('oracleThreshold'), 3);
      assert.equal(await c.publicClient.readContract({ address: cover, abi: parametricCoverAbi, functionName: 'threshold' }), 3);
    });

    it('changes the voting settings (for proposals made afterwards)', async () => {
      const next = { votingPeriod: 7200n, executionDelay: 60n, executionWindow: 3600n, approvalBps: 6667 };
      await pass('proposeSettings', [next], [a1, b1, c1]);
      assert.deepEqual(await govRead('settings'), next);
      const id = await propose(a1, 'proposeRoles', [3n, ROLE.DEVICE_OWNER]);
      const p = (await govRead('proposal', [id])) as { electorate: number; required: number };
      assert.equal(p.electorate, 5);
      assert.equal(p.required, 4); // more than two thirds of 5
      await govSend(a1, 'cancel', [id]);
    });

    it('removes a member: its devices are refused from the removal time on, earlier signatures stay valid', async () => {
      const deviceId: Hex = keccak256(toBytes('reefer-c-1'));
      const key = `0x${'11'.repeat(32)}` as Hex;
      await mined(
        c,
        await c.wallet(c1).writeContract({
          address: devices,
          abi: deviceRegistryAbi,
          functionName: 'registerDevice',
          args: [deviceId, 2, key, zeroHash],
        }),
      );
      const registered = (await c.publicClient.getBlock()).timestamp;
      await travel(100);
      const r = await pass('proposeRemoval', [3n], [a1, b1, newcomer, late]);
      const [removed] = eventsOf(memberRegistryAbi, r, 'MemberRemoved');
      assert.ok(removed);
      const removedAt = (removed.args as { removedAt: bigint }).removedAt;
      assert.equal(await memRead('removedAt', [3n]), removedAt);
      assert.equal(await memRead('activeOrgOf', [c1.address]), 0n);
      const activeAt = (t: bigint) =>
        c.publicClient.readContract({
          address: devices,
          abi: deviceRegistryAbi,
          functionName: 'isActiveAt',
          args: [deviceId, t],
        });
      assert.equal(await activeAt(registered + 50n), true); // signed before the removal: still valid
      assert.equal(await activeAt(removedAt - 1n), true);
      assert.equal(await activeAt(removedAt), false);
      assert.equal(await activeAt(removedAt + 1000n), false);
      const d = await c.publicClient.readContract({
        address: devices,
        abi: deviceRegistryAbi,
        functionName: 'device',
        args: [deviceId],
      });
      assert.equal(d.revokedAt, removedAt); // the effective revocation
      // Removal is final, and the removed member has no vote.
      const id = await propose(a1, 'proposeRoles', [2n, ROLE.SHIPPER]);
      await expectRevert(govTx(c1, 'vote', [id, true]), consortiumGovernanceAbi, 'NotAMember', [c1.address]);
      await govSend(a1, 'cancel', [id]);
      await expectRevert(
        c.publicClient.simulateContract({
          account: gov,
          address: members,
          abi: memberRegistryAbi,
          functionName: 'setActive',
          args: [3n, true],
        }),
        memberRegistryAbi,
        'MemberIsRemoved',
        [3n, removedAt],
      );
    });
  });
});
