// The alert API under /api/v1 (access: alerts:read to read, alerts:subscribe to
// change; every answer narrowed to what the caller may see — alerts/audience.ts).
//   GET    /alerts?limit=&before=       the history, newest first; `next` is the next page's `before`
//   GET    /alerts/:id                  one alert, with the deliveries of the caller's subscriptions
//   GET    /alerts/subscriptions        the caller's subscriptions
//   POST   /alerts/subscriptions        subscribe (webhook or e-mail); a webhook's secret is shown once, here
//   DELETE /alerts/subscriptions/:id    unsubscribe
import { Hono } from 'hono';
import type { Principal } from '../access/service.js';
import { jsonObjectBody } from '../api/json-body.js';
import { HttpProblem, intParam } from '../http/problem.js';
import type { AlertService } from './service.js';

export const MAX_ALERT_PAGE = 200;

function principal(p: Principal | undefined): Principal {
  // The access middleware let the request through only with one; a route mounted without it is a bug.
  if (!p) throw new HttpProblem(401, 'unauthenticated', 'this route needs a credential');
  return p;
}

export function alertRoutes(alerts: AlertService): Hono {
  const app = new Hono();

  app.get('/alerts', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 50);
    if (limit < 1 || limit > MAX_ALERT_PAGE)
      throw new HttpProblem(400, 'bad_parameter', `parameter limit must be 1..${MAX_ALERT_PAGE}`);
    const before = c.req.query('before') === undefined ? undefined : intParam(c.req.query('before'), 'before');
    return c.json(await alerts.history(principal(c.get('principal')), limit, before));
  });

  app.get('/alerts/subscriptions', async (c) => c.json(await alerts.subscriptions(principal(c.get('principal')))));

  app.post('/alerts/subscriptions', async (c) => {
    const { subscription, secret } = await alerts.subscribe(principal(c.get('principal')), await jsonObjectBody(c.req));
    return c.json({ ...subscription, ...(secret !== null ? { secret } : {}) }, 201);
  });

  app.delete('/alerts/subscriptions/:id', async (c) => {
    await alerts.unsubscribe(principal(c.get('principal')), c.req.param('id'));
    return c.body(null, 204);
  });

  app.get('/alerts/:id', async (c) => c.json(await alerts.alert(principal(c.get('principal')), c.req.param('id'))));

  return app;
}
