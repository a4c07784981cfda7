// The node's HTTP edge for a Hono app of one's own (modules' tests mount their
// routes on one, as the node's app.ts does): the same security headers, access
// middleware and problem rendering as api/app.ts, in the same order.
import type { Hono } from 'hono';
import { HttpProblem, problemResponse } from '../api/problem.js';
import { securityHeaders } from './headers.js';
import { authenticate } from './http.js';
import type { AccessService } from './service.js';

export function guard<T extends Hono>(app: T, access: AccessService, opts: { chainRpcUrl?: string } = {}): T {
  app.use('*', securityHeaders(opts));
  app.use('*', authenticate(access));
  app.onError((err, c) => {
    if (err instanceof HttpProblem) return problemResponse(c, err);
    console.error(`[api] ${c.req.method} ${c.req.path}:`, err);
    return problemResponse(c, new HttpProblem(500, 'internal', 'the node could not answer this request'));
  });
  return app;
}
