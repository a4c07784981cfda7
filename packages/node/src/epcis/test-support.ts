// EPCIS on a real running node for tests: a repository of the test's own on the
// node's store and log, and epcisRoutes mounted under /epcis on a Hono app of
// the test's own (the node's app.ts wiring is not assumed). Its index is on the
// end-to-end driver: the node's SQLite file, or with TRADETWIN_TEST_STORE=postgres
// (or TRADETWIN_TEST_EPCIS_INDEX=postgres, the index alone) a fresh PostgreSQL
// database — so every EPCIS end-to-end test also checks the PostgreSQL index.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { EPCIS_EXAMPLES_DIR } from '../test-support/shared.js';
import type { CaptureLimits, DocumentValidator } from './capture.js';
import type { CbvVersion } from '@tradetwin/core/epcis/hash';
import type { EpcisIndexStore } from '../storage/epcis.js';
import { PgDatabase } from '../storage/postgres/database.js';
import { PostgresEpcisIndex } from '../storage/postgres/epcis.js';
import { numbered } from '../storage/postgres/epcis-query.js';
import { SqliteEpcisIndex } from '../storage/sqlite/epcis.js';
import { type DriverName, e2eDriver, freshPostgresDatabase } from '../storage/test-support.js';
import { type EpcisRepository, openEpcisRepository } from './repository.js';
import { epcisRoutes } from './routes.js';
import type { CaptureJob } from './types.js';
import { coreValidator } from './validator.js';
import { guard } from '../access/guard.js';

export const EXAMPLES_DIR = EPCIS_EXAMPLES_DIR;

export function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8')) as Record<string, unknown>;
}

export interface EpcisTestNode {
  t: TestNode;
  repo: EpcisRepository;
  /** The driver the index is on. */
  driver: DriverName;
  /** Runs SQL ("?" placeholders) on the index's database: tests that tamper with rows. */
  indexSql(sql: string, params?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
  /** Another handle on the index's data, as after a restart (closed with the node). */
  openIndex(): Promise<EpcisIndexStore>;
  app: Hono;
  /** A request with the node's admin token (the operator's bootstrap credential) unless init names its own Authorization; `anonymous` sends none. */
  request(path: string, init?: RequestInit & { anonymous?: boolean }): Promise<Response>;
  /** POST /epcis/capture; when accepted, waits for the job and returns it. */
  capture(doc: unknown, opts?: { behaviour?: string; headers?: Record<string, string> }): Promise<CaptureResult>;
  dispose(): Promise<void>;
}

/** The EPCIS index of a test node: handles on one database of the end-to-end driver. */
async function testIndexes(dataDir: string) {
  const driver: DriverName = process.env.TRADETWIN_TEST_EPCIS_INDEX === 'postgres' ? 'postgres' : e2eDriver();
  const closers: (() => Promise<void>)[] = [];
  if (driver === 'sqlite') {
    const path = join(dataDir, 'node.db');
    return {
      driver,
      open: async (): Promise<EpcisIndexStore> => {
        const index = new SqliteEpcisIndex(path);
        closers.push(() => index.close());
        return index;
      },
      sql: async (sql: string, params: (string | number | null)[] = []) => {
        const db = new SqliteEpcisIndex(path);
        try {
          return db.all(sql, ...params) as Record<string, unknown>[];
        } finally {
          await db.close();
        }
      },
      dispose: async () => {
        for (const c of closers) await c();
      },
    };
  }
  const pg = await freshPostgresDatabase('tt_epcis_e2e');
  const db = await PgDatabase.open({ url: pg.url, max: 4 });
  return {
    driver,
    open: (): Promise<EpcisIndexStore> => PostgresEpcisIndex.open(db),
    sql: (sql: string, params: (string | number | null)[] = []) => db.query(numbered(sql), params),
    dispose: async () => {
      await db.close();
      await pg.drop();
    },
  };
}

export interface CaptureResult {
  status: number;
  headers: Headers;
  job: CaptureJob | null;
  problem: Record<string, unknown> | null;
}

export async function startEpcisNode(
  opts: {
    limits?: Partial<CaptureLimits>;
    validate?: DocumentValidator;
    hashVersion?: CbvVersion;
    /** The repository's salt source (default: the CSPRNG). */
    salt?: () => Uint8Array;
  } = {},
): Promise<EpcisTestNode> {
  const t = await startTestNode();
  const { node } = t;
  const indexes = await testIndexes(t.dataDir);
  const index = await indexes.open();
  const repo = await openEpcisRepository({
    index,
    store: node.store,
    log: node.log,
    hashVersion: opts.hashVersion,
    salt: opts.salt,
    onAppended: () => node.anchorer.noteAppended(),
  });
  // The node's access model in front, as api/app.ts mounts it.
  const app = guard(new Hono(), node.access);
  app.route(
    '/epcis',
    epcisRoutes({
      repo,
      store: node.store,
      log: node.log,
      validate: opts.validate ?? coreValidator(),
      chain: { chainId: node.clients.chain.id, logAnchor: node.contracts.logAnchor },
      limits: opts.limits,
    }),
  );
  const request = async (path: string, init: RequestInit & { anonymous?: boolean } = {}) => {
    const { anonymous, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!anonymous && !headers.has('authorization')) headers.set('authorization', `Bearer ${node.adminToken}`);
    return app.request(path, { ...rest, headers });
  };
  return {
    t,
    repo,
    driver: indexes.driver,
    indexSql: indexes.sql,
    openIndex: indexes.open,
    app,
    request,
    async capture(doc, o = {}) {
      const res = await request('/epcis/capture', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(o.behaviour ? { 'GS1-Capture-Error-Behaviour': o.behaviour } : {}),
          ...o.headers,
        },
        body: typeof doc === 'string' ? doc : doc instanceof Uint8Array ? (doc as Uint8Array<ArrayBuffer>) : JSON.stringify(doc),
      });
      if (res.status !== 202) {
        const text = await res.text();
        return {
          status: res.status,
          headers: res.headers,
          job: null,
          problem: text ? (JSON.parse(text) as Record<string, unknown>) : null,
        };
      }
      const location = res.headers.get('location');
      if (!location) throw new Error('202 without Location');
      for (let i = 0; i < 2000; i++) {
        const job = (await (await request(location)).json()) as CaptureJob;
        if (!job.running) return { status: 202, headers: res.headers, job, problem: null };
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`capture job ${location} did not finish`);
    },
    async dispose() {
      await repo.close();
      await indexes.dispose();
      await t.dispose();
    },
  };
}
