// `tradetwin alert subscribe|list|unsubscribe`: alert subscriptions of the
// caller (the data dir's admin token, or --token), through the node's API
// (/api/v1/alerts/subscriptions); `tradetwin alert list --history` shows the
// alert history instead.
import { COMMON, CliError, type Command, printJson, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

interface SubscriptionJson {
  id: string;
  shipmentId: string | null;
  kinds: string[] | null;
  channel: 'webhook' | 'email';
  url?: string;
  email?: string;
  createdAt: string;
  secret?: string;
}

interface AlertJson {
  id: string;
  kind: string;
  severity: string;
  title: string;
  occurredAt: string;
}

const describe = (s: SubscriptionJson) =>
  `${s.id}: ${s.channel} ${s.url ?? s.email}, ${s.shipmentId ? `shipment ${s.shipmentId}` : 'any shipment'}, ${s.kinds ? s.kinds.join(', ') : 'every kind'} (since ${s.createdAt})`;

const subscribe: Command = {
  name: 'alert subscribe',
  summary:
    'Subscribe to alerts by signed webhook (--url) or e-mail (--email), for one shipment (--shipment) and/or some kinds (--kinds excursion,payout,…). A webhook secret is printed once.',
  usage:
    'alert subscribe (--url URL [--secret S] | --email ADDRESS) [--shipment ID] [--kinds K1,K2] [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    url: { type: 'string' },
    email: { type: 'string' },
    secret: { type: 'string' },
    shipment: { type: 'string' },
    kinds: { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const url = str(values, 'url');
    const email = str(values, 'email');
    if ((url === undefined) === (email === undefined)) throw new CliError('give one of --url (a webhook) or --email');
    const kinds = str(values, 'kinds');
    const body = {
      channel: url !== undefined ? 'webhook' : 'email',
      ...(url !== undefined ? { url } : { email }),
      ...(str(values, 'secret') !== undefined ? { secret: str(values, 'secret') } : {}),
      ...(str(values, 'shipment') !== undefined ? { shipmentId: str(values, 'shipment') } : {}),
      ...(kinds !== undefined ? { kinds: kinds.split(',').map((k) => k.trim()) } : {}),
    };
    const s = await nodeClient(values).post<SubscriptionJson>('/api/v1/alerts/subscriptions', body);
    if (values.json) return void printJson(s);
    out(`subscribed ${describe(s)}`);
    if (s.secret) out(`webhook secret (shown once; check TradeTwin-Signature with it): ${s.secret}`);
  },
};

const list: Command = {
  name: 'alert list',
  summary: 'List your alert subscriptions, or (--history) the alerts raised, newest first.',
  usage: 'alert list [--history] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, history: { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const client = nodeClient(values);
    if (values.history) {
      const page = await client.get<{ alerts: AlertJson[] }>('/api/v1/alerts?limit=200');
      if (values.json) return void printJson(page.alerts);
      if (page.alerts.length === 0) out('no alerts');
      for (const a of page.alerts) out(`${a.occurredAt} ${a.severity.padEnd(8)} ${a.kind.padEnd(17)} ${a.title}`);
      return;
    }
    const subs = await client.get<SubscriptionJson[]>('/api/v1/alerts/subscriptions');
    if (values.json) return void printJson(subs);
    if (subs.length === 0) out('no alert subscriptions');
    for (const s of subs) out(describe(s));
  },
};

const unsubscribe: Command = {
  name: 'alert unsubscribe',
  summary: 'Delete an alert subscription (its pending deliveries are dropped).',
  usage: 'alert unsubscribe SUBSCRIPTION_ID [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values, positionals }) {
    const [id, ...extra] = positionals;
    if (!id) throw new CliError(`a subscription id is required\n\nUsage: tradetwin ${unsubscribe.usage}`);
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    await nodeClient(values).del(`/api/v1/alerts/subscriptions/${encodeURIComponent(id)}`);
    if (values.json) return void printJson({ unsubscribed: id });
    out(`unsubscribed ${id}`);
  },
};

export const alertCommands: Command[] = [subscribe, list, unsubscribe];
