// Request bodies of the named-query and subscription resources, validated
// before anything is stored. Pure: a named query's parameters go through the
// same parser as GET /events, so what /events refuses is refused here too.
import { EpcisProblem } from '../problem.js';
import { parseEventQuery } from '../query.js';
import { parseDateTime } from '../time.js';
import type { EpcForms } from '../vocab.js';
import { parseSchedule, SCHEDULE_FIELDS, type Schedule, type ScheduleSpec } from './schedule.js';

const VALIDATION = 'epcisException:ValidationException';
const SUBSCRIPTION = 'epcisException:SubscriptionControlsException';

/** URL-safe, so a name is one path segment as given. */
export const QUERY_NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

export interface NamedQueryDefinition {
  name: string;
  /** The query object as given ({ "EQ_bizStep": ["shipping"], … }). */
  query: Record<string, unknown>;
}

/** A named query's parameters as GET /events query pairs (arrays become repeated parameters). */
export function queryPairs(query: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) throw badQuery(name, `query.${name} is an empty list`);
    for (const v of values) {
      if (typeof v === 'string') out.push([name, v]);
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out.push([name, String(v)]);
      else throw badQuery(name, `query.${name} must be a string, number, boolean or a list of them`);
    }
  }
  return out;
}

function badQuery(parameter: string, detail: string): EpcisProblem {
  return new EpcisProblem(400, 'epcisException:QueryParameterException', 'bad_query_definition', detail, { parameter });
}

export function parseQueryDefinition(body: unknown, forms: EpcForms): NamedQueryDefinition {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new EpcisProblem(
      400,
      VALIDATION,
      'bad_query_definition',
      'a query definition is an object { "name": …, "query": { … } }',
    );
  const { name, query, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw new EpcisProblem(
      400,
      VALIDATION,
      'bad_query_definition',
      `unknown field ${extra[0]} (a definition has name and query)`,
      {
        pointer: `/${extra[0]}`,
      },
    );
  if (typeof name !== 'string' || !QUERY_NAME.test(name))
    throw new EpcisProblem(
      400,
      VALIDATION,
      'bad_query_name',
      'name must be 1–128 characters of A–Z a–z 0–9 . _ ~ - (starting with a letter or digit)',
      { pointer: '/name' },
    );
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new EpcisProblem(400, VALIDATION, 'bad_query_definition', 'query must be an object of SimpleEventQuery parameters', {
      pointer: '/query',
    });
  const q = query as Record<string, unknown>;
  for (const paging of ['perPage', 'nextPageToken'])
    if (paging in q) throw badQuery(paging, `${paging} is a paging parameter of each request, not part of a named query`);
  // Throws the same 400 QueryParameterException as GET /events would.
  parseEventQuery(queryPairs(q), { forms });
  return { name, query: q };
}

export interface SubscriptionSpec {
  stream: boolean;
  schedule: Schedule | null;
  scheduleSpec: ScheduleSpec | null;
  reportIfEmpty: boolean;
  /** Events recorded before this (ms) are not reported; null = from the moment of subscribing. */
  initialRecordTime: number | null;
}

export interface WebhookSpec extends SubscriptionSpec {
  dest: string;
  signatureToken: string | null;
}

export function badSub(code: string, detail: string, pointer?: string): EpcisProblem {
  return new EpcisProblem(400, SUBSCRIPTION, code, detail, pointer ? { pointer } : {});
}

/** stream / schedule / reportIfEmpty / initialRecordTime, shared by webhook bodies and WebSocket query strings. */
function controls(o: {
  stream: unknown;
  schedule: unknown;
  reportIfEmpty: unknown;
  initialRecordTime: unknown;
}): SubscriptionSpec {
  if (o.stream !== undefined && o.stream !== true)
    throw badSub('bad_stream', 'stream can only be true (or omitted with a schedule)', '/stream');
  const stream = o.stream === true;
  if (stream && o.schedule !== undefined)
    throw badSub('stream_and_schedule', 'stream and schedule are mutually exclusive: give one', '/schedule');
  if (!stream && o.schedule === undefined)
    throw badSub(
      'no_trigger',
      'a subscription needs "stream": true or a "schedule"; without either the repository would never notify',
      '/stream',
    );
  let schedule: Schedule | null = null;
  if (o.schedule !== undefined) {
    const p = parseSchedule(o.schedule);
    if (!p.ok) throw badSub('bad_schedule', p.reason, p.field ? `/schedule/${p.field}` : '/schedule');
    schedule = p.schedule;
  }
  if (o.reportIfEmpty !== undefined && typeof o.reportIfEmpty !== 'boolean')
    throw badSub('bad_report_if_empty', 'reportIfEmpty must be true or false', '/reportIfEmpty');
  let initialRecordTime: number | null = null;
  if (o.initialRecordTime !== undefined) {
    const t = parseDateTime(o.initialRecordTime);
    if (!t.ok) throw badSub('bad_initial_record_time', `initialRecordTime: ${t.reason}`, '/initialRecordTime');
    initialRecordTime = t.ms;
  }
  const scheduleSpec = schedule
    ? (Object.fromEntries(
        SCHEDULE_FIELDS.filter((f) => (o.schedule as Record<string, unknown>)[f] !== undefined).map((f) => [
          f,
          String((o.schedule as Record<string, unknown>)[f]),
        ]),
      ) as ScheduleSpec)
    : null;
  return { stream, schedule, scheduleSpec, reportIfEmpty: o.reportIfEmpty === true, initialRecordTime };
}

const WEBHOOK_FIELDS = ['dest', 'signatureToken', 'stream', 'schedule', 'reportIfEmpty', 'initialRecordTime'];

/** POST /queries/{name}/subscriptions body. */
export function parseWebhookSubscription(body: unknown): WebhookSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badSub('bad_subscription', 'a subscription is an object { "dest": …, "stream": true | "schedule": { … }, … }');
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!WEBHOOK_FIELDS.includes(k))
      throw badSub('bad_subscription', `unknown field ${k} (${WEBHOOK_FIELDS.join(', ')})`, `/${k}`);
  let url: URL | null = null;
  try {
    url = typeof o.dest === 'string' ? new URL(o.dest) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw badSub('bad_dest', 'dest must be an absolute http(s) URL: the webhook the repository POSTs results to', '/dest');
  if (
    o.signatureToken !== undefined &&
    (typeof o.signatureToken !== 'string' || o.signatureToken.length === 0 || o.signatureToken.length > 1024)
  )
    throw badSub('bad_signature_token', 'signatureToken must be a string of 1–1024 characters', '/signatureToken');
  return {
    dest: url.toString(),
    signatureToken: (o.signatureToken as string | undefined) ?? null,
    ...controls({
      stream: o.stream,
      schedule: o.schedule,
      reportIfEmpty: o.reportIfEmpty,
      initialRecordTime: o.initialRecordTime,
    }),
  };
}

/** GET /queries/{name}/events?stream=true | second=…&minute=… … (WebSocket upgrade) query string. */
export function parseStreamParameters(pairs: [string, string][]): SubscriptionSpec {
  const seen = new Map<string, string>();
  for (const [k, v] of pairs) {
    if (seen.has(k)) throw badSub('repeated_parameter', `parameter ${k} is given twice`);
    seen.set(k, v);
  }
  const schedule: Record<string, string> = {};
  let stream: unknown;
  let reportIfEmpty: unknown;
  let initialRecordTime: unknown;
  const bool = (k: string, v: string) => {
    if (v === 'true' || v === '') return true;
    if (v === 'false') return false;
    throw badSub('bad_boolean', `${k} takes true or false, not "${v}"`);
  };
  for (const [k, v] of seen) {
    if ((SCHEDULE_FIELDS as readonly string[]).includes(k)) schedule[k] = v;
    else if (k === 'stream') stream = bool(k, v) ? true : 'false';
    else if (k === 'reportIfEmpty') reportIfEmpty = bool(k, v);
    else if (k === 'initialRecordTime') initialRecordTime = v;
    else
      throw badSub(
        'unknown_parameter',
        `a WebSocket subscription takes stream, ${SCHEDULE_FIELDS.join(', ')}, reportIfEmpty and initialRecordTime, not ${k}`,
      );
  }
  return controls({
    stream,
    schedule: Object.keys(schedule).length > 0 ? schedule : undefined,
    reportIfEmpty,
    initialRecordTime,
  });
}
