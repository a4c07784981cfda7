// `tradetwin simulate`: a device that signs realistic readings with its key
// file and sends them to a node over HTTP, or over MQTT authenticated with a
// token it signs itself (for demos and trying things out).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REEFER_SAFE_RANGES } from '@tradetwin/core/command/actuator';
import { commandStateFile, startCommandReceiver } from '../device/command-receiver.js';
import { connectDevice, type DeviceConnectOptions, deviceSessionClient, publishEnvelopes } from '../device/mqtt-device.js';
import { createSimulatedDevice } from '../device/simulator.js';
import { readRuntimeInfo } from '../node.js';
import type { DeviceDetailJson } from '@tradetwin/core/wire/devices';
import { COMMON, CliError, type Command, EXIT, intOpt, printJson, requireStr, str } from './args.js';
import { nodeAudience, readKeyFile } from './device.js';
import { nodeClient } from './node-client.js';

interface SendResult {
  accepted: number;
  rejected: number;
  results: { reason?: string }[];
}

async function sendHttp(values: Record<string, unknown>, envelopes: Uint8Array[]): Promise<SendResult> {
  const node = nodeClient(values);
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/telemetry', node.url), {
      method: 'POST',
      headers: { 'content-type': 'application/cbor-seq' },
      body: Buffer.concat(envelopes), // an RFC 8742 CBOR sequence is the items back to back
    });
  } catch (err) {
    throw new CliError(`cannot reach the node at ${node.url}: ${(err as Error).message}`, EXIT.unreachable, 'node_unreachable');
  }
  const body = (await res.json()) as SendResult;
  if (!res.ok) {
    throw new CliError(
      `node answered HTTP ${res.status}: ${JSON.stringify(body)}`,
      res.status === 503 ? EXIT.unreachable : EXIT.refused,
    );
  }
  return body;
}

/** Member accounts the device trusts: a JSON file {"0x…account": orgId, …} (from the MemberRegistry). */
function readMembers(path: string): Map<string, number> {
  if (!existsSync(path)) throw new CliError(`members file ${path} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`${path} must be {"0x…account": orgId, …}`);
  const members = new Map<string, number>();
  for (const [account, org] of Object.entries(raw)) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(account) || !Number.isSafeInteger(org))
      throw new CliError(`${path}: "${account}" must be an account address mapped to an organisation id`);
    members.set(account.toLowerCase(), org as number);
  }
  return members;
}

/** Connect over MQTT as the device (`connect` does it: connectDevice, or a session client and its receiver). */
async function connectMqtt<T>(
  values: Record<string, unknown>,
  key: ReturnType<typeof readKeyFile>,
  connect: (url: string, opts: DeviceConnectOptions) => Promise<T> = (url, opts) => connectDevice(url, key, opts) as Promise<T>,
): Promise<T> {
  const url = str(values, 'mqtt') ?? readRuntimeInfo(resolve(str(values, 'data-dir') ?? '.tradetwin'))?.mqttUrl;
  if (!url) throw new CliError('no MQTT broker known: pass --mqtt mqtt://host:port (or mqtts://…)');
  const caFile = str(values, 'ca');
  if (caFile !== undefined && !existsSync(caFile)) throw new CliError(`CA file ${caFile} does not exist`);
  const opts: DeviceConnectOptions = {
    audience: await nodeAudience(values),
    ca: caFile === undefined ? undefined : readFileSync(caFile),
    protocolVersion: str(values, 'mqtt-version') === '5' ? 5 : 4,
  };
  try {
    return await connect(url, opts);
  } catch (err) {
    const down = /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND/.test(
      String((err as NodeJS.ErrnoException).code ?? (err as Error).message),
    );
    if (down)
      throw new CliError(
        `cannot reach the MQTT broker at ${url}: ${(err as Error).message}`,
        EXIT.unreachable,
        'broker_unreachable',
      );
    throw new CliError(`MQTT broker ${url} refused ${key.deviceId}: ${(err as Error).message}`, EXIT.refused, 'broker_refused');
  }
}

/**
 * The simulated reefer as a command receiver: verifies commands against the member accounts it is
 * given, enforces its safe setpoint range and a rate limit, keeps its replay window next to its key
 * file, and answers each with a signed effect report (printed here as one JSON line each).
 */
async function acceptCommands(values: Record<string, unknown>, keyFile: string): Promise<number> {
  const key = readKeyFile(keyFile);
  const members = readMembers(requireStr(values, 'members'));
  const maxPerMinute = intOpt(values, 'max-per-minute', 6);
  // A persistent session: commands sent while the reefer was down are handed over when it is back.
  const { client, receiver } = await connectMqtt(values, key, async (url, opts) => {
    const client = await deviceSessionClient(url, key, opts);
    try {
      const receiver = await startCommandReceiver(client, {
        key,
        members,
        ranges: REEFER_SAFE_RANGES,
        maxPerMinute,
        stateFile: commandStateFile(keyFile),
        onReport: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
      });
      return { client, receiver };
    } catch (err) {
      client.end(true);
      throw err;
    }
  });
  process.stderr.write(`${key.deviceId} accepting commands (state in ${commandStateFile(keyFile)})\n`);
  const forMs = values['for-ms'] !== undefined ? intOpt(values, 'for-ms', 0) : undefined;
  await new Promise<void>((done) => {
    if (forMs !== undefined) setTimeout(done, forMs);
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await receiver.stop();
  await client.endAsync();
  return EXIT.ok;
}

async function sendMqtt(
  values: Record<string, unknown>,
  key: ReturnType<typeof readKeyFile>,
  envelopes: Uint8Array[],
): Promise<SendResult> {
  const client = await connectMqtt(values, key, (url, opts) => connectDevice(url, key, opts));
  try {
    const { published, rejected } = await publishEnvelopes(client, key.deviceId, envelopes);
    return { accepted: published - rejected.length, rejected: rejected.length, results: rejected };
  } finally {
    await client.endAsync();
  }
}

/**
 * Where the device's sequence continues: one past the last sequence number the node stored for it,
 * so a second run needs no bookkeeping (the node refuses a seq it has seen as a replay).
 */
async function nextSeq(values: Record<string, unknown>, deviceId: string): Promise<number> {
  try {
    const d = await nodeClient(values).get<DeviceDetailJson>(`/api/v1/devices/${encodeURIComponent(deviceId)}`);
    return d.lastSeq + 1;
  } catch (err) {
    // Nothing stored for it yet (a device this node has not seen, maybe another member's): from 1;
    // ingest then looks it up on chain and refuses it as unknown_device if it is not registered.
    if (err instanceof CliError && err.code === 'unknown_device') return 1;
    if (err instanceof CliError && err.exitCode === EXIT.unreachable) {
      throw new CliError(
        `${err.message} (to send without asking the node where ${deviceId}'s sequence stands, give --start-seq N)`,
        err.exitCode,
        err.code,
      );
    }
    throw err;
  }
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'Send simulated, signed reefer readings from a device key file to a node over HTTP or MQTT; or (--accept-commands) act on signed commands.',
  usage:
    'simulate --key FILE [--accept-commands --members FILE [--max-per-minute N] [--for-ms N]] [--messages N] [--per-message N] [--interval-ms N] [--start-seq N (default: after the last the node stored)] [--data-dir DIR | --node URL] ' +
    '[--via http|mqtt [--mqtt URL] [--ca PEM] [--aud NODE_ADDRESS] [--mqtt-version 4|5]] [--json]',
  options: {
    ...COMMON,
    node: { type: 'string' },
    key: { type: 'string' },
    messages: { type: 'string' },
    'per-message': { type: 'string' },
    'interval-ms': { type: 'string' },
    'start-seq': { type: 'string' },
    via: { type: 'string' },
    mqtt: { type: 'string' },
    ca: { type: 'string' },
    aud: { type: 'string' },
    'mqtt-version': { type: 'string' },
    'accept-commands': { type: 'boolean' },
    members: { type: 'string' },
    'max-per-minute': { type: 'string' },
    'for-ms': { type: 'string' },
  },
  async run({ values }) {
    if (values['accept-commands']) return acceptCommands(values, requireStr(values, 'key'));
    const key = readKeyFile(requireStr(values, 'key'));
    const messages = intOpt(values, 'messages', 10);
    const perMessage = intOpt(values, 'per-message', 1);
    if (perMessage < 1 || perMessage > 1000) throw new CliError('--per-message must be between 1 and 1000');
    const intervalMs = intOpt(values, 'interval-ms', 60_000);
    const via = str(values, 'via') ?? 'http';
    if (via !== 'http' && via !== 'mqtt') throw new CliError(`--via must be http or mqtt, got "${via}"`);
    const startAt = Date.now() - messages * perMessage * intervalMs;
    const device = createSimulatedDevice({
      key,
      kinds: ['temp', 'rh', 'pos'],
      startAt,
      intervalMs,
      seed: 1,
      firstSeq: values['start-seq'] !== undefined ? intOpt(values, 'start-seq', 1) : await nextSeq(values, key.deviceId),
    });
    const envelopes = Array.from({ length: messages }, () => device.nextEnvelope(perMessage));
    const body = via === 'mqtt' ? await sendMqtt(values, key, envelopes) : await sendHttp(values, envelopes);
    if (values.json) printJson(body);
    else {
      process.stdout.write(
        `sent ${messages} envelopes (${messages * perMessage} readings): ${body.accepted} accepted, ${body.rejected} rejected\n`,
      );
      const reasons = body.results.filter((r) => r.reason).map((r) => r.reason);
      if (reasons.length) process.stdout.write(`rejections: ${[...new Set(reasons)].join(', ')}\n`);
    }
    return body.rejected === 0 ? EXIT.ok : EXIT.refused;
  },
};
