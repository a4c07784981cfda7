// OpenAPI 3.1 path items of the /queries resources (merged by epcisOpenApiPaths).

import { json, paging, pathParam, problem, queryParam } from '../../api/openapi-parts.js';

const PAGING = paging('Items');
const QUERY_NAME = pathParam('queryName', 'The named query (A–Z a–z 0–9 . _ ~ -, up to 128)');
const SUBSCRIPTION_ID = pathParam('subscriptionID', 'The subscription id (UUID)');
const definition = {
  type: 'object',
  required: ['name', 'query'],
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$' },
    query: { type: 'object', description: 'SimpleEventQuery parameters, as GET /events takes them; lists for several values' },
  },
};
const schedule = {
  type: 'object',
  description:
    'Cron-like, UTC. Each field: a value, a list "1,5", a range "[10-20]", "*" or a step "0/30". Omitted fields finer than the finest given ' +
    'take their first value, coarser ones match any. dayOfWeek 1 = Monday … 7 = Sunday.',
  properties: Object.fromEntries(
    ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'].map((f) => [f, { type: 'string' }]),
  ),
};
const subscriptionBody = {
  type: 'object',
  required: ['dest'],
  properties: {
    dest: { type: 'string', format: 'uri', description: 'Webhook URL (http or https) the results are POSTed to' },
    signatureToken: {
      type: 'string',
      description: 'Secret for the GS1-Signature header: sha256=<hex HMAC-SHA256(signatureToken, body)>',
    },
    stream: {
      type: 'boolean',
      enum: [true],
      description: 'Notify on every capture that adds matching events (or give schedule)',
    },
    schedule,
    reportIfEmpty: { type: 'boolean', default: false },
    initialRecordTime: {
      type: 'string',
      format: 'date-time',
      description: 'First delivery starts at this recordTime (default: now)',
    },
  },
};
const subscription = json('The subscription (without its signatureToken)', {
  type: 'object',
  properties: {
    subscriptionID: { type: 'string' },
    queryName: { type: 'string' },
    dest: { type: 'string' },
    stream: { type: 'boolean' },
    schedule,
    reportIfEmpty: { type: 'boolean' },
    initialRecordTime: { type: 'string', format: 'date-time' },
    signed: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    lastNotifiedAt: { type: 'string', format: 'date-time' },
    pendingDelivery: {
      type: 'object',
      description: 'The delivery in the outbox, if any: id, events, attempts, nextAttemptAt, lastError',
    },
  },
});
const WS_PARAMS = [
  queryParam('stream', 'WebSocket subscription: notify on every matching capture', { type: 'boolean' }),
  ...['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'].map((f) =>
    queryParam(f, `WebSocket subscription schedule field ${f} (see the subscription schedule)`),
  ),
  queryParam('reportIfEmpty', 'WebSocket subscription: send empty documents too', { type: 'boolean' }),
  queryParam('initialRecordTime', 'WebSocket subscription: start at this recordTime', { type: 'string', format: 'date-time' }),
];
const discovery = (operationId: string, params: Record<string, unknown>[] = []) => ({
  options: {
    operationId,
    summary: 'Discovery: Allow, GS1-EPCIS-Min/-Max, GS1-CBV-Min/-Max',
    parameters: params,
    responses: { '204': { description: 'Capabilities in headers' }, '404': problem },
  },
});

export function queriesOpenApiPaths(p: (path: string) => string): Record<string, Record<string, unknown>> {
  return {
    [p('/queries')]: {
      get: {
        operationId: 'epcisListNamedQueries',
        summary: 'Named queries ([{ name, query }])',
        parameters: PAGING,
        responses: { '200': json('Named queries', { type: 'array', items: definition }), '400': problem },
      },
      post: {
        operationId: 'epcisCreateNamedQuery',
        summary: 'Create a named query (validated like GET /events: unknown or malformed parameters are a 400)',
        requestBody: { required: true, content: { 'application/json': { schema: definition } } },
        responses: {
          '201': json('Created; Location: its URL', definition),
          '400': problem,
          '409': problem,
          '413': problem,
          '415': problem,
        },
      },
      ...discovery('epcisDiscoverNamedQueries'),
    },
    [p('/queries/{queryName}')]: {
      get: {
        operationId: 'epcisGetNamedQuery',
        summary: 'A named query definition',
        parameters: [QUERY_NAME],
        responses: { '200': json('The definition', definition), '404': problem },
      },
      delete: {
        operationId: 'epcisDeleteNamedQuery',
        summary: 'Delete a named query, its subscriptions (and their pending deliveries) and close its WebSockets',
        parameters: [QUERY_NAME],
        responses: { '204': { description: 'Deleted' }, '404': problem },
      },
      ...discovery('epcisDiscoverNamedQuery', [QUERY_NAME]),
    },
    [p('/queries/{queryName}/events')]: {
      get: {
        operationId: 'epcisRunNamedQuery',
        summary:
          'The named query results (EPCISQueryDocument, paged); with Upgrade: websocket and stream or schedule fields, a WebSocket subscription',
        description:
          'Only perPage and nextPageToken may be added to the stored parameters. With "Upgrade: websocket" and stream=true or schedule fields ' +
          '(second … dayOfWeek) the connection becomes a subscription: each message is an EPCISQueryDocument of new matching events; it ends ' +
          'when the socket closes. Without the upgrade those fields are a 400.',
        parameters: [QUERY_NAME, ...PAGING, ...WS_PARAMS],
        responses: {
          '101': { description: 'WebSocket subscription opened' },
          '200': json('An EPCISQueryDocument; a Link header (rel="next") when more events match'),
          '400': problem,
          '404': problem,
          '413': problem,
        },
      },
    },
    [p('/queries/{queryName}/subscriptions')]: {
      get: {
        operationId: 'epcisListSubscriptions',
        summary: 'Webhook subscriptions to a named query',
        parameters: [QUERY_NAME, ...PAGING],
        responses: { '200': json('Subscriptions', { type: 'array', items: { type: 'object' } }), '400': problem, '404': problem },
      },
      post: {
        operationId: 'epcisSubscribe',
        summary: 'Subscribe a webhook: results POSTed as EPCISQueryDocuments, signed, retried until acknowledged',
        description:
          'Each delivery is POSTed with GS1-Signature (sha256=<hex HMAC-SHA256(signatureToken, body)>, when a signatureToken was given) and ' +
          'Idempotency-Key (the delivery id, the same on every retry: drop repeats). A 2xx acknowledges; anything else, or no answer within ' +
          'the timeout, is retried with exponential back-off. Deliveries survive restarts (SQLite outbox).',
        parameters: [QUERY_NAME],
        requestBody: { required: true, content: { 'application/json': { schema: subscriptionBody } } },
        responses: { '201': subscription, '400': problem, '404': problem, '413': problem, '415': problem },
        callbacks: {
          querySubscriptionResults: {
            '{$request.body#/dest}': {
              post: {
                operationId: 'deliverQueryResults',
                summary:
                  "The node's delivery of query results to the subscriber's dest (signed with its secret, not a TradeTwin credential)",
                security: [],
                parameters: [
                  { name: 'GS1-Signature', in: 'header', required: false, schema: { type: 'string' } },
                  { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } },
                ],
                requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
                responses: {
                  '200': { description: 'Acknowledged (any 2xx)' },
                  '4XX': { description: 'Refused: the delivery is retried with back-off' },
                },
              },
            },
          },
        },
      },
      ...discovery('epcisDiscoverSubscriptions', [QUERY_NAME]),
    },
    [p('/queries/{queryName}/subscriptions/{subscriptionID}')]: {
      get: {
        operationId: 'epcisGetSubscription',
        summary: 'A subscription: its trigger, lastNotifiedAt and any pending delivery',
        parameters: [QUERY_NAME, SUBSCRIPTION_ID],
        responses: { '200': subscription, '404': problem },
      },
      delete: {
        operationId: 'epcisUnsubscribe',
        summary: 'Unsubscribe (its pending delivery is dropped)',
        parameters: [QUERY_NAME, SUBSCRIPTION_ID],
        responses: { '204': { description: 'Unsubscribed' }, '404': problem },
      },
      ...discovery('epcisDiscoverSubscription', [QUERY_NAME, SUBSCRIPTION_ID]),
    },
  };
}
