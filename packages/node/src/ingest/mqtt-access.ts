// Who may connect to the embedded MQTT broker, and what each identity may
// publish and subscribe to.
//   device:   username = device id, password = a JWT signed by its registered
//             key (core/device/mqtt-token), client id = device id (so no other
//             identity can take its session over); publishes only to its own
//             telemetry and effects (signed command effect reports) topics,
//             never retained; subscribes only to its own commands and rejected
//             topics.
//   operator: username "@operator" (never a device id: "@" is not allowed in
//             one), password = <data-dir>/mqtt-operator-password, client ids
//             "@operator…"; publishes commands, subscribes under the device tree.
// Anonymous clients are refused at CONNECT. Nothing here does I/O except the
// device lookup it is handed.
import { timingSafeEqual } from 'node:crypto';
import { deviceIdProblem } from '@tradetwin/core/device/keys';
import { verifyMqttToken } from '@tradetwin/core/device/mqtt-token';
import type { DeviceDirectory } from './pipeline.js';

export const TOPIC_PREFIX = 'tradetwin/v1/devices';
export const TELEMETRY_TOPIC = /^tradetwin\/v1\/devices\/([^/]{1,64})\/telemetry$/;
export const EFFECTS_TOPIC = /^tradetwin\/v1\/devices\/([^/]{1,64})\/effects$/;
export const OPERATOR_USERNAME = '@operator';

export const deviceTopic = (deviceId: string, kind: 'telemetry' | 'commands' | 'rejected' | 'effects') =>
  `${TOPIC_PREFIX}/${deviceId}/${kind}`;

export type MqttIdentity = { kind: 'device'; deviceId: string } | { kind: 'operator' };

/** MQTT 3.1.1 CONNACK return codes a refusal carries. */
export const CONNACK = { identifierRejected: 2, badCredentials: 4, notAuthorized: 5 } as const;

export class MqttRefusal extends Error {
  constructor(
    readonly returnCode: (typeof CONNACK)[keyof typeof CONNACK],
    message: string,
  ) {
    super(message);
    this.name = 'MqttRefusal';
  }
}

export interface MqttAccessOptions {
  devices: DeviceDirectory;
  /** The node's account address: the audience device tokens must name. */
  audience: string;
  /** The operator's password; no operator can log in without one. */
  operatorPassword?: string;
  now?: () => number;
}

/** The identity a CONNECT proves, or an MqttRefusal naming why not. */
export async function authenticateMqtt(
  clientId: string,
  username: string | undefined,
  password: Uint8Array | undefined,
  opts: MqttAccessOptions,
): Promise<MqttIdentity> {
  if (!username || !password || password.length === 0) {
    throw new MqttRefusal(CONNACK.notAuthorized, 'anonymous clients are refused: connect with a device id and token');
  }
  if (username === OPERATOR_USERNAME) {
    const want = opts.operatorPassword ? Buffer.from(opts.operatorPassword) : undefined;
    const got = Buffer.from(password);
    if (!want || want.length !== got.length || !timingSafeEqual(want, got)) {
      throw new MqttRefusal(CONNACK.badCredentials, 'wrong operator password');
    }
    if (!clientId.startsWith(OPERATOR_USERNAME)) {
      throw new MqttRefusal(CONNACK.identifierRejected, `operator client ids start with "${OPERATOR_USERNAME}"`);
    }
    return { kind: 'operator' };
  }
  const problem = deviceIdProblem(username);
  if (problem) throw new MqttRefusal(CONNACK.badCredentials, `username: ${problem}`);
  // The client id is the device id: a session can only be replaced by the same device.
  if (clientId !== username) {
    throw new MqttRefusal(CONNACK.identifierRejected, `client id must equal the device id ${username}`);
  }
  const record = opts.devices.get(username) ?? (await opts.devices.lookup(username));
  if (!record) throw new MqttRefusal(CONNACK.badCredentials, `device ${username} is not registered`);
  const now = (opts.now ?? Date.now)();
  if (record.revokedAt !== null && record.revokedAt <= now) {
    throw new MqttRefusal(CONNACK.notAuthorized, `device ${username} is revoked`);
  }
  const verdict = await verifyMqttToken(new TextDecoder().decode(password), {
    deviceId: username,
    key: record,
    audience: opts.audience,
    now,
  });
  if (!verdict.ok) throw new MqttRefusal(CONNACK.badCredentials, `token refused: ${verdict.detail}`);
  return { kind: 'device', deviceId: username };
}

/** Why this identity may not publish there, or null when it may. */
export function publishDenial(id: MqttIdentity, topic: string, retain: boolean): string | null {
  // No retained messages at all: telemetry is evidence, not state, and nothing else needs them.
  if (retain) return 'retained messages are refused';
  if (id.kind === 'device') {
    return topic === deviceTopic(id.deviceId, 'telemetry') || topic === deviceTopic(id.deviceId, 'effects')
      ? null
      : `device ${id.deviceId} publishes only to ${deviceTopic(id.deviceId, 'telemetry')} and …/effects`;
  }
  return /^tradetwin\/v1\/devices\/[^/+#]{1,64}\/commands$/.test(topic) ? null : 'the operator publishes only commands';
}

/** Whether this identity may subscribe to this topic filter. */
export function maySubscribe(id: MqttIdentity, filter: string): boolean {
  if (id.kind === 'device') {
    return filter === deviceTopic(id.deviceId, 'commands') || filter === deviceTopic(id.deviceId, 'rejected');
  }
  return filter.startsWith(`${TOPIC_PREFIX}/`);
}
