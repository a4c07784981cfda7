// OpenAPI 3.1 path items for commandRoutes, merged into the node's document
// (api/openapi.ts). Security comes from the access policy (access/openapi.ts).
const problem = { $ref: '#/components/responses/Problem' };
const signer = {
  type: 'object',
  properties: { account: { type: 'string' }, orgId: { type: 'integer' }, as: { type: 'string' } },
};

const command = {
  type: 'object',
  required: ['id', 'deviceId', 'shipmentId', 'seq', 'action', 'authorisation', 'leafIndex', 'status', 'effect'],
  properties: {
    id: { type: 'string', description: 'Hex SHA-256 of the signed payload' },
    deviceId: { type: 'string' },
    shipmentId: { type: 'string' },
    seq: { type: 'integer' },
    action: { type: 'object', description: '{kind: setpoint, celsius} | {kind: door, state} | {kind: valve, state}' },
    issuedAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    authorisation: {
      type: 'object',
      properties: {
        issuer: signer,
        cosigner: { oneOf: [signer, { type: 'null' }] },
        cosignatureRequired: { type: 'boolean' },
        rule: { type: 'string' },
      },
    },
    leafIndex: { type: 'integer', description: 'The command\'s "command" leaf, logged before delivery' },
    receivedAt: { type: 'integer' },
    status: { enum: ['delivered', 'applied', 'refused'] },
    effect: {
      type: ['object', 'null'],
      description: 'The device\'s signed effect report (its "command-effect" leaf and COSE_Sign1 bytes as hex)',
      properties: {
        outcome: { enum: ['applied', 'refused'] },
        reason: { type: ['string', 'null'] },
        detail: { type: ['string', 'null'] },
        state: { type: ['object', 'null'] },
        at: { type: 'integer' },
        leafIndex: { type: 'integer' },
        report: { type: 'string' },
        receivedAt: { type: 'integer' },
      },
    },
  },
};

export function commandOpenApiPaths(base: string): Record<string, unknown> {
  return {
    [`${base}/commands`]: {
      post: {
        summary: 'Submit a signed actuator command',
        description:
          'The body is a command bundle (application/cbor): a CBOR array of one or two byte strings, each a COSE_Sign1 (ES256K, kid = the signer account) over the same payload ' +
          '{v, dev, shp, seq, iat, exp, act}. The node refuses it unless the signer organisation owns the device or is a party of the shipment, a second organisation co-signed a ' +
          'safety-relevant change, the seq is fresh and it has not expired; then logs it and publishes it on the device command topic.',
        requestBody: { required: true, content: { 'application/cbor': { schema: { type: 'string', format: 'binary' } } } },
        responses: {
          '201': {
            description: 'Accepted, logged and (delivered: true) published to the device',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { command, delivered: { type: 'boolean' } } },
              },
            },
          },
          '400': problem,
          '403': problem,
          '404': problem,
          '409': problem,
          '410': problem,
        },
      },
      get: {
        summary:
          'The command log, newest first, with each authorisation and effect — only the commands of shipments the caller may read (shipments:read or shipments:read:<id>)',
        parameters: [
          { name: 'device', in: 'query', schema: { type: 'string' } },
          { name: 'shipment', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          { name: 'before', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': {
            description: 'A page; next is the before of the next page',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { commands: { type: 'array', items: command }, next: { type: ['integer', 'null'] } },
                },
              },
            },
          },
          '400': problem,
        },
      },
    },
    [`${base}/commands/{id}`]: {
      get: {
        summary: 'One command; with waitMs, answered once its effect report is in (or the wait ends)',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'waitMs', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 30000 } },
        ],
        responses: {
          '200': { description: 'The command', content: { 'application/json': { schema: command } } },
          '404': problem,
        },
      },
    },
    [`${base}/commands/{id}/resend`]: {
      post: {
        summary:
          "Publish a logged command to its device again (a failed delivery). The same signed bundle: a device that already acted refuses it by its replay window, and the first effect report stays the command's",
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'Published again',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { command, delivered: { type: 'boolean' } } },
              },
            },
          },
          '404': problem,
          '410': problem,
          '503': problem,
        },
      },
    },
  };
}
