// The node's side of consortium governance: reads proposals and votes from
// ConsortiumGovernance, and makes, votes on, executes and cancels proposals
// for the node's organisation (its account signs). Input is checked here so a
// malformed request gets a clear 400 rather than a contract revert.
import { getAddress, isAddress, type Address } from 'viem';
import type { GovernanceJson, ProposalActionJson, ProposalJson } from '@tradetwin/core/wire/governance';
import type { ChainClients } from '../chain/clients.js';
import {
  cancel,
  execute,
  listProposals,
  propose,
  readGovernanceSettings,
  readProposal,
  vote,
  type Proposal,
  type ProposalAction,
} from '../chain/governance.js';
import { readMember, ROLES, type RoleName } from '../chain/members.js';
import { GovernanceError } from './errors.js';

export interface GovernanceDeps {
  clients: ChainClients;
  memberRegistry: Address;
  /** Absent on a network deployed without governance: reads answer empty, writes are refused. */
  governance?: Address;
  orgId: number;
}

export class GovernanceService {
  constructor(private readonly deps: GovernanceDeps) {}

  async overview(limit = 100): Promise<GovernanceJson> {
    const g = this.deps.governance;
    if (!g) return { contract: null, settings: null, oracleThreshold: null, orgId: this.deps.orgId, proposals: [] };
    const [{ oracleThreshold, ...settings }, proposals] = await Promise.all([
      readGovernanceSettings(this.deps.clients, g),
      listProposals(this.deps.clients, g, this.deps.memberRegistry, limit),
    ]);
    return { contract: g, settings, oracleThreshold, orgId: this.deps.orgId, proposals: await this.named(proposals) };
  }

  async proposal(id: number): Promise<ProposalJson> {
    const p = await readProposal(this.deps.clients, this.contract(), this.deps.memberRegistry, id);
    if (!p) throw new GovernanceError('no_such_proposal', `proposal ${id} does not exist`);
    return (await this.named([p]))[0]!;
  }

  async propose(body: Record<string, unknown>): Promise<{ proposalId: number; txHash: string }> {
    return propose(this.deps.clients, this.contract(), parseProposalAction(body));
  }

  async vote(id: number, body: Record<string, unknown>): Promise<{ proposalId: number; support: boolean; txHash: string }> {
    if (typeof body.support !== 'boolean') {
      throw new GovernanceError('bad_proposal', 'support must be true (yes) or false (no)', 'support');
    }
    await this.proposal(id);
    const { txHash } = await vote(this.deps.clients, this.contract(), id, body.support);
    return { proposalId: id, support: body.support, txHash };
  }

  async execute(id: number): Promise<{ proposalId: number; txHash: string }> {
    await this.proposal(id);
    return { proposalId: id, ...(await execute(this.deps.clients, this.contract(), id)) };
  }

  async cancel(id: number): Promise<{ proposalId: number; txHash: string }> {
    await this.proposal(id);
    return { proposalId: id, ...(await cancel(this.deps.clients, this.contract(), id)) };
  }

  private contract(): Address {
    if (!this.deps.governance) {
      throw new GovernanceError(
        'no_governance',
        'this network has no ConsortiumGovernance contract: admission is not by vote here',
      );
    }
    return this.deps.governance;
  }

  /** Proposals as JSON, each vote with its organisation's name. */
  private async named(ps: Proposal[]): Promise<ProposalJson[]> {
    const names = new Map<number, string | null>();
    for (const p of ps) {
      for (const v of p.votes) {
        if (!names.has(v.orgId))
          names.set(v.orgId, (await readMember(this.deps.clients, this.deps.memberRegistry, v.orgId))?.name ?? null);
      }
    }
    return ps.map((p) => ({
      ...p,
      action: p.action as ProposalActionJson,
      votes: p.votes.map((v) => ({ ...v, orgName: names.get(v.orgId) ?? null })),
    }));
  }
}

/** Roles as a bit set, or a list of names (["shipper", "oracle"]); throws a GovernanceError otherwise. */
export function parseRoles(v: unknown, field = 'roles'): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 512) return v;
  const names = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : null;
  if (names && names.length > 0) {
    let bits = 0;
    for (const n of names) {
      const key = String(n).trim().toUpperCase() as RoleName;
      if (!(key in ROLES)) {
        throw new GovernanceError(
          'bad_proposal',
          `unknown role "${String(n)}" (one of ${Object.keys(ROLES)
            .map((r) => r.toLowerCase())
            .join(', ')})`,
          field,
        );
      }
      bits |= ROLES[key];
    }
    return bits;
  }
  throw new GovernanceError('bad_proposal', `${field} must be a list of role names or a bit set 1…511`, field);
}

function orgIdOf(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return v;
  throw new GovernanceError('bad_proposal', 'orgId must be a member id (an integer ≥ 1)', 'orgId');
}

function secondsOf(body: Record<string, unknown>, field: string, min: number): number {
  const v = body[field];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v < 2 ** 63) return v;
  throw new GovernanceError('bad_proposal', `${field} must be an integer ≥ ${min} (seconds)`, field);
}

/** A proposal's action from a request body {kind, …}; every field checked. */
export function parseProposalAction(body: Record<string, unknown>): ProposalAction {
  switch (body.kind) {
    case 'admit': {
      const account = body.account;
      if (typeof account !== 'string' || !isAddress(account, { strict: false })) {
        throw new GovernanceError('bad_proposal', 'account must be an address (0x + 40 hex digits)', 'account');
      }
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      if (name === '' || name.length > 200) {
        throw new GovernanceError('bad_proposal', 'name must be the organisation name (1–200 characters)', 'name');
      }
      return { kind: 'admit', account: getAddress(account), name, roles: parseRoles(body.roles) };
    }
    case 'remove':
      return { kind: 'remove', orgId: orgIdOf(body.orgId) };
    case 'roles':
      return { kind: 'roles', orgId: orgIdOf(body.orgId), roles: parseRoles(body.roles) };
    case 'status':
      if (typeof body.active !== 'boolean') {
        throw new GovernanceError('bad_proposal', 'active must be true (reactivate) or false (suspend)', 'active');
      }
      return { kind: 'status', orgId: orgIdOf(body.orgId), active: body.active };
    case 'threshold': {
      const t = body.threshold;
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 255) {
        throw new GovernanceError(
          'bad_proposal',
          'threshold must be an integer 1…255 (distinct oracle organisations)',
          'threshold',
        );
      }
      const target = body.target ?? null;
      if (target !== null && (typeof target !== 'string' || !isAddress(target, { strict: false }))) {
        throw new GovernanceError('bad_proposal', 'target must be the address of a ParametricCover contract, or null', 'target');
      }
      return { kind: 'threshold', threshold: t, target: target === null ? null : getAddress(target) };
    }
    case 'settings': {
      const approvalBps = body.approvalBps;
      if (typeof approvalBps !== 'number' || !Number.isInteger(approvalBps) || approvalBps < 5000 || approvalBps > 10_000) {
        throw new GovernanceError('bad_proposal', 'approvalBps must be an integer 5000…10000 (5000: a majority)', 'approvalBps');
      }
      return {
        kind: 'settings',
        settings: {
          votingPeriodS: secondsOf(body, 'votingPeriodS', 1),
          executionDelayS: secondsOf(body, 'executionDelayS', 0),
          executionWindowS: secondsOf(body, 'executionWindowS', 1),
          approvalBps,
        },
      };
    }
    default:
      throw new GovernanceError('bad_proposal', 'kind must be one of admit, remove, roles, status, threshold, settings', 'kind');
  }
}
