// OpenAPI 3.1 path items for dcsaRoutes, merged into the node's document
// (api/openapi.ts). The event schemas are TNT 3.0's own (tnt-v3.0.0-schemas.json),
// referenced here by their TNT names under DcsaTnt*. Security comes from the
// access policy (access/openapi.ts).
import spec from './tnt-v3.0.0-schemas.json' with { type: 'json' };

const problem = { $ref: '#/components/responses/Problem' };
const apiVersion = {
  description: 'The full version of the implemented DCSA standard (3.0.0)',
  schema: { type: 'string' },
};
const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** TNT 3.0's component schemas, renamed DcsaTnt<Name> (their $refs rewritten to match). */
export function dcsaOpenApiSchemas(): Record<string, unknown> {
  const text = JSON.stringify(spec.schemas).replace(/#\/components\/schemas\/(\w+)/g, '#/components/schemas/DcsaTnt$1');
  // OpenAPI 3.0 wrapped a $ref in a one-element allOf to describe it; 3.1 takes the $ref itself.
  const schemas = unwrapAllOf(JSON.parse(text)) as Record<string, unknown>;
  // Only what the operations reach (the error bodies are the node's problem details instead).
  const reached = new Set<string>();
  const walk = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    for (const m of JSON.stringify(schemas[name]).matchAll(/DcsaTnt(\w+)/g)) walk(m[1]!);
  };
  for (const root of ['GetEventsResponse', 'PostEventsRequest', 'PostEventsResponse']) walk(root);
  return Object.fromEntries([...reached].map((k) => [`DcsaTnt${k}`, schemas[k]]));
}

function unwrapAllOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapAllOf);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.allOf) && o.allOf.length === 1) {
    const { allOf, ...rest } = o;
    return { ...rest, ...(unwrapAllOf(allOf[0]) as Record<string, unknown>) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapAllOf(x)]));
}

export function dcsaOpenApiPaths(base: string) {
  const subscription = {
    type: 'object',
    required: ['subscriptionID', 'callbackUrl', 'createdDateTime'],
    properties: {
      subscriptionID: { type: 'string' },
      callbackUrl: { type: 'string', format: 'uri' },
      createdDateTime: { type: 'string', format: 'date-time' },
      eventTypes: { type: 'array', items: { enum: ['SHIPMENT', 'TRANSPORT', 'EQUIPMENT', 'IOT', 'REEFER'] } },
      carrierBookingReference: { type: 'string' },
      transportDocumentReference: { type: 'string' },
      equipmentReference: { type: 'string' },
      shipmentEventTypeCode: { type: 'string' },
      equipmentEventTypeCode: { type: 'string' },
      transportEventTypeCode: { type: 'string' },
    },
  };
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const subs = {
    [`${base}/event-subscriptions`]: {
      post: {
        operationId: 'dcsaSubscribe',
        summary: 'Subscribe to DCSA events by webhook',
        description:
          'TNT 3.0 leaves registration out of scope; this is TNT 2.2\'s path. Every matching event stored after this moment (pushed or derived, newest version) is POSTed to callbackUrl as a TNT 3.0 push {"events": [event]}, ' +
          'signed: Notification-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>, with Idempotency-Key (the same on every retry) and API-Version. ' +
          'A consumer that is down is retried with exponential back-off; nothing is lost (also across restarts) and nothing is sent twice once acknowledged (2xx). The secret is shown only in this answer.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['callbackUrl'],
                properties: { ...subscription.properties, secret: { type: 'string', minLength: 16, maxLength: 256 } },
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'Subscribed',
            content: {
              'application/json': {
                schema: { ...subscription, properties: { ...subscription.properties, secret: { type: 'string' } } },
              },
            },
          },
          '400': problem,
          '401': problem,
          '403': problem,
        },
      },
      get: {
        operationId: 'dcsaListSubscriptions',
        summary: "The caller's DCSA subscriptions (all for access:admin)",
        responses: {
          '200': {
            description: 'Subscriptions',
            content: { 'application/json': { schema: { type: 'array', items: subscription } } },
          },
          '401': problem,
          '403': problem,
        },
      },
    },
    [`${base}/event-subscriptions/{id}`]: {
      get: {
        operationId: 'dcsaGetSubscription',
        summary: 'One DCSA subscription with its deliveries (pending or delivered, attempts, last error)',
        parameters: [idParam],
        responses: {
          '200': {
            description: 'The subscription',
            content: {
              'application/json': {
                schema: {
                  ...subscription,
                  properties: {
                    ...subscription.properties,
                    deliveries: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          id: { type: 'string' },
                          rid: { type: 'integer', description: "The event's log leaf" },
                          status: { enum: ['pending', 'delivered'] },
                          attempts: { type: 'integer' },
                          lastError: { type: ['string', 'null'] },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          '401': problem,
          '403': problem,
          '404': problem,
        },
      },
      delete: {
        operationId: 'dcsaUnsubscribe',
        summary: 'Unsubscribe (pending deliveries are dropped)',
        parameters: [idParam],
        responses: { '204': { description: 'Unsubscribed' }, '401': problem, '403': problem, '404': problem },
      },
    },
  };
  return {
    ...subs,
    [`${base}/events`]: {
      get: {
        operationId: 'dcsaGetEvents',
        summary: 'DCSA TNT 3.0: events matching the query, paged',
        description:
          'The events the node holds — pushed by carriers, and derived from its own evidence (extension field `x-tradetwin-evidence` names the readings and EPCIS events that prove each). ' +
          'Only the newest version of an event (by eventUpdatedDateTime) is returned. Pages: at most `limit` (the node caps it at 1000); `Next-Page-Cursor` is present while more match.',
        parameters: [
          query('carrierBookingReference', 'Events of this booking'),
          query('transportDocumentReference', 'Events of this transport document'),
          query('equipmentReference', 'Events of this equipment (container number)'),
          query('eventTypes', 'Comma-separated: SHIPMENT, TRANSPORT, EQUIPMENT, IOT, REEFER'),
          query('shipmentEventTypeCode', 'Only shipment events with this code (a TradeTwin addition)'),
          query('equipmentEventTypeCode', 'Only equipment events with this code (a TradeTwin addition)'),
          query('transportEventTypeCode', 'Only transport events with this code (a TradeTwin addition)'),
          query('eventUpdatedDateTimeMin', 'eventUpdatedDateTime at or after', { type: 'string', format: 'date-time' }),
          query('eventUpdatedDateTimeMax', 'eventUpdatedDateTime at or before', { type: 'string', format: 'date-time' }),
          query('limit', 'Page size (1..1000, default 100)', { type: 'integer', minimum: 1 }),
          query('cursor', 'The Next-Page-Cursor of the previous page (with the same other parameters)'),
        ],
        responses: {
          '200': {
            description: 'Events matching the query',
            headers: {
              'API-Version': apiVersion,
              'Next-Page-Cursor': { description: 'Cursor of the next page (absent on the last)', schema: { type: 'string' } },
            },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/DcsaTntGetEventsResponse' } } },
          },
          '400': problem,
          '401': problem,
          '403': problem,
        },
      },
      post: {
        operationId: 'dcsaPostEvents',
        summary: "DCSA TNT 3.0: receive a publisher's events",
        description:
          'Each event is validated against TNT_v3.0.0.yaml and the node rules (eventID; event type and its type code; eventDateTime; ISO 6346 check digit of ISO-shaped container numbers; UN/LOCODE format). ' +
          'One invalid event refuses the whole push: a 400 problem naming the JSONPath (`field`) with every fault as TNT feedbackElements; nothing is stored. Accepted events become log leaves of kind "dcsa".',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/DcsaTntPostEventsRequest' } } },
        },
        responses: {
          '200': {
            description: 'Stored',
            headers: { 'API-Version': apiVersion },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/DcsaTntPostEventsResponse' } } },
          },
          '400': problem,
          '401': problem,
          '403': problem,
        },
      },
    },
  };
}
