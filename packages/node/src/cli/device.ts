// `tradetwin device keygen|register|revoke|list|mqtt-token`: a device's key
// pair is made where the device lives; the node's organisation registers its
// public key on chain (DeviceRegistry) and can revoke it, now or back-dated;
// the device proves itself to the MQTT broker with a token signed by that key.
import type { DeviceJson } from '@tradetwin/core/wire/devices';
import type { StatusJson } from '@tradetwin/core/wire/status';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { bytesToHex } from 'viem';
import { encodeKeyFile, KeyFileError, parseKeyFile } from '@tradetwin/core/device/key-file';
import { deviceIdProblem, generateDeviceKey, type KeyType } from '@tradetwin/core/device/keys';
import { MQTT_TOKEN_DEFAULT_TTL_S, MQTT_TOKEN_MAX_LIFETIME_S, mintMqttToken } from '@tradetwin/core/device/mqtt-token';
import { COMMON, CliError, type Command, intOpt, printJson, requireStr, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;

export function readKeyFile(path: string) {
  if (!existsSync(path)) throw new CliError(`key file ${path} does not exist`);
  try {
    return parseKeyFile(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof KeyFileError) throw new CliError(`${path}: ${err.message}`);
    throw err;
  }
}

const keygen: Command = {
  name: 'device keygen',
  summary: 'Make a device key pair (P-256/ES256 or Ed25519/EdDSA) into a key file.',
  usage: 'device keygen --id DEVICE_ID [--type p256|ed25519] [--out FILE] [--json]',
  options: { ...COMMON, id: { type: 'string' }, type: { type: 'string' }, out: { type: 'string' } },
  async run({ values }) {
    const deviceId = requireStr(values, 'id');
    const problem = deviceIdProblem(deviceId);
    if (problem) throw new CliError(`--id: ${problem}`);
    const typeName = str(values, 'type') ?? 'p256';
    const keyType: KeyType | undefined = typeName === 'p256' ? 1 : typeName === 'ed25519' ? 2 : undefined;
    if (!keyType) throw new CliError(`--type must be p256 or ed25519, got "${typeName}"`);
    const out = str(values, 'out') ?? `${deviceId}.key.json`;
    if (existsSync(out)) throw new CliError(`${out} exists: refusing to overwrite a device key`);
    const key = { deviceId, ...generateDeviceKey(keyType) };
    writeFileSync(out, encodeKeyFile(key), { mode: 0o600 });
    const summary = {
      deviceId,
      keyType,
      alg: keyType === 1 ? 'ES256' : 'EdDSA',
      publicKey: bytesToHex(key.publicKey),
      keyFile: out,
    };
    if (values.json) printJson(summary);
    else process.stdout.write(`wrote ${out} (${summary.alg}); public key ${summary.publicKey}\n`);
  },
};

const register: Command = {
  name: 'device register',
  summary: "Register a device's public key on chain for this node's organisation.",
  usage: 'device register --key FILE [--metadata-hash 0x…] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, key: { type: 'string' }, 'metadata-hash': { type: 'string' } },
  async run({ values }) {
    const key = readKeyFile(requireStr(values, 'key'));
    const metadataHash = str(values, 'metadata-hash');
    if (metadataHash !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(metadataHash)) {
      throw new CliError('--metadata-hash must be a 32-byte 0x-hex hash');
    }
    const res = await nodeClient(values).post<{ deviceId: string; txHash: string }>('/api/v1/admin/devices', {
      deviceId: key.deviceId,
      keyType: key.keyType,
      publicKey: bytesToHex(key.publicKey),
      metadataHash,
    });
    if (values.json) printJson(res);
    else process.stdout.write(`registered ${res.deviceId} in tx ${res.txHash}\n`);
  },
};

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/**
 * When a revocation takes effect (ms): an ISO time, ms since the epoch, or `now-<n><s|m|h|d>`
 * ("now-10m": ten minutes ago) — a back-dated time that stays valid whenever an example runs.
 */
export function parseRevocationTime(at: string, now: number): number {
  const relative = /^now(?:-(\d+)([smhd]))?$/.exec(at);
  const ms = relative
    ? now - (relative[1] === undefined ? 0 : Number(relative[1]) * UNIT_MS[relative[2]!]!)
    : /^\d+$/.test(at)
      ? Number(at)
      : /^\d{4}-\d{2}-\d{2}/.test(at)
        ? Date.parse(at)
        : Number.NaN;
  if (!Number.isFinite(ms)) throw new CliError(`--at must be an ISO time, ms since the epoch or now-<n>s|m|h|d, got "${at}"`);
  if (ms > now) throw new CliError(`--at ${at} is in the future: a revocation takes effect now or from a past time`);
  return ms;
}

const revoke: Command = {
  name: 'device revoke',
  summary: 'Revoke a device on chain, now or from a past time (a key compromise found late).',
  usage: 'device revoke --id DEVICE_ID [--at ISO-TIME|ms|now-<n>s|m|h|d] [--data-dir DIR | --node URL --token T] [--json]',
  options: { ...COMMON, ...NODE_OPTS, id: { type: 'string' }, at: { type: 'string' } },
  async run({ values }) {
    const deviceId = requireStr(values, 'id');
    const at = str(values, 'at');
    const effectiveAt = at === undefined ? undefined : parseRevocationTime(at, Date.now());
    const res = await nodeClient(values).post<{ deviceId: string; txHash: string }>(
      `/api/v1/admin/devices/${encodeURIComponent(deviceId)}/revoke`,
      effectiveAt === undefined ? {} : { effectiveAt },
    );
    if (values.json) printJson(res);
    else process.stdout.write(`revoked ${res.deviceId} in tx ${res.txHash}\n`);
  },
};

const list: Command = {
  name: 'device list',
  summary: 'List the devices the node knows, with status, last sequence number and gaps.',
  usage: 'device list [--data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS },
  async run({ values }) {
    const rows = await nodeClient(values).get<DeviceJson[]>('/api/v1/devices');
    if (values.json) return void printJson(rows);
    if (rows.length === 0) process.stdout.write('no devices registered\n');
    for (const d of rows) {
      const seen = d.lastSeenAt ? new Date(d.lastSeenAt).toISOString() : 'never';
      const revoked = d.revokedAt ? ` since ${new Date(d.revokedAt).toISOString()}` : '';
      process.stdout.write(
        `${d.deviceId}\t${d.keyType}\t${d.status}${revoked}\tseq ${d.lastSeq}\tgaps ${d.gaps}\tlast seen ${seen}\n`,
      );
    }
  },
};

/** The audience of a device's MQTT token: --aud, or the address of the node the CLI reaches. */
export async function nodeAudience(values: Record<string, unknown>): Promise<string> {
  const aud = str(values, 'aud');
  if (aud !== undefined) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(aud)) throw new CliError('--aud must be the node account address (0x + 40 hex digits)');
    return aud;
  }
  return (await nodeClient(values).get<StatusJson>('/api/v1/status')).node.address;
}

const mqttToken: Command = {
  name: 'device mqtt-token',
  summary: "Print a device's MQTT password: a JWT signed by its key for this node (username = client id = device id).",
  usage: 'device mqtt-token --key FILE [--ttl SECONDS] [--aud NODE_ADDRESS | --data-dir DIR | --node URL] [--json]',
  options: { ...COMMON, ...NODE_OPTS, key: { type: 'string' }, ttl: { type: 'string' }, aud: { type: 'string' } },
  async run({ values }) {
    const key = readKeyFile(requireStr(values, 'key'));
    const ttlSeconds = intOpt(values, 'ttl', MQTT_TOKEN_DEFAULT_TTL_S);
    if (ttlSeconds < 1 || ttlSeconds > MQTT_TOKEN_MAX_LIFETIME_S) {
      throw new CliError(`--ttl must be 1…${MQTT_TOKEN_MAX_LIFETIME_S} seconds`);
    }
    const audience = await nodeAudience(values);
    const password = await mintMqttToken(key, { audience, ttlSeconds });
    if (values.json) {
      printJson({ clientId: key.deviceId, username: key.deviceId, password, expiresAt: Date.now() + ttlSeconds * 1000 });
    } else process.stdout.write(`${password}\n`);
  },
};

export const deviceCommands: Command[] = [keygen, register, revoke, list, mqttToken];
