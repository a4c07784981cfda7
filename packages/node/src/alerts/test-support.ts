// Real receivers for alert tests: an HTTP webhook endpoint that records what it
// gets (and can answer badly or not at all), a local SMTP sink (smtp-server, the
// relay a node sends through), and a shipment whose device breaches its band on
// demand. Nothing is mocked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { TestNode } from '../test-support/node-fixture.js';

export interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** 'ok' answers 204; a number answers that status; 'hang' never answers (the sender's timeout ends it). */
export type WebhookAnswer = 'ok' | number | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order (retries included). */
  requests: ReceivedWebhook[];
  /** Requests answered 2xx, by Idempotency-Key (what a receiver that drops repeats keeps). */
  accepted: Map<string, ReceivedWebhook>;
  /** How many times each Idempotency-Key was answered 2xx (more than 1: a duplicate delivery). */
  acceptedCount: Map<string, number>;
  answer: (n: number, req: ReceivedWebhook) => WebhookAnswer;
  close(): Promise<void>;
}

export async function webhookReceiver(
  answer: (n: number, req: ReceivedWebhook) => WebhookAnswer = () => 'ok',
  port = 0,
): Promise<WebhookReceiver> {
  const hanging = new Set<ServerResponse>();
  const r: WebhookReceiver = {
    url: '',
    requests: [],
    accepted: new Map(),
    acceptedCount: new Map(),
    answer,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedWebhook = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      r.requests.push(got);
      const a = r.answer(r.requests.length, got);
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      const status = a === 'ok' ? 204 : a;
      if (status >= 200 && status <= 299) {
        const key = String(req.headers['idempotency-key']);
        r.accepted.set(key, got);
        r.acceptedCount.set(key, (r.acceptedCount.get(key) ?? 0) + 1);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  return r;
}

export interface SinkMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SinkMessage[];
  close(): Promise<void>;
}

/** A local SMTP relay that accepts everything (no TLS, no auth) and keeps each message. */
export async function smtpSink(port = 0): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A header of a raw message (unfolded), or undefined. */
export function mailHeader(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m?.[1]?.trim();
}

/** Waits until `check` holds, polling (the deadline only bounds a failing test; no timing is asserted). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const TOLERANCE_MINUTES = 1;

/** Creates (through the API) a shipment under way whose one device must stay within 2–8 °C, and registers the device. */
export async function breachableShipment(t: TestNode, id: string, key: DeviceKey, now = Date.now()): Promise<void> {
  const reg = await t.register(key);
  if (reg.status !== 201) throw new Error(`register ${key.deviceId}: ${reg.status} ${await reg.text()}`);
  const res = await fetch(`${t.node.httpUrl}/api/v1/shipments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
    body: JSON.stringify({
      id,
      goods: { description: 'insulin, 2–8 °C' },
      parties: [{ role: 'shipper', name: 'Pharma Manufacturer NV' }],
      legs: [
        {
          from: { name: 'Antwerp', lat: 51.26, lon: 4.4 },
          to: { name: 'Mombasa', lat: -4.04, lon: 39.67 },
          mode: 'sea',
          plannedDeparture: now - 30 * 86_400_000,
          plannedArrival: now + 86_400_000,
        },
      ],
      devices: [{ deviceId: key.deviceId, from: now - 30 * 86_400_000 }],
      rules: [
        { kind: 'band', id: 'temp-2-8', sensor: 'temp', min: 2, max: 8, toleranceMinutes: TOLERANCE_MINUTES, mode: 'continuous' },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`shipment ${id}: ${res.status} ${await res.text()}`);
}

/**
 * One signed envelope holding a whole excursion: in band, then 4 min at 12 °C (past the 1 min
 * tolerance: breached), then back in band. Each call (a later `at`) is a new excursion.
 */
export function breachEnvelope(key: DeviceKey, seq: number, at: number): Uint8Array {
  const r = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ t: at - (6 - i) * 60_000, k: 'temp' as const, v: i === 0 || i === 6 ? 5 : 12 }));
  return signTelemetry({ dev: key.deviceId, seq, ts: at, r }, key);
}
