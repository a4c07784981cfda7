// Accounts, sessions and API credentials on the embedded driver: its own
// connection to node.db (foreign keys on: a user's sessions go with it).
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Role } from '../../access/scopes.js';
import {
  ACCESS_AREA,
  type AccessStore,
  type CredentialRow,
  type SessionRow,
  type UserChanges,
  type UserRow,
  userColumns,
} from '../access.js';
import type { Migration } from '../migrations.js';
import { sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

/** Version 1 is the tables as the node made them before versioned migrations (adopted in place). */
export const SQLITE_ACCESS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, sessions, credentials',
    sql: `
CREATE TABLE IF NOT EXISTS access_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, username)
);
CREATE TABLE IF NOT EXISTS access_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS access_sessions_expiry ON access_sessions(expires_at);
CREATE TABLE IF NOT EXISTS access_credentials (
  id TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  secret_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
);
`,
  },
];

type Row = Record<string, SQLInputValue>;

const user = (r: Row): UserRow => ({
  id: Number(r.id),
  orgId: Number(r.org_id),
  username: String(r.username),
  passwordHash: String(r.password_hash),
  role: String(r.role) as Role,
  disabled: Number(r.disabled) === 1,
  failedAttempts: Number(r.failed_attempts),
  lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
  createdAt: Number(r.created_at),
});

const credential = (r: Row): CredentialRow => ({
  id: String(r.id),
  orgId: Number(r.org_id),
  name: String(r.name),
  scopes: JSON.parse(String(r.scopes)) as string[],
  secretHash: Buffer.from(r.secret_hash as Uint8Array),
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export class SqliteAccessStore implements AccessStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteAccessStore {
    const db = openSqliteFile(opts);
    try {
      db.exec('PRAGMA foreign_keys=ON;');
      migrateSqlite(db, ACCESS_AREA, SQLITE_ACCESS_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteAccessStore(db);
  }

  // ---------------------------------------------------------------- users
  async addUser(u: { orgId: number; username: string; passwordHash: string; role: Role; now: number }): Promise<UserRow> {
    const r = sqliteWrite(`user ${u.username} of organisation ${u.orgId}`, () =>
      this.db
        .prepare('INSERT INTO access_users (org_id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(u.orgId, u.username, u.passwordHash, u.role, u.now),
    );
    return user(this.db.prepare('SELECT * FROM access_users WHERE id = ?').get(r.lastInsertRowid) as Row);
  }

  async userById(id: number): Promise<UserRow | null> {
    const r = this.db.prepare('SELECT * FROM access_users WHERE id = ?').get(id) as Row | undefined;
    return r ? user(r) : null;
  }

  async user(orgId: number, username: string): Promise<UserRow | null> {
    const r = this.db.prepare('SELECT * FROM access_users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | Row
      | undefined;
    return r ? user(r) : null;
  }

  async users(orgId: number): Promise<UserRow[]> {
    return (this.db.prepare('SELECT * FROM access_users WHERE org_id = ? ORDER BY username').all(orgId) as Row[]).map(user);
  }

  async updateUser(id: number, set: UserChanges): Promise<void> {
    const cols = userColumns(set).map(([c, v]): [string, SQLInputValue] => [c, typeof v === 'boolean' ? (v ? 1 : 0) : v]);
    if (cols.length === 0) return;
    this.db
      .prepare(`UPDATE access_users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
      .run(...cols.map(([, v]) => v), id);
  }

  // ---------------------------------------------------------------- sessions
  async addSession(s: SessionRow): Promise<void> {
    sqliteWrite('the session', () =>
      this.db
        .prepare('INSERT INTO access_sessions (id_hash, user_id, org_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(s.idHash, s.userId, s.orgId, s.csrf, s.createdAt, s.expiresAt),
    );
  }

  async session(idHash: string): Promise<SessionRow | null> {
    const r = this.db.prepare('SELECT * FROM access_sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
    if (!r) return null;
    return {
      idHash: String(r.id_hash),
      userId: Number(r.user_id),
      orgId: Number(r.org_id),
      csrf: String(r.csrf),
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.db.prepare('DELETE FROM access_sessions WHERE id_hash = ?').run(idHash);
  }

  async deleteSessionsOf(userId: number): Promise<void> {
    this.db.prepare('DELETE FROM access_sessions WHERE user_id = ?').run(userId);
  }

  async deleteExpiredSessions(now: number): Promise<void> {
    this.db.prepare('DELETE FROM access_sessions WHERE expires_at <= ?').run(now);
  }

  // ---------------------------------------------------------------- credentials
  async addCredential(c: Omit<CredentialRow, 'revokedAt' | 'lastUsedAt'>): Promise<void> {
    sqliteWrite(`credential ${c.id}`, () =>
      this.db
        .prepare('INSERT INTO access_credentials (id, org_id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(c.id, c.orgId, c.name, JSON.stringify(c.scopes), c.secretHash, c.createdAt),
    );
  }

  async credential(id: string): Promise<CredentialRow | null> {
    const r = this.db.prepare('SELECT * FROM access_credentials WHERE id = ?').get(id) as Row | undefined;
    return r ? credential(r) : null;
  }

  async credentials(orgId: number): Promise<CredentialRow[]> {
    return (this.db.prepare('SELECT * FROM access_credentials WHERE org_id = ? ORDER BY created_at, id').all(orgId) as Row[]).map(
      credential,
    );
  }

  async revokeCredential(id: string, now: number): Promise<boolean> {
    const r = this.db.prepare('UPDATE access_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
    return Number(r.changes) > 0;
  }

  async touchCredential(id: string, now: number): Promise<void> {
    this.db.prepare('UPDATE access_credentials SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
