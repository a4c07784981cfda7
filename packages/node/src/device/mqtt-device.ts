// A device's side of MQTT, as firmware would do it: connect with client id =
// username = device id and a token signed by its own key as password, publish
// envelopes QoS 1 to its telemetry topic and learn refusals on its rejected
// topic (the embedded broker delivers a refusal before the PUBACK of the
// message it refuses). Used by `tradetwin simulate --via mqtt` and the tests.
import { mintMqttToken } from '@tradetwin/core/device/mqtt-token';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { deviceTopic } from '../ingest/mqtt-access.js';

export interface DeviceConnectOptions {
  /** The node's account address (GET /api/v1/status → node.address): the token's audience. */
  audience: string;
  /** PEM CA certificate(s) to trust for mqtts:// (default: the system's). */
  ca?: string | Buffer;
  /** 4 = MQTT 3.1.1 (default; the embedded broker), 5 = MQTT 5 (an external broker). */
  protocolVersion?: 4 | 5;
  /** Token lifetime, seconds (default 1 h). */
  ttlSeconds?: number;
  /** Anything else mqtt.js takes (overrides the above). */
  extra?: IClientOptions;
}

async function deviceOptions(key: DeviceKey, opts: DeviceConnectOptions): Promise<IClientOptions> {
  const password = await mintMqttToken(key, { audience: opts.audience, ttlSeconds: opts.ttlSeconds });
  return {
    clientId: key.deviceId,
    username: key.deviceId,
    password,
    protocolVersion: opts.protocolVersion ?? 4,
    reconnectPeriod: 0,
    ...(opts.ca ? { ca: opts.ca } : {}),
    ...opts.extra,
  };
}

/** Connect as this device; rejects with the broker's refusal (e.g. CONNACK code 4 or 5). */
export async function connectDevice(url: string, key: DeviceKey, opts: DeviceConnectOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, await deviceOptions(key, opts));
}

/**
 * This device's client, not yet connected (a persistent session: clean = false), so a handler can be
 * in place before the broker hands over what waited in the session (command-receiver.ts connects it).
 */
export async function deviceSessionClient(url: string, key: DeviceKey, opts: DeviceConnectOptions): Promise<MqttClient> {
  return mqtt.connect(url, { ...(await deviceOptions(key, opts)), clean: false, manualConnect: true });
}

export interface PublishSummary {
  published: number;
  rejected: { reason: string; detail: string }[];
}

/** Publish envelopes QoS 1, one at a time, collecting the refusals the node reports. */
export async function publishEnvelopes(client: MqttClient, deviceId: string, envelopes: Uint8Array[]): Promise<PublishSummary> {
  const rejectedTopic = deviceTopic(deviceId, 'rejected');
  const rejected: PublishSummary['rejected'] = [];
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === rejectedTopic) rejected.push(JSON.parse(payload.toString('utf8')) as PublishSummary['rejected'][number]);
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(rejectedTopic, { qos: 0 });
    for (const e of envelopes) await client.publishAsync(deviceTopic(deviceId, 'telemetry'), Buffer.from(e), { qos: 1 });
    return { published: envelopes.length, rejected };
  } finally {
    client.off('message', onMessage);
  }
}
