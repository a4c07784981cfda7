// The node's HTTP edge for a Hono app of one's own (modules' tests mount their
// routes on one, as the node's app.ts does): the same security headers, access
// middleware and problem rendering as api/app.ts, in the same order.
import type { Hono } from 'hono';
import { httpErrorHandler } from '../http/errors.js';
import { securityHeaders } from './headers.js';
import { authenticate } from './http.js';
import type { AccessService } from './service.js';

export function guard<T extends Hono>(app: T, access: AccessService, opts: { chainRpcUrl?: string } = {}): T {
  app.use('*', securityHeaders(opts));
  app.use('*', authenticate(access));
  app.onError(httpErrorHandler('api'));
  return app;
}
