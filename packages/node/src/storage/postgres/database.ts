// The scale driver's connection: one `pg` pool per node. Every query goes
// through `query`/`transaction`, which turn a lost or refused connection into
// StoreError('unavailable') — the HTTP layer answers 503 store_unavailable and the
// pool reconnects by itself when the server is back, without a restart.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { StoreError } from '../errors.js';
import { type Migration, MIGRATIONS_TABLE_SQL, pendingMigrations } from '../migrations.js';

// int8 (BIGINT) as a JS number: every BIGINT here is a leaf index, a count or a ms time (< 2^53).
pg.types.setTypeParser(20, (v) => Number(v));
// numeric as a JS number (aggregates such as SUM over BIGINT return numeric).
pg.types.setTypeParser(1700, (v) => Number(v));

export type PgRow = Record<string, unknown>;

/** What a query runs on: the pool, or one transaction's client. */
export interface PgQueryable {
  query<R extends PgRow = PgRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** SQLSTATE classes and socket errors that mean "the server is not there", not "your query is wrong". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|57P0[1-3]|53300)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(msg);
}

function wrap(err: unknown, what: string): Error {
  if (err instanceof StoreError) return err;
  if (isConnectionError(err))
    return new StoreError('unavailable', `PostgreSQL is unavailable (${what}): ${(err as Error).message}`, { cause: err });
  return err as Error;
}

/** `postgres://user@host:5432/db` without the password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

export interface PgDatabaseOptions {
  url: string;
  /** Pool size (default 8). */
  max?: number;
  connectTimeoutMs?: number;
}

export class PgDatabase implements PgQueryable {
  readonly pool: pg.Pool;
  readonly url: string;
  private closed = false;
  /** The read-only transaction readSnapshot runs its reader in: queries from inside it go there. */
  private readonly snapshot = new AsyncLocalStorage<PgQueryable>();

  private constructor(opts: PgDatabaseOptions) {
    this.url = opts.url;
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 8,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client whose server went away emits here; without a listener the process would crash.
    // The pool drops that client and the next query opens a new connection.
    this.pool.on('error', () => undefined);
  }

  /** Connects once to prove the server is there: a node refuses to start without its database. */
  static async open(opts: PgDatabaseOptions): Promise<PgDatabase> {
    const db = new PgDatabase(opts);
    try {
      await db.pool.query('SELECT 1');
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      throw new StoreError(
        isConnectionError(err) ? 'unavailable' : 'io',
        `cannot reach PostgreSQL at ${redactUrl(opts.url)}: ${(err as Error).message || String(err)}`,
        { cause: err },
      );
    }
    return db;
  }

  async query<R extends PgRow = PgRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    if (this.closed) throw new StoreError('closed', 'the PostgreSQL store is closed');
    const pinned = this.snapshot.getStore();
    if (pinned) return pinned.query<R>(sql, params);
    try {
      return (await this.pool.query(sql, params as unknown[])).rows as R[];
    } catch (err) {
      throw wrap(err, 'query');
    }
  }

  /**
   * One pooled connection for a transaction or a snapshot: its queries map errors like `query` does,
   * and `release(broken)` hands it back (destroys it when its connection broke).
   */
  private async checkout(): Promise<{ client: pg.PoolClient; tx: PgQueryable; release(broken: boolean): void }> {
    if (this.closed) throw new StoreError('closed', 'the PostgreSQL store is closed');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrap(err, 'connect');
    }
    // A connection lost while checked out is emitted on the client (the pool listens only to idle
    // ones); the query in flight fails with it, so the event itself is only swallowed here.
    const onError = () => undefined;
    client.on('error', onError);
    const tx: PgQueryable = {
      query: async <R extends PgRow = PgRow>(sql: string, params: readonly unknown[] = []) => {
        try {
          return (await client.query(sql, params as unknown[])).rows as R[];
        } catch (err) {
          throw wrap(err, 'query');
        }
      },
    };
    return {
      client,
      tx,
      release: (broken) => {
        client.off('error', onError);
        client.release(broken ? true : undefined);
      },
    };
  }

  /** Runs fn in one transaction on one connection; commits when it resolves (durable then), rolls back when it throws. */
  async transaction<T>(fn: (tx: PgQueryable) => Promise<T>): Promise<T> {
    const { client, tx, release } = await this.checkout();
    let broken = false;
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      broken = isConnectionError((err as { cause?: unknown }).cause ?? err);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw wrap(err, 'transaction');
    } finally {
      // A client whose connection broke is destroyed, not returned to the pool.
      release(broken);
    }
  }

  /** True inside readSnapshot's reader. */
  get inSnapshot(): boolean {
    return this.snapshot.getStore() !== undefined;
  }

  /**
   * Runs `read` on one snapshot of the database: every query it makes (in its async context) goes
   * to one REPEATABLE READ, READ ONLY transaction, so its reads describe one moment while others commit.
   */
  async readSnapshot<T>(read: () => Promise<T>): Promise<T> {
    const { client, tx, release } = await this.checkout();
    try {
      await tx.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await tx.query('SELECT 1'); // the snapshot is taken at the first statement
      return await this.snapshot.run(tx, read);
    } finally {
      await client.query('COMMIT').catch(() => undefined);
      release(false);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

/** Brings an area's tables to the newest version; concurrent nodes on one database serialise on an advisory lock. */
export async function migratePostgres(
  db: PgDatabase,
  area: string,
  migrations: readonly Migration[],
  now = Date.now(),
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tradetwin:schema_migrations'))");
    await tx.query(MIGRATIONS_TABLE_SQL);
  });
  for (;;) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('tradetwin:schema_migrations'))");
      const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations WHERE area = $1', [area]);
      const todo = pendingMigrations(area, rows[0] ? Number(rows[0].version) : 0, migrations);
      const m = todo[0];
      if (!m) return true;
      try {
        await tx.query(m.sql);
      } catch (err) {
        throw new Error(`PostgreSQL migration ${area} v${m.version} (${m.name}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await tx.query(
        `INSERT INTO schema_migrations (area, version, applied_at) VALUES ($1, $2, $3)
         ON CONFLICT (area) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`,
        [area, m.version, now],
      );
      return false;
    });
    if (done) return;
  }
}
