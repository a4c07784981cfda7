// The geofence sets under /api/v1 (access: shipments:read to read, geofences:write to change):
//   GET    /geofences                          the node-wide set: {scope: "node", zones}
//   POST   /geofences                          body: a zone (circle or polygon, optional UN/LOCODE); 201 the zone
//   DELETE /geofences/:zoneId                  204
//   GET    /shipments/:id/geofences            the shipment's own set: {scope: "shipment", shipmentId, zones}
//   POST   /shipments/:id/geofences            201 the zone
//   DELETE /shipments/:id/geofences/:zoneId    204
// A change re-evaluates the shipments it applies to from the log (the monitor's rewatch) before answering.
import { Hono } from 'hono';
import { HttpProblem } from '../http/problem.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { GeofenceSets } from './geofences.js';
import type { ShipmentMonitor } from './monitor.js';

export interface GeofenceRouteDeps {
  geofences: GeofenceSets;
  shipments: ShipmentStore;
  monitor: ShipmentMonitor;
}

export function geofenceRoutes(deps: GeofenceRouteDeps): Hono {
  const app = new Hono();
  const body = async (c: { req: { json(): Promise<unknown> } }) => {
    const zone = await c.req.json().catch(() => undefined);
    if (zone === undefined) throw new HttpProblem(400, 'bad_zone', 'the body must be a zone as JSON');
    return zone;
  };
  const known = async (id: string) => {
    if (!(await deps.shipments.shipment(id))) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${id}`);
    return id;
  };

  app.get('/geofences', async (c) => c.json({ scope: 'node', zones: await deps.geofences.zones() }));
  app.post('/geofences', async (c) => {
    const zone = await deps.geofences.add(await body(c));
    await deps.monitor.rewatch();
    return c.json(zone, 201);
  });
  app.delete('/geofences/:zoneId', async (c) => {
    await deps.geofences.remove(c.req.param('zoneId'));
    await deps.monitor.rewatch();
    return c.body(null, 204);
  });

  app.get('/shipments/:id/geofences', async (c) => {
    const id = await known(c.req.param('id'));
    return c.json({ scope: 'shipment', shipmentId: id, zones: await deps.geofences.zones(id) });
  });
  app.post('/shipments/:id/geofences', async (c) => {
    const id = await known(c.req.param('id'));
    const zone = await deps.geofences.add(await body(c), id);
    await deps.monitor.rewatch(id);
    return c.json(zone, 201);
  });
  app.delete('/shipments/:id/geofences/:zoneId', async (c) => {
    const id = await known(c.req.param('id'));
    await deps.geofences.remove(c.req.param('zoneId'), id);
    await deps.monitor.rewatch(id);
    return c.body(null, 204);
  });
  return app;
}
