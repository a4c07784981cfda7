// A light EPCIS node for subscription tests and the latency bench: node store,
// transparency log and repository on one SQLite file, epcisRoutes with the
// subscription worker, served over real HTTP on 127.0.0.1 (WebSockets too) —
// no chain, so restarts are cheap. The subscriptions and access stores are on
// the end-to-end driver (TRADETWIN_TEST_STORE=postgres: a fresh PostgreSQL
// database per data dir, kept across restarts). And a webhook receiver that
// records what it gets.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { headSignerFromKey } from '../../log/head-signer.js';
import { TransparencyLog } from '../../log/transparency-log.js';
import { sqliteNodeStore } from '../../storage/test-support.js';
import { SqliteEpcisIndex } from '../../storage/sqlite/epcis.js';
import { type EpcisRepository, openEpcisRepository } from '../repository.js';
import { epcisRoutes } from '../routes.js';
import { coreValidator } from '../validator.js';
import { EpcisSubscriptions, type SubscriptionOptions } from './service.js';
import { attachEpcisWebSockets } from './websocket.js';
import { guard } from '../../access/guard.js';
import { authorizeRequest } from '../../access/http.js';
import { AccessService } from '../../access/service.js';
import type { AccessStore } from '../../storage/access.js';
import { PostgresAccessStore } from '../../storage/postgres/access.js';
import { PgDatabase } from '../../storage/postgres/database.js';
import { PostgresSubscriptionStore } from '../../storage/postgres/subscriptions.js';
import { SqliteAccessStore } from '../../storage/sqlite/access.js';
import { SqliteSubscriptionStore } from '../../storage/sqlite/subscriptions.js';
import type { SubscriptionStore } from '../../storage/subscriptions.js';
import { e2eDriver, freshPostgresDatabase } from '../../storage/test-support.js';

/** The light node's bootstrap credential (the admin token of a node's data dir). */
export const LIGHT_ADMIN_TOKEN = 'light-node-admin-token';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];

type Json = Record<string, unknown>;

export interface LightNode {
  dir: string;
  url: string;
  repo: EpcisRepository;
  subs: EpcisSubscriptions;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** POST /epcis/capture of these events; resolves when the capture job finished. */
  capture(events: Json[]): Promise<void>;
  /** Stop everything (the SQLite file stays). */
  close(): Promise<void>;
}

/** Per data dir, the PostgreSQL database its stores live in (made on first start, dropped by removeDir). */
const postgresOf = new Map<string, { url: string; drop(): Promise<void> }>();

async function openLightStores(
  dir: string,
): Promise<{ subscriptions: SubscriptionStore; access: AccessStore; close(): Promise<void> }> {
  if (e2eDriver() === 'sqlite') {
    const path = join(dir, 'node.db');
    const subscriptions = SqliteSubscriptionStore.open({ path });
    const access = SqliteAccessStore.open({ path });
    return {
      subscriptions,
      access,
      close: async () => {
        await subscriptions.close();
        await access.close();
      },
    };
  }
  let pg = postgresOf.get(dir);
  if (!pg) {
    pg = await freshPostgresDatabase('tt_light');
    postgresOf.set(dir, pg);
  }
  const db = await PgDatabase.open({ url: pg.url });
  return {
    subscriptions: await PostgresSubscriptionStore.open(db),
    access: await PostgresAccessStore.open(db),
    close: () => db.close(),
  };
}

export async function startLightNode(opts: { dir?: string; subscriptions?: SubscriptionOptions } = {}): Promise<LightNode> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tt-epcis-subs-'));
  const path = join(dir, 'node.db');
  const store = await sqliteNodeStore(path);
  const log = await TransparencyLog.open(store, headSignerFromKey(KEY));
  const index = new SqliteEpcisIndex(path);
  const repo = await openEpcisRepository({ index, store, log });
  const stores = await openLightStores(dir);
  // Its webhook receivers listen on 127.0.0.1.
  const subs = new EpcisSubscriptions(repo, stores.subscriptions, {
    webhooks: { allowPrivateNetworks: true },
    ...opts.subscriptions,
  }).start();
  const access = new AccessService(stores.access, { orgId: 1, adminToken: LIGHT_ADMIN_TOKEN });
  const app = guard(new Hono(), access);
  app.route('/epcis', epcisRoutes({ repo, store, log, validate: coreValidator(), subscriptions: subs }));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s as Server)) as Server;
  });
  const detach = attachEpcisWebSockets(server, subs, { authorize: authorizeRequest(access) });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // As the operator: with the admin token unless the request names its own Authorization.
  const request = (p: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${LIGHT_ADMIN_TOKEN}`);
    return fetch(`${url}${p}`, { ...init, headers });
  };
  return {
    dir,
    url,
    repo,
    subs,
    request,
    async capture(events) {
      const res = await request('/epcis/capture', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          '@context': CONTEXT,
          type: 'EPCISDocument',
          schemaVersion: '2.0',
          creationDate: '2024-03-01T12:00:00Z',
          epcisBody: { eventList: events },
        }),
      });
      if (res.status !== 202) throw new Error(`capture: ${res.status} ${await res.text()}`);
      const location = res.headers.get('location')!;
      for (;;) {
        const job = (await (await request(location)).json()) as { running: boolean; success: boolean; errors: unknown[] };
        if (!job.running) {
          if (!job.success) throw new Error(`capture failed: ${JSON.stringify(job.errors)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    async close() {
      detach();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await subs.close();
      await repo.close();
      await index.close();
      await store.close();
      await stores.close();
    },
  };
}

/** Removes a light node's data dir (and its PostgreSQL database). */
export async function removeDir(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const pg = postgresOf.get(dir);
  postgresOf.delete(dir);
  await pg?.drop();
}

let serial = 0;
export function objectEvent(over: Json = {}): Json {
  serial++;
  return {
    type: 'ObjectEvent',
    eventID: `urn:uuid:00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    action: 'OBSERVE',
    bizStep: 'shipping',
    eventTime: '2024-03-01T10:00:00.000+01:00',
    eventTimeZoneOffset: '+01:00',
    epcList: [`urn:epc:id:sgtin:4012345.011111.${serial}`],
    readPoint: { id: 'urn:epc:id:sgln:4012345.00005.0' },
    ...over,
  };
}

export interface Receipt {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered (0: it never answered). */
  status: number;
}

export type ReceiverMode = { status: number; delayMs?: number };

/** A webhook on 127.0.0.1 that records every POST and answers per `mode` (changeable). */
export interface Receiver {
  url: string;
  receipts: Receipt[];
  mode: ReceiverMode;
  /** Resolve when `pred` holds over the receipts (checked on each one), or reject after `ms`. */
  waitFor(pred: (r: Receipt[]) => boolean, ms?: number): Promise<void>;
  /** Stop listening (connections refused) / listen again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = { status: 200 }): Promise<Receiver> {
  const receipts: Receipt[] = [];
  const waiters = new Set<() => void>();
  const r: Receiver = {
    url: '',
    receipts,
    mode,
    waitFor(pred, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred(receipts)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met within ${ms} ms (${receipts.length} receipts)`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    up: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve())),
    close: () => r.down(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, delayMs = 0 } = r.mode;
      const receipt: Receipt = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
      receipts.push(receipt);
      for (const w of [...waiters]) w();
      setTimeout(() => {
        receipt.status = status;
        if (!res.destroyed) res.writeHead(status).end();
        for (const w of [...waiters]) w();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}/hook`;
  return r;
}

/** The events of a delivered EPCISQueryDocument. */
export function deliveredEvents(body: string): Json[] {
  const doc = JSON.parse(body) as { epcisBody: { queryResults: { resultsBody: { eventList: Json[] } } } };
  return doc.epcisBody.queryResults.resultsBody.eventList;
}
