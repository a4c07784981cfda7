// `tradetwin shipment list|show|create`, `tradetwin excursions`, `tradetwin
// payouts`: the shipments a node watches as digital twins — their state as the
// evidence shows it (latest readings, excursions), the policies that cover
// them and the payouts that settled them. Everything comes from the node's API.
import { existsSync, readFileSync } from 'node:fs';
import { moneyJson } from '@tradetwin/core/money/format';
import { orgLabel } from '@tradetwin/core/names/org';
import type {
  Excursion,
  LatestReadingJson,
  MoneyJson,
  OrgRefJson,
  PayoutJson,
  PlaceJson,
  PolicyJson,
  ShipmentStateJson,
} from '@tradetwin/core/wire/shipments';
import { COMMON, CliError, type Command, printJson, requireStr } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;

// What the API answers is declared once in core/wire (the node builds it in api/shipments.ts).
export type ExcursionView = Excursion;
export type PayoutView = PayoutJson;
export type ShipmentState = ShipmentStateJson;

const iso = (ms: number) => new Date(ms).toISOString();
const where = (p: Pick<PlaceJson, 'name' | 'unlocode'>) => (p.unlocode ? `${p.name} (${p.unlocode})` : p.name);
const minutes = (m: number) => `${Number(m.toFixed(1))} min`;
const UNITS: Record<string, string> = { temp: ' °C', rh: ' %RH', shock: ' g', lux: ' lux', batt: ' %' };
const path = (id: string) => `/api/v1/shipments/${encodeURIComponent(id)}`;
const out = (line = '') => process.stdout.write(`${line}\n`);

function shipmentId(positionals: string[], usage: string): string {
  const [id, ...extra] = positionals;
  if (!id) throw new CliError(`a shipment id is required\n\nUsage: tradetwin ${usage}`);
  if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
  return id;
}

export function describeExcursion(x: ExcursionView): string {
  const span = `${iso(x.startedAt)} → ${x.endedAt === null ? 'ongoing' : iso(x.endedAt)}`;
  const verdict = x.breached ? 'BREACHED' : 'within tolerance';
  const sensor = x.kind === 'gap' ? undefined : x.sensor;
  const unit = (sensor && UNITS[sensor]) ?? '';
  const peak = x.kind === 'gap' ? '' : `, peak ${x.peak}${unit}`;
  const what = x.kind === 'band' ? `${x.sensor} ${x.direction} band` : x.kind;
  return `${x.ruleId} on ${x.deviceId}: ${what} for ${minutes(x.minutesOutside)}${peak}, ${verdict}${x.open ? ' (ongoing)' : ''}; ${span}; id ${x.id}`;
}

/** An amount as people read it ("100,000.00 tUSD"); raw units, said so, when the node could not name the token. */
export function describeMoney(money: MoneyJson | undefined | null, raw: string | undefined): string {
  if (money) return money.formatted;
  return raw === undefined ? '—' : `${raw} raw units`;
}

/** "Ocean Carrier Ltd (0x1234…abcd)"; the bare address when the node knows no organisation for it. */
const who = (address: string, ref: OrgRefJson | undefined) => (ref ? ref.label : orgLabel(address, null));

export function describePayout(p: PayoutView): string {
  const signers = p.signers.map((s, i) => who(s, p.signerOrgs?.[i])).join(', ');
  return `policy #${p.policyId}: paid ${describeMoney(p.money, p.amount)} for excursion ${p.excursionId} at ${iso(p.paidAt)}, tx ${p.txHash}, signed by ${signers}`;
}

function describeLatest(r: LatestReadingJson): string {
  const value =
    r.k === 'pos' && Array.isArray(r.v) ? `position ${r.v[0]}, ${r.v[1]}` : `${r.k} ${String(r.v)}${UNITS[r.k] ?? ''}`;
  return `${value} at ${iso(r.t)} (${r.deviceId}, reading ${r.readingId})`;
}

function describePolicy(p: PolicyJson): string {
  const t = p.terms;
  const band =
    typeof t.minCentiC === 'number' && typeof t.maxCentiC === 'number' ? `, ${t.minCentiC / 100}–${t.maxCentiC / 100} °C` : '';
  const tolerance = t.toleranceMinutes !== undefined ? `, ${String(t.toleranceMinutes)} min tolerance` : '';
  const holder = t.holder ? `, held by ${who(t.holder, p.holderOrg)}` : '';
  return `#${p.policyId} on ${p.cover}: ${p.state}, sum insured ${describeMoney(p.money?.sumInsured, t.sumInsured)}, premium ${describeMoney(p.money?.premium, t.premium)}${band}${tolerance}${holder}`;
}

function printState(s: ShipmentState): void {
  const d = s.shipment;
  out(`${d.id}: ${d.goods.description} — ${s.status}`);
  for (const l of d.legs)
    out(`  leg      ${where(l.from)} → ${where(l.to)} by ${l.mode}, ${iso(l.plannedDeparture)} → ${iso(l.plannedArrival)}`);
  for (const p of d.parties) out(`  party    ${p.role}: ${p.account ? orgLabel(p.account, p.name) : p.name}`);
  for (const a of d.devices) out(`  device   ${a.deviceId} from ${iso(a.from)}${a.to !== undefined ? ` to ${iso(a.to)}` : ''}`);
  const latest = Object.values(s.latest);
  if (latest.length === 0) out('  latest   no readings yet');
  for (const r of latest) out(`  latest   ${describeLatest(r)}`);
  out(`  excursions (${s.excursions.length}, ${s.breached} breached)`);
  for (const x of s.excursions) out(`    ${describeExcursion(x)}`);
  out(`  policies (${s.policies.length})`);
  for (const p of s.policies) out(`    ${describePolicy(p)}`);
  out(`  payouts (${s.payouts.length})`);
  for (const p of s.payouts) out(`    ${describePayout(p)}`);
}

/** One row of `shipment list --json`. */
export interface ShipmentRow {
  id: string;
  status: string;
  goods: string;
  route: string;
  devices: string[];
  excursions: number;
  breached: number;
  policies: { policyId: number; state: string }[];
  /** Sum of the payouts with the token's symbol and decimals; null when the node could not name the token. */
  paid: MoneyJson | null;
  /** The same sum in raw token units (the settlement token's smallest unit), decimal string. */
  paidRaw: string;
}

function row(s: ShipmentState): ShipmentRow {
  const legs = s.shipment.legs;
  const paid = s.payouts.reduce((sum, p) => sum + BigInt(p.amount), 0n);
  // The shipment's policies pay in their cover's token (one token per shipment, as the demo and the fixtures have it).
  const token = s.payouts.find((p) => p.money)?.money ?? s.policies.find((p) => p.token)?.token;
  const route = legs.length > 0 ? [legs[0]!.from, ...legs.map((l) => l.to)].map((p) => p.unlocode ?? p.name).join(' → ') : '';
  return {
    id: s.shipment.id,
    status: s.status,
    goods: s.shipment.goods.description,
    route,
    devices: s.shipment.devices.map((d) => d.deviceId),
    excursions: s.excursions.length,
    breached: s.breached,
    policies: s.policies.map((p) => ({ policyId: p.policyId, state: p.state })),
    paid: token ? moneyJson(paid, token) : null,
    paidRaw: paid.toString(),
  };
}

const list: Command = {
  name: 'shipment list',
  summary: 'List the shipments this node watches: status, excursions, policies, payouts.',
  usage: 'shipment list [--data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const rows = (await nodeClient(values).get<ShipmentState[]>('/api/v1/shipments')).map(row);
    if (values.json) return void printJson(rows);
    if (rows.length === 0) out('no shipments');
    for (const r of rows) {
      const policies = r.policies.map((p) => `#${p.policyId} ${p.state}`).join(', ') || 'none';
      out(
        `${r.id}\t${r.status}\t${r.route}\t${r.excursions} excursions (${r.breached} breached)\tpolicies ${policies}\tpaid ${r.paid ? r.paid.formatted : `${r.paidRaw} raw units`}\t${r.goods}`,
      );
    }
  },
};

const show: Command = {
  name: 'shipment show',
  summary: 'Show a shipment: status, latest readings, excursions, policies and payouts (with their transactions).',
  usage: 'shipment show SHIPMENT_ID [--data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    const id = shipmentId(positionals, show.usage);
    const state = await nodeClient(values).get<ShipmentState>(path(id));
    if (values.json) return void printJson(state);
    printState(state);
  },
};

const create: Command = {
  name: 'shipment create',
  summary: 'Create a shipment twin from a JSON definition (parties, legs, devices, rules); the node starts watching it.',
  usage: 'shipment create --file shipment.json [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, file: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const file = requireStr(values, 'file');
    if (!existsSync(file)) throw new CliError(`${file} does not exist`);
    let def: unknown;
    try {
      def = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CliError(`${file} is not JSON: ${(err as Error).message}`);
    }
    const state = await nodeClient(values).post<ShipmentState>('/api/v1/shipments', def);
    if (values.json) return void printJson(state);
    const s = state.shipment;
    out(
      `created shipment ${s.id} (${state.status}): ${s.devices.length} devices, ${s.rules.length} rules, ${state.excursions.length} excursions so far`,
    );
  },
};

const excursions: Command = {
  name: 'excursions',
  summary: "A shipment's excursions as the rules derive them from the log (minutes outside, peak, breached).",
  usage: 'excursions SHIPMENT_ID [--breached] [--data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS, breached: { type: 'boolean' } },
  async run({ values, positionals }) {
    const id = shipmentId(positionals, excursions.usage);
    const all = await nodeClient(values).get<ExcursionView[]>(`${path(id)}/excursions`);
    const xs = values.breached ? all.filter((x) => x.breached) : all;
    if (values.json) return void printJson(xs);
    if (xs.length === 0) out(`no ${values.breached ? 'breached ' : ''}excursions for ${id}`);
    for (const x of xs) out(describeExcursion(x));
  },
};

const payouts: Command = {
  name: 'payouts',
  summary: 'Payouts of parametric cover claims settled by this node (amount, excursion, transaction, signers).',
  usage: 'payouts [--data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const rows = await nodeClient(values).get<PayoutView[]>('/api/v1/payouts');
    if (values.json) return void printJson(rows);
    if (rows.length === 0) out('no payouts');
    for (const p of rows) out(describePayout(p));
  },
};

export const shipmentCommands: Command[] = [list, show, create, excursions, payouts];
