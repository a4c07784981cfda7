// The EPCIS 2.0 REST binding (GS1 openapi.yaml) over the repository, as a Hono
// app to mount under /epcis. Capture (POST /capture → 202 + capture job, POST
// /events → 201), the SimpleEventQuery on GET /events and the per-resource
// …/events endpoints, the top-level resource collections, plus two TradeTwin
// additions: GET /events/{eventID}/proof (leaf + inclusion proof to the latest
// anchored head) and GET /trace/{epc}?direction=backward|forward.
//
// Every response carries GS1-EPCIS-Version and GS1-CBV-Version; errors are RFC
// 7807 problems typed with the binding's epcisException:* names (plus `code`,
// a precise machine-readable reason). Capture limits are advertised in
// GS1-EPCIS-Capture-Limit / GS1-EPCIS-Capture-File-Size-Limit and enforced (413).
import { type Context, Hono } from 'hono';
import { HttpProblem } from '../api/problem.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore } from '../store/types.js';
import { type CaptureLimits, type DocumentValidator, EpcisCapture, EpcisProblem } from './capture.js';
import { buildEventProofs, type ChainRef } from './proof.js';
import { eventJson, MAX_PER_PAGE, parseEventQuery, rawQueryPairs, runEventQuery } from './query.js';
import type { EpcisRepository } from './repository.js';
import { trace } from './trace.js';
import { coreValidator } from './validator.js';
import { CBV_VERSION, EPCIS_CONTEXT, EPCIS_VERSION, EVENT_TYPES } from './types.js';
import { epcKey, normaliseCbv } from './vocab.js';
import {
  isXmlMediaType,
  negotiate,
  queryDocumentResponse,
  servesEventsAsXml,
  singleXmlEvent,
  xmlCaptureDocument,
} from './xml.js';
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
  c.header('GS1-EPC-Format', 'Never_Translates');
}

function epcisProblemResponse(c: Context, err: HttpProblem): Response {
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

/** "1.2.0" ≤ "2.0.0"? (numeric, dotted) */
function versionCmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function checkVersions(c: Context): void {
  const check = (header: string, ours: string, rule: 'exact' | 'min' | 'max') => {
    const v = c.req.header(header);
    if (v === undefined) return;
    if (!/^\d+(\.\d+)*$/.test(v.trim()))
      throw new EpcisProblem(
        400,
        'epcisException:ValidationException',
        'bad_version_header',
        `${header} must be a version like 2.0.0, not "${v}"`,
      );
    const cmp = versionCmp(v.trim(), ours);
    const ok = rule === 'exact' ? v.trim().split('.')[0] === ours.split('.')[0] : rule === 'min' ? cmp <= 0 : cmp >= 0;
    if (!ok) {
      throw new EpcisProblem(
        406,
        'epcisException:NotAcceptableException',
        'unsupported_version',
        `${header}: ${v} cannot be served: this repository speaks ${header.includes('CBV') ? 'CBV' : 'EPCIS'} ${ours}`,
      );
    }
  };
  check('GS1-EPCIS-Version', EPCIS_VERSION, 'exact');
  check('GS1-CBV-Version', CBV_VERSION, 'exact');
  check('GS1-EPCIS-Min', EPCIS_VERSION, 'min');
  check('GS1-EPCIS-Max', EPCIS_VERSION, 'max');
  check('GS1-CBV-Min', CBV_VERSION, 'min');
  check('GS1-CBV-Max', CBV_VERSION, 'max');
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
  const xml = isXmlMediaType(type);
  if (type !== undefined && !xml && !/^application\/(ld\+)?json\s*(;|$)/i.test(type)) {
    throw new EpcisProblem(
      415,
      'epcisException:UnsupportedMediaTypeException',
      'unsupported_media_type',
      `content type ${type} is not accepted: send application/json, application/ld+json, application/xml or text/xml`,
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
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    throw new EpcisProblem(400, 'epcisException:ValidationException', 'empty_body', 'the request body is empty');
  if (xml) return xmlCaptureDocument(text);
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

export function epcisRoutes(deps: EpcisRouteDeps): Hono {
  const { repo } = deps;
  const capture = new EpcisCapture(repo, { validate: deps.validate ?? coreValidator(), limits: deps.limits });
  const limits = capture.limits;
  const forms = repo.codec;
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof HttpProblem) {
      if (err.status === 413 && c.req.path.endsWith('/capture')) captureHeaders(c);
      return epcisProblemResponse(c, err);
    }
    console.error(`[epcis] ${c.req.method} ${c.req.path}:`, err);
    return epcisProblemResponse(
      c,
      new EpcisProblem(500, 'epcisException:ImplementationException', 'internal', 'the repository could not answer this request'),
    );
  });
  app.use('*', async (c, next) => {
    versionHeaders(c);
    checkVersions(c);
    // Only event query results have an XML form; everything else is JSON (406 when that is not acceptable).
    if (c.req.method === 'GET' && !servesEventsAsXml(c.req.path)) negotiate(c, 'json');
    await next();
  });

  const captureHeaders = (c: Context) => {
    c.header('GS1-EPCIS-Capture-Limit', String(limits.maxEvents));
    c.header('GS1-EPCIS-Capture-File-Size-Limit', String(limits.maxBytes));
    c.header('GS1-Capture-Error-Behaviour', 'rollback, proceed');
  };
  const discovery = (allow: string, extra?: (c: Context) => void) => (c: Context) => {
    c.header('Allow', allow);
    c.header('GS1-EPCIS-Min', EPCIS_VERSION);
    c.header('GS1-EPCIS-Max', EPCIS_VERSION);
    c.header('GS1-CBV-Min', CBV_VERSION);
    c.header('GS1-CBV-Max', CBV_VERSION);
    extra?.(c);
    return c.body(null, 204);
  };
  const collection = (members: string[]) => ({ '@context': EPCIS_CONTEXT, type: 'Collection', member: members });

  /** Paged collection of strings with an opaque "after" token (the last value, base64url). */
  const pagedCollection = (c: Context, path: string, values: (limit: number, after?: string) => string[]) => {
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
    const page = values(perPage + 1, after);
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
  const eventsQuery = (c: Context, fixed: [string, string][] = []) => {
    const pairs = rawQueryPairs(c.req.url);
    const { query, page, tokenText } = parseEventQuery(pairs, { forms, fixed });
    const result = runEventQuery(repo, query, page, tokenText);
    if (result.nextPageToken) {
      const url = new URL(c.req.url);
      const keep = pairs.filter(([n]) => n !== 'nextPageToken' && n !== 'perPage');
      const qs = [...keep, ['perPage', String(page.perPage)], ['nextPageToken', result.nextPageToken]]
        .map(([n, v]) => `${encodeURIComponent(n!)}=${encodeURIComponent(v!)}`)
        .join('&');
      c.header('Link', `<${url.pathname}?${qs}>; rel="next"`);
    }
    return queryDocumentResponse(c, result.events);
  };

  // ------------------------------------------------------------ discovery
  app.on('OPTIONS', '/', discovery('OPTIONS, GET'));
  app.get('/', (c) =>
    c.json(collection(['capture', 'events', 'eventTypes', 'epcs', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'])),
  );

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
    const { job } = capture.start(capture.prepare(doc, behaviourHeader));
    c.header('Location', `${prefixOf(c, '/capture')}/capture/${job.captureID}`);
    return c.body(null, 202);
  });
  app.get('/capture', (c) => {
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
    const jobs = repo.jobs(perPage + 1, after);
    if (jobs.length > perPage) {
      const last = jobs[perPage - 1]!;
      const next = Buffer.from(`${last.createdAtMs}.${last.captureID}`).toString('base64url');
      c.header('Link', `<${c.req.path}?perPage=${perPage}&nextPageToken=${next}>; rel="next"`);
    }
    return c.json(jobs.slice(0, perPage).map(({ createdAtMs: _ms, ...j }) => j));
  });
  app.get('/capture/:id', (c) => {
    const job = repo.job(c.req.param('id'));
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
    return c.json(eventJson(stored), 201);
  });
  app.get('/events', (c) => eventsQuery(c));
  // Path parameters are one segment: eventIDs and EPCs holding "/", "?" or ";" (ni:///…?ver=…,
  // Digital Links) are sent percent-encoded, as the binding's examples do.
  const eventsWithId = (c: Context) => {
    const id = c.req.param('eventID') ?? '';
    const found = repo.byEventId(id);
    if (found.length === 0)
      throw new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'no_such_event', `no event ${id} in this repository`);
    return found;
  };
  app.get('/events/:eventID', (c) => queryDocumentResponse(c, eventsWithId(c)));
  app.get('/events/:eventID/proof', async (c) => {
    // The event itself (an error declaration of it is named in declaredBy and has its own leaf).
    const [proof] = await buildEventProofs([eventsWithId(c)[0]!.leafIndex], deps);
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
    const t = knownEventType(c.req.param('eventType'));
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
  app.get('/epcs/:epc', (c) => {
    if (!repo.hasVocabulary('epc', epcOf(c))) {
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
      pagedCollection(c, c.req.path, (n, after) => {
        if (standard.length === 0) return repo.vocabulary(kind, n, after);
        // The standard CBV values and the custom ones in use (few), merged.
        const present = repo.vocabulary(kind, n + standard.length, after);
        return [...new Set([...standard, ...present])]
          .sort()
          .filter((v) => after === undefined || v > after)
          .slice(0, n);
      }),
    );
    app.get(`${path}/:${kind}/events`, (c) => eventsQuery(c, [[param, c.req.param(kind) ?? '']]));
    app.get(`${path}/:${kind}`, (c) => {
      const v = normalise(c.req.param(kind) ?? '');
      if (!standard.includes(v) && !repo.hasVocabulary(kind, v)) {
        throw new EpcisProblem(404, 'epcisException:NoSuchResourceException', `no_such_${kind}`, `${v} is not a known ${kind}`);
      }
      return c.json(collection(['events']));
    });
  };
  vocabResource('/bizSteps', 'bizStep', 'EQ_bizStep', (v) => normaliseCbv('BizStep', v), STANDARD_BIZ_STEPS);
  vocabResource('/dispositions', 'disposition', 'EQ_disposition', (v) => normaliseCbv('Disp', v), STANDARD_DISPOSITIONS);
  vocabResource('/readPoints', 'readPoint', 'EQ_readPoint', (v) => epcKey(v, forms));
  vocabResource('/bizLocations', 'bizLocation', 'EQ_bizLocation', (v) => epcKey(v, forms));

  // Named queries and subscriptions are outside this repository's scope: say so precisely.
  app.all('/queries/*', () => {
    throw new EpcisProblem(
      501,
      'epcisException:ImplementationException',
      'not_implemented',
      'named queries and query subscriptions are not supported: use GET /events with query parameters',
    );
  });
  app.all('/queries', () => {
    throw new EpcisProblem(
      501,
      'epcisException:ImplementationException',
      'not_implemented',
      'named queries and query subscriptions are not supported: use GET /events with query parameters',
    );
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
    const result = trace(repo, epc, direction);
    if (result.events.length === 0 && !repo.hasVocabulary('epc', epc)) {
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

  return app;
}
