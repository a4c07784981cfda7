// Grants on the embedded driver: its own connection to node.db.
import type { SQLInputValue } from 'node:sqlite';
import type { DatabaseSync } from 'node:sqlite';
import { GRANTS_AREA, type GrantRow, type GrantScopeKind, type GrantStore, grantRowOf } from '../grants.js';
import type { Migration } from '../migrations.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_GRANT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'grants',
    sql: `
CREATE TABLE IF NOT EXISTS grants (
  owner INTEGER NOT NULL,
  grant_id TEXT NOT NULL,
  grantee INTEGER NOT NULL,
  scope_kind TEXT NOT NULL,
  scope_value TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  signature TEXT NOT NULL,
  leaf_index INTEGER,
  revoked_at INTEGER,
  revocation_signature TEXT,
  revocation_leaf_index INTEGER,
  PRIMARY KEY (owner, grant_id)
);
CREATE INDEX IF NOT EXISTS grants_scope ON grants(owner, grantee, scope_kind, scope_value);
CREATE INDEX IF NOT EXISTS grants_grantee ON grants(grantee, issued_at);
`,
  },
];

type Row = Record<string, SQLInputValue>;

export class SqliteGrantStore implements GrantStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteGrantStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, GRANTS_AREA, SQLITE_GRANT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteGrantStore(db);
  }

  async put(g: GrantRow): Promise<boolean> {
    const r = this.db
      .prepare(
        `INSERT INTO grants (owner, grant_id, grantee, scope_kind, scope_value, from_ms, to_ms, issued_at, signature, leaf_index,
           revoked_at, revocation_signature, revocation_leaf_index)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner, grant_id) DO NOTHING`,
      )
      .run(
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
      );
    return Number(r.changes) === 1;
  }

  async revoke(owner: number, grantId: string, r: { at: number; signature: string; leafIndex: number | null }): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE grants SET revoked_at = ?, revocation_signature = ?, revocation_leaf_index = ?
         WHERE owner = ? AND grant_id = ? AND revoked_at IS NULL`,
      )
      .run(r.at, r.signature, r.leafIndex, owner, grantId);
    return Number(res.changes) === 1;
  }

  async get(owner: number, grantId: string): Promise<GrantRow | null> {
    const r = this.db.prepare('SELECT * FROM grants WHERE owner = ? AND grant_id = ?').get(owner, grantId) as Row | undefined;
    return r ? grantRowOf(r) : null;
  }

  async issuedBy(owner: number): Promise<GrantRow[]> {
    return (this.db.prepare('SELECT * FROM grants WHERE owner = ? ORDER BY issued_at DESC, grant_id').all(owner) as Row[]).map(
      grantRowOf,
    );
  }

  async grantedTo(grantee: number): Promise<GrantRow[]> {
    return (
      this.db.prepare('SELECT * FROM grants WHERE grantee = ? ORDER BY issued_at DESC, grant_id').all(grantee) as Row[]
    ).map(grantRowOf);
  }

  async live(owner: number, grantee: number, scopeKind: GrantScopeKind, scopeValue: string): Promise<GrantRow[]> {
    return (
      this.db
        .prepare(
          `SELECT * FROM grants WHERE owner = ? AND grantee = ? AND scope_kind = ? AND scope_value = ? AND revoked_at IS NULL
           ORDER BY issued_at, grant_id`,
        )
        .all(owner, grantee, scopeKind, scopeValue) as Row[]
    ).map(grantRowOf);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
