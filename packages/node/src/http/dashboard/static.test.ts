// Serving the built app from the node (./static.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { brotliCompressSync } from 'node:zlib';
import { Hono } from 'hono';
import { webRoutes } from './static.js';

const dist = mkdtempSync(join(tmpdir(), 'tt-web-static-'));
after(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'tt-secret.txt'), { force: true });
});
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
const js = 'console.log("app");'.repeat(100);
writeFileSync(join(dist, 'assets', 'index-abc123.js'), js);
writeFileSync(join(dist, 'assets', 'index-abc123.js.br'), brotliCompressSync(js));
writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
writeFileSync(join(tmpdir(), 'tt-secret.txt'), 'secret');

/** As the node mounts it: after its API, beside its own 404. */
function node(distDir: string): Hono {
  const app = new Hono();
  app.get('/api/v1/status', (c) => c.json({ ok: true }));
  app.notFound((c) => c.json({ type: 'https://tradetwin.dev/problems/not_found' }, 404));
  app.route('/', webRoutes({ distDir }));
  return app;
}

describe('webRoutes', () => {
  const app = node(dist);

  it('serves index.html for the app’s own paths, uncached', async () => {
    for (const path of ['/', '/verify/1204:3', '/verify', '/shipments/SHP-1', '/devices', '/members']) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(await res.text(), /id="root"/);
    }
  });

  it('serves hashed assets for a year, precompressed when the browser accepts it', async () => {
    const plain = await app.request('/assets/index-abc123.js');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await plain.text(), js);
    const br = await app.request('/assets/index-abc123.js', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.ok(Number((await br.arrayBuffer()).byteLength) < js.length);
    assert.equal((await app.request('/favicon.svg')).headers.get('content-type'), 'image/svg+xml');
  });

  it('leaves everything else to the node: its API, its 404, nothing outside dist', async () => {
    assert.deepEqual(await (await app.request('/api/v1/status')).json(), { ok: true });
    for (const path of [
      '/api/v1/nowhere',
      '/assets/missing.js',
      '/assets/..%2f..%2ftt-secret.txt',
      '/assets/%2e%2e/%2e%2e/tt-secret.txt',
      '/nowhere',
    ]) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), /not_found/, path);
    }
  });

  it('says how to build the app when dist is missing', async () => {
    const res = await node(join(dist, 'nope')).request('/verify/1:2');
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build -w @tradetwin\/web/);
  });
});
