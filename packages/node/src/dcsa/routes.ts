// DCSA Track & Trace 3.0 at the specification's paths, under /dcsa/tnt/v3:
//   POST /events   a publisher's push {"events": [ … ]} (dcsa:write): every event validated against
//                  TNT_v3.0.0.yaml and the node's rules; any fault refuses the whole push (400 naming
//                  the JSONPath, nothing stored); accepted events are log leaves, then indexed.
//   GET  /events   the consumer query (dcsa:read): the spec's filters (carrierBookingReference,
//                  transportDocumentReference, equipmentReference, eventTypes, eventUpdatedDateTimeMin/
//                  Max) plus shipment/equipment/transportEventTypeCode; limit + cursor paging with the
//                  Next-Page-Cursor header. Every answer carries API-Version.
//   /event-subscriptions (dcsa:read): POST (callbackUrl, filter; the secret shown once), GET, GET /:id
//                  (with its deliveries), DELETE /:id — each caller sees its own (access:admin: all).
import { Hono } from 'hono';
import type { Principal } from '../access/service.js';
import { jsonObjectBody } from '../api/json-body.js';
import type { DcsaEventQuery } from '../storage/dcsa.js';
import { EVENT_TYPES } from './codes.js';
import { DcsaError } from './errors.js';
import { DEFAULT_DCSA_PAGE, type DcsaRepository } from './repository.js';
import { TNT_VERSION } from './schema.js';
import type { DcsaSubscriptions } from './subscriptions.js';
import { postEventsProblems } from './validate.js';

export const DCSA_TNT_BASE = '/dcsa/tnt/v3';

type Query = Omit<DcsaEventQuery, 'afterRid' | 'limit'>;

/** The GET parameters as a query, or DcsaError bad_query naming the parameter. */
export function parseEventQuery(params: Record<string, string | undefined>): { query: Query; limit: number; cursor?: string } {
  const query: Query = {};
  const text = (name: keyof Query & string) => {
    const v = params[name];
    if (v === undefined) return;
    if (v === '') throw new DcsaError('bad_query', `parameter ${name} must not be empty`, name);
    (query as Record<string, unknown>)[name] = v;
  };
  for (const name of [
    'carrierBookingReference',
    'transportDocumentReference',
    'equipmentReference',
    'shipmentEventTypeCode',
    'equipmentEventTypeCode',
    'transportEventTypeCode',
  ] as const)
    text(name);
  if (params.eventTypes !== undefined) {
    const types = params.eventTypes.split(',').map((t) => t.trim());
    const bad = types.find((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (bad !== undefined)
      throw new DcsaError('bad_query', `eventTypes: "${bad}" is not one of ${EVENT_TYPES.join(', ')}`, 'eventTypes');
    query.eventTypes = types;
  }
  const time = (name: string): number | undefined => {
    const v = params[name];
    if (v === undefined) return undefined;
    const t = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(t)) throw new DcsaError('bad_query', `parameter ${name} must be an RFC 3339 date-time`, name);
    return t;
  };
  query.updatedMin = time('eventUpdatedDateTimeMin');
  query.updatedMax = time('eventUpdatedDateTimeMax');
  let limit = DEFAULT_DCSA_PAGE;
  if (params.limit !== undefined) {
    limit = Number(params.limit);
    if (!/^\d+$/.test(params.limit) || limit < 1)
      throw new DcsaError('bad_query', 'parameter limit must be a positive integer', 'limit');
  }
  for (const k of Object.keys(query) as (keyof Query)[]) if (query[k] === undefined) delete query[k];
  return { query, limit, ...(params.cursor !== undefined ? { cursor: params.cursor } : {}) };
}

function principal(p: Principal | undefined): Principal {
  // The access middleware let the request through only with one; a route mounted without it is a bug.
  if (!p) throw new DcsaError('bad_subscription', 'subscriptions need a credential');
  return p;
}

export function dcsaRoutes(repo: DcsaRepository, subscriptions?: DcsaSubscriptions): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('API-Version', TNT_VERSION);
  });

  app.post('/events', async (c) => {
    const body = await jsonObjectBody(c.req);
    const problems = postEventsProblems(body);
    const first = problems[0];
    if (first) throw new DcsaError('invalid_event', `${first.propertyPath} ${first.message}`, first.propertyPath, problems);
    const events = body.events as Record<string, unknown>[];
    const rows = await repo.append(events, 'pushed');
    return c.json({
      feedbackElements: [
        {
          severity: 'INFO',
          message: `${rows.length} event(s) stored in the log at leaves ${rows[0]!.rid}…${rows.at(-1)!.rid}`,
          propertyPath: '$.events',
        },
      ],
    });
  });

  app.get('/events', async (c) => {
    const { query, limit, cursor } = parseEventQuery(c.req.query());
    const page = await repo.query(query, limit, cursor);
    if (page.nextCursor !== null) c.header('Next-Page-Cursor', page.nextCursor);
    return c.json({ events: page.events });
  });

  if (subscriptions) {
    app.post('/event-subscriptions', async (c) => {
      const { subscription, secret } = await subscriptions.subscribe(principal(c.get('principal')), await jsonObjectBody(c.req));
      return c.json({ ...subscription, secret }, 201);
    });
    app.get('/event-subscriptions', async (c) => c.json(await subscriptions.list(principal(c.get('principal')))));
    app.get('/event-subscriptions/:id', async (c) =>
      c.json(await subscriptions.get(principal(c.get('principal')), c.req.param('id'))),
    );
    app.delete('/event-subscriptions/:id', async (c) => {
      await subscriptions.unsubscribe(principal(c.get('principal')), c.req.param('id'));
      return c.body(null, 204);
    });
  }

  return app;
}
