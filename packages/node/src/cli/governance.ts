// `tradetwin governance proposals|propose|vote|execute|cancel`: admission by
// vote (S9). After genesis, admitting, suspending or removing a member,
// changing roles, the oracle threshold or the voting settings is a proposal the
// member organisations vote on, one vote each. The node acts for its own
// organisation (its account signs); the node's API checks every field.
import type { GovernanceJson, ProposalJson } from '@tradetwin/core/wire/governance';
import { COMMON, CliError, type Command, printJson, requireStr, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const KINDS = ['admit', 'remove', 'roles', 'status', 'threshold', 'settings'] as const;

function idOf(values: Record<string, unknown>): number {
  const v = requireStr(values, 'id');
  if (!/^[1-9]\d{0,14}$/.test(v)) throw new CliError(`--id must be a proposal id (a whole number ≥ 1), got "${v}"`);
  return Number(v);
}

function wholeNumber(values: Record<string, unknown>, name: string): number {
  const v = requireStr(values, name);
  if (!/^\d{1,15}$/.test(v)) throw new CliError(`--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

/** What a proposal does, in words. */
export function describeAction(a: ProposalJson['action']): string {
  switch (a.kind) {
    case 'admit':
      return `admit "${a.name}" (${a.account}, roles ${a.roles})`;
    case 'remove':
      return `remove org ${a.orgId}`;
    case 'roles':
      return `set the roles of org ${a.orgId} to ${a.roles}`;
    case 'status':
      return `${a.active ? 'reactivate' : 'suspend'} org ${a.orgId}`;
    case 'threshold':
      return `oracle threshold ${a.threshold}${a.target ? ` (and cover ${a.target})` : ''}`;
    case 'settings':
      return `settings: vote ${a.settings.votingPeriodS} s, delay ${a.settings.executionDelayS} s, window ${a.settings.executionWindowS} s, approval ${a.settings.approvalBps} bps`;
  }
}

function proposalLine(p: ProposalJson): string {
  const when =
    p.state === 'active'
      ? `vote until ${new Date(p.votingEndsAt).toISOString()}`
      : p.state === 'passed' && p.executableAt
        ? `executable from ${new Date(p.executableAt).toISOString()}`
        : '';
  const votes = p.votes.map((v) => `${v.orgName ?? `org ${v.orgId}`} ${v.support ? 'yes' : 'no'}`).join(', ');
  return `#${p.id}\t${p.state}\t${describeAction(p.action)}\tby org ${p.proposerOrg}\t${p.yes} yes / ${p.no} no of ${p.electorate} (needs ${p.required})${when ? `\t${when}` : ''}${votes ? `\t[${votes}]` : ''}`;
}

const proposals: Command = {
  name: 'governance proposals',
  summary: 'List the consortium proposals with their votes (or one with --id).',
  usage: 'governance proposals [--id N] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, id: { type: 'string' } },
  async run({ values }) {
    const client = nodeClient(values);
    if (str(values, 'id') !== undefined) {
      const p = await client.get<ProposalJson>(`/api/v1/governance/proposals/${idOf(values)}`);
      if (values.json) printJson(p);
      else process.stdout.write(`${proposalLine(p)}\n`);
      return;
    }
    const g = await client.get<GovernanceJson>('/api/v1/governance');
    if (values.json) return void printJson(g);
    if (!g.contract) {
      process.stdout.write('this network has no ConsortiumGovernance contract\n');
      return;
    }
    const s = g.settings!;
    process.stdout.write(
      `governance ${g.contract}: vote ${s.votingPeriodS} s, delay ${s.executionDelayS} s, window ${s.executionWindowS} s, ` +
        `approval > ${s.approvalBps / 100}% of active members; oracle threshold ${g.oracleThreshold}; this node votes for org ${g.orgId}\n`,
    );
    if (g.proposals.length === 0) process.stdout.write('no proposals\n');
    for (const p of g.proposals) process.stdout.write(`${proposalLine(p)}\n`);
  },
};

const propose: Command = {
  name: 'governance propose',
  summary: "Make a proposal for the node's organisation (the members then vote).",
  usage:
    'governance propose admit --account 0x… --name NAME --roles shipper,oracle | remove --org N | roles --org N --roles R | ' +
    'status --org N (--suspend | --reactivate) | threshold --threshold N [--cover 0x…] | ' +
    'settings --voting-period S --execution-delay S --execution-window S --approval-bps BPS  [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    account: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'string' },
    org: { type: 'string' },
    suspend: { type: 'boolean' },
    reactivate: { type: 'boolean' },
    threshold: { type: 'string' },
    cover: { type: 'string' },
    'voting-period': { type: 'string' },
    'execution-delay': { type: 'string' },
    'execution-window': { type: 'string' },
    'approval-bps': { type: 'string' },
  },
  async run({ values, positionals }) {
    const kind = positionals[0];
    if (!kind || !(KINDS as readonly string[]).includes(kind) || positionals.length > 1) {
      throw new CliError(`say what to propose: one of ${KINDS.join(', ')}`);
    }
    const roles = () => {
      const r = requireStr(values, 'roles');
      return /^\d+$/.test(r) ? Number(r) : r.split(',').map((s) => s.trim());
    };
    let body: Record<string, unknown>;
    switch (kind) {
      case 'admit':
        body = { kind, account: requireStr(values, 'account'), name: requireStr(values, 'name'), roles: roles() };
        break;
      case 'remove':
        body = { kind, orgId: wholeNumber(values, 'org') };
        break;
      case 'roles':
        body = { kind, orgId: wholeNumber(values, 'org'), roles: roles() };
        break;
      case 'status':
        if (Boolean(values.suspend) === Boolean(values.reactivate))
          throw new CliError('give exactly one of --suspend and --reactivate');
        body = { kind, orgId: wholeNumber(values, 'org'), active: Boolean(values.reactivate) };
        break;
      case 'threshold':
        body = { kind, threshold: wholeNumber(values, 'threshold'), target: str(values, 'cover') ?? null };
        break;
      default:
        body = {
          kind,
          votingPeriodS: wholeNumber(values, 'voting-period'),
          executionDelayS: wholeNumber(values, 'execution-delay'),
          executionWindowS: wholeNumber(values, 'execution-window'),
          approvalBps: wholeNumber(values, 'approval-bps'),
        };
    }
    const res = await nodeClient(values).post<{ proposalId: number; txHash: string }>('/api/v1/governance/proposals', body);
    if (values.json) printJson(res);
    else
      process.stdout.write(
        `proposal #${res.proposalId} made in tx ${res.txHash}; the members vote with: tradetwin governance vote --id ${res.proposalId} --yes\n`,
      );
  },
};

const voteCmd: Command = {
  name: 'governance vote',
  summary: "Cast the node organisation's vote on a proposal (one vote per organisation).",
  usage: 'governance vote --id N (--yes | --no) [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, id: { type: 'string' }, yes: { type: 'boolean' }, no: { type: 'boolean' } },
  async run({ values }) {
    const id = idOf(values);
    if (Boolean(values.yes) === Boolean(values.no)) throw new CliError('give exactly one of --yes and --no');
    const res = await nodeClient(values).post<{ proposalId: number; support: boolean; txHash: string }>(
      `/api/v1/governance/proposals/${id}/vote`,
      { support: Boolean(values.yes) },
    );
    if (values.json) printJson(res);
    else process.stdout.write(`voted ${res.support ? 'yes' : 'no'} on proposal #${id} in tx ${res.txHash}\n`);
  },
};

function simple(name: 'execute' | 'cancel', summary: string): Command {
  return {
    name: `governance ${name}`,
    summary,
    usage: `governance ${name} --id N [--data-dir DIR | --node URL --token T] [--json]`,
    options: { ...COMMON, ...NODE_OPTS, id: { type: 'string' } },
    async run({ values }) {
      const id = idOf(values);
      const res = await nodeClient(values).post<{ proposalId: number; txHash: string }>(
        `/api/v1/governance/proposals/${id}/${name}`,
        {},
      );
      if (values.json) printJson(res);
      else process.stdout.write(`${name === 'execute' ? 'executed' : 'cancelled'} proposal #${id} in tx ${res.txHash}\n`);
    },
  };
}

export const governanceCommands: Command[] = [
  proposals,
  propose,
  voteCmd,
  simple('execute', 'Execute a passed proposal once its execution delay is over.'),
  simple('cancel', "Withdraw one of the node organisation's proposals."),
];
