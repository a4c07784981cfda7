// One typed HTTP error, mapped to an RFC 7807 problem body at the boundary.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { StoreError } from '../storage/errors.js';

export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    /** Short, stable, machine-readable code; becomes the problem `type`. */
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers (e.g. Retry-After on a retryable 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/** Seconds a client refused with store_unavailable should wait before retrying. */
export const STORE_RETRY_AFTER_SECONDS = 2;

/**
 * A storage error as an HTTP problem: the database being unreachable is 503 store_unavailable
 * (retry later, nothing was stored); anything else is the node's fault (500).
 */
export function storeProblem(err: StoreError): HttpProblem {
  if (err.code === 'unavailable')
    return new HttpProblem(503, 'store_unavailable', 'the node cannot reach its database; nothing was stored, retry later', {
      retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
    });
  return new HttpProblem(500, 'internal', 'the node could not answer this request');
}

export const PROBLEM_BASE = 'https://tradetwin.dev/problems/';

export function problemResponse(c: Context, p: HttpProblem): Response {
  // A refusal that ends (a rate limit, a lock) says when.
  if (typeof p.extra.retryAfterSeconds === 'number') c.header('Retry-After', String(p.extra.retryAfterSeconds));
  return c.body(
    JSON.stringify({
      type: `${PROBLEM_BASE}${p.code}`,
      title: p.code.replaceAll('_', ' '),
      status: p.status,
      detail: p.detail,
      instance: c.req.path,
      ...p.extra,
    }),
    p.status,
    { ...p.headers, 'content-type': 'application/problem+json' },
  );
}

/** Parse a non-negative integer query/path parameter or throw a 400 problem. */
export function intParam(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpProblem(400, 'missing_parameter', `parameter ${name} is required`);
  }
  if (!/^\d{1,15}$/.test(value)) throw new HttpProblem(400, 'bad_parameter', `parameter ${name} must be a non-negative integer`);
  return Number(value);
}
