// Accounts, sessions and API credentials: rows only. Password hashing, lockout
// and rate limits live in access/service.ts; only hashes of secrets reach here
// (argon2id for passwords; SHA-256 for session ids and credential secrets).
import type { Role } from '../access/scopes.js';

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

export type UserChanges = Partial<Pick<UserRow, 'passwordHash' | 'role' | 'disabled' | 'failedAttempts' | 'lockedUntil'>>;

export interface AccessStore {
  /** A new account (id assigned); StoreError `conflict` when the org already has this username. */
  addUser(u: { orgId: number; username: string; passwordHash: string; role: Role; now: number }): Promise<UserRow>;
  userById(id: number): Promise<UserRow | null>;
  user(orgId: number, username: string): Promise<UserRow | null>;
  /** An organisation's accounts by username. */
  users(orgId: number): Promise<UserRow[]>;
  /** Changes the given fields (none given: nothing). */
  updateUser(id: number, set: UserChanges): Promise<void>;

  /** StoreError `conflict` for a known id hash, `not_found` for an unknown user. */
  addSession(s: SessionRow): Promise<void>;
  session(idHash: string): Promise<SessionRow | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Every session of a user (password change, disabling). */
  deleteSessionsOf(userId: number): Promise<void>;
  /** Sessions whose expiresAt ≤ now. */
  deleteExpiredSessions(now: number): Promise<void>;

  /** StoreError `conflict` when the id exists. */
  addCredential(c: Omit<CredentialRow, 'revokedAt' | 'lastUsedAt'>): Promise<void>;
  credential(id: string): Promise<CredentialRow | null>;
  /** An organisation's credentials, oldest first (ties by id). */
  credentials(orgId: number): Promise<CredentialRow[]>;
  /** Marks a credential revoked at `now`; false when unknown or already revoked (the first revocation time stays). */
  revokeCredential(id: string, now: number): Promise<boolean>;
  touchCredential(id: string, now: number): Promise<void>;
  close(): Promise<void>;
}

export const ACCESS_AREA = 'access';

/** The columns updateUser may set, with their database names. */
export function userColumns(set: UserChanges): [column: string, value: string | number | boolean | null][] {
  const cols: [string, string | number | boolean | null][] = [];
  if (set.passwordHash !== undefined) cols.push(['password_hash', set.passwordHash]);
  if (set.role !== undefined) cols.push(['role', set.role]);
  if (set.disabled !== undefined) cols.push(['disabled', set.disabled]);
  if (set.failedAttempts !== undefined) cols.push(['failed_attempts', set.failedAttempts]);
  if (set.lockedUntil !== undefined) cols.push(['locked_until', set.lockedUntil]);
  return cols;
}
