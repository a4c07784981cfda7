// Serves the built dashboard (packages/web/dist) from the node: hashed assets
// under /assets/ cached for a year, index.html for the app's own paths (the
// browser router takes it from there: /, /shipments/…, /devices, /members,
// /verify/…). Precompressed .br/.gz siblings written by the build are sent to
// browsers that accept them. Anything else falls through to the node's 404.
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';

export interface WebRoutesOptions {
  /** The Vite build output (index.html, assets/); default packages/web/dist. */
  distDir?: string;
}

/** The web package's directory (the node serves its build; it imports none of its code). */
export const WEB_ROOT = dirname(fileURLToPath(import.meta.resolve('@tradetwin/web/package.json')));

/** Where `npm run build -w @tradetwin/web` writes the app. */
export const DEFAULT_DIST_DIR = join(WEB_ROOT, 'dist');

/** Paths the single-page app answers itself (index.html is served for them). */
export const APP_PATHS = ['/', '/shipments', '/shipments/*', '/devices', '/members', '/verify', '/verify/*'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

export function webRoutes(opts: WebRoutesOptions = {}): Hono {
  const root = resolve(opts.distDir ?? DEFAULT_DIST_DIR);
  const app = new Hono();

  const index = async (c: Context) => {
    const file = await readIfFile(join(root, 'index.html'));
    if (!file) {
      return c.html(
        '<!doctype html><meta charset="utf-8"><title>TradeTwin</title><h1>The dashboard is not built</h1>' +
          '<p>Run <code>npm run build -w @tradetwin/web</code>, then reload. The API is at <a href="/openapi.json">/openapi.json</a>.</p>',
        503,
      );
    }
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Type', TYPES['.html']!);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.body(new Uint8Array(file));
  };
  for (const p of APP_PATHS) app.get(p, index);

  const asset = async (c: Context) => {
    const rel = decodeURIComponent(c.req.path).replace(/^\/+/, '');
    const full = resolve(root, rel);
    if (!full.startsWith(root + sep)) return c.notFound();
    const type = TYPES[extname(full)] ?? 'application/octet-stream';
    const accepts = c.req.header('accept-encoding') ?? '';
    for (const [enc, ext] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!accepts.includes(enc)) continue;
      const packed = await readIfFile(full + ext);
      if (packed) {
        c.header('Content-Encoding', enc);
        c.header('Vary', 'Accept-Encoding');
        return send(c, packed, type, rel);
      }
    }
    const file = await readIfFile(full);
    if (!file) return c.notFound();
    return send(c, file, type, rel);
  };
  app.get('/assets/*', asset);
  app.get('/:file{[A-Za-z0-9._-]+\\.(?:svg|png|ico|webmanifest|txt)}', asset);

  return app;
}

function send(c: Context, bytes: Buffer, type: string, rel: string) {
  c.header('Content-Type', type);
  c.header('Cache-Control', rel.startsWith('assets/') ? IMMUTABLE : 'public, max-age=3600');
  c.header('X-Content-Type-Options', 'nosniff');
  return c.body(new Uint8Array(bytes));
}

async function readIfFile(path: string): Promise<Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}
