// The access model's logic over its store: who is asking (a principal), from
// the admin token, an API credential or a session; logins with a per-address
// rate limit and an account lock after repeated failures; credentials created
// (secret shown once), listed and revoked. Secrets are compared in constant
// time (crypto.timingSafeEqual over equal-length digests).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { AccessError } from './errors.js';
import { type Role, ROLE_SCOPES, SCOPES, scopeError } from './scopes.js';
import type { AccessStore, CredentialRow, UserRow } from '../storage/access.js';
import { StoreError } from '../storage/errors.js';

export interface Principal {
  kind: 'admin-token' | 'user' | 'credential';
  orgId: number;
  /** Username, credential id, or "admin-token". */
  name: string;
  role: Role | null;
  scopes: ReadonlySet<string>;
  /** Authenticated by the session cookie: state-changing requests need the CSRF header. */
  session?: { csrf: string; expiresAt: number };
}

export interface AccessOptions {
  /** The organisation this node belongs to: every account and credential it honours is of this org. */
  orgId: number;
  /** The bootstrap bearer token (<data-dir>/admin-token); absent: none. */
  adminToken?: string;
  /** Session lifetime, ms (default 8 h). */
  sessionTtlMs?: number;
  /** Consecutive failed logins that lock an account (default 5). */
  maxFailedLogins?: number;
  /** How long a locked account stays locked, ms (default 15 min). */
  lockMs?: number;
  /** Login attempts per client address per minute (default 20). */
  loginsPerMinute?: number;
  now?: () => number;
}

/**
 * argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): ≈ 30-60 ms a hash on this
 * machine's cores; @node-rs/argon2 runs it off the main thread.
 */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const CREDENTIAL_PREFIX = 'ttc';
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

export class AccessService {
  readonly orgId: number;
  private readonly now: () => number;
  private readonly ttl: number;
  private readonly maxFailed: number;
  private readonly lockMs: number;
  private readonly loginsPerMinute: number;
  private readonly adminDigest: Buffer | null;
  private readonly attempts = new Map<string, { windowStart: number; n: number }>();
  /** Verified against when a username is unknown, so both answers take as long. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    readonly store: AccessStore,
    opts: AccessOptions,
  ) {
    this.orgId = opts.orgId;
    this.now = opts.now ?? Date.now;
    this.ttl = opts.sessionTtlMs ?? 8 * 3_600_000;
    this.maxFailed = opts.maxFailedLogins ?? 5;
    this.lockMs = opts.lockMs ?? 15 * 60_000;
    this.loginsPerMinute = opts.loginsPerMinute ?? 20;
    this.adminDigest = opts.adminToken ? sha256(opts.adminToken) : null;
  }

  get sessionTtlMs(): number {
    return this.ttl;
  }

  // ---------------------------------------------------------------- who is asking

  /** The principal a bearer token names (admin token or API credential), or a 401/403 problem. */
  async bearer(token: string): Promise<Principal> {
    if (this.adminDigest && timingSafeEqual(sha256(token), this.adminDigest)) {
      return { kind: 'admin-token', orgId: this.orgId, name: 'admin-token', role: 'admin', scopes: new Set(ROLE_SCOPES.admin) };
    }
    const m = /^ttc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
    const row = m ? await this.store.credential(m[1]!) : null;
    // One digest comparison whether or not the id exists.
    const expected = row?.secretHash ?? sha256('no such credential');
    const ok = timingSafeEqual(sha256(m?.[2] ?? token), expected) && row !== null;
    if (!ok || !row) throw new AccessError('bad_credential', 'the bearer token is not a valid credential of this node');
    if (row.revokedAt !== null) throw new AccessError('credential_revoked', `credential ${row.id} was revoked`);
    this.sameOrg(row.orgId, `credential ${row.id}`);
    await this.store.touchCredential(row.id, this.now());
    return { kind: 'credential', orgId: row.orgId, name: row.id, role: null, scopes: new Set(row.scopes) };
  }

  /** The principal a session cookie names, or a 401 problem (unknown, expired, or its account disabled). */
  async session(sessionId: string): Promise<Principal> {
    const row = await this.store.session(sha256(sessionId).toString('hex'));
    if (!row) throw new AccessError('no_session', 'the session is not known (logged out, or never logged in): log in again');
    if (row.expiresAt <= this.now()) {
      await this.store.deleteSession(row.idHash);
      throw new AccessError('session_expired', 'the session has expired: log in again');
    }
    const u = await this.store.userById(row.userId);
    if (!u || u.disabled) throw new AccessError('account_disabled', 'the account of this session is disabled');
    this.sameOrg(u.orgId, `user ${u.username}`);
    return {
      kind: 'user',
      orgId: u.orgId,
      name: u.username,
      role: u.role,
      scopes: new Set(ROLE_SCOPES[u.role]),
      session: { csrf: row.csrf, expiresAt: row.expiresAt },
    };
  }

  /**
   * What a principal known by kind and name may do now, for work done on its behalf later (alert
   * deliveries): null when it no longer may do anything (credential revoked, account disabled or gone,
   * another organisation's, or the admin token no longer configured).
   */
  async scopesOf(p: { kind: Principal['kind']; name: string }): Promise<ReadonlySet<string> | null> {
    if (p.kind === 'admin-token') return this.adminDigest ? new Set(ROLE_SCOPES.admin) : null;
    if (p.kind === 'credential') {
      const row = await this.store.credential(p.name);
      return row && row.revokedAt === null && row.orgId === this.orgId ? new Set(row.scopes) : null;
    }
    const u = await this.store.user(this.orgId, p.name);
    return u && !u.disabled ? new Set(ROLE_SCOPES[u.role]) : null;
  }

  private sameOrg(orgId: number, what: string): void {
    if (orgId !== this.orgId) {
      throw new AccessError(
        'foreign_organisation',
        `${what} belongs to organisation ${orgId}, not to this node's (${this.orgId})`,
      );
    }
  }

  // ---------------------------------------------------------------- logins

  /** Check a password and open a session. `client` keys the rate limit (the caller's address). */
  async login(
    username: string,
    password: string,
    client: string,
  ): Promise<{ sessionId: string; csrf: string; expiresAt: number; user: UserRow }> {
    this.rateLimit(client);
    const u = await this.store.user(this.orgId, username);
    const now = this.now();
    if (u && u.lockedUntil !== null && u.lockedUntil > now) {
      throw new AccessError(
        'account_locked',
        `the account is locked after repeated failed logins until ${new Date(u.lockedUntil).toISOString()}`,
        Math.ceil((u.lockedUntil - now) / 1000),
      );
    }
    let ok = false;
    if (u) ok = await verify(u.passwordHash, password);
    else await verify(await this.dummy(), password);
    if (!u || !ok) {
      if (u) {
        const failed = u.failedAttempts + 1;
        const lock = failed >= this.maxFailed;
        await this.store.updateUser(u.id, { failedAttempts: lock ? 0 : failed, lockedUntil: lock ? now + this.lockMs : null });
      }
      throw new AccessError('bad_login', 'unknown username or wrong password');
    }
    if (u.disabled) throw new AccessError('account_disabled', 'this account is disabled');
    await this.store.updateUser(u.id, { failedAttempts: 0, lockedUntil: null });
    await this.store.deleteExpiredSessions(now);
    const sessionId = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttl;
    await this.store.addSession({
      idHash: sha256(sessionId).toString('hex'),
      userId: u.id,
      orgId: u.orgId,
      csrf,
      createdAt: now,
      expiresAt,
    });
    return { sessionId, csrf, expiresAt, user: u };
  }

  async logout(sessionId: string): Promise<void> {
    await this.store.deleteSession(sha256(sessionId).toString('hex'));
  }

  private rateLimit(client: string): void {
    const now = this.now();
    const a = this.attempts.get(client);
    if (!a || now - a.windowStart >= 60_000) {
      if (this.attempts.size > 10_000) this.attempts.clear(); // bounded: a flood of addresses forgets, never grows
      this.attempts.set(client, { windowStart: now, n: 1 });
      return;
    }
    a.n += 1;
    if (a.n > this.loginsPerMinute) {
      throw new AccessError(
        'too_many_logins',
        `more than ${this.loginsPerMinute} login attempts a minute from this address`,
        Math.ceil((a.windowStart + 60_000 - now) / 1000),
      );
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash(randomBytes(16).toString('hex'), ARGON2);
    return this.dummyHash;
  }

  // ---------------------------------------------------------------- accounts

  async addUser(username: string, password: string, role: Role): Promise<UserRow> {
    checkUsername(username);
    checkPassword(password);
    const exists = () => new AccessError('user_exists', `user ${username} exists`);
    if (await this.store.user(this.orgId, username)) throw exists();
    const passwordHash = await hash(password, ARGON2);
    // Two requests for one username at once: the store refuses the second.
    return this.store.addUser({ orgId: this.orgId, username, passwordHash, role, now: this.now() }).catch((err) => {
      throw err instanceof StoreError && err.code === 'conflict' ? exists() : err;
    });
  }

  async setPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const u = await this.requireUser(username);
    await this.store.updateUser(u.id, { passwordHash: await hash(password, ARGON2), failedAttempts: 0, lockedUntil: null });
    await this.store.deleteSessionsOf(u.id);
  }

  async setDisabled(username: string, disabled: boolean): Promise<UserRow> {
    const u = await this.requireUser(username);
    await this.store.updateUser(u.id, { disabled });
    if (disabled) await this.store.deleteSessionsOf(u.id);
    return this.requireUser(username);
  }

  users(): Promise<UserRow[]> {
    return this.store.users(this.orgId);
  }

  private async requireUser(username: string): Promise<UserRow> {
    const u = await this.store.user(this.orgId, username);
    if (!u) throw new AccessError('no_such_user', `no user ${username} in this organisation`);
    return u;
  }

  // ---------------------------------------------------------------- credentials

  /** A new API credential; `token` is shown once and never stored (only its SHA-256). */
  async createCredential(
    name: string,
    scopes: string[],
    orgId = this.orgId,
  ): Promise<{ credential: CredentialRow; token: string }> {
    if (typeof name !== 'string' || !/^[\p{L}\p{N} ._:@/-]{1,80}$/u.test(name))
      throw new AccessError('bad_name', 'name must be 1-80 letters, digits, spaces or ._:@/-');
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.length > 32)
      throw new AccessError('bad_scopes', `scopes must be a list of 1-32 of: ${Object.keys(SCOPES).join(', ')}`);
    for (const s of scopes) {
      const err = typeof s === 'string' ? scopeError(s) : 'scopes must be strings';
      if (err) throw new AccessError('bad_scopes', err);
    }
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const row = { id, orgId, name, scopes: [...new Set(scopes)], secretHash: sha256(secret), createdAt: this.now() };
    await this.store.addCredential(row);
    return { credential: { ...row, revokedAt: null, lastUsedAt: null }, token: `${CREDENTIAL_PREFIX}_${id}_${secret}` };
  }

  credentials(): Promise<CredentialRow[]> {
    return this.store.credentials(this.orgId);
  }

  async revokeCredential(id: string): Promise<CredentialRow> {
    const row = await this.store.credential(id);
    if (!row || row.orgId !== this.orgId) throw new AccessError('no_such_credential', `no credential ${id} in this organisation`);
    await this.store.revokeCredential(id, this.now());
    return (await this.store.credential(id))!;
  }
}

function checkUsername(u: unknown): asserts u is string {
  if (typeof u !== 'string' || !/^[A-Za-z0-9._@-]{1,64}$/.test(u))
    throw new AccessError('bad_username', 'username must be 1-64 characters of [A-Za-z0-9._@-]');
}

function checkPassword(p: unknown): asserts p is string {
  if (typeof p !== 'string' || p.length < 12 || p.length > 256)
    throw new AccessError('weak_password', 'password must be 12-256 characters');
}

export function userJson(u: UserRow) {
  return {
    username: u.username,
    orgId: u.orgId,
    role: u.role,
    disabled: u.disabled,
    locked: u.lockedUntil !== null,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

export function credentialJson(c: CredentialRow) {
  return {
    id: c.id,
    orgId: c.orgId,
    name: c.name,
    scopes: c.scopes,
    createdAt: new Date(c.createdAt).toISOString(),
    revokedAt: c.revokedAt === null ? null : new Date(c.revokedAt).toISOString(),
    lastUsedAt: c.lastUsedAt === null ? null : new Date(c.lastUsedAt).toISOString(),
  };
}
