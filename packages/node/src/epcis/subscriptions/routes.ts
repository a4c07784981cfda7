// The binding's /queries resources, mounted by epcisRoutes under /queries (so
// its error handler turns problems into RFC 7807 responses):
//   GET/POST /queries, GET/DELETE /queries/{queryName}, GET /queries/{queryName}/events,
//   GET/POST /queries/{queryName}/subscriptions, GET/DELETE …/subscriptions/{subscriptionID}.
// WebSocket subscriptions (GET …/events with Upgrade) are served by websocket.ts on the
// HTTP server's upgrade event; here that GET without an upgrade is a 400.
import { type Context, Hono } from 'hono';
import { EpcisProblem } from '../problem.js';
import { MAX_PER_PAGE, queryDocumentText, rawQueryPairs, runEventQuery } from '../query.js';
import { CBV_VERSION, EPCIS_VERSION } from '../types.js';
import { parseQueryDefinition, parseWebhookSubscription } from './definition.js';
import { SCHEDULE_FIELDS } from './schedule.js';
import type { EpcisSubscriptions } from './service.js';

const MAX_BODY = 64 * 1024;
const WS_PARAMS = new Set<string>(['stream', 'reportIfEmpty', 'initialRecordTime', ...SCHEDULE_FIELDS]);

async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/(ld\+)?json\s*(;|$)/i.test(type))
    throw new EpcisProblem(
      415,
      'epcisException:UnsupportedMediaTypeException',
      'unsupported_media_type',
      `content type ${type} is not accepted: send application/json`,
    );
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_BODY)
    throw new EpcisProblem(413, 'epcisException:ValidationException', 'payload_too_large', `the body exceeds ${MAX_BODY} bytes`);
  if (text.trim() === '')
    throw new EpcisProblem(400, 'epcisException:ValidationException', 'empty_body', 'the request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EpcisProblem(
      400,
      'epcisException:ValidationException',
      'bad_json',
      `the request body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** perPage and an opaque "after this key" token (base64url), as the other collections page. */
function paging(c: Context): { perPage: number; after: string } {
  const v = c.req.query('perPage');
  if (v !== undefined && (!/^\d{1,9}$/.test(v) || Number(v) < 1))
    throw new EpcisProblem(
      400,
      'epcisException:QueryParameterException',
      'bad_integer',
      `perPage must be an integer ≥ 1, not "${v}"`,
      {
        parameter: 'perPage',
      },
    );
  const token = c.req.query('nextPageToken');
  const after = token === undefined ? '' : Buffer.from(token, 'base64url').toString('utf8');
  if (token !== undefined && after === '')
    throw new EpcisProblem(400, 'epcisException:QueryParameterException', 'bad_page_token', 'nextPageToken was not issued here', {
      parameter: 'nextPageToken',
    });
  return { perPage: Math.min(v === undefined ? 30 : Number(v), MAX_PER_PAGE), after };
}

function page<T>(c: Context, rows: T[], perPage: number, key: (r: T) => string): T[] {
  if (rows.length > perPage) {
    const next = Buffer.from(key(rows[perPage - 1]!), 'utf8').toString('base64url');
    c.header('Link', `<${c.req.path}?perPage=${perPage}&nextPageToken=${next}>; rel="next"`);
  }
  return rows.slice(0, perPage);
}

export function queryRoutes(subs: EpcisSubscriptions): Hono {
  const app = new Hono();
  const forms = subs.repo.codec;
  const name = (c: Context) => c.req.param('queryName') ?? '';
  const discovery = (allow: string) => (c: Context) => {
    c.header('Allow', allow);
    c.header('GS1-EPCIS-Min', EPCIS_VERSION);
    c.header('GS1-EPCIS-Max', EPCIS_VERSION);
    c.header('GS1-CBV-Min', CBV_VERSION);
    c.header('GS1-CBV-Max', CBV_VERSION);
    return c.body(null, 204);
  };

  app.on('OPTIONS', '/', discovery('OPTIONS, GET, POST'));
  app.get('/', async (c) => {
    const { perPage, after } = paging(c);
    const rows = page(c, await subs.store.queries(perPage + 1, after), perPage, (r) => r.name);
    return c.json(rows.map((r) => ({ name: r.name, query: r.query })));
  });
  app.post('/', async (c) => {
    const def = parseQueryDefinition(await jsonBody(c), forms);
    await subs.createQuery(def);
    c.header('Location', `${c.req.path.replace(/\/$/, '')}/${def.name}`);
    return c.json({ name: def.name, query: def.query }, 201);
  });

  app.on('OPTIONS', '/:queryName', async (c) => {
    await subs.query(name(c));
    return discovery('OPTIONS, GET, DELETE')(c);
  });
  app.get('/:queryName', async (c) => {
    const q = await subs.query(name(c));
    return c.json({ name: q.name, query: q.query });
  });
  app.delete('/:queryName', async (c) => {
    await subs.deleteQuery(name(c));
    return c.body(null, 204);
  });

  app.get('/:queryName/events', async (c) => {
    await subs.query(name(c));
    const pairs = rawQueryPairs(c.req.url);
    const ws = pairs.find(([n]) => WS_PARAMS.has(n));
    if (ws) {
      throw new EpcisProblem(
        400,
        'epcisException:SubscriptionControlsException',
        'websocket_required',
        `${ws[0]} subscribes over a WebSocket: send this GET with "Upgrade: websocket", or POST a webhook subscription to …/subscriptions`,
        { parameter: ws[0] },
      );
    }
    for (const [n] of pairs)
      if (n !== 'perPage' && n !== 'nextPageToken')
        throw new EpcisProblem(
          400,
          'epcisException:QueryParameterException',
          'fixed_by_named_query',
          `a named query's parameters are fixed: ${n} cannot be added here (query /events, or define another named query)`,
          { parameter: n },
        );
    const { query, page: pg, tokenText } = await subs.parsedQuery(name(c), pairs);
    const result = await runEventQuery(subs.repo, query, pg, tokenText);
    if (result.nextPageToken) {
      const qs = `perPage=${pg.perPage}&nextPageToken=${encodeURIComponent(result.nextPageToken)}`;
      c.header('Link', `<${c.req.path}?${qs}>; rel="next"`);
    }
    return c.body(queryDocumentText(result.events, name(c)), 200, { 'content-type': 'application/json' });
  });

  app.on('OPTIONS', '/:queryName/subscriptions', async (c) => {
    await subs.query(name(c));
    return discovery('OPTIONS, GET, POST')(c);
  });
  app.get('/:queryName/subscriptions', async (c) => {
    await subs.query(name(c));
    const { perPage, after } = paging(c);
    const rows = page(c, await subs.store.subscriptions(name(c), perPage + 1, after), perPage, (r) => r.id);
    return c.json(await Promise.all(rows.map((r) => subs.view(r))));
  });
  app.post('/:queryName/subscriptions', async (c) => {
    await subs.query(name(c));
    const spec = parseWebhookSubscription(await jsonBody(c));
    const row = await subs.subscribe(name(c), spec);
    c.header('Location', `${c.req.path.replace(/\/$/, '')}/${row.id}`);
    return c.json(await subs.view(row), 201);
  });
  app.on('OPTIONS', '/:queryName/subscriptions/:subscriptionID', async (c) => {
    await subs.subscription(name(c), c.req.param('subscriptionID') ?? '');
    return discovery('OPTIONS, GET, DELETE')(c);
  });
  app.get('/:queryName/subscriptions/:subscriptionID', async (c) =>
    c.json(await subs.view(await subs.subscription(name(c), c.req.param('subscriptionID') ?? ''))),
  );
  app.delete('/:queryName/subscriptions/:subscriptionID', async (c) => {
    await subs.unsubscribe(name(c), c.req.param('subscriptionID') ?? '');
    return c.body(null, 204);
  });
  return app;
}
