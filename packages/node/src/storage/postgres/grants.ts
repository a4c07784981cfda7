// Grants on PostgreSQL.
import { GRANTS_AREA, type GrantRow, type GrantScopeKind, type GrantStore, grantRowOf } from '../grants.js';
import type { Migration } from '../migrations.js';
import { migratePostgres, type PgDatabase } from './database.js';

export const POSTGRES_GRANT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'grants',
    sql: `
CREATE TABLE grants (
  owner BIGINT NOT NULL,
  grant_id TEXT COLLATE "C" NOT NULL,
  grantee BIGINT NOT NULL,
  scope_kind TEXT NOT NULL,
  scope_value TEXT COLLATE "C" NOT NULL,
  from_ms BIGINT NOT NULL,
  to_ms BIGINT NOT NULL,
  issued_at BIGINT NOT NULL,
  signature TEXT NOT NULL,
  leaf_index BIGINT,
  revoked_at BIGINT,
  revocation_signature TEXT,
  revocation_leaf_index BIGINT,
  PRIMARY KEY (owner, grant_id)
);
CREATE INDEX grants_scope ON grants(owner, grantee, scope_kind, scope_value);
CREATE INDEX grants_grantee ON grants(grantee, issued_at);
`,
  },
];

export class PostgresGrantStore implements GrantStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresGrantStore> {
    await migratePostgres(db, GRANTS_AREA, POSTGRES_GRANT_MIGRATIONS);
    return new PostgresGrantStore(db);
  }

  async put(g: GrantRow): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO grants (owner, grant_id, grantee, scope_kind, scope_value, from_ms, to_ms, issued_at, signature, leaf_index,
         revoked_at, revocation_signature, revocation_leaf_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (owner, grant_id) DO NOTHING RETURNING grant_id`,
      [
        g.owner,
        g.grantId,
        g.grantee,
        g.scopeKind,
        g.scopeValue,
        g.from,
        g.to,
        g.issuedAt,
        g.signature,
        g.leafIndex,
        g.revokedAt,
        g.revocationSignature,
        g.revocationLeafIndex,
      ],
    );
    return rows.length === 1;
  }

  async revoke(owner: number, grantId: string, r: { at: number; signature: string; leafIndex: number | null }): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE grants SET revoked_at = $1, revocation_signature = $2, revocation_leaf_index = $3
       WHERE owner = $4 AND grant_id = $5 AND revoked_at IS NULL RETURNING grant_id`,
      [r.at, r.signature, r.leafIndex, owner, grantId],
    );
    return rows.length === 1;
  }

  async get(owner: number, grantId: string): Promise<GrantRow | null> {
    const [r] = await this.db.query('SELECT * FROM grants WHERE owner = $1 AND grant_id = $2', [owner, grantId]);
    return r ? grantRowOf(r) : null;
  }

  async issuedBy(owner: number): Promise<GrantRow[]> {
    return (await this.db.query('SELECT * FROM grants WHERE owner = $1 ORDER BY issued_at DESC, grant_id', [owner])).map(
      grantRowOf,
    );
  }

  async grantedTo(grantee: number): Promise<GrantRow[]> {
    return (await this.db.query('SELECT * FROM grants WHERE grantee = $1 ORDER BY issued_at DESC, grant_id', [grantee])).map(
      grantRowOf,
    );
  }

  async live(owner: number, grantee: number, scopeKind: GrantScopeKind, scopeValue: string): Promise<GrantRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM grants WHERE owner = $1 AND grantee = $2 AND scope_kind = $3 AND scope_value = $4 AND revoked_at IS NULL
       ORDER BY issued_at, grant_id`,
      [owner, grantee, scopeKind, scopeValue],
    );
    return rows.map(grantRowOf);
  }

  /** The pool belongs to the Storage: nothing to close here. */
  async close(): Promise<void> {}
}
