// Request bodies bounded while they stream in, on every route, before any
// handler buffers them. Mounted ahead of the access middleware, so a refused
// request (401, 403, 415, 413) is never read on either:
//  - a Content-Length above the route's limit is answered 413 at once;
//  - otherwise the body is handed on through a counting stream that fails
//    with a 413 problem as soon as more than the limit has arrived;
//  - a response sent while the body is not read to its end (refused, or over
//    the limit) carries `Connection: close`: Node then closes the socket once
//    the response is out instead of reading (draining) the rest of the upload,
//    which @hono/node-server would otherwise do for up to 64 MB or 500 ms.
import type { MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import { edgeProblemResponse } from '../http/errors.js';
import { HttpProblem } from '../http/problem.js';

/** The largest body a route takes, and how its refusal is named (a route's own problem code and headers). */
export interface BodyLimit {
  maxBytes: number;
  code: string;
  headers?: Record<string, string>;
}

export type BodyLimitFor = (path: string) => BodyLimit;

export const DEFAULT_API_BODY_BYTES = 4 * 1024 * 1024;

/** The node's routes: telemetry and EPCIS capture have their own limits (and refusal names), every other route `defaultBytes`. */
export function routeBodyLimits(l: { telemetryBytes: number; epcisCaptureBytes: number; defaultBytes: number }): BodyLimitFor {
  const telemetry: BodyLimit = { maxBytes: l.telemetryBytes, code: 'too_large' };
  const epcis: BodyLimit = {
    maxBytes: l.epcisCaptureBytes,
    code: 'payload_too_large',
    headers: { 'GS1-EPCIS-Capture-File-Size-Limit': String(l.epcisCaptureBytes) },
  };
  const other: BodyLimit = { maxBytes: l.defaultBytes, code: 'too_large' };
  return (path) => (path === '/api/v1/telemetry' ? telemetry : /^\/epcis\/(capture|events)$/.test(path) ? epcis : other);
}

function tooLarge(size: string, limit: BodyLimit): HttpProblem {
  return new HttpProblem(413, limit.code, `the request body is ${size} bytes; this route takes at most ${limit.maxBytes} bytes`, {
    limit: limit.maxBytes,
  });
}

/** `onTooLarge` is told of a body refused before any handler saw it (a route's counters). */
export function bodyLimits(limitFor: BodyLimitFor, onTooLarge?: (path: string) => void): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (body === null || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const limit = limitFor(c.req.path);
    const refuse = (size: string) => {
      for (const [k, v] of Object.entries(limit.headers ?? {})) c.header(k, v);
      return edgeProblemResponse(c, tooLarge(size, limit));
    };
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const declared = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if (!chunked && declared === '0') return next();
    // Mutated by the stream below (an object, so the checks after next() are not narrowed away).
    const progress = { state: 'unread' as 'unread' | 'reading' | 'ended' | 'over' };
    if (!chunked && declared !== undefined && Number(declared) > limit.maxBytes) {
      progress.state = 'over';
      onTooLarge?.(c.req.path);
      c.res = refuse(declared);
    } else {
      const reader = body.getReader();
      let read = 0;
      const counted = new ReadableStream<Uint8Array>({
        async pull(controller) {
          progress.state = 'reading';
          const { done, value } = await reader.read();
          if (done) {
            progress.state = 'ended';
            controller.close();
            return;
          }
          read += value.byteLength;
          if (read > limit.maxBytes) {
            progress.state = 'over';
            // Stop taking bytes off the socket: what is unread stays in the kernel until the connection closes.
            incoming?.pause();
            reader.cancel().catch(() => undefined);
            controller.error(tooLarge(`more than ${limit.maxBytes}`, limit));
            return;
          }
          controller.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
      c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit);
      await next();
      // A handler that turned the stream error into something else (or answered anyway) still refuses with 413.
      if (progress.state === 'over' && c.res.status !== 413) c.res = refuse(`more than ${limit.maxBytes}`);
    }
    if (progress.state !== 'ended' && incoming) {
      // The rest of the body is not wanted: close rather than read it (Node closes after the response when told so).
      incoming.pause();
      c.res.headers.set('connection', 'close');
    }
  };
}
