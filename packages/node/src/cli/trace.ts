// `tradetwin trace <epc|lot> --backward|--forward`: a recall trace through the
// node's EPCIS events (aggregation, transformation, transaction, association),
// each hop with the event that proves it.
import type { TraceResult } from '../epcis/trace.js';
import { COMMON, CliError, type Command, printJson } from './args.js';
import { nodeClient } from './node-client.js';

export const traceCommand: Command = {
  name: 'trace',
  summary: 'Trace an item or lot backward (where it came from) or forward (everything it reached).',
  usage: 'trace <epc|lot|digital-link> (--backward | --forward) [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    node: { type: 'string' },
    token: { type: 'string' },
    backward: { type: 'boolean' },
    forward: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    const epc = positionals[0];
    if (!epc) throw new CliError('give an EPC, lot class or GS1 Digital Link to trace');
    if (Boolean(values.backward) === Boolean(values.forward)) throw new CliError('give exactly one of --backward or --forward');
    const direction = values.backward ? 'backward' : 'forward';
    const r = await nodeClient(values).get<TraceResult>(`/epcis/trace/${encodeURIComponent(epc)}?direction=${direction}`);
    if (values.json) return void printJson(r);
    const out = process.stdout;
    out.write(
      `${direction} trace from ${r.start}: ${r.stats.events} events, ${r.stats.identifiers} identifiers in ${r.stats.ms} ms${r.truncated ? ' (truncated)' : ''}\n`,
    );
    const section = (title: string, list: string[]) => {
      if (list.length) out.write(`${title} (${list.length}):\n${list.map((x) => `  ${x}`).join('\n')}\n`);
    };
    section('items', r.items);
    section('lots', r.lots);
    section('containers', r.containers);
    section('locations', r.locations);
    section(
      'parties',
      r.parties.map((p) => (p.type ? `${p.type}: ${p.value}` : p.value)),
    );
    section(
      'transactions',
      r.transactions.map((t) => (t.type ? `${t.type}: ${t.value}` : t.value)),
    );
    out.write(`evidence: ${r.events.length} events in the log (GET /epcis/events/{eventID}/proof for each inclusion proof)\n`);
  },
};
