// The node's HTTP edge for a Hono app of one's own (modules' tests mount their
// routes on one, as the node's app.ts does): the same security headers, access
// middleware and problem rendering as api/app.ts, in the same order.
import type { Context, Hono } from 'hono';
import { HttpProblem, problemResponse } from '../api/problem.js';
import { epcisProblemResponse } from '../epcis/routes.js';
import { securityHeaders } from './headers.js';
import { authenticate } from './http.js';
import type { AccessService } from './service.js';

export function guard<T extends Hono>(app: T, access: AccessService, opts: { chainRpcUrl?: string } = {}): T {
  app.use('*', securityHeaders(opts));
  app.use('*', authenticate(access));
  app.onError((err, c) => {
    if (err instanceof HttpProblem) return edgeProblemResponse(c, err);
    console.error(`[api] ${c.req.method} ${c.req.path}:`, err);
    return problemResponse(c, new HttpProblem(500, 'internal', 'the node could not answer this request'));
  });
  return app;
}

/** A problem raised at the edge (e.g. by the access middleware): EPCIS clients get the binding's exception types (a 401 is a SecurityException there). */
export function edgeProblemResponse(c: Context, err: HttpProblem): Response {
  if (c.req.path === '/epcis' || c.req.path.startsWith('/epcis/')) return epcisProblemResponse(c, err);
  return problemResponse(c, err);
}
