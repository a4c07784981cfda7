// EPCIS on a real running node for tests: the repository on the node's SQLite
// file, store and log, and epcisRoutes mounted under /epcis on a Hono app of
// the test's own (the node's app.ts wiring is not assumed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { EPCIS_EXAMPLES_DIR } from '../test-support/shared.js';
import type { CaptureLimits, DocumentValidator } from './capture.js';
import type { CbvVersion } from '@tradetwin/core/epcis/hash';
import { SqliteEpcisIndex } from '../storage/sqlite/epcis.js';
import { type EpcisRepository, openEpcisRepository } from './repository.js';
import { epcisRoutes } from './routes.js';
import type { CaptureJob } from './types.js';
import { coreValidator } from './validator.js';
import { guard } from '../access/guard.js';

export const EXAMPLES_DIR = EPCIS_EXAMPLES_DIR;

export function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8')) as Record<string, unknown>;
}

/** The SQLite connection under a repository's index, for tests that tamper with rows or add triggers. */
export function sqliteOf(repo: EpcisRepository): SqliteEpcisIndex['db'] {
  if (!(repo.index instanceof SqliteEpcisIndex)) throw new Error('this test needs the SQLite EPCIS index');
  return repo.index.db;
}

export interface EpcisTestNode {
  t: TestNode;
  repo: EpcisRepository;
  app: Hono;
  /** A request with the node's admin token (the operator's bootstrap credential) unless init names its own Authorization; `anonymous` sends none. */
  request(path: string, init?: RequestInit & { anonymous?: boolean }): Promise<Response>;
  /** POST /epcis/capture; when accepted, waits for the job and returns it. */
  capture(doc: unknown, opts?: { behaviour?: string; headers?: Record<string, string> }): Promise<CaptureResult>;
  dispose(): Promise<void>;
}

export interface CaptureResult {
  status: number;
  headers: Headers;
  job: CaptureJob | null;
  problem: Record<string, unknown> | null;
}

export async function startEpcisNode(
  opts: { limits?: Partial<CaptureLimits>; validate?: DocumentValidator; hashVersion?: CbvVersion } = {},
): Promise<EpcisTestNode> {
  const t = await startTestNode();
  const { node } = t;
  // A repository of the test's own on the node's file (the node's wiring is not assumed).
  const index = new SqliteEpcisIndex(join(t.dataDir, 'node.db'));
  const repo = await openEpcisRepository({
    index,
    store: node.store,
    log: node.log,
    hashVersion: opts.hashVersion,
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
      await index.close();
      await t.dispose();
    },
  };
}
