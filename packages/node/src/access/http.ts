// The access model at the HTTP edge, as Hono middleware mounted first in the
// node's app (api/app.ts): who is asking (Authorization: Bearer — the admin
// token or an API credential — else the session cookie), whether the route
// lets them (policy.ts), a CSRF check for cookie-authenticated state changes
// (double submit: the X-CSRF-Token header must equal the session's token, which
// the page reads from the non-HttpOnly tt_csrf cookie), and JSON content types
// on JSON endpoints (a cross-site form or no-cors fetch cannot send one).
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpProblem } from '../http/problem.js';
import { changesState, requirementFor } from './policy.js';
import { satisfies } from './scopes.js';
import type { AccessService, Principal } from './service.js';

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal | undefined;
  }
}

export const SESSION_COOKIE = 'tt_session';
export const CSRF_COOKIE = 'tt_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Routes whose bodies are not JSON (signed device telemetry: application/cose, application/cbor-seq; signed commands:
 * application/cbor; C2SP tlog-witness add-checkpoint: text, authenticated by the checkpoint's own signature; a shipment
 * document: its own media type — a session adding one still needs the CSRF header, so a cross-site form cannot).
 */
const NON_JSON_BODY = /^\/(api\/v1\/(telemetry|commands|shipments\/[^/]+\/documents)|add-checkpoint)$/;
/** EPCIS capture takes the XML binding too (application/xml, text/xml): neither is a type a cross-site form or no-cors fetch can send. */
const XML_TOO = /^\/epcis\/(capture|events)$/;

export function authenticate(access: AccessService): MiddlewareHandler {
  return async (c, next) => {
    const principal = await principalOf(c, access);
    c.set('principal', principal);
    const need = requirementFor(c.req.method, c.req.path);
    if (!need.public) {
      if (!principal) {
        c.header('WWW-Authenticate', 'Bearer realm="tradetwin"');
        throw new HttpProblem(
          401,
          'unauthenticated',
          'this route needs a credential: "Authorization: Bearer <token>" or a session (log in)',
        );
      }
      if (!satisfies(principal.scopes, need)) {
        throw new HttpProblem(
          403,
          'insufficient_scope',
          `${principal.kind === 'user' ? `a ${principal.role}` : principal.kind === 'credential' ? `credential ${principal.name}` : 'this principal'} may not do this: it needs ${need.anyOf.join(' or ')}${need.resource !== undefined ? ` (or ${need.anyOf[0]}:${need.resource})` : ''}`,
          { required: need.anyOf },
        );
      }
    }
    if (principal?.session && changesState(c.req.method)) checkCsrf(c, principal.session.csrf);
    if (changesState(c.req.method) && !NON_JSON_BODY.test(c.req.path)) requireJsonType(c, XML_TOO.test(c.req.path));
    await next();
  };
}

/** The caller: bearer token first (a bad one is refused, never ignored), then the session cookie. */
function principalOf(c: Context, access: AccessService): Promise<Principal | undefined> {
  return principalFrom(
    access,
    c.req.header('authorization'),
    getCookie(c, SESSION_COOKIE),
    requirementFor(c.req.method, c.req.path).public,
  );
}

async function principalFrom(
  access: AccessService,
  auth: string | undefined,
  sid: string | undefined,
  isPublic: boolean,
): Promise<Principal | undefined> {
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new HttpProblem(401, 'bad_authorization', 'the Authorization header must be "Bearer <token>"');
    return await access.bearer(m[1]!);
  }
  if (sid === undefined) return undefined;
  try {
    return await access.session(sid);
  } catch (err) {
    // A stale cookie does not stop public pages; where a principal is needed the reason is given.
    if (isPublic) return undefined;
    throw err;
  }
}

/** The same decision for a request Hono does not see (a WebSocket upgrade, GET semantics). */
export function authorizeRequest(access: AccessService): (req: IncomingMessage) => Promise<void> {
  return async (req) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const need = requirementFor('GET', path);
    const sid = /(?:^|;\s*)tt_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const p = await principalFrom(access, req.headers.authorization, sid, need.public);
    if (need.public) return;
    if (!p)
      throw new HttpProblem(401, 'unauthenticated', 'a subscription needs a credential (Authorization: Bearer) or a session');
    if (!satisfies(p.scopes, need)) throw new HttpProblem(403, 'insufficient_scope', `it needs ${need.anyOf.join(' or ')}`);
  };
}

function checkCsrf(c: Context, expected: string): void {
  const given = c.req.header(CSRF_HEADER);
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (given === undefined || !timingSafeEqual(digest(given), digest(expected))) {
    throw new HttpProblem(
      403,
      'csrf',
      `a change made with the session cookie needs the ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie's value)`,
    );
  }
}

/** A state change with a body must say it is JSON (or, where `xml`, XML); a body-less one (Content-Length: 0, or none sent in-process) passes. */
function requireJsonType(c: Context, xml: boolean): void {
  const length = c.req.header('content-length');
  // Over HTTP/1.1 a request has a body only with Content-Length or Transfer-Encoding (the Node adapter gives
  // every non-GET request a body stream, so a bare DELETE must not count); in-process requests have none of those.
  const overHttp = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming !== undefined;
  const hasBody =
    length !== undefined
      ? length !== '0'
      : c.req.header('transfer-encoding') !== undefined || (!overHttp && c.req.raw.body !== null);
  if (!hasBody) return;
  const type = c.req.header('content-type');
  const json = type !== undefined && /^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type);
  if (type === undefined || !(json || (xml && /^(application|text)\/xml\s*(;|$)/i.test(type)))) {
    throw new HttpProblem(
      415,
      'unsupported_media_type',
      `${type === undefined ? 'a body without a content type' : `content type ${type}`} is not accepted here: send application/json${xml ? ', application/ld+json, application/xml or text/xml' : ''}`,
    );
  }
}

/** The caller's address for rate limits (in-process requests have none). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
