// Accounts, sessions and API credentials on the node's SQLite file: own
// connection and tables (like shipments/store.ts). Only hashes of secrets are
// stored: argon2id for passwords (passwords.ts), SHA-256 for session ids and
// credential secrets (32 random bytes each: nothing to brute-force, so a fast
// hash suffices and lookups stay cheap).
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Role } from './scopes.js';

export interface UserRow {
  id: number;
  orgId: number;
  username: string;
  passwordHash: string;
  role: Role;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil: number | null;
  createdAt: number;
}

export interface SessionRow {
  idHash: string;
  userId: number;
  orgId: number;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface CredentialRow {
  id: string;
  orgId: number;
  name: string;
  scopes: string[];
  secretHash: Buffer;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const SCHEMA = `
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
`;

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

export class AccessStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;');
    this.db.exec(SCHEMA);
  }

  // ---------------------------------------------------------------- users
  addUser(u: { orgId: number; username: string; passwordHash: string; role: Role; now: number }): UserRow {
    const r = this.db
      .prepare('INSERT INTO access_users (org_id, username, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.orgId, u.username, u.passwordHash, u.role, u.now);
    return this.userById(Number(r.lastInsertRowid))!;
  }

  userById(id: number): UserRow | null {
    const r = this.db.prepare('SELECT * FROM access_users WHERE id = ?').get(id) as Row | undefined;
    return r ? user(r) : null;
  }

  user(orgId: number, username: string): UserRow | null {
    const r = this.db.prepare('SELECT * FROM access_users WHERE org_id = ? AND username = ?').get(orgId, username) as
      | Row
      | undefined;
    return r ? user(r) : null;
  }

  users(orgId: number): UserRow[] {
    return (this.db.prepare('SELECT * FROM access_users WHERE org_id = ? ORDER BY username').all(orgId) as Row[]).map(user);
  }

  updateUser(
    id: number,
    set: Partial<Pick<UserRow, 'passwordHash' | 'role' | 'disabled' | 'failedAttempts' | 'lockedUntil'>>,
  ): void {
    const cols: [string, SQLInputValue][] = [];
    if (set.passwordHash !== undefined) cols.push(['password_hash', set.passwordHash]);
    if (set.role !== undefined) cols.push(['role', set.role]);
    if (set.disabled !== undefined) cols.push(['disabled', set.disabled ? 1 : 0]);
    if (set.failedAttempts !== undefined) cols.push(['failed_attempts', set.failedAttempts]);
    if (set.lockedUntil !== undefined) cols.push(['locked_until', set.lockedUntil]);
    if (cols.length === 0) return;
    this.db
      .prepare(`UPDATE access_users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
      .run(...cols.map(([, v]) => v), id);
  }

  // ---------------------------------------------------------------- sessions
  addSession(s: SessionRow): void {
    this.db
      .prepare('INSERT INTO access_sessions (id_hash, user_id, org_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.idHash, s.userId, s.orgId, s.csrf, s.createdAt, s.expiresAt);
  }

  session(idHash: string): SessionRow | null {
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

  deleteSession(idHash: string): void {
    this.db.prepare('DELETE FROM access_sessions WHERE id_hash = ?').run(idHash);
  }

  /** Every session of a user (password change, disabling). */
  deleteSessionsOf(userId: number): void {
    this.db.prepare('DELETE FROM access_sessions WHERE user_id = ?').run(userId);
  }

  deleteExpiredSessions(now: number): void {
    this.db.prepare('DELETE FROM access_sessions WHERE expires_at <= ?').run(now);
  }

  // ---------------------------------------------------------------- credentials
  addCredential(c: Omit<CredentialRow, 'revokedAt' | 'lastUsedAt'>): void {
    this.db
      .prepare('INSERT INTO access_credentials (id, org_id, name, scopes, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.id, c.orgId, c.name, JSON.stringify(c.scopes), c.secretHash, c.createdAt);
  }

  credential(id: string): CredentialRow | null {
    const r = this.db.prepare('SELECT * FROM access_credentials WHERE id = ?').get(id) as Row | undefined;
    return r ? credential(r) : null;
  }

  credentials(orgId: number): CredentialRow[] {
    return (this.db.prepare('SELECT * FROM access_credentials WHERE org_id = ? ORDER BY created_at, id').all(orgId) as Row[]).map(
      credential,
    );
  }

  revokeCredential(id: string, now: number): boolean {
    const r = this.db.prepare('UPDATE access_credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
    return Number(r.changes) > 0;
  }

  touchCredential(id: string, now: number): void {
    this.db.prepare('UPDATE access_credentials SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
