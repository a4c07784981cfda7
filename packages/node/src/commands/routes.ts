// The command API under /api/v1 (access: commands:send to submit, commands:read to read).
//   POST /commands                   body: the signed command bundle (application/cbor); 201 {command, delivered}
//   GET  /commands?device=&shipment=&limit=&before=   the command log, newest first, each with its
//                                    authorisation and effect; `next` is the next page's `before`
//   GET  /commands/:id?waitMs=       one command; with waitMs (≤ 30000) answers once its effect is in (or the wait ends)
import { Hono } from 'hono';
import { HttpProblem, intParam } from '../http/problem.js';
import type { CommandService } from './service.js';

export const MAX_COMMAND_PAGE = 200;
export const MAX_COMMAND_BYTES = 16 * 1024;
export const MAX_WAIT_MS = 30_000;

export function commandRoutes(commands: CommandService): Hono {
  const app = new Hono();

  app.post('/commands', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
    // Not a type a cross-site form can send: the JSON-only rule (access/http.ts) exempts this route for it.
    if (type !== 'application/cbor')
      throw new HttpProblem(415, 'unsupported_media_type', 'send the signed command bundle as application/cbor');
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length === 0) throw new HttpProblem(400, 'bad_command', 'the body is empty: send the signed command bundle');
    if (body.length > MAX_COMMAND_BYTES)
      throw new HttpProblem(413, 'too_large', `a command bundle is at most ${MAX_COMMAND_BYTES} bytes`);
    return c.json(await commands.submit(body), 201);
  });

  app.get('/commands', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 50);
    if (limit < 1 || limit > MAX_COMMAND_PAGE)
      throw new HttpProblem(400, 'bad_parameter', `parameter limit must be 1..${MAX_COMMAND_PAGE}`);
    const before = c.req.query('before') === undefined ? undefined : intParam(c.req.query('before'), 'before');
    const device = c.req.query('device');
    const shipment = c.req.query('shipment');
    return c.json(
      await commands.list(
        { ...(device ? { deviceId: device } : {}), ...(shipment ? { shipmentId: shipment } : {}) },
        limit,
        before,
      ),
    );
  });

  app.get('/commands/:id', async (c) => {
    const id = c.req.param('id');
    const waitMs = intParam(c.req.query('waitMs'), 'waitMs', 0);
    if (waitMs > MAX_WAIT_MS) throw new HttpProblem(400, 'bad_parameter', `parameter waitMs must be ≤ ${MAX_WAIT_MS}`);
    const now = await commands.get(id);
    if (waitMs === 0 || now.effect) return c.json(now);
    return c.json((await commands.waitForEffect(id, waitMs)) ?? now);
  });

  return app;
}
