// The access model's logic over its store, on both drivers (SQLite everywhere,
// PostgreSQL where TRADETWIN_CI_SERVICES=1): accounts, logins and lockout,
// session expiry, credentials — the same answers whichever database holds the rows.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { toHttpProblem } from '../http/errors.js';
import type { AccessStore } from '../storage/access.js';
import { PostgresAccessStore } from '../storage/postgres/access.js';
import { PgDatabase } from '../storage/postgres/database.js';
import { SqliteAccessStore } from '../storage/sqlite/access.js';
import { type DriverFixture, forEachDriver, freshDriver } from '../storage/test-support.js';
import { AccessService } from './service.js';

const ORG = 3;
const PASSWORD = 'correct horse battery';

/** Rejects with a coded error that the HTTP edge answers with this status and code. */
async function refused(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    const problem = toHttpProblem(err);
    assert.ok(problem, String(err));
    assert.deepEqual([problem.status, problem.code], [status, code]);
    return true;
  });
}

forEachDriver('access service', (driver) => {
  let fx: DriverFixture;
  let store: AccessStore;
  let close: () => Promise<void>;
  let clock: number;
  let access: AccessService;

  beforeEach(async () => {
    fx = await freshDriver(driver);
    if (fx.store.kind === 'sqlite') {
      const s = SqliteAccessStore.open({ path: join(fx.dataDir, 'node.db') });
      store = s;
      close = () => s.close();
    } else {
      const db = await PgDatabase.open({ url: fx.store.url });
      store = await PostgresAccessStore.open(db);
      close = () => db.close();
    }
    clock = Date.parse('2026-03-01T08:00:00Z');
    access = new AccessService(store, {
      orgId: ORG,
      now: () => clock,
      sessionTtlMs: 3_600_000,
      maxFailedLogins: 2,
      lockMs: 60_000,
    });
  });
  afterEach(async () => {
    await close();
    await fx.dispose();
  });

  it('a username once: a second add is 409 user_exists, also when two arrive at once', async () => {
    await access.addUser('ada', PASSWORD, 'operator');
    await refused(access.addUser('ada', PASSWORD, 'viewer'), 409, 'user_exists');
    const both = await Promise.allSettled([access.addUser('bob', PASSWORD, 'viewer'), access.addUser('bob', PASSWORD, 'viewer')]);
    assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(toHttpProblem(lost.reason)?.code, 'user_exists');
    assert.deepEqual(
      (await access.users()).map((u) => u.username),
      ['ada', 'bob'],
    );
  });

  it('login opens a session that names the user; logout ends it', async () => {
    await access.addUser('ada', PASSWORD, 'operator');
    const s = await access.login('ada', PASSWORD, '10.0.0.1');
    const p = await access.session(s.sessionId);
    assert.deepEqual([p.kind, p.name, p.role, p.orgId, p.session?.csrf], ['user', 'ada', 'operator', ORG, s.csrf]);
    await access.logout(s.sessionId);
    await refused(access.session(s.sessionId), 401, 'no_session');
  });

  it('an expired session is refused and forgotten', async () => {
    await access.addUser('ada', PASSWORD, 'viewer');
    const s = await access.login('ada', PASSWORD, '10.0.0.1');
    clock += 3_600_000;
    await refused(access.session(s.sessionId), 401, 'session_expired');
    await refused(access.session(s.sessionId), 401, 'no_session');
  });

  it('the account locks after repeated failures, until the lock ends', async () => {
    await access.addUser('ada', PASSWORD, 'viewer');
    await refused(access.login('ada', 'wrong password!!', 'a'), 401, 'bad_login');
    await refused(access.login('ada', 'wrong password!!', 'a'), 401, 'bad_login');
    await refused(access.login('ada', PASSWORD, 'a'), 423, 'account_locked');
    clock += 60_000;
    assert.equal((await access.login('ada', PASSWORD, 'a')).user.username, 'ada');
  });

  it('a new password or disabling ends the sessions', async () => {
    await access.addUser('ada', PASSWORD, 'viewer');
    const first = await access.login('ada', PASSWORD, 'a');
    await access.setPassword('ada', 'another long passphrase');
    await refused(access.session(first.sessionId), 401, 'no_session');
    const second = await access.login('ada', 'another long passphrase', 'a');
    assert.equal((await access.setDisabled('ada', true)).disabled, true);
    await refused(access.session(second.sessionId), 401, 'no_session');
    await refused(access.login('ada', 'another long passphrase', 'a'), 401, 'account_disabled');
    await refused(access.setDisabled('nobody', true), 404, 'no_such_user');
  });

  it('a credential authenticates with its scopes and records its use; revoked, it is refused', async () => {
    const { credential, token } = await access.createCredential('warehouse WMS', ['epcis:capture', 'epcis:read']);
    clock += 1_000;
    const p = await access.bearer(token);
    assert.deepEqual([p.kind, p.name, [...p.scopes]], ['credential', credential.id, ['epcis:capture', 'epcis:read']]);
    assert.equal((await access.credentials())[0]!.lastUsedAt, clock);
    await refused(access.bearer(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), 401, 'bad_credential');
    assert.notEqual((await access.revokeCredential(credential.id)).revokedAt, null);
    await refused(access.bearer(token), 401, 'credential_revoked');
    await refused(access.revokeCredential('0000000000000000'), 404, 'no_such_credential');
  });

  it("another organisation's credential is refused (403)", async () => {
    const { token } = await access.createCredential('partner', ['epcis:read'], ORG + 1);
    await refused(access.bearer(token), 403, 'foreign_organisation');
  });
});
