// OpenAPI 3.1 path items for alertRoutes, merged into the node's document
// (api/openapi.ts). Security comes from the access policy (access/openapi.ts).
import { ALERT_KINDS } from './kinds.js';

const problem = { $ref: '#/components/responses/Problem' };
const json = (description: string, schema: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema } },
});
const iso = { type: 'string', format: 'date-time' };
const nullableString = { type: ['string', 'null'] };

const alert = {
  type: 'object',
  required: ['seq', 'id', 'kind', 'severity', 'shipmentId', 'title', 'detail', 'occurredAt', 'raisedAt'],
  properties: {
    seq: { type: 'integer', description: 'Position in the history (page with before=seq)' },
    id: { type: 'string' },
    kind: { enum: [...ALERT_KINDS] },
    severity: { enum: ['critical', 'warning', 'info'] },
    shipmentId: nullableString,
    title: { type: 'string' },
    detail: { type: 'object', description: 'What the alert is about (the excursion, the claim, the device, the anchor)' },
    occurredAt: iso,
    raisedAt: iso,
    deliveries: {
      type: 'array',
      description:
        "Deliveries of the caller's subscriptions (all for access:admin): pending or delivered, attempts, the last error",
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          subscriptionId: { type: 'string' },
          channel: { enum: ['webhook', 'email'] },
          status: { enum: ['pending', 'delivered'] },
          attempts: { type: 'integer' },
          nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
          lastError: nullableString,
          deliveredAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
};

const subscription = {
  type: 'object',
  required: ['id', 'shipmentId', 'kinds', 'channel', 'createdAt'],
  properties: {
    id: { type: 'string' },
    shipmentId: nullableString,
    kinds: { type: ['array', 'null'], items: { enum: [...ALERT_KINDS] } },
    channel: { enum: ['webhook', 'email'] },
    url: { type: 'string', format: 'uri' },
    email: { type: 'string', format: 'email' },
    createdAt: iso,
    secret: { type: 'string', description: 'The webhook HMAC key: in the 201 answer only' },
  },
};

export function alertOpenApiPaths(prefix: string): Record<string, Record<string, unknown>> {
  return {
    [`${prefix}/alerts`]: {
      get: {
        operationId: 'listAlerts',
        summary: 'The alert history, newest first, narrowed to what the caller may read',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'Alerts per page, 1–200 (default 50)',
            schema: { type: 'integer', minimum: 1 },
          },
          {
            name: 'before',
            in: 'query',
            required: false,
            description: "The previous page's `next`",
            schema: { type: 'integer', minimum: 0 },
          },
        ],
        responses: {
          '200': json('A page of alerts', {
            type: 'object',
            properties: { alerts: { type: 'array', items: alert }, next: { type: ['integer', 'null'] } },
          }),
          '400': problem,
          '401': problem,
          '403': problem,
        },
      },
    },
    [`${prefix}/alerts/{id}`]: {
      get: {
        operationId: 'getAlert',
        summary: "One alert, with the delivery status of the caller's subscriptions",
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Alert id', schema: { type: 'string' } }],
        responses: { '200': json('The alert', alert), '401': problem, '403': problem, '404': problem },
      },
    },
    [`${prefix}/alerts/subscriptions`]: {
      get: {
        operationId: 'listAlertSubscriptions',
        summary: "The caller's alert subscriptions (every one for access:admin)",
        responses: { '200': json('Subscriptions', { type: 'array', items: subscription }), '401': problem, '403': problem },
      },
      post: {
        operationId: 'createAlertSubscription',
        summary: 'Subscribe to alerts of one shipment or of some kinds, by signed webhook or by e-mail',
        description:
          'Webhook deliveries are POSTed as JSON (type tradetwin.alert.v1) with TradeTwin-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the secret> and Idempotency-Key: <delivery id>; retried with back-off until a 2xx. E-mail goes through the SMTP relay the node is configured with (TRADETWIN_SMTP_URL). A bad field is a 400 naming it (`field`).',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['channel'],
                additionalProperties: false,
                properties: {
                  shipmentId: { type: 'string' },
                  kinds: { type: 'array', items: { enum: [...ALERT_KINDS] }, minItems: 1 },
                  channel: { enum: ['webhook', 'email'] },
                  url: { type: 'string', format: 'uri' },
                  email: { type: 'string', format: 'email' },
                  secret: { type: 'string', minLength: 16, maxLength: 256 },
                },
              },
            },
          },
        },
        responses: {
          '201': json("The subscription (a webhook's secret shown once)", subscription),
          '400': problem,
          '401': problem,
          '403': problem,
        },
      },
    },
    [`${prefix}/alerts/subscriptions/{id}`]: {
      delete: {
        operationId: 'deleteAlertSubscription',
        summary: 'Unsubscribe (pending deliveries are dropped; delivered ones stay in the history)',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Subscription id', schema: { type: 'string' } }],
        responses: { '204': { description: 'Unsubscribed' }, '401': problem, '403': problem, '404': problem },
      },
    },
  };
}
