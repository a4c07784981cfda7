// `tradetwin simulate`: a device that signs realistic readings with its key
// file and sends them to a node over HTTP (for demos and trying things out).
import { createSimulatedDevice } from '../device/simulator.js';
import { COMMON, CliError, type Command, intOpt, printJson, requireStr } from './args.js';
import { readKeyFile } from './device.js';
import { nodeClient } from './node-client.js';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Send simulated, signed reefer readings from a device key file to a node over HTTP.',
  usage:
    'simulate --key FILE [--messages N] [--per-message N] [--interval-ms N] [--start-seq N] [--data-dir DIR | --node URL] [--json]',
  options: {
    ...COMMON,
    node: { type: 'string' },
    key: { type: 'string' },
    messages: { type: 'string' },
    'per-message': { type: 'string' },
    'interval-ms': { type: 'string' },
    'start-seq': { type: 'string' },
  },
  async run({ values }) {
    const key = readKeyFile(requireStr(values, 'key'));
    const messages = intOpt(values, 'messages', 10);
    const perMessage = intOpt(values, 'per-message', 1);
    if (perMessage < 1 || perMessage > 1000) throw new CliError('--per-message must be between 1 and 1000');
    const intervalMs = intOpt(values, 'interval-ms', 60_000);
    const node = nodeClient(values);
    const startAt = Date.now() - messages * perMessage * intervalMs;
    const device = createSimulatedDevice({
      key,
      kinds: ['temp', 'rh', 'pos'],
      startAt,
      intervalMs,
      seed: 1,
      firstSeq: intOpt(values, 'start-seq', 1),
    });
    const envelopes = Array.from({ length: messages }, () => device.nextEnvelope(perMessage));
    const res = await fetch(new URL('/api/v1/telemetry', node.url), {
      method: 'POST',
      headers: { 'content-type': 'application/cbor-seq' },
      body: Buffer.concat(envelopes), // an RFC 8742 CBOR sequence is the items back to back
    });
    const body = (await res.json()) as { accepted: number; rejected: number; results: { reason?: string }[] };
    if (!res.ok) throw new CliError(`node answered HTTP ${res.status}: ${JSON.stringify(body)}`, 1);
    if (values.json) printJson(body);
    else {
      process.stdout.write(
        `sent ${messages} envelopes (${messages * perMessage} readings): ${body.accepted} accepted, ${body.rejected} rejected\n`,
      );
      const reasons = body.results.filter((r) => r.reason).map((r) => r.reason);
      if (reasons.length) process.stdout.write(`rejections: ${[...new Set(reasons)].join(', ')}\n`);
    }
    return body.rejected === 0 ? 0 : 1;
  },
};
