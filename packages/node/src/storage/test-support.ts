// Test fixtures for the storage layer: a fresh store on each driver. SQLite runs
// everywhere (a throw-away data dir); PostgreSQL runs where the machine's server is
// promised (TRADETWIN_CI_SERVICES=1, as CI sets it), each test in its own fresh
// database, dropped afterwards. Elsewhere the PostgreSQL half is skipped with a
// visible message, never silently.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import pg from 'pg';
import type { StoreConfig } from '../config.js';
import { nodeStore } from './node-store.js';
import { openSqliteStorage } from './sqlite/index.js';
import type { NodeStore } from './types.js';

export type DriverName = 'sqlite' | 'postgres';

/** The server tests use: the machine's PostgreSQL (trust auth), or TRADETWIN_TEST_POSTGRES_URL. */
export const TEST_POSTGRES_URL = process.env.TRADETWIN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const postgresForTests = (): boolean => process.env.TRADETWIN_CI_SERVICES === '1';

export const POSTGRES_SKIP_MESSAGE = 'needs the machine PostgreSQL at 127.0.0.1:5432: set TRADETWIN_CI_SERVICES=1 (CI does)';

/**
 * Creates an empty database on the test server (or a copy of `template`, which must have no
 * connections); `drop` removes it (and any connection left to it).
 */
export async function freshPostgresDatabase(
  prefix = 'tt_test',
  template?: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The test databases (named tt_…) on the test server. */
export async function postgresTestDatabases(): Promise<string[]> {
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    const r = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tt\\_%'`);
    return r.rows.map((x) => x.datname);
  } finally {
    await c.end();
  }
}

/** Drops one test database, closing any connection left to it. */
export async function dropPostgresDatabase(name: string): Promise<void> {
  if (!/^tt_[a-z0-9_]+$/.test(name)) throw new Error(`not a test database name: ${name}`);
  const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

export interface DriverFixture {
  driver: DriverName;
  /** A fresh data dir (SQLite's file lives here; PostgreSQL nodes keep keys and the chain here). */
  dataDir: string;
  store: StoreConfig;
  dispose(): Promise<void>;
}

export async function freshDriver(driver: DriverName): Promise<DriverFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), `tt-${driver}-`));
  if (driver === 'sqlite')
    return { driver, dataDir, store: { kind: 'sqlite' }, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const db = await freshPostgresDatabase();
  return {
    driver,
    dataDir,
    store: { kind: 'postgres', url: db.url },
    dispose: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    },
  };
}

/**
 * Runs `suite` once per driver, each inside its own describe block. The PostgreSQL block is a
 * visible skip where the machine's server is not promised.
 */
export function forEachDriver(title: string, suite: (driver: DriverName) => void): void {
  for (const driver of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${driver}]`, () => {
      if (driver === 'postgres' && !postgresForTests()) {
        it(POSTGRES_SKIP_MESSAGE, (t) => t.skip('TRADETWIN_CI_SERVICES is not set'));
        return;
      }
      suite(driver);
    });
  }
}

/** The driver end-to-end tests run on: TRADETWIN_TEST_STORE=postgres (CI's second pass) or SQLite. */
export function e2eDriver(): DriverName {
  return process.env.TRADETWIN_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
}

/** The log-side areas on a SQLite file (default: in memory), for unit tests that need a store and no driver choice. */
export async function sqliteNodeStore(path = ':memory:'): Promise<NodeStore & { close(): Promise<void> }> {
  const storage = await openSqliteStorage({ path });
  return Object.assign(nodeStore(storage), { close: () => storage.close() });
}

/** Direct SQL on a node's database, on either driver, for tests that inspect or damage it. */
export interface RawDatabase {
  /** Runs one statement; `?` placeholders, Uint8Array parameters as BLOB/bytea. */
  run(sql: string, ...params: unknown[]): Promise<void>;
  rows<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** The node's database: PostgreSQL at `url` when given, else node.db in `dataDir`. */
export async function openRawDatabase(target: { dataDir: string; url?: string | undefined }): Promise<RawDatabase> {
  if (target.url) {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    const toPg = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    const param = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
    const rows = async <R>(sql: string, ...params: unknown[]) =>
      (await client.query(toPg(sql), params.map(param))).rows.map((r: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? new Uint8Array(v) : v])),
      ) as R[];
    return {
      run: async (sql, ...params) => void (await client.query(toPg(sql), params.map(param))),
      rows,
      close: () => client.end(),
    };
  }
  const db = new DatabaseSync(join(target.dataDir, 'node.db'));
  type Value = null | number | bigint | string | Uint8Array;
  return {
    run: async (sql, ...params) => void db.prepare(sql).run(...(params as Value[])),
    rows: async <R>(sql: string, ...params: unknown[]) =>
      (db.prepare(sql).all(...(params as Value[])) as Record<string, unknown>[]).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? new Uint8Array(v) : v])),
      ) as R[],
    close: async () => db.close(),
  };
}
