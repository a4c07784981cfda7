// MQTT ingest. Devices publish one COSE_Sign1 per message, QoS 1, on
//   tradetwin/v1/devices/{deviceId}/telemetry
// Embedded: an aedes broker runs in the node. Every client authenticates
// (mqtt-access.ts: a device with a token signed by its registered key) and may
// publish and subscribe only where its identity allows. Ingest happens in
// aedes' authorizePublish hook, which runs before the broker writes PUBACK, so
// the device gets its PUBACK only after the commit. A refused message is still
// acknowledged (retrying cannot fix a forged signature) and the reason is
// published on tradetwin/v1/devices/{deviceId}/rejected first; a retryable
// refusal (store failure, or a device not cached while the ledger is
// unreachable: chain_unavailable) is published there too, marked retryable, and
// withholds the PUBACK (the connection is closed) so the device retries.
// aedes speaks MQTT 3.1.1 only: an MQTT 5 client is answered, in MQTT 5, with
// CONNACK 0x84 (Unsupported Protocol Version); MQTT 5 devices use an external
// broker.
// External broker: the node subscribes with a shared subscription (MQTT 5
// `$share/…` spreads load over several ingest workers) and acknowledges each
// message to the broker only after the commit (mqtt.js customHandleAcks). The
// broker authenticates devices (README: Mosquitto); the node still refuses an
// envelope whose device differs from the topic's.
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import {
  authenticateMqtt,
  deviceTopic,
  EFFECTS_TOPIC,
  type MqttAccessOptions,
  type MqttIdentity,
  MqttRefusal,
  maySubscribe,
  publishDenial,
  TELEMETRY_TOPIC,
  TOPIC_PREFIX,
} from './mqtt-access.js';
import { type Ingestor, RETRYABLE_REASONS, type RejectedMessage } from './pipeline.js';

export { TELEMETRY_TOPIC, TOPIC_PREFIX };

export interface MqttTransport {
  readonly port?: number;
  /** Publish a signed command bundle on the device's command topic (QoS 1); only the node publishes there. */
  publishCommand(deviceId: string, bundle: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** A device's signed effect report arrived on its effects topic; a rejection is only logged (the report is not evidence). */
export type EffectHandler = (deviceId: string, report: Uint8Array) => Promise<void>;

/** PEM certificate chain and key: the listener speaks TLS only (MQTTS). */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Who may connect: device tokens are checked against this directory and audience. */
  access: MqttAccessOptions;
  tls?: TlsMaterial;
  onEffect?: EffectHandler;
}

/** MQTT 5 CONNACK: no session, reason 0x84 Unsupported Protocol Version, no properties. */
const CONNACK_V5_UNSUPPORTED_VERSION = Buffer.from([0x20, 0x03, 0x00, 0x84, 0x00]);

/** The reason a device's message was refused, as its rejected topic carries it. */
const rejectionPayload = (r: RejectedMessage) =>
  Buffer.from(
    JSON.stringify({
      reason: r.reason,
      detail: r.detail,
      ...(RETRYABLE_REASONS.has(r.reason) ? { retryable: true, retryAfterSeconds: r.retryAfterSeconds ?? 5 } : {}),
    }),
  );

export async function startEmbeddedBroker(ingestor: Ingestor, opts: EmbeddedBrokerOptions): Promise<MqttTransport> {
  const broker = await Aedes.createBroker();
  const identities = new WeakMap<Client, MqttIdentity>();
  broker.preConnect = (client, packet, callback) => {
    if (packet.protocolVersion !== 5) return callback(null, true);
    client.conn.write(CONNACK_V5_UNSUPPORTED_VERSION, () =>
      callback(new Error('MQTT 5 is not served by the embedded broker (MQTT 3.1.1)'), false),
    );
  };
  broker.authenticate = (client, username, password, callback) => {
    authenticateMqtt(client.id, username, password, opts.access).then(
      (id) => {
        identities.set(client, id);
        callback(null, true);
      },
      // Not a refusal (e.g. the chain lookup failed): 3 "server unavailable", the device retries.
      (err: Error & { returnCode?: number }) =>
        callback(Object.assign(err, { returnCode: err instanceof MqttRefusal ? err.returnCode : 3 }), false),
    );
  };
  broker.authorizeSubscribe = (client, sub, callback) => {
    const id = identities.get(client);
    // A refused filter is answered 0x80 in SUBACK; the connection stays.
    callback(null, id && maySubscribe(id, sub.topic) ? sub : null);
  };
  broker.authorizePublish = (client, packet, callback) => {
    const id = client ? identities.get(client) : undefined;
    if (!id) return callback(new Error('not authenticated'));
    // MQTT 3.1.1 has no negative PUBACK: a refused publish closes the connection.
    const denial = publishDenial(id, packet.topic, packet.retain);
    if (denial) return callback(new Error(denial));
    const effect = EFFECTS_TOPIC.exec(packet.topic);
    if (effect) {
      // Acknowledged once handled (logged or refused): resending a refused report cannot fix it.
      const handled = opts.onEffect?.(effect[1]!, new Uint8Array(packet.payload as Buffer)) ?? Promise.resolve();
      return void handled.then(
        () => callback(null),
        () => callback(null),
      );
    }
    const match = TELEMETRY_TOPIC.exec(packet.topic);
    if (!match) return callback(null);
    const deviceId = match[1]!;
    ingestor
      .submit([new Uint8Array(packet.payload as Buffer)], { deviceId, source: `mqtt:${client?.id}` })
      .then(([result]) => {
        if (result?.status !== 'rejected') return callback(null);
        if (result.reason === 'store_unavailable') return callback(new Error(result.detail));
        // The reason goes out first: a device waiting for its PUBACK has it. A retryable refusal gets
        // no PUBACK (the connection closes), so the device's client sends the message again.
        const retryable = RETRYABLE_REASONS.has(result.reason);
        broker.publish(
          {
            cmd: 'publish',
            topic: deviceTopic(deviceId, 'rejected'),
            payload: rejectionPayload(result),
            qos: 0,
            retain: false,
            dup: false,
          },
          () => (retryable ? callback(new Error(result.detail)) : callback(null)),
        );
      })
      .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
  };
  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, broker.handle)
    : createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    publishCommand: (deviceId, bundle) =>
      new Promise<void>((resolve, reject) =>
        broker.publish(
          {
            cmd: 'publish',
            topic: deviceTopic(deviceId, 'commands'),
            payload: Buffer.from(bundle),
            qos: 1,
            retain: false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => broker.close(() => resolve()));
        // Idle device connections would keep server.close() waiting.
        for (const client of Object.values((broker as unknown as { clients: Record<string, { close(): void }> }).clients)) {
          client.close();
        }
      }),
  };
}

export interface ExternalBrokerOptions {
  url: string;
  /** Shared-subscription group (`$share/<group>/…`); undefined subscribes plainly. The node speaks MQTT 5 either way. */
  shareGroup?: string;
  clientId?: string;
  username?: string;
  password?: string;
}

export async function connectExternalBroker(
  ingestor: Ingestor,
  opts: ExternalBrokerOptions,
  onEffect?: EffectHandler,
): Promise<MqttTransport> {
  const topic = `${TOPIC_PREFIX}/+/telemetry`;
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? `tradetwin-ingest-${process.pid}`,
    clean: false, // a persistent session: the broker keeps QoS 1 messages while the node restarts
    // MQTT 5 always: mqtt.js honours customHandleAcks (the PUBACK after the commit) only on MQTT 5;
    // on 3.1.1 it would acknowledge every message on receipt and the handler would never run.
    protocolVersion: 5,
    username: opts.username,
    password: opts.password,
    reconnectPeriod: 1000,
    customHandleAcks: (topic, message, _packet, done) => {
      // The broker decides who may publish where; the envelope must still be the topic's device's.
      const effectOf = EFFECTS_TOPIC.exec(topic)?.[1];
      if (effectOf !== undefined) {
        void (onEffect?.(effectOf, new Uint8Array(message)) ?? Promise.resolve()).then(
          () => done(0),
          () => done(0),
        );
        return;
      }
      const deviceId = TELEMETRY_TOPIC.exec(topic)?.[1];
      if (deviceId === undefined) return done(0);
      ingestor
        // Through an external broker the client is not known here: the topic's device is the source.
        .submit([new Uint8Array(message)], { deviceId, source: `mqtt-topic:${deviceId}` })
        .then(([r]) => {
          if (r?.status === 'rejected') {
            if (r.reason === 'store_unavailable') return done(0x80);
            client.publish(deviceTopic(deviceId, 'rejected'), rejectionPayload(r), { qos: 0 });
            if (RETRYABLE_REASONS.has(r.reason)) return done(0x80);
          }
          done(0);
        })
        .catch(() => done(0x80));
    },
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(opts.shareGroup ? `$share/${opts.shareGroup}/${topic}` : topic, { qos: 1 });
  const effects = `${TOPIC_PREFIX}/+/effects`;
  if (onEffect) await client.subscribeAsync(opts.shareGroup ? `$share/${opts.shareGroup}/${effects}` : effects, { qos: 1 });
  return {
    publishCommand: (deviceId, bundle) =>
      client.publishAsync(deviceTopic(deviceId, 'commands'), Buffer.from(bundle), { qos: 1 }).then(() => undefined),
    close: () => client.endAsync().then(() => undefined),
  };
}
