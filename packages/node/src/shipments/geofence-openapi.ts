// OpenAPI 3.1 path items for geofenceRoutes, merged into the node's document
// (api/openapi.ts). Security comes from the access policy (access/openapi.ts).
const problem = { $ref: '#/components/responses/Problem' };
const latLon = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[lat, lon] in degrees' };

const zone = {
  type: 'object',
  required: ['id', 'name', 'shape'],
  properties: {
    id: { type: 'string', description: 'Unique in the set; goes into location event ids' },
    name: { type: 'string' },
    unlocode: { type: 'string', pattern: '^[A-Z]{2}[A-Z2-9]{3}$', description: 'UN/LOCODE of the place, where one applies' },
    shape: { enum: ['circle', 'polygon'] },
    center: { ...latLon, description: 'circle: the centre, [lat, lon]' },
    radiusM: { type: 'number', exclusiveMinimum: 0, description: 'circle: the radius, metres' },
    ring: { type: 'array', items: latLon, description: 'polygon: the outer ring as [lat, lon], at least 3 distinct vertices' },
  },
};

const set = (scope: 'node' | 'shipment') => ({
  type: 'object',
  required: ['scope', 'zones'],
  properties: {
    scope: { const: scope },
    ...(scope === 'shipment' ? { shipmentId: { type: 'string' } } : {}),
    zones: { type: 'array', items: zone },
  },
});

const ok = (description: string, schema: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema } },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const zoneParam = { name: 'zoneId', in: 'path', required: true, schema: { type: 'string' } };
const zoneBody = { required: true, content: { 'application/json': { schema: zone } } };

export function geofenceOpenApiPaths(base: string): Record<string, unknown> {
  return {
    [`${base}/geofences`]: {
      get: {
        summary: "The node-wide geofence set: places every shipment's GPS fixes are tested against (ports, depots)",
        responses: { '200': ok('The set', set('node')) },
      },
      post: {
        summary: 'Add a zone to the node-wide set; every shipment is re-evaluated from the log',
        requestBody: zoneBody,
        responses: { '201': ok('The zone as stored', zone), '400': problem, '409': problem },
      },
    },
    [`${base}/geofences/{zoneId}`]: {
      delete: {
        summary: 'Remove a zone from the node-wide set',
        parameters: [zoneParam],
        responses: { '204': { description: 'Removed' }, '404': problem },
      },
    },
    [`${base}/shipments/{id}/geofences`]: {
      get: {
        summary: "The shipment's own geofence set (besides the node-wide one and its definition's location rules)",
        parameters: [idParam],
        responses: { '200': ok('The set', set('shipment')), '404': problem },
      },
      post: {
        summary: "Add a zone to the shipment's set; the shipment is re-evaluated from the log",
        parameters: [idParam],
        requestBody: zoneBody,
        responses: { '201': ok('The zone as stored', zone), '400': problem, '404': problem, '409': problem },
      },
    },
    [`${base}/shipments/{id}/geofences/{zoneId}`]: {
      delete: {
        summary: "Remove a zone from the shipment's set",
        parameters: [idParam, zoneParam],
        responses: { '204': { description: 'Removed' }, '404': problem },
      },
    },
  };
}
