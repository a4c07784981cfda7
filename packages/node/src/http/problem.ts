// One typed HTTP error, rendered as an RFC 7807 problem body at the edge. Domain
// modules raise their own coded errors; http/errors.ts maps them to problems.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

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
