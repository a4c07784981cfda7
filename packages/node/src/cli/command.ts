// `tradetwin command send|list`: signed actuator commands. `send` signs a
// command with a member organisation's operator key (a file holding its 0x
// secp256k1 account key), optionally adds a second organisation's
// co-signature, and submits it (POST /api/v1/commands); it can also only sign
// (--out) so another organisation co-signs and sends it (--bundle … --key
// theirs). `list` prints the command log with each authorisation and effect.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type CommandAction,
  CommandError,
  cosignCommand,
  describeAction,
  signCommand,
  verifyCommand,
} from '@tradetwin/core/command/command';
import { hexToBytes } from 'viem';
import type { CommandJson } from '../commands/service.js';
import { COMMON, CliError, type Command, EXIT, intOpt, printJson, requireStr, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;
const out = (line = '') => process.stdout.write(`${line}\n`);

/** An operator key file: the account's 32-byte secp256k1 key as 0x hex (as `node-key`). */
export function readOperatorKey(path: string): Uint8Array {
  if (!existsSync(path)) throw new CliError(`operator key file ${path} does not exist`);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new CliError(`${path} does not hold a 32-byte 0x-hex account key`);
  return hexToBytes(text as `0x${string}`);
}

function actionOf(values: Record<string, unknown>): CommandAction {
  const setpoint = str(values, 'setpoint');
  const door = str(values, 'door');
  const valve = str(values, 'valve');
  const given = [setpoint, door, valve].filter((v) => v !== undefined).length;
  if (given !== 1) throw new CliError('give exactly one action: --setpoint °C, --door lock|unlock or --valve open|close');
  if (setpoint !== undefined) {
    const celsius = Number(setpoint);
    if (!Number.isFinite(celsius)) throw new CliError(`--setpoint must be a number (°C), got "${setpoint}"`);
    return { kind: 'setpoint', celsius };
  }
  if (door !== undefined) {
    if (door !== 'lock' && door !== 'unlock') throw new CliError('--door must be lock or unlock');
    return { kind: 'door', state: door };
  }
  if (valve !== 'open' && valve !== 'close') throw new CliError('--valve must be open or close');
  return { kind: 'valve', state: valve };
}

const describeCommand = (c: CommandJson) => {
  const a = c.authorisation;
  const who = `${a.issuer.as} (org ${a.issuer.orgId})${a.cosigner ? ` + ${a.cosigner.as} (org ${a.cosigner.orgId})` : ''}`;
  const effect = c.effect
    ? c.effect.outcome === 'applied'
      ? `applied ${JSON.stringify(c.effect.state)}`
      : `refused ${c.effect.reason}: ${c.effect.detail}`
    : 'delivered, no report yet';
  return `${c.id.slice(0, 12)} ${c.deviceId} seq ${c.seq} ${describeAction(c.action as unknown as CommandAction)} — by ${who}; ${a.rule}; ${effect}`;
};

const send: Command = {
  name: 'command send',
  summary:
    "Sign an actuator command with a member's operator key (and a co-signer's), send it to the node, and wait for the device's signed effect report.",
  usage:
    'command send --key OPERATOR_KEY (--device ID --shipment ID (--setpoint C | --door lock|unlock | --valve open|close) [--seq N] [--ttl-s S] | --bundle FILE) ' +
    '[--cosign-key KEY2] [--out FILE (sign only)] [--wait-ms N] [--data-dir DIR | --node URL --token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    key: { type: 'string' },
    'cosign-key': { type: 'string' },
    device: { type: 'string' },
    shipment: { type: 'string' },
    setpoint: { type: 'string' },
    door: { type: 'string' },
    valve: { type: 'string' },
    seq: { type: 'string' },
    'ttl-s': { type: 'string' },
    bundle: { type: 'string' },
    out: { type: 'string' },
    'wait-ms': { type: 'string' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const key = readOperatorKey(requireStr(values, 'key'));
    let bundle: Uint8Array;
    const given = str(values, 'bundle');
    try {
      if (given !== undefined) {
        if (!existsSync(given)) throw new CliError(`bundle file ${given} does not exist`);
        // Someone else's command: this key co-signs it.
        bundle = cosignCommand(new Uint8Array(readFileSync(given)), key);
      } else {
        const device = requireStr(values, 'device');
        const action = actionOf(values);
        const ttl = intOpt(values, 'ttl-s', 300);
        if (ttl < 1 || ttl > 86_400) throw new CliError('--ttl-s must be between 1 and 86400');
        const seq = values.seq !== undefined ? intOpt(values, 'seq', 1) : await nextSeq(values, device);
        const now = Date.now();
        bundle = signCommand(
          { device, shipment: requireStr(values, 'shipment'), seq, issuedAt: now, expiresAt: now + ttl * 1000, action },
          key,
        );
      }
      const cosignKey = str(values, 'cosign-key');
      if (cosignKey !== undefined) bundle = cosignCommand(bundle, readOperatorKey(cosignKey));
      verifyCommand(bundle);
    } catch (err) {
      if (err instanceof CommandError) throw new CliError(`the command is not valid: ${err.message}`, EXIT.usage, err.code);
      throw err;
    }
    const outFile = str(values, 'out');
    if (outFile !== undefined) {
      writeFileSync(outFile, bundle);
      const v = verifyCommand(bundle);
      if (values.json) printJson({ id: v.id, signers: v.signatures.map((s) => s.account), file: outFile });
      else out(`signed command ${v.id} by ${v.signatures.map((s) => s.account).join(' + ')} into ${outFile}`);
      return EXIT.ok;
    }
    const client = nodeClient(values);
    const sent = await client.postBytes<{ command: CommandJson; delivered: boolean }>(
      '/api/v1/commands',
      bundle,
      'application/cbor',
    );
    const waitMs = intOpt(values, 'wait-ms', 10_000);
    const final =
      waitMs > 0 && sent.delivered
        ? await client.get<CommandJson>(`/api/v1/commands/${sent.command.id}?waitMs=${Math.min(waitMs, 30_000)}`)
        : sent.command;
    if (values.json) printJson({ ...final, delivered: sent.delivered });
    else {
      out(
        `accepted and logged (leaf ${final.leafIndex})${sent.delivered ? ', delivered' : ', NOT delivered (no MQTT transport)'}`,
      );
      out(describeCommand(final));
    }
    if (final.status === 'refused') return EXIT.refused;
    return final.status === 'applied' ? EXIT.ok : EXIT.unreachable;
  },
};

/** One past the highest seq the node logged for the device (1 when none, or when the log cannot be read). */
async function nextSeq(values: Record<string, unknown>, device: string): Promise<number> {
  try {
    const page = await nodeClient(values).get<{ commands: CommandJson[] }>(
      `/api/v1/commands?device=${encodeURIComponent(device)}&limit=1`,
    );
    return (page.commands[0]?.seq ?? 0) + 1;
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.refused) return 1;
    throw err;
  }
}

const list: Command = {
  name: 'command list',
  summary: 'List the command log, newest first: each command, who authorised it and what the device did.',
  usage: 'command list [--device ID] [--shipment ID] [--limit N] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, device: { type: 'string' }, shipment: { type: 'string' }, limit: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new CliError(`unexpected arguments: ${positionals.join(' ')}`);
    const q = new URLSearchParams({ limit: String(intOpt(values, 'limit', 50)) });
    const device = str(values, 'device');
    const shipment = str(values, 'shipment');
    if (device) q.set('device', device);
    if (shipment) q.set('shipment', shipment);
    const page = await nodeClient(values).get<{ commands: CommandJson[] }>(`/api/v1/commands?${q}`);
    if (values.json) return void printJson(page.commands);
    if (page.commands.length === 0) out('no commands');
    for (const c of page.commands) out(describeCommand(c));
  },
};

const resend: Command = {
  name: 'command resend',
  summary:
    'Publish a logged command to its device again (its delivery failed or the device lost it) and wait for the effect report; a device that already acted refuses the repeat (replay window).',
  usage: 'command resend COMMAND_ID [--wait-ms N] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, 'wait-ms': { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new CliError('give the command id: command resend COMMAND_ID');
    const id = positionals[0]!;
    if (!/^[0-9a-f]{64}$/.test(id)) throw new CliError(`a command id is 64 hex digits, got "${id}"`);
    const client = nodeClient(values);
    const sent = await client.post<{ command: CommandJson; delivered: boolean }>(`/api/v1/commands/${id}/resend`, {});
    const waitMs = intOpt(values, 'wait-ms', 10_000);
    const final =
      waitMs > 0 && !sent.command.effect
        ? await client.get<CommandJson>(`/api/v1/commands/${id}?waitMs=${Math.min(waitMs, 30_000)}`)
        : sent.command;
    if (values.json) printJson({ ...final, delivered: sent.delivered });
    else {
      out(`delivered again${final.effect ? ' (its effect was already reported: the device refuses the repeat)' : ''}`);
      out(describeCommand(final));
    }
    if (final.status === 'refused') return EXIT.refused;
    return final.status === 'applied' ? EXIT.ok : EXIT.unreachable;
  },
};

export const commandCommands: Command[] = [send, list, resend];
