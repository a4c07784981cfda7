// Log in and out (the dashboard), and the organisation's accounts and API
// credentials (access:admin), as a Hono app mounted under /api/v1. The access
// middleware (http.ts) has already decided who may call each route.
import { jsonObjectBody } from '../api/json-body.js';
import { type Context, Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { HttpProblem } from '../http/problem.js';
import { CSRF_COOKIE, clientAddress, SESSION_COOKIE } from './http.js';
import { isRole, ROLES, ROLE_SCOPES } from './scopes.js';
import { type AccessService, credentialJson, type Principal, userJson } from './service.js';

export interface AccessRouteOptions {
  /** Mark cookies Secure even when the request URL is http (TLS ends at a reverse proxy). */
  secureCookies?: boolean;
}

export function accessRoutes(access: AccessService, opts: AccessRouteOptions = {}): Hono {
  const app = new Hono();
  const secure = (c: Context) => opts.secureCookies === true || new URL(c.req.url).protocol === 'https:';

  app.post('/auth/login', async (c) => {
    const body = await jsonObjectBody(c.req);
    if (typeof body.username !== 'string' || typeof body.password !== 'string')
      throw new HttpProblem(400, 'bad_login_request', 'send {"username": "…", "password": "…"}');
    const s = await access.login(body.username, body.password, clientAddress(c));
    const maxAge = Math.floor(access.sessionTtlMs / 1000);
    setCookie(c, SESSION_COOKIE, s.sessionId, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge });
    // Readable by the page (double submit): it is no credential on its own.
    setCookie(c, CSRF_COOKIE, s.csrf, { path: '/', httpOnly: false, sameSite: 'Strict', secure: secure(c), maxAge });
    c.header('cache-control', 'no-store');
    return c.json({ ...sessionJson(s.user.username, s.user.role, s.user.orgId, s.expiresAt), csrfToken: s.csrf });
  });

  app.post('/auth/logout', async (c) => {
    const p = c.get('principal');
    if (!p?.session) throw new HttpProblem(401, 'no_session', 'there is no session to log out of');
    const sid = c.req.header('cookie')?.match(/(?:^|;\s*)tt_session=([^;]+)/)?.[1];
    if (sid) await access.logout(sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    deleteCookie(c, CSRF_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.get('/auth/session', (c) => {
    const p = c.get('principal');
    if (!p) throw new HttpProblem(401, 'unauthenticated', 'not logged in');
    c.header('cache-control', 'no-store');
    return c.json(principalJson(p));
  });

  // ---------------------------------------------------------------- users (access:admin)
  app.get('/access/users', async (c) => c.json((await access.users()).map(userJson)));
  app.post('/access/users', async (c) => {
    const b = await jsonObjectBody(c.req);
    if (!isRole(b.role)) throw new HttpProblem(400, 'bad_role', `role must be one of ${ROLES.join(', ')}`);
    const u = await access.addUser(b.username as string, b.password as string, b.role);
    return c.json(userJson(u), 201);
  });
  app.post('/access/users/:username/password', async (c) => {
    const b = await jsonObjectBody(c.req);
    await access.setPassword(c.req.param('username'), b.password as string);
    return c.body(null, 204);
  });
  app.post('/access/users/:username/disable', async (c) =>
    c.json(userJson(await access.setDisabled(c.req.param('username'), true))),
  );
  app.post('/access/users/:username/enable', async (c) =>
    c.json(userJson(await access.setDisabled(c.req.param('username'), false))),
  );

  // ---------------------------------------------------------------- credentials (access:admin)
  app.get('/access/credentials', async (c) => c.json((await access.credentials()).map(credentialJson)));
  app.post('/access/credentials', async (c) => {
    const b = await jsonObjectBody(c.req);
    const { credential, token } = await access.createCredential(b.name as string, b.scopes as string[]);
    c.header('cache-control', 'no-store');
    return c.json({ ...credentialJson(credential), token }, 201);
  });
  app.post('/access/credentials/:id/revoke', async (c) =>
    c.json(credentialJson(await access.revokeCredential(c.req.param('id')))),
  );

  return app;
}

function sessionJson(username: string, role: string, orgId: number, expiresAt: number) {
  return { kind: 'user', name: username, role, orgId, expiresAt: new Date(expiresAt).toISOString() };
}

function principalJson(p: Principal) {
  return {
    kind: p.kind,
    name: p.name,
    role: p.role,
    orgId: p.orgId,
    scopes: [...p.scopes].sort(),
    ...(p.session ? { expiresAt: new Date(p.session.expiresAt).toISOString(), csrfToken: p.session.csrf } : {}),
  };
}

export { ROLE_SCOPES };
