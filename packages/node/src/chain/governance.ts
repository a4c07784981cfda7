// ConsortiumGovernance: after genesis the consortium changes itself only by
// proposals its members vote on (one organisation, one vote). This module
// deploys the contract and hands MemberRegistry's admission over to it, makes
// proposals, votes, executes and cancels, and reads proposals with their votes.
import { decodeAbiParameters, keccak256, parseEventLogs, toBytes, zeroAddress, zeroHash, type Address, type Hex } from 'viem';
import { consortiumGovernanceAbi, consortiumGovernanceBytecode, memberRegistryAbi } from '@tradetwin/contracts/generated/index';
import type { ChainClients } from './clients.js';
import { chainCall, ChainError } from './errors.js';
import { memberCount, orgOf } from './members.js';
import { deployContractAndConfirm, writeContractAndConfirm } from './transact.js';

/** The contract's Action enum, in declaration order. */
export const PROPOSAL_ACTIONS = ['admit', 'remove', 'roles', 'threshold', 'settings', 'status'] as const;
export type ProposalActionName = (typeof PROPOSAL_ACTIONS)[number];
/** The contract's ProposalState enum, in declaration order. */
export const PROPOSAL_STATES = ['active', 'defeated', 'passed', 'executed', 'cancelled', 'expired'] as const;
export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** Voting settings, in seconds and basis points. */
export interface GovernanceSettings {
  votingPeriodS: number;
  executionDelayS: number;
  executionWindowS: number;
  /** Share of the active members that must vote yes, exclusive; 5000 = a majority. In [5000, 10000]. */
  approvalBps: number;
}

/**
 * Settings of a consortium the node founds itself (embedded or fresh private network): a week to
 * vote, a week to execute, a majority, and no execution delay, so that a single-operator dev
 * network admits in three transactions. A real consortium sets a delay (`--execution-delay`).
 */
export const DEFAULT_GOVERNANCE_SETTINGS: GovernanceSettings = {
  votingPeriodS: 7 * 86_400,
  executionDelayS: 0,
  executionWindowS: 7 * 86_400,
  approvalBps: 5000,
};

/** What a proposal does (its decoded payload). */
export type ProposalAction =
  | { kind: 'admit'; account: Address; name: string; roles: number }
  | { kind: 'remove'; orgId: number }
  | { kind: 'roles'; orgId: number; roles: number }
  | { kind: 'threshold'; threshold: number; target: Address | null }
  | { kind: 'settings'; settings: GovernanceSettings }
  | { kind: 'status'; orgId: number; active: boolean };

export interface ProposalVote {
  orgId: number;
  support: boolean;
}

export interface Proposal {
  id: number;
  action: ProposalAction;
  state: ProposalStateName;
  proposerOrg: number;
  /** Times in ms; executableAt/expiresAt only once passed, decidedAt once the outcome is final. */
  createdAt: number;
  votingEndsAt: number;
  decidedAt: number | null;
  executableAt: number | null;
  expiresAt: number | null;
  electorate: number;
  required: number;
  yes: number;
  no: number;
  votes: ProposalVote[];
}

/** MemberRegistry's role that admits, suspends and removes members (and changes roles). */
export const ADMISSION_ROLE: Hex = keccak256(toBytes('ADMISSION_ROLE'));

function toSolidity(s: GovernanceSettings) {
  return {
    votingPeriod: BigInt(s.votingPeriodS),
    executionDelay: BigInt(s.executionDelayS),
    executionWindow: BigInt(s.executionWindowS),
    approvalBps: s.approvalBps,
  };
}

function fromSolidity(s: { votingPeriod: bigint; executionDelay: bigint; executionWindow: bigint; approvalBps: number }) {
  return {
    votingPeriodS: Number(s.votingPeriod),
    executionDelayS: Number(s.executionDelay),
    executionWindowS: Number(s.executionWindow),
    approvalBps: s.approvalBps,
  };
}

/** Deploy ConsortiumGovernance over `members` from the node account. */
export async function deployGovernance(
  clients: ChainClients,
  members: Address,
  settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS,
  oracleThreshold = 2,
): Promise<{ address: Address; blockNumber: number }> {
  const d = await deployContractAndConfirm(clients, {
    name: 'ConsortiumGovernance',
    abi: consortiumGovernanceAbi,
    bytecode: consortiumGovernanceBytecode,
    args: [members, toSolidity(settings), oracleThreshold],
  });
  return { address: d.address, blockNumber: d.blockNumber };
}

/**
 * End of genesis: give MemberRegistry's admission role and its admin role to the governance
 * contract, then renounce both from the node account. From here on only passed proposals admit,
 * suspend or remove members; the deploying account is an ordinary member.
 */
export async function handOverAdmission(clients: ChainClients, members: Address, governance: Address): Promise<void> {
  const me = clients.account.address;
  for (const role of [ADMISSION_ROLE, zeroHash]) {
    await writeContractAndConfirm(clients, {
      address: members,
      abi: memberRegistryAbi,
      functionName: 'grantRole',
      args: [role, governance],
    });
  }
  for (const role of [ADMISSION_ROLE, zeroHash]) {
    await writeContractAndConfirm(clients, {
      address: members,
      abi: memberRegistryAbi,
      functionName: 'renounceRole',
      args: [role, me],
    });
  }
}

/** Who holds MemberRegistry's admission role among `candidates` (a check of the handover). */
export async function holdsAdmission(clients: ChainClients, members: Address, account: Address): Promise<boolean> {
  return chainCall('hasRole', () =>
    clients.publicClient.readContract({
      address: members,
      abi: memberRegistryAbi,
      functionName: 'hasRole',
      args: [ADMISSION_ROLE, account],
    }),
  );
}

/** Make a proposal from the node account (an account of an active member); returns its id. */
export async function propose(
  clients: ChainClients,
  governance: Address,
  action: ProposalAction,
): Promise<{ proposalId: number; txHash: Hex }> {
  const base = { address: governance, abi: consortiumGovernanceAbi } as const;
  const receipt = await (() => {
    switch (action.kind) {
      case 'admit':
        return writeContractAndConfirm(clients, {
          ...base,
          functionName: 'proposeAdmission',
          args: [action.account, action.name, BigInt(action.roles)],
        });
      case 'remove':
        return writeContractAndConfirm(clients, { ...base, functionName: 'proposeRemoval', args: [BigInt(action.orgId)] });
      case 'roles':
        return writeContractAndConfirm(clients, {
          ...base,
          functionName: 'proposeRoles',
          args: [BigInt(action.orgId), BigInt(action.roles)],
        });
      case 'threshold':
        return writeContractAndConfirm(clients, {
          ...base,
          functionName: 'proposeOracleThreshold',
          args: [action.threshold, action.target ?? zeroAddress],
        });
      case 'settings':
        return writeContractAndConfirm(clients, {
          ...base,
          functionName: 'proposeSettings',
          args: [toSolidity(action.settings)],
        });
      case 'status':
        return writeContractAndConfirm(clients, {
          ...base,
          functionName: 'proposeStatus',
          args: [BigInt(action.orgId), action.active],
        });
    }
  })();
  const [created] = parseEventLogs({ abi: consortiumGovernanceAbi, eventName: 'ProposalCreated', logs: receipt.logs });
  if (!created) throw new ChainError('reverted', `propose: no ProposalCreated event in ${receipt.transactionHash}`);
  return { proposalId: Number(created.args.proposalId), txHash: receipt.transactionHash };
}

/** Cast the node organisation's vote. */
export async function vote(
  clients: ChainClients,
  governance: Address,
  proposalId: number,
  support: boolean,
): Promise<{ txHash: Hex }> {
  const r = await writeContractAndConfirm(clients, {
    address: governance,
    abi: consortiumGovernanceAbi,
    functionName: 'vote',
    args: [BigInt(proposalId), support],
  });
  return { txHash: r.transactionHash };
}

/** Execute a passed proposal whose delay is over. */
export async function execute(clients: ChainClients, governance: Address, proposalId: number): Promise<{ txHash: Hex }> {
  const r = await writeContractAndConfirm(clients, {
    address: governance,
    abi: consortiumGovernanceAbi,
    functionName: 'execute',
    args: [BigInt(proposalId)],
  });
  return { txHash: r.transactionHash };
}

/** Withdraw a proposal of the node's organisation. */
export async function cancel(clients: ChainClients, governance: Address, proposalId: number): Promise<{ txHash: Hex }> {
  const r = await writeContractAndConfirm(clients, {
    address: governance,
    abi: consortiumGovernanceAbi,
    functionName: 'cancel',
    args: [BigInt(proposalId)],
  });
  return { txHash: r.transactionHash };
}

/** Decode a proposal's payload. */
export function decodeAction(action: number, data: Hex): ProposalAction {
  switch (PROPOSAL_ACTIONS[action]) {
    case 'admit': {
      const [account, name, roles] = decodeAbiParameters([{ type: 'address' }, { type: 'string' }, { type: 'uint256' }], data);
      return { kind: 'admit', account, name, roles: Number(roles) };
    }
    case 'remove': {
      const [orgId] = decodeAbiParameters([{ type: 'uint256' }], data);
      return { kind: 'remove', orgId: Number(orgId) };
    }
    case 'roles': {
      const [orgId, roles] = decodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], data);
      return { kind: 'roles', orgId: Number(orgId), roles: Number(roles) };
    }
    case 'threshold': {
      const [threshold, target] = decodeAbiParameters([{ type: 'uint8' }, { type: 'address' }], data);
      return { kind: 'threshold', threshold, target: target === zeroAddress ? null : target };
    }
    case 'settings': {
      const [s] = decodeAbiParameters(
        [
          {
            type: 'tuple',
            components: [
              { name: 'votingPeriod', type: 'uint64' },
              { name: 'executionDelay', type: 'uint64' },
              { name: 'executionWindow', type: 'uint64' },
              { name: 'approvalBps', type: 'uint16' },
            ],
          },
        ],
        data,
      );
      return { kind: 'settings', settings: fromSolidity(s) };
    }
    case 'status': {
      const [orgId, active] = decodeAbiParameters([{ type: 'uint256' }, { type: 'bool' }], data);
      return { kind: 'status', orgId: Number(orgId), active };
    }
    default:
      throw new ChainError('reverted', `governance returned unknown proposal action ${action}`);
  }
}

export async function proposalCount(clients: ChainClients, governance: Address): Promise<number> {
  const n = await chainCall('proposalCount', () =>
    clients.publicClient.readContract({ address: governance, abi: consortiumGovernanceAbi, functionName: 'proposalCount' }),
  );
  return Number(n);
}

/** One proposal with its state and the votes of every member (null when no such proposal). */
export async function readProposal(
  clients: ChainClients,
  governance: Address,
  members: Address,
  proposalId: number,
): Promise<Proposal | null> {
  if (!Number.isInteger(proposalId) || proposalId < 1 || proposalId > (await proposalCount(clients, governance))) return null;
  const id = BigInt(proposalId);
  const p = await chainCall('proposal', () =>
    clients.publicClient.readContract({
      address: governance,
      abi: consortiumGovernanceAbi,
      functionName: 'proposal',
      args: [id],
    }),
  );
  const orgs = await memberCount(clients, members);
  const votes: ProposalVote[] = [];
  for (let org = 1; org <= orgs; org++) {
    const v = await chainCall('voteOf', () =>
      clients.publicClient.readContract({
        address: governance,
        abi: consortiumGovernanceAbi,
        functionName: 'voteOf',
        args: [id, BigInt(org)],
      }),
    );
    if (v !== 0) votes.push({ orgId: org, support: v === 1 });
  }
  const ms = (s: bigint) => Number(s) * 1000;
  return {
    id: proposalId,
    action: decodeAction(p.action, p.data),
    state: PROPOSAL_STATES[p.state] ?? 'active',
    proposerOrg: Number(p.proposerOrg),
    createdAt: ms(p.createdAt),
    votingEndsAt: ms(p.votingEndsAt),
    decidedAt: p.decidedAt === 0n ? null : ms(p.decidedAt),
    executableAt: p.executableAt === 0n ? null : ms(p.executableAt),
    expiresAt: p.expiresAt === 0n ? null : ms(p.expiresAt),
    electorate: p.electorate,
    required: p.required,
    yes: p.yes,
    no: p.no,
    votes,
  };
}

/** Every proposal, newest first (at most `limit`). */
export async function listProposals(
  clients: ChainClients,
  governance: Address,
  members: Address,
  limit = 100,
): Promise<Proposal[]> {
  const n = await proposalCount(clients, governance);
  const out: Proposal[] = [];
  for (let id = n; id >= 1 && out.length < limit; id--) {
    const p = await readProposal(clients, governance, members, id);
    if (p) out.push(p);
  }
  return out;
}

export async function readGovernanceSettings(
  clients: ChainClients,
  governance: Address,
): Promise<GovernanceSettings & { oracleThreshold: number }> {
  const [s, t] = await Promise.all([
    chainCall('settings', () =>
      clients.publicClient.readContract({ address: governance, abi: consortiumGovernanceAbi, functionName: 'settings' }),
    ),
    chainCall('oracleThreshold', () =>
      clients.publicClient.readContract({ address: governance, abi: consortiumGovernanceAbi, functionName: 'oracleThreshold' }),
    ),
  ]);
  return { ...fromSolidity(s), oracleThreshold: t };
}

/**
 * Pass proposals by vote: `proposer` makes them all (so they share one electorate), then the
 * proposer and each of `voters` vote yes until each has passed, and the passed ones are
 * executed. With an execution delay the executions fail with ExecutionTooEarly: on a dev chain
 * advance its clock first. Used to admit members after genesis (demo, tests).
 */
export async function passByVote(
  proposer: ChainClients,
  governance: Address,
  actions: ProposalAction[],
  voters: ChainClients[] = [],
): Promise<{ proposalIds: number[]; receipts: Hex[] }> {
  const ids: number[] = [];
  for (const a of actions) ids.push((await propose(proposer, governance, a)).proposalId);
  const receipts: Hex[] = [];
  for (const id of ids) {
    for (const v of [proposer, ...voters]) {
      const state = await chainCall('state', () =>
        v.publicClient.readContract({
          address: governance,
          abi: consortiumGovernanceAbi,
          functionName: 'state',
          args: [BigInt(id)],
        }),
      );
      if (PROPOSAL_STATES[state] !== 'active') break;
      await vote(v, governance, id, true);
    }
    receipts.push((await execute(proposer, governance, id)).txHash);
  }
  return { proposalIds: ids, receipts };
}

/** The MemberRegistry a governance contract governs. */
export async function governedRegistry(clients: ChainClients, governance: Address): Promise<Address> {
  return chainCall('members', () =>
    clients.publicClient.readContract({ address: governance, abi: consortiumGovernanceAbi, functionName: 'members' }),
  );
}

/** Admit members by vote (see passByVote); returns their org ids, in order. */
export async function admitByVote(
  proposer: ChainClients,
  governance: Address,
  members: { account: Address; name: string; roles: number }[],
  voters: ChainClients[] = [],
): Promise<number[]> {
  await passByVote(
    proposer,
    governance,
    members.map((m) => ({ kind: 'admit' as const, ...m })),
    voters,
  );
  const registry = await governedRegistry(proposer, governance);
  const orgs: number[] = [];
  for (const m of members) orgs.push(await orgOf(proposer, registry, m.account));
  return orgs;
}
