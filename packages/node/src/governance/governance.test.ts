// Admission by vote (S9) against a real node on its embedded chain: the node
// founds the network (genesis: its own organisation), admission is handed to
// ConsortiumGovernance, and from then on members are admitted, removed and the
// oracle threshold changed only by proposals voted through the node's API and
// CLI. A removed member's device is refused from the removal on, while a
// reading it signed before still verifies against the chain.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { GovernanceJson, ProposalJson } from '@tradetwin/core/wire/governance';
import type { ChainClients } from '../chain/clients.js';
import { registerDevice } from '../chain/devices.js';
import { ChainError } from '../chain/errors.js';
import { DEFAULT_GOVERNANCE_SETTINGS, holdsAdmission, vote } from '../chain/governance.js';
import { admitMember, ROLES } from '../chain/members.js';
import { runCli } from '../test-support/cli.js';
import { fundedClients } from '../test-support/governance.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';

let t: TestNode;
let ownerKey: Hex;
let owner: ChainClients; // org 2, admitted by vote: owns a reefer
const reefer = deviceKey('reefer-gov-1', 2);

const api = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) =>
  fetch(`${t.node.httpUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? t.node.adminToken}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
const ok = async <T>(res: Response, status = 200): Promise<T> => {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body as T;
};
const problem = async (res: Response, status: number, type: string) => {
  const body = (await res.json()) as { type: string; detail: string; errorName?: string; field?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.type, `https://tradetwin.dev/problems/${type}`);
  assert.ok(body.detail.length > 10, 'the problem says why');
  return body;
};
const cli = async (...args: string[]) => {
  const r = await runCli(['governance', ...args, '--node', t.node.httpUrl, '--token', t.node.adminToken, '--json']);
  return { code: r.code, body: JSON.parse(r.stdout || '{}') as Record<string, unknown>, stderr: r.stderr };
};
const proposal = async (id: number) => ok<ProposalJson>(await api(`/api/v1/governance/proposals/${id}`));

before(async () => {
  t = await startTestNode();
  ownerKey = generatePrivateKey();
  owner = await fundedClients(t.node, ownerKey);
});
after(() => t?.dispose());

describe('admission by vote on a node-founded network', () => {
  it('hands admission to the governance contract at genesis: the node account can no longer admit', async () => {
    const g = await ok<GovernanceJson>(await api('/api/v1/governance'));
    assert.equal(g.contract, t.node.contracts.governance);
    assert.deepEqual(g.settings, DEFAULT_GOVERNANCE_SETTINGS);
    assert.equal(g.oracleThreshold, 2);
    assert.equal(g.orgId, 1);
    assert.deepEqual(g.proposals, []);
    const { clients, contracts } = t.node;
    assert.equal(await holdsAdmission(clients, contracts.memberRegistry, clients.account.address), false);
    assert.equal(await holdsAdmission(clients, contracts.memberRegistry, contracts.governance!), true);
    const late = privateKeyToAccount(generatePrivateKey());
    await assert.rejects(
      admitMember(clients, contracts.memberRegistry, { account: late.address, name: 'Back door Ltd', roles: ROLES.SHIPPER }),
      (e: unknown) => e instanceof ChainError && e.errorName === 'AccessControlUnauthorizedAccount',
    );
  });

  it('refuses malformed proposals and votes with a clear 400, unknown proposals with 404, strangers with 401', async () => {
    const bad = [
      [{ kind: 'coronation' }, 'kind'],
      [{ kind: 'admit', account: '0x1234', name: 'X', roles: ['shipper'] }, 'account'],
      [{ kind: 'admit', account: owner.account.address, name: ' ', roles: ['shipper'] }, 'name'],
      [{ kind: 'admit', account: owner.account.address, name: 'X', roles: ['wizard'] }, 'roles'],
      [{ kind: 'remove', orgId: 0 }, 'orgId'],
      [{ kind: 'status', orgId: 2 }, 'active'],
      [{ kind: 'threshold', threshold: 0 }, 'threshold'],
      [{ kind: 'threshold', threshold: 2, target: 'cover' }, 'target'],
      [{ kind: 'settings', votingPeriodS: 60, executionDelayS: 0, executionWindowS: 60, approvalBps: 4000 }, 'approvalBps'],
    ] as const;
    for (const [body, field] of bad) {
      const p = await problem(await api('/api/v1/governance/proposals', { body }), 400, 'bad_proposal');
      assert.equal(p.field, field, JSON.stringify(body));
    }
    await problem(await api('/api/v1/governance/proposals', { body: [] }), 400, 'bad_json');
    await problem(await api('/api/v1/governance/proposals/999'), 404, 'no_such_proposal');
    await problem(await api('/api/v1/governance/proposals/999/vote', { body: { support: true } }), 404, 'no_such_proposal');
    await problem(await api('/api/v1/governance/proposals/abc'), 400, 'bad_parameter');
    assert.equal((await api('/api/v1/governance', { token: null })).status, 401);
    assert.equal((await api('/api/v1/governance/proposals', { body: { kind: 'remove', orgId: 1 }, token: null })).status, 401);
    // The CLI: usage errors exit 2 before anything is sent.
    const r = await cli('vote', '--id', '1');
    assert.equal(r.code, 2);
    assert.match(String((r.body.error as { message: string }).message), /--yes and --no/);
    assert.equal((await cli('propose', 'coronation')).code, 2);
  });

  it('admits a member through propose, vote and execute (CLI), one organisation one vote', async () => {
    const made = await cli(
      'propose',
      'admit',
      '--account',
      owner.account.address,
      '--name',
      'Reefer Owner Co',
      '--roles',
      'device_owner,oracle',
    );
    assert.equal(made.code, 0, made.stderr);
    const id = made.body.proposalId as number;
    assert.equal(id, 1);
    assert.equal((await proposal(id)).state, 'active');
    // A non-member's vote is refused by the contract.
    const stranger = await fundedClients(t.node, generatePrivateKey());
    await assert.rejects(
      vote(stranger, t.node.contracts.governance!, id, true),
      (e: unknown) => e instanceof ChainError && e.errorName === 'NotAMember',
    );
    assert.equal((await cli('vote', '--id', String(id), '--yes')).code, 0);
    const p = await proposal(id);
    assert.equal(p.state, 'passed'); // the node's organisation was the whole electorate
    assert.deepEqual(
      p.votes.map((v) => [v.orgId, v.support, typeof v.orgName]),
      [[1, true, 'string']],
    );
    // The outcome is final once reached: a later vote is a contract refusal (409, exit 1).
    const again = await cli('vote', '--id', String(id), '--no');
    assert.equal(again.code, 1);
    assert.match(String((again.body.error as { message: string }).message), /proposal 1 is passed/);
    assert.equal((await cli('execute', '--id', String(id))).code, 0);
    assert.equal((await proposal(id)).state, 'executed');
    const list = await cli('proposals');
    assert.equal(((list.body as unknown as GovernanceJson).proposals[0] as ProposalJson).state, 'executed');
  });

  it("a removed member's device is refused from the removal on; what it signed before still verifies", async () => {
    await registerDevice(owner, t.node.contracts.deviceRegistry, {
      deviceId: reefer.deviceId,
      keyType: reefer.keyType,
      publicKey: reefer.publicKey,
    });
    const before = await t.post([envelope(reefer, 1, { at: Date.now() - 1000 })]);
    const { index } = await ok<{ index: number }>(before, 201);

    // Removal needs both organisations now: the node proposes and votes, the owner's vote decides.
    const { proposalId } = await ok<{ proposalId: number }>(
      await api('/api/v1/governance/proposals', { body: { kind: 'remove', orgId: 2 } }),
      201,
    );
    await ok(await api(`/api/v1/governance/proposals/${proposalId}/vote`, { body: { support: true } }));
    assert.equal((await proposal(proposalId)).state, 'active');
    // One organisation, one vote: the node's organisation cannot vote twice.
    const twice = await problem(
      await api(`/api/v1/governance/proposals/${proposalId}/vote`, { body: { support: true } }),
      409,
      'contract_refused',
    );
    assert.equal(twice.errorName, 'AlreadyVoted');
    assert.match(twice.detail, /organisation 1 has already voted on proposal 2/);
    await problem(
      await api(`/api/v1/governance/proposals/${proposalId}/vote`, { body: { support: 'yes' } }),
      400,
      'bad_proposal',
    );
    const early = await problem(
      await api(`/api/v1/governance/proposals/${proposalId}/execute`, { body: {} }),
      409,
      'contract_refused',
    );
    assert.equal(early.errorName, 'WrongProposalState');
    await vote(owner, t.node.contracts.governance!, proposalId, true);
    await ok(await api(`/api/v1/governance/proposals/${proposalId}/execute`, { body: {} }));
    const removedAtS = await t.node.clients.publicClient.readContract({
      address: t.node.contracts.memberRegistry,
      abi: (await import('@tradetwin/contracts/generated/index')).memberRegistryAbi,
      functionName: 'removedAt',
      args: [2n],
    });
    const removedAt = Number(removedAtS) * 1000;
    assert.ok(removedAt > 0);

    // The node's device directory learns the removal from MemberRemoved within a poll.
    const deadline = Date.now() + 10_000;
    let revokedAt: number | null = null;
    while (Date.now() < deadline) {
      revokedAt = (await ok<{ revokedAt: number | null }>(await api(`/api/v1/devices/${reefer.deviceId}`))).revokedAt ?? null;
      if (revokedAt !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(revokedAt, removedAt);
    const afterRemoval = await t.post([envelope(reefer, 2, { at: Math.max(Date.now(), removedAt) + 1000 })]);
    const refused = (await afterRemoval.json()) as { type: string };
    assert.equal(afterRemoval.status, 422);
    assert.equal(refused.type, 'https://tradetwin.dev/problems/revoked_device');

    // The reading signed before the removal: every check holds against the chain (device key included).
    await t.node.anchorer.anchorNow();
    const v = await runCli(['verify', `${index}:0`, '--node', t.node.httpUrl, '--json']);
    const report = JSON.parse(v.stdout) as { verified: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    assert.equal(v.code, 0, JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.equal(report.verified, true);
    assert.ok(report.checks.find((c) => c.name === 'device')?.ok);
  });

  it('changes the oracle threshold by vote', async () => {
    // Org 2 is gone: the node's organisation is the electorate again.
    const { proposalId: id } = await ok<{ proposalId: number }>(
      await api('/api/v1/governance/proposals', { body: { kind: 'threshold', threshold: 3 } }),
      201,
    );
    await ok(await api(`/api/v1/governance/proposals/${id}/vote`, { body: { support: true } }));
    await ok(await api(`/api/v1/governance/proposals/${id}/execute`, { body: {} }));
    const g = await ok<GovernanceJson>(await api('/api/v1/governance'));
    assert.equal(g.oracleThreshold, 3);
    assert.deepEqual(g.proposals[0]?.action, { kind: 'threshold', threshold: 3, target: null });
    assert.equal(g.proposals[0]?.electorate, 1);
  });
});

describe('a consortium founded with genesis members and an execution delay', () => {
  let g: TestNode;
  const partnerKey = generatePrivateKey();
  const partner = privateKeyToAccount(partnerKey);
  const settings = { votingPeriodS: 3600, executionDelayS: 600, executionWindowS: 3600, approvalBps: 5000 };

  before(async () => {
    g = await startTestNode({
      configure: (c) => {
        c.genesis = {
          members: [{ account: partner.address, name: 'Partner Bank', roles: ROLES.FINANCIER | ROLES.ORACLE }],
          settings,
          oracleThreshold: 2,
        };
      },
    });
  });
  after(() => g?.dispose());

  it('admits the genesis members at deployment and refuses execution before the delay', async () => {
    const gov = (path: string, body?: unknown) =>
      fetch(`${g.node.httpUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${g.node.adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const { readMember } = await import('../chain/members.js');
    assert.equal((await readMember(g.node.clients, g.node.contracts.memberRegistry, 2))?.name, 'Partner Bank');
    assert.deepEqual((await ok<GovernanceJson>(await gov('/api/v1/governance'))).settings, settings);

    const newcomer = privateKeyToAccount(generatePrivateKey());
    const { proposalId } = await ok<{ proposalId: number }>(
      await gov('/api/v1/governance/proposals', { kind: 'admit', account: newcomer.address, name: 'Late Insurer', roles: 8 }),
      201,
    );
    await ok(await gov(`/api/v1/governance/proposals/${proposalId}/vote`, { support: true }));
    // Two genesis organisations: the partner's vote makes the majority.
    await vote(await fundedClients(g.node, partnerKey), g.node.contracts.governance!, proposalId, true);
    const passed = await ok<ProposalJson>(await gov(`/api/v1/governance/proposals/${proposalId}`));
    assert.equal(passed.state, 'passed');
    assert.equal(passed.executableAt, (passed.decidedAt ?? 0) + 600_000);
    const early = await problem(await gov(`/api/v1/governance/proposals/${proposalId}/execute`, {}), 409, 'contract_refused');
    assert.equal(early.errorName, 'ExecutionTooEarly');
    assert.match(early.detail, /can be executed only from .*execution delay/);

    // The dev chain's clock moves past the delay: now it executes.
    const { rpc } = await import('@tradetwin/contracts/devchain');
    await rpc(g.node.rpcUrl, 'evm_increaseTime', [600]);
    await rpc(g.node.rpcUrl, 'evm_mine', []);
    await ok(await gov(`/api/v1/governance/proposals/${proposalId}/execute`, {}));
    assert.equal((await readMember(g.node.clients, g.node.contracts.memberRegistry, 3))?.name, 'Late Insurer');
  });
});
