// Shipment documents under /api/v1 (access: documents:write to add; reading: whoever may read the
// shipment, shipments:read or shipments:read:<id>):
//   POST /shipments/:id/documents?type=T&name=N   body: the content; Content-Type: its media type. 201 the document
//   GET  /shipments/:id/documents                  {shipmentId, documents: [{type, name, mediaType, sha256, size, leafIndex, addedAt}]}
//   GET  /shipments/:id/documents/:leafIndex       the content, checked against its leaf, with its media type, as a download
import { Hono } from 'hono';
import type { DocumentListJson } from '@tradetwin/core/wire/documents';
import { HttpProblem } from '../http/problem.js';
import { type DocumentService, documentJson } from './service.js';

/** The headers a document's content is served with: a download, never rendered as a page of the node (access/headers.ts adds `sandbox`). */
export function documentHeaders(d: { name: string; mediaType: string; sha256: Uint8Array }): Record<string, string> {
  const ascii = d.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'Content-Type': d.mediaType,
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.name)}`,
    // RFC 9530: the content's SHA-256, as logged.
    'Repr-Digest': `sha-256=:${Buffer.from(d.sha256).toString('base64')}:`,
    'Cache-Control': 'private, no-store',
  };
}

/** A leaf index path parameter. */
export function leafIndexParam(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new HttpProblem(400, 'bad_request', `leafIndex must be a log leaf index, got "${raw}"`);
  return Number(raw);
}

export function documentRoutes(docs: DocumentService): Hono {
  const app = new Hono();

  app.post('/shipments/:id/documents', async (c) => {
    // The media type is the request's Content-Type without its parameters.
    const contentType = c.req.header('content-type');
    const mediaType = contentType === undefined ? undefined : contentType.split(';')[0]!.trim();
    const content = new Uint8Array(await c.req.arrayBuffer());
    const row = await docs.add(c.req.param('id'), { type: c.req.query('type'), name: c.req.query('name'), mediaType }, content);
    return c.json(documentJson(row), 201);
  });

  app.get('/shipments/:id/documents', async (c) => {
    const id = c.req.param('id');
    const body: DocumentListJson = { shipmentId: id, documents: (await docs.list(id)).map(documentJson) };
    return c.json(body);
  });

  app.get('/shipments/:id/documents/:leafIndex', async (c) => {
    const { document, content } = await docs.read(c.req.param('id'), leafIndexParam(c.req.param('leafIndex')));
    return c.body(content as Uint8Array<ArrayBuffer>, 200, documentHeaders(document));
  });

  return app;
}
