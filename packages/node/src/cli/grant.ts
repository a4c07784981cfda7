// `tradetwin grant add|revoke|list|pull`: sharing with other member
// organisations through the node's API (/api/v1/sharing). A grant is signed by
// the node and is a leaf of its log; so is a revocation. `pull` replicates
// what others granted this organisation into the verified mirror.
import { COMMON, CliError, type Command, printJson, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

interface GrantJson {
  grantId: string;
  owner: number;
  grantee: number;
  scope: { shipment?: string; bizTransaction?: string };
  from: number;
  to: number;
  issuedAt: number;
  leafIndex: number | null;
  status: 'live' | 'revoked';
}

const describe = (g: GrantJson) =>
  `${g.grantId}: org ${g.owner} → org ${g.grantee}, ${g.scope.shipment ? `shipment ${g.scope.shipment}` : `bizTransaction ${g.scope.bizTransaction}`}, ${g.status}` +
  (g.leafIndex !== null ? ` (leaf ${g.leafIndex})` : '');

function orgId(v: string | undefined, name: string): number {
  if (v === undefined || !/^[1-9]\d{0,15}$/.test(v))
    throw new CliError(`--${name} must be an organisation id (a positive integer)`);
  return Number(v);
}

function ms(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(t) || t < 0) throw new CliError(`--${name} must be an ISO 8601 time or ms since the epoch`);
  return t;
}

const add: Command = {
  name: 'grant add',
  summary: 'Grant another member organisation (--to ORG_ID) a shipment or an EPCIS business transaction; signed and logged.',
  usage:
    'grant add --to ORG_ID (--shipment ID | --biz-transaction URI) [--from TIME] [--until TIME] [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    to: { type: 'string' },
    shipment: { type: 'string' },
    'biz-transaction': { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const shipment = str(values, 'shipment');
    const biz = str(values, 'biz-transaction');
    if ((shipment === undefined) === (biz === undefined)) throw new CliError('give one of --shipment or --biz-transaction');
    const body = {
      grantee: orgId(str(values, 'to'), 'to'),
      ...(shipment !== undefined ? { shipment } : { bizTransaction: biz }),
      from: ms(str(values, 'from'), 'from'),
      to: ms(str(values, 'until'), 'until'),
    };
    const g = await nodeClient(values).post<GrantJson>('/api/v1/sharing/grants', body);
    if (values.json) return void printJson(g);
    out(`granted ${describe(g)}`);
  },
};

const revoke: Command = {
  name: 'grant revoke',
  summary: 'Revoke a grant this organisation issued; signed and logged. The grantee is refused from then on.',
  usage: 'grant revoke GRANT_ID [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    const [id, ...extra] = positionals;
    if (!id) throw new CliError(`a grant id is required\n\nUsage: tradetwin ${revoke.usage}`);
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const g = await nodeClient(values).post<GrantJson>(`/api/v1/sharing/grants/${encodeURIComponent(id)}/revoke`, {});
    if (values.json) return void printJson(g);
    out(`revoked ${describe(g)}`);
  },
};

const list: Command = {
  name: 'grant list',
  summary: 'What this organisation shared with whom, and what others shared with it (and the mirror of it).',
  usage: 'grant list [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const s = await nodeClient(values).get<{
      org: number;
      sharedByMe: GrantJson[];
      sharedWithMe: GrantJson[];
      mirror: { owner: number; headSize: number; leaves: number }[];
    }>('/api/v1/sharing');
    if (values.json) return void printJson(s);
    out(`org ${s.org}`);
    out(`shared by this organisation (${s.sharedByMe.length}):`);
    for (const g of s.sharedByMe) out(`  ${describe(g)}`);
    out(`shared with this organisation (${s.sharedWithMe.length}):`);
    for (const g of s.sharedWithMe) out(`  ${describe(g)}`);
    for (const m of s.mirror) out(`mirror of org ${m.owner}: ${m.leaves} leaves verified to its anchored head ${m.headSize}`);
  },
};

const pull: Command = {
  name: 'grant pull',
  summary: 'Replicate what another organisation (--from-org ORG_ID, or every known one) granted: verified, then mirrored.',
  usage: 'grant pull [--from-org ORG_ID] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, 'from-org': { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const from = str(values, 'from-org');
    const body = from === undefined ? {} : { owner: orgId(from, 'from-org') };
    const r = await nodeClient(values).post<{
      pulled: { owner: number; shipmentId: string; leaves: number; readings: number }[];
      failed?: { owner: number; error: string }[];
    }>('/api/v1/sharing/replicate', body);
    if (values.json) return void printJson(r);
    if (r.pulled.length === 0 && !r.failed?.length) out('nothing granted to pull');
    for (const f of r.failed ?? []) out(`org ${f.owner}: not pulled: ${f.error}`);
    for (const p of r.pulled)
      out(`org ${p.owner} shipment ${p.shipmentId}: ${p.leaves} leaves (${p.readings} readings) verified and mirrored`);
  },
};

export const grantCommands: Command[] = [add, revoke, list, pull];
