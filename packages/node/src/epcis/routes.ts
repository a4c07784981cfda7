// The EPCIS 2.0 REST binding (GS1 openapi.yaml) over the repository, as a Hono
// app to mount under /epcis. Capture (POST /capture → 202 + capture job, POST
// /events → 201), the SimpleEventQuery on GET /events and the per-resource
// …/events endpoints, the top-level resource collections, plus two TradeTwin
// additions: GET /events/{eventID}/proof (leaf + inclusion proof to the latest
// anchored head) and GET /trace/{epc}?direction=backward|forward.
//
// Every response carries GS1-EPCIS-Version, GS1-CBV-Version and the GS1-EPC-Format
// applied (responses with events translate identifiers as asked, epc-format.ts);
// errors are RFC 7807 problems typed with the binding's epcisException:* names
// (plus `code`, a precise machine-readable reason). Capture limits are advertised in
// GS1-EPCIS-Capture-Limit / GS1-EPCIS-Capture-File-Size-Limit and enforced (413);
// URIs over MAX_URI_LENGTH get 414; every resource answers OPTIONS (protocol.ts).
import { decodeUtf8Strict, parseStrictJson, StrictJsonError } from '@tradetwin/core/json/strict-json';
import { type Context, Hono } from 'hono';
import { toHttpProblem } from '../http/errors.js';
import type { HttpProblem } from '../http/problem.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore } from '../storage/types.js';
import { type CaptureLimits, type DocumentValidator, EpcisCapture } from './capture.js';
import { EpcisProblem } from './problem.js';
import { buildEventProofs, type ChainRef } from './proof.js';
import { checkCbvXmlFormat, identifierTranslator, mapIdentifiers, parseEpcFormat, translateEventJson } from './epc-format.js';
import { checkUriLength, checkVersions, discoveryHeaders, jsonTypeOrNull, negotiateJson } from './protocol.js';
import { eventJson, MAX_PER_PAGE, parseEventQuery, rawQueryPairs, repositoryLookup, runEventQuery, tokenMac } from './query.js';
import type { EpcisRepository } from './repository.js';
import { queryRoutes } from './subscriptions/routes.js';
import type { EpcisSubscriptions } from './subscriptions/service.js';
import { trace } from './trace.js';
import { coreValidator } from './validator.js';
import { CBV_VERSION, EPCIS_CONTEXT, EPCIS_VERSION, EVENT_TYPES } from './types.js';
import { epcKey, normaliseCbv } from './vocab.js';
import { isXmlMediaType, queryDocumentResponse, servesEventsAsXml, singleXmlEvent, xmlCaptureDocument } from './xml.js';
import { BIZ_STEPS, DISPOSITIONS } from '@tradetwin/core/epcis/vocab';

export interface EpcisRouteDeps {
  repo: EpcisRepository;
  store: NodeStore;
  log: TransparencyLog;
  /** Validates documents against GS1's EPCIS 2.0 JSON schema (default: core/epcis). */
  validate?: DocumentValidator;
  /** Where the log is anchored (named in proofs). */
  chain?: ChainRef;
  limits?: Partial<CaptureLimits>;
  /** Named queries and subscriptions (subscriptions/): without it /queries answers 501. */
  subscriptions?: EpcisSubscriptions;
}

// The CBV 2.0 standard vocabularies, listed once in core (from the pinned EPCIS 2.0.0 context).
const STANDARD_BIZ_STEPS = BIZ_STEPS;
const STANDARD_DISPOSITIONS = DISPOSITIONS;

const GS1_TYPE_BY_STATUS: Record<number, string> = {
  400: 'epcisException:ValidationException',
  401: 'epcisException:SecurityException',
  403: 'epcisException:SecurityException',
  404: 'epcisException:NoSuchResourceException',
  406: 'epcisException:NotAcceptableException',
  409: 'epcisException:ResourceAlreadyExistsException',
  413: 'epcisException:CaptureLimitExceededException',
  414: 'epcisException:URITooLongException',
  415: 'epcisException:UnsupportedMediaTypeException',
  501: 'epcisException:ImplementationException',
};

function versionHeaders(c: Context): void {
  c.header('GS1-EPCIS-Version', EPCIS_VERSION);
  c.header('GS1-CBV-Version', CBV_VERSION);
}

export function epcisProblemResponse(c: Context, err: HttpProblem): Response {
  versionHeaders(c);
  const gs1Type =
    err instanceof EpcisProblem ? err.gs1Type : (GS1_TYPE_BY_STATUS[err.status] ?? 'epcisException:ImplementationException');
  const title = gs1Type.replace(/^epcisException:/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return c.body(
    JSON.stringify({
      type: gs1Type,
      title,
      status: err.status,
      detail: err.detail,
      instance: c.req.path,
      code: err.code,
      ...err.extra,
    }),
    err.status,
    { 'content-type': 'application/problem+json' },
  );
}

/** The mount prefix (e.g. "/epcis") from a request path and the route's own suffix. */
function prefixOf(c: Context, suffix: string): string {
  const p = c.req.path;
  const i = p.lastIndexOf(suffix);
  return i >= 0 ? p.slice(0, i) : '';
}

async function readBody(c: Context, limits: CaptureLimits): Promise<unknown> {
  const tooLarge = (size: string) =>
    new EpcisProblem(
      413,
      'epcisException:CaptureLimitExceededException',
      'payload_too_large',
      `the request body is ${size} bytes; this repository captures at most ${limits.maxBytes} bytes per request (GS1-EPCIS-Capture-File-Size-Limit)`,
    );
  const type = c.req.header('content-type');
  // No content type is refused too: a cross-site form or no-cors fetch sends none (or text/plain).
  const xml = isXmlMediaType(type);
  if (type === undefined || (!xml && !/^application\/(ld\+)?json\s*(;|$)/i.test(type))) {
    throw new EpcisProblem(
      415,
      'epcisException:UnsupportedMediaTypeException',
      'unsupported_media_type',
      `${type === undefined ? 'a body without a content type' : `content type ${type}`} is not accepted: send application/json, application/ld+json, application/xml or text/xml`,
    );
  }
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limits.maxBytes) throw tooLarge(declared);
  const reader = c.req.raw.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limits.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(`more than ${limits.maxBytes}`);
      }
      chunks.push(value);
    }
  }
  // Captured events are hashed and logged: their bytes must mean one thing to every reader (strict UTF-8,
  // no duplicate keys, no numbers a double cannot hold, bounded nesting).
  try {
    const text = decodeUtf8Strict(Buffer.concat(chunks));
    if (text.trim() === '')
      throw new EpcisProblem(400, 'epcisException:ValidationException', 'empty_body', 'the request body is empty');
    if (xml) return xmlCaptureDocument(text);
    return parseStrictJson(text, { maxDepth: MAX_JSON_DEPTH });
  } catch (err) {
    if (!(err instanceof StrictJsonError)) throw err;
    throw new EpcisProblem(
      400,
      'epcisException:ValidationException',
      err.code,
      `the request body is refused: ${err.message}${err.pointer ? ` (at ${err.pointer})` : ''}`,
      err.pointer ? { pointer: err.pointer } : {},
    );
  }
}

/** EPCIS documents nest a few levels (document → body → event → sensor element → report → extension): 64 is ample. */
const MAX_JSON_DEPTH = 64;

export function epcisRoutes(deps: EpcisRouteDeps): Hono {
  const { repo } = deps;
  const capture = new EpcisCapture(repo, { validate: deps.validate ?? coreValidator(), limits: deps.limits });
  const limits = capture.limits;
  const forms = repo.codec;
  const app = new Hono();

  app.onError((err, c) => {
    // Domain errors (the store's, the chain's) are mapped where every route maps them.
    const p = toHttpProblem(err);
    if (p) {
      if (p.status === 413 && c.req.path.endsWith('/capture')) captureHeaders(c);
      return epcisProblemResponse(c, p);
    }
    console.error(`[epcis] ${c.req.method} ${c.req.path}:`, err);
    return epcisProblemResponse(
      c,
      new EpcisProblem(500, 'epcisException:ImplementationException', 'internal', 'the repository could not answer this request'),
    );
  });
  app.use('*', async (c, next) => {
    versionHeaders(c);
    const url = new URL(c.req.url);
    checkUriLength(`${url.pathname}${url.search}`);
    checkVersions((h) => c.req.header(h));
    c.header('GS1-EPC-Format', parseEpcFormat(c.req.header('GS1-EPC-Format')));
    const xml = checkCbvXmlFormat(c.req.header('GS1-CBV-XML-Format'));
    if (xml) c.header('GS1-CBV-XML-Format', xml);
    if (c.req.method === 'OPTIONS') return next();
    // Event query results also have an XML form (negotiated where they are answered); everything else is JSON.
    const eventsResource = c.req.method === 'GET' && servesEventsAsXml(c.req.path);
    const type = eventsResource ? jsonTypeOrNull(c.req.header('accept')) : negotiateJson(c.req.header('accept'));
    // The root with a trailing slash (/epcis/) is the root.
    const prefix = c.req.routePath.replace(/\/\*$/, '');
    if (c.req.path === `${prefix}/` && c.req.method === 'GET') return c.json(root);
    await next();
    if (type === 'application/ld+json' && c.res.headers.get('content-type')?.startsWith('application/json'))
      c.res.headers.set('content-type', 'application/ld+json');
  });

  const captureHeaders = (c: Context) => {
    c.header('GS1-EPCIS-Capture-Limit', String(limits.maxEvents));
    c.header('GS1-EPCIS-Capture-File-Size-Limit', String(limits.maxBytes));
    c.header('GS1-Capture-Error-Behaviour', 'rollback, proceed');
  };
  const discovery = (allow: string, extra?: (c: Context) => void) => (c: Context) => {
    for (const [k, v] of Object.entries(discoveryHeaders(allow))) c.header(k, v);
    extra?.(c);
    return c.body(null, 204);
  };
  const collection = (members: string[]) => ({ '@context': EPCIS_CONTEXT, type: 'Collection', member: members });
  const root = collection([
    'queries',
    'capture',
    'events',
    'eventTypes',
    'epcs',
    'bizSteps',
    'bizLocations',
    'readPoints',
    'dispositions',
  ]);
  /** The event JSON translation GS1-EPC-Format asks for (undefined: as captured). */
  const translation = (c: Context): ((json: string) => string) | undefined => {
    const t = identifierTranslator(parseEpcFormat(c.req.header('GS1-EPC-Format')), forms, (p) => repo.companyPrefixes().has(p));
    return t ? (json) => translateEventJson(json, t) : undefined;
  };
  const lookup = repositoryLookup(repo);

  /** Paged collection of strings with an opaque "after" token (the last value, base64url). */
  const pagedCollection = async (c: Context, path: string, values: (limit: number, after?: string) => Promise<string[]>) => {
    const perPage = perPageOf(c);
    const token = c.req.query('nextPageToken');
    let after: string | undefined;
    if (token !== undefined) {
      try {
        after = Buffer.from(token, 'base64url').toString('utf8');
      } catch {
        after = undefined;
      }
      if (!after)
        throw new EpcisProblem(
          400,
          'epcisException:QueryParameterException',
          'bad_page_token',
          'nextPageToken was not issued by this repository',
          { parameter: 'nextPageToken' },
        );
    }
    const page = await values(perPage + 1, after);
    if (page.length > perPage) {
      const next = Buffer.from(page[perPage - 1]!, 'utf8').toString('base64url');
      c.header('Link', `<${path}?perPage=${perPage}&nextPageToken=${next}>; rel="next"`);
    }
    return c.json(collection(page.slice(0, perPage)));
  };
  const perPageOf = (c: Context) => {
    const v = c.req.query('perPage');
    if (v === undefined) return 30;
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1)
      throw new EpcisProblem(
        400,
        'epcisException:QueryParameterException',
        'bad_integer',
        `perPage must be an integer ≥ 1, not "${v}"`,
        { parameter: 'perPage' },
      );
    return Math.min(Number(v), MAX_PER_PAGE);
  };

  /** GET …/events with these path-fixed parameters. */
  const eventsQuery = async (c: Context, fixed: [string, string][] = []) => {
    const pairs = rawQueryPairs(c.req.url);
    const { query, page, tokenText } = parseEventQuery(pairs, { forms, fixed, lookup });
    const result = await runEventQuery(repo, query, page, tokenText);
    if (result.nextPageToken) {
      const url = new URL(c.req.url);
      const keep = pairs.filter(([n]) => n !== 'nextPageToken' && n !== 'perPage');
      const qs = [...keep, ['perPage', String(page.perPage)], ['nextPageToken', result.nextPageToken]]
        .map(([n, v]) => `${encodeURIComponent(n!)}=${encodeURIComponent(v!)}`)
        .join('&');
      c.header('Link', `<${url.pathname}?${qs}>; rel="next"`);
    }
    return queryDocumentResponse(c, result.events, translation(c));
  };

  // ------------------------------------------------------------ discovery
  app.on('OPTIONS', '/', discovery('OPTIONS, GET'));
  app.get('/', (c) => c.json(root));

  // ------------------------------------------------------------ capture
  app.on('OPTIONS', '/capture', discovery('OPTIONS, POST, GET', captureHeaders));
  app.post('/capture', async (c) => {
    captureHeaders(c);
    const behaviourHeader = c.req.header('GS1-Capture-Error-Behaviour')?.trim().toLowerCase() ?? 'rollback';
    if (behaviourHeader !== 'rollback' && behaviourHeader !== 'proceed') {
      throw new EpcisProblem(
        400,
        'epcisException:ValidationException',
        'bad_capture_error_behaviour',
        `GS1-Capture-Error-Behaviour must be rollback or proceed, not "${behaviourHeader}"`,
      );
    }
    const doc = await readBody(c, limits);
    const { job } = await capture.start(await capture.prepare(doc, behaviourHeader));
    c.header('Location', `${prefixOf(c, '/capture')}/capture/${job.captureID}`);
    return c.body(null, 202);
  });
  app.get('/capture', async (c) => {
    const perPage = perPageOf(c);
    const token = c.req.query('nextPageToken');
    let after: { createdAt: number; id: string } | undefined;
    if (token !== undefined) {
      const m = /^(\d+)\.([0-9a-f-]{36})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!m)
        throw new EpcisProblem(
          400,
          'epcisException:QueryParameterException',
          'bad_page_token',
          'nextPageToken was not issued by this repository',
          { parameter: 'nextPageToken' },
        );
      after = { createdAt: Number(m[1]), id: m[2]! };
    }
    const jobs = await repo.jobs(perPage + 1, after);
    if (jobs.length > perPage) {
      const last = jobs[perPage - 1]!;
      const next = Buffer.from(`${last.createdAtMs}.${last.captureID}`).toString('base64url');
      c.header('Link', `<${c.req.path}?perPage=${perPage}&nextPageToken=${next}>; rel="next"`);
    }
    return c.json(jobs.slice(0, perPage).map(({ createdAtMs: _ms, ...j }) => j));
  });
  app.get('/capture/:id', async (c) => {
    const job = await repo.job(c.req.param('id'));
    if (!job)
      throw new EpcisProblem(
        404,
        'epcisException:NoSuchResourceException',
        'no_such_capture_job',
        `no capture job ${c.req.param('id')}`,
      );
    return c.json(job);
  });

  // ------------------------------------------------------------ events
  app.on('OPTIONS', '/events', discovery('OPTIONS, GET, POST', captureHeaders));
  app.post('/events', async (c) => {
    const body = await readBody(c, limits);
    const stored = await capture.captureEvent(
      isXmlMediaType(c.req.header('content-type')) ? singleXmlEvent(body as Record<string, unknown>) : body,
    );
    c.header('Location', `${prefixOf(c, '/events')}/events/${encodeURIComponent(stored.eventId)}`);
    const t = identifierTranslator(parseEpcFormat(c.req.header('GS1-EPC-Format')), forms, (p) => repo.companyPrefixes().has(p));
    const created = eventJson(stored);
    if (t) mapIdentifiers(created, t);
    return c.json(created, 201);
  });
  app.get('/events', (c) => eventsQuery(c));
  // Path parameters are one segment: eventIDs and EPCs holding "/", "?" or ";" (ni:///…?ver=…,
  // Digital Links) are sent percent-encoded, as the binding's examples do.
  const eventsWithId = async (c: Context) => {
    const id = c.req.param('eventID') ?? '';
    const found = await repo.byEventId(id);
    if (found.length === 0)
      throw new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'no_such_event', `no event ${id} in this repository`);
    return found;
  };
  app.get('/events/:eventID', async (c) => queryDocumentResponse(c, await eventsWithId(c), translation(c)));
  app.get('/events/:eventID/proof', async (c) => {
    // The event itself (an error declaration of it is named in declaredBy and has its own leaf).
    const [proof] = await buildEventProofs([(await eventsWithId(c))[0]!.leafIndex], deps);
    return c.json(proof);
  });

  // ------------------------------------------------------------ resources
  const knownEventType = (t: string): string => {
    if ((EVENT_TYPES as readonly string[]).includes(t)) return t;
    throw new EpcisProblem(
      404,
      'epcisException:NoSuchResourceException',
      'no_such_event_type',
      `${t} is not an event type of this repository`,
    );
  };
  app.get('/eventTypes', (c) => c.json(collection([...EVENT_TYPES])));
  app.get('/eventTypes/:eventType', (c) => {
    knownEventType(c.req.param('eventType')); // 404 for an event type this repository does not have
    return c.json(collection(['events']));
  });
  app.get('/eventTypes/:eventType/events', (c) => {
    const t = knownEventType(c.req.param('eventType'));
    return eventsQuery(c, [['eventType', t]]);
  });

  app.get('/epcs', (c) => pagedCollection(c, c.req.path, (n, after) => repo.vocabulary('epc', n, after)));
  const epcOf = (c: Context) => epcKey(c.req.param('epc') ?? '', forms);
  app.get('/epcs/:epc/events', (c) => {
    const raw = c.req.param('epc');
    const isClass = /^urn:epc:(class|idpat):/.test(raw) || /\/01\/\d{14}(\/10\/[^/]+)?$/.test(raw);
    return eventsQuery(c, [[isClass ? 'MATCH_anyEPCClass' : 'MATCH_anyEPC', raw]]);
  });
  app.get('/epcs/:epc', async (c) => {
    if (!(await repo.hasVocabulary('epc', epcOf(c)))) {
      throw new EpcisProblem(
        404,
        'epcisException:NoSuchResourceException',
        'no_such_epc',
        `no event of this repository names ${c.req.param('epc')}`,
      );
    }
    return c.json(collection(['events']));
  });

  const vocabResource = (
    path: string,
    kind: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation',
    param: string,
    normalise: (v: string) => string,
    standard: readonly string[] = [],
  ) => {
    app.get(path, (c) =>
      pagedCollection(c, c.req.path, async (n, after) => {
        if (standard.length === 0) return repo.vocabulary(kind, n, after);
        // The standard CBV values and the custom ones in use (few), merged.
        const present = await repo.vocabulary(kind, n + standard.length, after);
        return [...new Set([...standard, ...present])]
          .sort()
          .filter((v) => after === undefined || v > after)
          .slice(0, n);
      }),
    );
    app.get(`${path}/:${kind}/events`, (c) => eventsQuery(c, [[param, c.req.param(kind) ?? '']]));
    app.get(`${path}/:${kind}`, async (c) => {
      const v = normalise(c.req.param(kind) ?? '');
      if (!standard.includes(v) && !(await repo.hasVocabulary(kind, v))) {
        throw new EpcisProblem(404, 'epcisException:NoSuchResourceException', `no_such_${kind}`, `${v} is not a known ${kind}`);
      }
      return c.json(collection(['events']));
    });
  };
  vocabResource('/bizSteps', 'bizStep', 'EQ_bizStep', (v) => normaliseCbv('BizStep', v), STANDARD_BIZ_STEPS);
  vocabResource('/dispositions', 'disposition', 'EQ_disposition', (v) => normaliseCbv('Disp', v), STANDARD_DISPOSITIONS);
  vocabResource('/readPoints', 'readPoint', 'EQ_readPoint', (v) => epcKey(v, forms));
  vocabResource('/bizLocations', 'bizLocation', 'EQ_bizLocation', (v) => epcKey(v, forms));

  // Named queries and subscriptions (subscriptions/routes.ts), when the node runs them;
  // other methods on them, or all of /queries without them, are refused precisely.
  if (deps.subscriptions) app.route('/queries', queryRoutes(deps.subscriptions));
  const noQueries = () => {
    throw new EpcisProblem(
      deps.subscriptions ? 405 : 501,
      deps.subscriptions ? 'epcisException:ValidationException' : 'epcisException:ImplementationException',
      deps.subscriptions ? 'method_not_allowed' : 'not_implemented',
      deps.subscriptions
        ? 'this method is not defined on this /queries resource (see OPTIONS)'
        : 'named queries and query subscriptions are not supported: use GET /events with query parameters',
    );
  };
  app.all('/queries/*', noQueries);
  app.all('/queries', noQueries);

  // A page token released early (binding: optional; frees nothing here but makes the token unusable).
  app.delete('/nextPageToken/:token', async (c) => {
    const mac = tokenMac(repo.tokenKey, c.req.param('token'));
    if (mac === null)
      throw new EpcisProblem(
        404,
        'epcisException:NoSuchResourceException',
        'no_such_page_token',
        'this nextPageToken was not issued by this repository',
      );
    await repo.revokeToken(mac);
    return c.body(null, 204);
  });

  // ------------------------------------------------------------ trace (TradeTwin)
  app.get('/trace/:epc', async (c) => {
    const direction = c.req.query('direction') ?? 'backward';
    if (direction !== 'backward' && direction !== 'forward') {
      throw new EpcisProblem(
        400,
        'epcisException:QueryParameterException',
        'bad_direction',
        `direction must be backward or forward, not "${direction}"`,
        { parameter: 'direction' },
      );
    }
    const proofs = c.req.query('proofs');
    if (proofs !== undefined && proofs !== 'true' && proofs !== 'false') {
      throw new EpcisProblem(
        400,
        'epcisException:QueryParameterException',
        'bad_boolean',
        `proofs takes true or false, not "${proofs}"`,
        { parameter: 'proofs' },
      );
    }
    const epc = epcOf(c);
    const result = await trace(repo, epc, direction);
    if (result.events.length === 0 && !(await repo.hasVocabulary('epc', epc))) {
      throw new EpcisProblem(
        404,
        'epcisException:NoSuchResourceException',
        'no_such_epc',
        `no event of this repository names ${epc}`,
      );
    }
    if (proofs === 'true') {
      const list = await buildEventProofs(
        result.events.map((e) => e.leafIndex),
        deps,
      );
      return c.json({ ...result, proofs: list });
    }
    return c.json(result);
  });

  // OPTIONS on every resource that has no explicit discovery route: Allow lists its methods.
  const methods = new Map<string, Set<string>>();
  for (const r of app.routes) {
    if (r.method === 'ALL' || r.path === '*' || r.path.endsWith('/*')) continue;
    methods.set(r.path, (methods.get(r.path) ?? new Set()).add(r.method));
  }
  for (const [path, set] of methods) {
    if (!set.has('OPTIONS')) app.on('OPTIONS', path, discovery(['OPTIONS', ...set].join(', ')));
  }

  return app;
}
