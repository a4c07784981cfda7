// The access model on a real node (embedded chain, SQLite, its HTTP server):
// accounts and sessions, API credentials and their scopes, the admin token,
// CSRF, content types, CORS and security headers — each attack refused. A few
// cases need a clock the test controls (session expiry, account lock): those
// run the same middleware and routes on an app of the test's own, over the
// node's own access tables.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { PROBLEM_BASE } from '../http/problem.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { guard } from './guard.js';
import { corsPolicy } from './headers.js';
import { requirementFor } from './policy.js';
import { accessRoutes } from './routes.js';
import { AccessService } from './service.js';

type Json = Record<string, unknown>;

const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const doc = (id: string) =>
  JSON.stringify({
    '@context': CTX,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2025-01-01T00:00:00Z',
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventID: `urn:uuid:00000000-0000-4000-8000-${id.padStart(12, '0')}`,
          action: 'OBSERVE',
          bizStep: 'shipping',
          eventTime: '2025-01-01T10:00:00Z',
          eventTimeZoneOffset: '+00:00',
          epcList: ['urn:epc:id:sgtin:0614141.107346.2017'],
        },
      ],
    },
  });

let t: TestNode;
let url: string;
let admin: string;

before(async () => {
  t = await startTestNode();
  url = t.node.httpUrl;
  admin = t.node.adminToken;
  await t.node.access.addUser('vera.viewer', 'correct horse battery', 'viewer');
  await t.node.access.addUser('otto.operator', 'operator passphrase 1', 'operator');
});
after(async () => {
  await t?.dispose();
});

const req = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init);
async function problem(res: Response, status: number, code: string, gs1 = false): Promise<Json> {
  const body = (await res.json()) as Json;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  if (gs1) assert.equal(body.code, code, JSON.stringify(body));
  else assert.equal(body.type, `${PROBLEM_BASE}${code}`, JSON.stringify(body));
  return body;
}

/** Log in; the session and CSRF cookies as a browser would keep them. */
async function login(username: string, password: string) {
  const res = await req('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookies = res.headers.getSetCookie();
  const body = (await res.json()) as Json;
  const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
  return { res, body, cookies, cookie, csrf: String(body.csrfToken) };
}

const capture = (headers: Record<string, string>, body = doc('1')) => req('/epcis/capture', { method: 'POST', headers, body });

describe('anonymous callers', () => {
  it('cannot capture EPCIS events (401), through /capture or /events', async () => {
    await problem(await capture({ 'content-type': 'application/ld+json' }), 401, 'unauthenticated', true);
    await problem(
      await req('/epcis/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      401,
      'unauthenticated',
      true,
    );
    const res = await capture({ 'content-type': 'application/ld+json' });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="tradetwin"');
  });

  it('read nothing private, but the public surface stays public', async () => {
    for (const p of [
      '/api/v1/devices',
      '/api/v1/log/head',
      '/api/v1/shipments',
      '/epcis/events',
      '/api/v1/metrics',
      '/api/v1/events/stream',
      '/api/v1/evidence',
      '/epcis/queries',
    ]) {
      assert.equal((await req(p)).status, 401, p);
    }
    for (const p of ['/api/v1/status', '/api/v1/chain', '/openapi.json']) assert.equal((await req(p)).status, 200, p);
    const chain = (await (await req('/api/v1/chain')).json()) as Json;
    assert.equal(chain.logAnchor, t.node.contracts.logAnchor);
    assert.equal(chain.chainId, 31337);
  });

  it('a cross-site body without a content type is 415 even with a credential (what a no-cors fetch sends)', async () => {
    await problem(await capture({ authorization: `Bearer ${admin}` }), 415, 'unsupported_media_type', true);
    await problem(
      await capture({ authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
      true,
    );
    const shipments = await req('/api/v1/shipments', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: '{}',
    });
    await problem(shipments, 415, 'unsupported_media_type');
    // The same capture, said to be JSON, is accepted.
    assert.equal((await capture({ authorization: `Bearer ${admin}`, 'content-type': 'application/ld+json' })).status, 202);
  });
});

describe('EPCIS XML binding and named queries', () => {
  const xml = readFileSync(new URL('../../../core/src/epcis/xml/fixtures/cold-chain-shipment.xml', import.meta.url), 'utf8');

  it('XML capture (application/xml, text/xml) needs a credential like JSON; with one it is accepted', async () => {
    for (const type of ['application/xml', 'text/xml; charset=utf-8']) {
      await problem(await capture({ 'content-type': type }, xml), 401, 'unauthenticated', true);
    }
    const { token } = await t.node.access.createCredential('xml client', ['epcis:capture']);
    const accepted = await capture({ authorization: `Bearer ${token}`, 'content-type': 'text/xml' }, xml);
    assert.equal(accepted.status, 202, await accepted.clone().text());
    // text/plain is what a cross-site form may send: refused even with the credential.
    await problem(
      await capture({ authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, xml),
      415,
      'unsupported_media_type',
      true,
    );
  });

  it('named queries: creating one needs epcis:subscribe (an operator); reading them needs epcis:read (a viewer)', async () => {
    const body = JSON.stringify({ name: 'access-shipping', query: { EQ_bizStep: ['shipping'] } });
    const post = (headers: Record<string, string>) =>
      req('/epcis/queries', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await problem(await post({}), 401, 'unauthenticated', true);
    const reader = (await t.node.access.createCredential('reader', ['epcis:read'])).token;
    const capturer = (await t.node.access.createCredential('capturer', ['epcis:capture'])).token;
    await problem(await post({ authorization: `Bearer ${reader}` }), 403, 'insufficient_scope', true);
    await problem(await post({ authorization: `Bearer ${capturer}` }), 403, 'insufficient_scope', true);
    const viewer = await login('vera.viewer', 'correct horse battery');
    await problem(await post({ cookie: viewer.cookie, 'x-csrf-token': viewer.csrf }), 403, 'insufficient_scope', true);
    const operator = await login('otto.operator', 'operator passphrase 1');
    assert.equal((await post({ cookie: operator.cookie, 'x-csrf-token': operator.csrf })).status, 201);
    // Reads: the viewer and the read credential; anonymous not; the capture-only credential not.
    assert.equal((await req('/epcis/queries/access-shipping', { headers: { cookie: viewer.cookie } })).status, 200);
    assert.equal(
      (await req('/epcis/queries/access-shipping/events', { headers: { authorization: `Bearer ${reader}` } })).status,
      200,
    );
    await problem(await req('/epcis/queries'), 401, 'unauthenticated', true);
    await problem(
      await req('/epcis/queries', { headers: { authorization: `Bearer ${capturer}` } }),
      403,
      'insufficient_scope',
      true,
    );
    // Deleting is a write: the reader may not, nor may the anonymous caller.
    const del = (headers: Record<string, string>) => req('/epcis/queries/access-shipping', { method: 'DELETE', headers });
    await problem(await del({ authorization: `Bearer ${reader}` }), 403, 'insufficient_scope', true);
    await problem(await del({}), 401, 'unauthenticated', true);
    assert.equal((await del({ authorization: `Bearer ${admin}` })).status, 204);
    // OPTIONS stays open (discovery, CORS preflight) and says nothing private.
    assert.equal((await req('/epcis/queries', { method: 'OPTIONS' })).status, 204);
  });
});

describe('accounts and sessions', () => {
  it('a wrong password is 401 and says nothing about whether the user exists', async () => {
    const wrong = await login('vera.viewer', 'not her password');
    assert.equal(wrong.res.status, 401);
    assert.equal(wrong.body.type, `${PROBLEM_BASE}bad_login`);
    assert.deepEqual(wrong.cookies, []);
    const nobody = await login('nobody', 'whatever passphrase');
    assert.equal(nobody.res.status, 401);
    assert.equal(nobody.body.detail, wrong.body.detail);
  });

  it('a login sets an HttpOnly, SameSite=Strict session cookie; the session reads, a viewer cannot capture (403)', async () => {
    const s = await login('vera.viewer', 'correct horse battery');
    assert.equal(s.res.status, 200, JSON.stringify(s.body));
    const session = s.cookies.find((c) => c.startsWith('tt_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    assert.doesNotMatch(session, /Secure/, 'plain http here: Secure only with TLS');
    assert.match(s.cookies.find((c) => c.startsWith('tt_csrf='))!, /SameSite=Strict/);
    assert.equal((await req('/api/v1/devices', { headers: { cookie: s.cookie } })).status, 200);
    const me = (await (await req('/api/v1/auth/session', { headers: { cookie: s.cookie } })).json()) as Json;
    assert.equal(me.role, 'viewer');
    const denied = await capture({ cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/ld+json' });
    const body = await problem(denied, 403, 'insufficient_scope', true);
    assert.match(String(body.detail), /a viewer may not do this: it needs epcis:capture/);
  });

  it('an operator captures with the session cookie and the CSRF header; without the header it is 403', async () => {
    const s = await login('otto.operator', 'operator passphrase 1');
    await problem(await capture({ cookie: s.cookie, 'content-type': 'application/ld+json' }), 403, 'csrf', true);
    await problem(
      await capture({ cookie: s.cookie, 'x-csrf-token': 'forged', 'content-type': 'application/ld+json' }),
      403,
      'csrf',
      true,
    );
    const ok = await capture({ cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/ld+json' }, doc('2'));
    assert.equal(ok.status, 202);
    // An operator is no admin: device registration and user management are refused.
    const users = await req('/api/v1/access/users', { headers: { cookie: s.cookie } });
    await problem(users, 403, 'insufficient_scope');
    // Logging out ends the session on the node.
    assert.equal(
      (await req('/api/v1/auth/logout', { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status,
      204,
    );
    await problem(await req('/api/v1/devices', { headers: { cookie: s.cookie } }), 401, 'no_session');
  });

  it('a disabled account cannot log in, and its sessions end', async () => {
    await t.node.access.addUser('dora.temp', 'temporary passphrase', 'viewer');
    const s = await login('dora.temp', 'temporary passphrase');
    await t.node.access.setDisabled('dora.temp', true);
    await problem(await req('/api/v1/devices', { headers: { cookie: s.cookie } }), 401, 'no_session');
    const again = await login('dora.temp', 'temporary passphrase');
    assert.equal(again.res.status, 401);
    assert.equal(again.body.type, `${PROBLEM_BASE}account_disabled`);
  });
});

describe('accounts and sessions under a clock', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let access: AccessService;
  let app: Hono;
  before(async () => {
    // The node's own store, under another clock.
    access = new AccessService(t.node.access.store, {
      orgId: t.node.access.orgId,
      now: () => clock,
      sessionTtlMs: 3_600_000,
      maxFailedLogins: 3,
      lockMs: 600_000,
    });
    await access.addUser('clara.clock', 'clock passphrase 12', 'viewer');
    app = guard(new Hono(), access);
    app.route('/api/v1', accessRoutes(access));
    app.get('/api/v1/devices', (c) => c.json([]));
  });
  const loginAt = (password: string) =>
    app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'clara.clock', password }),
    });

  it('an expired session is refused (401 session_expired)', async () => {
    const res = await loginAt('clock passphrase 12');
    assert.equal(res.status, 200);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    assert.equal((await app.request('/api/v1/devices', { headers: { cookie } })).status, 200);
    clock += 3_600_000;
    await problem(await app.request('/api/v1/devices', { headers: { cookie } }), 401, 'session_expired');
  });

  it('the account locks after 3 failures: even the right password is refused until the lock ends', async () => {
    for (let i = 0; i < 3; i++) await problem(await loginAt('wrong passphrase!'), 401, 'bad_login');
    const locked = await loginAt('clock passphrase 12');
    await problem(locked.clone(), 423, 'account_locked');
    assert.equal(locked.headers.get('retry-after'), '600');
    clock += 600_000;
    assert.equal((await loginAt('clock passphrase 12')).status, 200);
  });

  it('logins from one address are rate-limited (429 with Retry-After)', async () => {
    const limited = new AccessService(t.node.access.store, { orgId: t.node.access.orgId, now: () => clock, loginsPerMinute: 2 });
    const a = guard(new Hono(), limited);
    a.route('/api/v1', accessRoutes(limited));
    const attempt = () =>
      a.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'x' }),
      });
    assert.equal((await attempt()).status, 401);
    assert.equal((await attempt()).status, 401);
    const third = await attempt();
    await problem(third.clone(), 429, 'too_many_logins');
    assert.ok(Number(third.headers.get('retry-after')) > 0);
  });
});

describe('API credentials', () => {
  it('a capture credential captures (201/202) but cannot read shipments or register devices (403)', async () => {
    const { token, credential } = await t.node.access.createCredential('warehouse WMS', ['epcis:capture']);
    assert.match(token, /^ttc_[0-9a-f]{16}_[\w-]{43}$/);
    assert.ok(!JSON.stringify(await t.node.access.credentials()).includes(token.slice(21)), 'the secret is not stored');
    const bearer = { authorization: `Bearer ${token}` };
    assert.equal((await capture({ ...bearer, 'content-type': 'application/json' }, doc('3'))).status, 202);
    await problem(await req('/api/v1/shipments', { headers: bearer }), 403, 'insufficient_scope');
    await problem(
      await req('/api/v1/admin/devices', {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: '{}',
      }),
      403,
      'insufficient_scope',
    );
    assert.ok((await t.node.access.credentials()).find((c) => c.id === credential.id)!.lastUsedAt !== null);
  });

  it('a revoked credential is refused (401 credential_revoked)', async () => {
    const { token, credential } = await t.node.access.createCredential('old integration', ['epcis:read']);
    assert.equal((await req('/epcis/events', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    await t.node.access.revokeCredential(credential.id);
    await problem(await req('/epcis/events', { headers: { authorization: `Bearer ${token}` } }), 401, 'credential_revoked', true);
  });

  it("a credential of another organisation cannot act on this node's data (403 foreign_organisation)", async () => {
    const { token } = await t.node.access.createCredential(
      'partner client',
      ['epcis:read', 'epcis:capture'],
      t.node.access.orgId + 1,
    );
    await problem(
      await req('/epcis/events', { headers: { authorization: `Bearer ${token}` } }),
      403,
      'foreign_organisation',
      true,
    );
    await problem(
      await capture({ authorization: `Bearer ${token}`, 'content-type': 'application/json' }),
      403,
      'foreign_organisation',
      true,
    );
  });

  it('a forged or malformed token is refused, never ignored; one shipment’s credential reads that shipment only', async () => {
    await problem(
      await req('/api/v1/devices', { headers: { authorization: 'Bearer ttc_0000000000000000_' + 'A'.repeat(43) } }),
      401,
      'bad_credential',
    );
    await problem(await req('/api/v1/status', { headers: { authorization: 'Basic abc' } }), 401, 'bad_authorization');
    const { token } = await t.node.access.createCredential('insurer portal', ['shipments:read:SHP-1']);
    const bearer = { authorization: `Bearer ${token}` };
    assert.equal(
      (await req('/api/v1/shipments/SHP-1', { headers: bearer })).status,
      404,
      'allowed through; no such shipment here',
    );
    await problem(await req('/api/v1/shipments/SHP-2', { headers: bearer }), 403, 'insufficient_scope');
    await problem(await req('/api/v1/shipments', { headers: bearer }), 403, 'insufficient_scope');
  });

  it('credentials are managed over HTTP by an admin: created (secret once), listed without it, revoked', async () => {
    const bearer = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const bad = await req('/api/v1/access/credentials', {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ name: 'x', scopes: ['root'] }),
    });
    await problem(bad, 400, 'bad_scopes');
    const made = await req('/api/v1/access/credentials', {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ name: 'scanner app', scopes: ['tags:scan'] }),
    });
    assert.equal(made.status, 201);
    const c = (await made.json()) as Json;
    const list = (await (await req('/api/v1/access/credentials', { headers: bearer })).json()) as Json[];
    assert.ok(list.some((x) => x.id === c.id && !('token' in x)));
    const revoked = (await (
      await req(`/api/v1/access/credentials/${c.id}/revoke`, { method: 'POST', headers: bearer })
    ).json()) as Json;
    assert.equal(typeof revoked.revokedAt, 'string');
  });
});

describe('headers and CORS', () => {
  it('every response carries CSP, frame-ancestors, X-Frame-Options, nosniff and Referrer-Policy', async () => {
    for (const p of ['/api/v1/status', '/api/v1/devices', '/verify/0:0', '/epcis/events']) {
      const res = await req(p);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, p);
      assert.match(csp, /frame-ancestors 'none'/, p);
      assert.ok(csp.includes(`connect-src 'self' ${new URL(t.node.rpcUrl).origin}`), `${p}: ${csp}`);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', p);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', p);
    }
  });

  it('a CORS preflight from an unlisted origin gets no allow header; a listed one does', async () => {
    const pre = await req('/epcis/capture', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const app = new Hono();
    app.use('*', corsPolicy(['https://partner.example']));
    app.get('/x', (c) => c.text('x'));
    const preflight = (origin: string) =>
      app.request('/x', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    assert.equal(
      (await preflight('https://partner.example')).headers.get('access-control-allow-origin'),
      'https://partner.example',
    );
    assert.equal((await preflight('https://evil.example')).headers.get('access-control-allow-origin'), null);
  });

  it('the policy is closed by default: an unknown API route needs access:admin, unknown writes too', () => {
    assert.deepEqual(requirementFor('GET', '/api/v1/something-new'), { public: false, anyOf: ['log:read'] });
    assert.deepEqual(requirementFor('POST', '/api/v1/something-new'), { public: false, anyOf: ['access:admin'] });
    assert.deepEqual(requirementFor('PUT', '/epcis/whatever'), { public: false, anyOf: ['access:admin'] });
    assert.equal(requirementFor('POST', '/api/v1/telemetry').public, true);
  });
});
