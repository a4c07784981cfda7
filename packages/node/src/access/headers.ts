// Security headers on every response, and CORS closed unless configured.
//
// The dashboard is a Vite build: one module script and one stylesheet from
// /assets, no inline script (checked by a test on the built index.html), so
// script-src is 'self' alone. connect-src allows the node itself and the chain
// JSON-RPC the pages read (the node's own; for a page reached over the LAN the
// same host at the RPC's port, as chain/rpc-url.ts in packages/web rewrites it),
// plus, on /verify only, an `rpc=` endpoint named in the link — which the page
// uses only once the person has chosen it on the page.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

export interface SecurityHeaderOptions {
  /** The chain JSON-RPC URL the node uses (and the pages read). */
  chainRpcUrl?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

function originOf(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}

export function connectSources(
  opts: SecurityHeaderOptions,
  req: { path: string; host?: string; query: (k: string) => string | undefined },
): string[] {
  const out = new Set<string>(["'self'"]);
  const rpc = originOf(opts.chainRpcUrl);
  if (rpc) {
    out.add(rpc.origin);
    const pageHost = req.host?.replace(/:\d+$/, '');
    if (LOOPBACK.has(rpc.hostname) && pageHost && /^[A-Za-z0-9.[\]:-]+$/.test(pageHost) && !LOOPBACK.has(pageHost)) {
      out.add(`${rpc.protocol}//${pageHost}${rpc.port ? `:${rpc.port}` : ''}`);
    }
  }
  if (req.path === '/verify' || req.path.startsWith('/verify/')) {
    const asked = originOf(req.query('rpc'));
    if (asked) out.add(asked.origin);
  }
  return [...out];
}

export function securityHeaders(opts: SecurityHeaderOptions): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const connect = connectSources(opts, { path: c.req.path, host: c.req.header('host'), query: (k) => c.req.query(k) });
    const h = c.res.headers;
    h.set(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        `connect-src ${connect.join(' ')}`,
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        // A file served for download (a shipment document holds whatever its owner added) never runs as a page of this origin.
        ...(/^attachment\b/i.test(h.get('Content-Disposition') ?? '') ? ['sandbox'] : []),
      ].join('; '),
    );
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
  };
}

/** CORS for the listed origins only (TRADETWIN_CORS_ORIGINS); none listed: no CORS headers at all, so browsers keep other sites out. */
export function corsPolicy(origins: readonly string[]): MiddlewareHandler {
  if (origins.length === 0) return async (_c, next) => next();
  return cors({
    origin: (o) => (origins.includes(o) ? o : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'authorization',
      'content-type',
      'x-csrf-token',
      'GS1-EPCIS-Version',
      'GS1-CBV-Version',
      'GS1-EPC-Format',
      'GS1-Capture-Error-Behaviour',
    ],
    exposeHeaders: ['Location', 'Link', 'GS1-EPCIS-Version', 'GS1-CBV-Version'],
    credentials: false,
    maxAge: 600,
  });
}

export function parseCorsOrigins(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const u = originOf(s);
      if (!u || u.origin !== s.replace(/\/$/, ''))
        throw new Error(`TRADETWIN_CORS_ORIGINS: "${s}" is not an origin (scheme://host[:port])`);
      return u.origin;
    });
}
