// The command API under /api/v1 (access: commands:send to submit, commands:read to read).
//   POST /commands                   body: the signed command bundle (application/cbor); 201 {command, delivered}
//   GET  /commands?device=&shipment=&limit=&before=   the command log, newest first, each with its
//                                    authorisation and effect; `next` is the next page's `before`
//   GET  /commands/:id?waitMs=       one command; with waitMs (≤ 30000) answers once its effect is in (or the wait ends)
//   POST /commands/:id/resend        publish the logged bundle again (a failed delivery); 200 {command, delivered}
// Reads and resends are narrowed to the shipments the caller may read (shipments:read or shipments:read:<id>),
// as the shipment's own routes are: a command of another shipment does not exist for the caller.
import { Hono } from 'hono';
import type { Principal } from '../access/service.js';
import { satisfies } from '../access/scopes.js';
import { HttpProblem, intParam } from '../http/problem.js';
import type { CommandService, ShipmentVisibility } from './service.js';

function visibility(p: Principal | undefined): ShipmentVisibility {
  // The access middleware let the request through only with one; a route mounted without it is a bug.
  if (!p) throw new HttpProblem(401, 'unauthenticated', 'this route needs a credential');
  return (shipmentId) => satisfies(p.scopes, { anyOf: ['shipments:read'], resource: shipmentId });
}

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
        visibility(c.get('principal')),
      ),
    );
  });

  app.post('/commands/:id/resend', async (c) => c.json(await commands.resend(c.req.param('id'), visibility(c.get('principal')))));

  app.get('/commands/:id', async (c) => {
    const id = c.req.param('id');
    const waitMs = intParam(c.req.query('waitMs'), 'waitMs', 0);
    if (waitMs > MAX_WAIT_MS) throw new HttpProblem(400, 'bad_parameter', `parameter waitMs must be ≤ ${MAX_WAIT_MS}`);
    const maySee = visibility(c.get('principal'));
    const now = await commands.get(id, maySee);
    if (waitMs === 0 || now.effect) return c.json(now);
    return c.json((await commands.waitForEffect(id, waitMs)) ?? now);
  });

  return app;
}
