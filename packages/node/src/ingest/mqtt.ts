// MQTT ingest. Devices publish one COSE_Sign1 per message, QoS 1, on
//   tradetwin/v1/devices/{deviceId}/telemetry
// Embedded: an aedes broker runs in the node; ingest happens in aedes'
// authorizePublish hook, which runs before the broker writes PUBACK, so the
// device gets its PUBACK only after the commit. A refused message is still
// acknowledged (retrying cannot fix a forged signature) and the reason is
// published on tradetwin/v1/devices/{deviceId}/rejected; a retryable refusal
// (store failure, or a device not cached while the ledger is unreachable:
// chain_unavailable) is published there too, marked retryable, and withholds
// the PUBACK (the connection is closed) so the device retries.
// External broker: the node subscribes with a shared subscription (MQTT 5
// `$share/…` spreads load over several ingest workers) and acknowledges each
// message to the broker only after the commit (mqtt.js customHandleAcks).
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { type Ingestor, RETRYABLE_REASONS } from './pipeline.js';

export const TOPIC_PREFIX = 'tradetwin/v1/devices';
export const TELEMETRY_TOPIC = /^tradetwin\/v1\/devices\/([^/]{1,64})\/telemetry$/;

export interface MqttTransport {
  readonly port?: number;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export async function startEmbeddedBroker(ingestor: Ingestor, opts: EmbeddedBrokerOptions): Promise<MqttTransport> {
  const broker = await Aedes.createBroker();
  broker.authorizePublish = (client, packet, callback) => {
    const match = TELEMETRY_TOPIC.exec(packet.topic);
    // Only device clients' telemetry is ingested; other topics pass through.
    if (!client || !match) return callback(null);
    const payload = new Uint8Array(packet.payload as Buffer);
    ingestor
      .submit([payload])
      .then(([result]) => {
        if (result?.status === 'rejected') {
          if (result.reason === 'store_unavailable') return callback(new Error(result.detail));
          const retryable = RETRYABLE_REASONS.has(result.reason);
          broker.publish(
            {
              cmd: 'publish',
              topic: `${TOPIC_PREFIX}/${match[1]}/rejected`,
              payload: Buffer.from(
                JSON.stringify({
                  reason: result.reason,
                  detail: result.detail,
                  ...(retryable ? { retryable, retryAfterSeconds: result.retryAfterSeconds ?? 5 } : {}),
                }),
              ),
              qos: 0,
              retain: false,
              dup: false,
            },
            () => undefined,
          );
          // Retryable: no PUBACK (the connection closes), so the device's client sends it again.
          if (retryable) return callback(new Error(result.detail));
        }
        callback(null);
      })
      .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
  };
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
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
  /** Shared-subscription group (MQTT 5); undefined subscribes plainly (MQTT 3.1.1). */
  shareGroup?: string;
  clientId?: string;
  username?: string;
  password?: string;
}

export async function connectExternalBroker(ingestor: Ingestor, opts: ExternalBrokerOptions): Promise<MqttTransport> {
  const topic = `${TOPIC_PREFIX}/+/telemetry`;
  const client: MqttClient = mqtt.connect(opts.url, {
    clientId: opts.clientId ?? `tradetwin-ingest-${process.pid}`,
    clean: false, // a persistent session: the broker keeps QoS 1 messages while the node restarts
    protocolVersion: opts.shareGroup ? 5 : 4,
    username: opts.username,
    password: opts.password,
    reconnectPeriod: 1000,
    customHandleAcks: (_topic, message, _packet, done) => {
      ingestor
        .submit([new Uint8Array(message)])
        .then(([r]) => done(r?.status === 'rejected' && RETRYABLE_REASONS.has(r.reason) ? 0x80 : 0))
        .catch(() => done(0x80));
    },
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(opts.shareGroup ? `$share/${opts.shareGroup}/${topic}` : topic, { qos: 1 });
  return { close: () => client.endAsync().then(() => undefined) };
}
