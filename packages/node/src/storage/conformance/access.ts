// Conformance of an AccessStore: what every driver must do, edge cases included.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AccessStore, CredentialRow, SessionRow } from '../access.js';
import { type OpenStoreFixture, outcomes, rejectsWithCode, withFixture } from './fixture.js';

const ORG = 7;
const newUser = (username: string, orgId = ORG) => ({
  orgId,
  username,
  passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${username}`,
  role: 'viewer' as const,
  now: 1_000,
});
const session = (idHash: string, userId: number, expiresAt = 10_000): SessionRow => ({
  idHash,
  userId,
  orgId: ORG,
  csrf: `csrf-${idHash}`,
  createdAt: 1_000,
  expiresAt,
});
const credential = (id: string, createdAt = 1_000, orgId = ORG): Omit<CredentialRow, 'revokedAt' | 'lastUsedAt'> => ({
  id,
  orgId,
  name: `client ${id}`,
  scopes: ['epcis:read', 'epcis:capture', 'shipments:read:SHP-1'],
  // Zero bytes at both ends: a binary column, not text.
  secretHash: Buffer.from([0, ...Array.from({ length: 30 }, (_, i) => i * 8), 0]),
  createdAt,
});

export function accessStoreConformance(open: OpenStoreFixture<AccessStore>): void {
  it('empty: nothing found, lists empty, deletes and updates of unknown rows are no-ops', () =>
    withFixture(open, async ({ store }) => {
      assert.equal(await store.userById(1), null);
      assert.equal(await store.user(ORG, 'nobody'), null);
      assert.deepEqual(await store.users(ORG), []);
      assert.equal(await store.session('h'), null);
      assert.equal(await store.credential('c'), null);
      assert.deepEqual(await store.credentials(ORG), []);
      assert.equal(await store.revokeCredential('c', 5), false);
      await store.updateUser(1, { disabled: true });
      await store.touchCredential('c', 5);
      await store.deleteSession('h');
      await store.deleteSessionsOf(1);
      await store.deleteExpiredSessions(Number.MAX_SAFE_INTEGER);
    }));

  it('a new user gets an id and the defaults; found by id and by (org, name)', () =>
    withFixture(open, async ({ store }) => {
      const u = await store.addUser(newUser('ada'));
      assert.ok(Number.isSafeInteger(u.id) && u.id > 0);
      assert.deepEqual(u, {
        id: u.id,
        orgId: ORG,
        username: 'ada',
        passwordHash: newUser('ada').passwordHash,
        role: 'viewer',
        disabled: false,
        failedAttempts: 0,
        lockedUntil: null,
        createdAt: 1_000,
      });
      assert.deepEqual(await store.userById(u.id), u);
      assert.deepEqual(await store.user(ORG, 'ada'), u);
      assert.equal(await store.user(ORG + 1, 'ada'), null);
      assert.equal(await store.user(ORG, 'ADA'), null, 'usernames are case-sensitive');
      const v = await store.addUser(newUser('bob'));
      assert.ok(v.id > u.id, 'ids increase');
    }));

  it('a username is unique per organisation: a second is a conflict, another org may have it', () =>
    withFixture(open, async ({ store }) => {
      await store.addUser(newUser('ada'));
      await rejectsWithCode(store.addUser({ ...newUser('ada'), role: 'admin' }), 'conflict');
      assert.equal((await store.user(ORG, 'ada'))!.role, 'viewer');
      await store.addUser(newUser('ada', ORG + 1));
      assert.equal((await store.users(ORG)).length, 1);
    }));

  it('two instances adding one username at once: one account, one conflict', () =>
    withFixture(open, async ({ store, another }) => {
      const other = await another();
      const r = outcomes(await Promise.allSettled([store.addUser(newUser('eve')), other.addUser(newUser('eve'))]));
      assert.deepEqual(r, { fulfilled: 1, codes: ['conflict'] });
      assert.equal((await store.users(ORG)).length, 1);
    }));

  it("an organisation's users, by username in byte order", () =>
    withFixture(open, async ({ store }) => {
      for (const name of ['carol', 'Bob', 'alice', 'bob']) await store.addUser(newUser(name));
      await store.addUser(newUser('zed', ORG + 1));
      assert.deepEqual(
        (await store.users(ORG)).map((u) => u.username),
        ['Bob', 'alice', 'bob', 'carol'],
      );
    }));

  it('updateUser changes exactly the fields given', () =>
    withFixture(open, async ({ store }) => {
      const u = await store.addUser(newUser('ada'));
      await store.updateUser(u.id, {});
      assert.deepEqual(await store.userById(u.id), u);
      await store.updateUser(u.id, { failedAttempts: 4, lockedUntil: 9_999 });
      assert.deepEqual(await store.userById(u.id), { ...u, failedAttempts: 4, lockedUntil: 9_999 });
      await store.updateUser(u.id, {
        passwordHash: 'new-hash',
        role: 'admin',
        disabled: true,
        failedAttempts: 0,
        lockedUntil: null,
      });
      assert.deepEqual(await store.userById(u.id), {
        ...u,
        passwordHash: 'new-hash',
        role: 'admin',
        disabled: true,
        failedAttempts: 0,
        lockedUntil: null,
      });
      await store.updateUser(u.id, { disabled: false });
      assert.equal((await store.userById(u.id))!.disabled, false);
    }));

  it('sessions: added, read, deleted; a known id hash is a conflict, an unknown user not_found', () =>
    withFixture(open, async ({ store }) => {
      const u = await store.addUser(newUser('ada'));
      await store.addSession(session('h1', u.id));
      assert.deepEqual(await store.session('h1'), session('h1', u.id));
      await rejectsWithCode(store.addSession({ ...session('h1', u.id), csrf: 'other' }), 'conflict');
      assert.equal((await store.session('h1'))!.csrf, 'csrf-h1');
      await rejectsWithCode(store.addSession(session('h2', u.id + 1000)), 'not_found');
      assert.equal(await store.session('h2'), null);
      await store.deleteSession('h1');
      assert.equal(await store.session('h1'), null);
    }));

  it('two sessions of one user created at once (two instances): both kept', () =>
    withFixture(open, async ({ store, another }) => {
      const u = await store.addUser(newUser('ada'));
      const other = await another();
      await Promise.all([store.addSession(session('h1', u.id)), other.addSession(session('h2', u.id))]);
      assert.ok(await store.session('h1'));
      assert.ok(await other.session('h2'));
    }));

  it("deleteSessionsOf ends one user's sessions only", () =>
    withFixture(open, async ({ store }) => {
      const a = await store.addUser(newUser('ada'));
      const b = await store.addUser(newUser('bob'));
      await store.addSession(session('a1', a.id));
      await store.addSession(session('a2', a.id));
      await store.addSession(session('b1', b.id));
      await store.deleteSessionsOf(a.id);
      assert.equal(await store.session('a1'), null);
      assert.equal(await store.session('a2'), null);
      assert.ok(await store.session('b1'));
    }));

  it('expiry: sessions whose expiresAt ≤ now go, later ones stay', () =>
    withFixture(open, async ({ store }) => {
      const u = await store.addUser(newUser('ada'));
      await store.addSession(session('past', u.id, 4_999));
      await store.addSession(session('now', u.id, 5_000));
      await store.addSession(session('later', u.id, 5_001));
      await store.deleteExpiredSessions(5_000);
      assert.equal(await store.session('past'), null);
      assert.equal(await store.session('now'), null);
      assert.ok(await store.session('later'));
    }));

  it('a credential comes back as stored (binary hash, scopes in order), unrevoked and unused', () =>
    withFixture(open, async ({ store }) => {
      await store.addCredential(credential('c1'));
      const c = await store.credential('c1');
      assert.deepEqual(c, { ...credential('c1'), revokedAt: null, lastUsedAt: null });
      assert.ok(Buffer.isBuffer(c!.secretHash));
      await rejectsWithCode(store.addCredential({ ...credential('c1'), name: 'other' }), 'conflict');
      assert.equal((await store.credential('c1'))!.name, 'client c1');
    }));

  it("an organisation's credentials, oldest first, ties by id", () =>
    withFixture(open, async ({ store }) => {
      await store.addCredential(credential('c3', 1));
      await store.addCredential(credential('c2', 2));
      await store.addCredential(credential('c1', 2));
      await store.addCredential(credential('x9', 0, ORG + 1));
      assert.deepEqual(
        (await store.credentials(ORG)).map((c) => c.id),
        ['c3', 'c1', 'c2'],
      );
    }));

  it('revoking: once (the first time stays); touching records the last use', () =>
    withFixture(open, async ({ store }) => {
      await store.addCredential(credential('c1'));
      await store.touchCredential('c1', 2_000);
      assert.equal((await store.credential('c1'))!.lastUsedAt, 2_000);
      assert.equal(await store.revokeCredential('c1', 3_000), true);
      assert.equal(await store.revokeCredential('c1', 4_000), false);
      assert.equal((await store.credential('c1'))!.revokedAt, 3_000);
      assert.equal(await store.revokeCredential('unknown', 4_000), false);
    }));

  it('two instances revoking one credential at once: exactly one revokes it', () =>
    withFixture(open, async ({ store, another }) => {
      await store.addCredential(credential('c1'));
      const other = await another();
      const results = await Promise.all([store.revokeCredential('c1', 10), other.revokeCredential('c1', 20)]);
      assert.deepEqual(
        results.filter((r) => r),
        [true],
      );
      assert.ok([10, 20].includes((await store.credential('c1'))!.revokedAt!));
    }));
}
