// OpenAPI 3.1 path items for sharingRoutes (peer/api.ts), merged into the node's document
// (api/openapi.ts). Security comes from the access policy. The /peer/v1 endpoints between
// member nodes are not in it: they take RFC 9421 signatures, not credentials (README).
const problem = { $ref: '#/components/responses/Problem' };
const json = (description: string, schema: Record<string, unknown>) => ({
  description,
  content: { 'application/json': { schema } },
});

const grant = {
  type: 'object',
  required: ['grantId', 'owner', 'grantee', 'scope', 'from', 'to', 'issuedAt', 'leafIndex', 'revokedAt', 'status'],
  properties: {
    grantId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    owner: { type: 'integer', description: 'The owner organisation (MemberRegistry id)' },
    grantee: { type: 'integer' },
    scope: {
      type: 'object',
      description: '{"shipment": id} or {"bizTransaction": uri}',
      properties: { shipment: { type: 'string' }, bizTransaction: { type: 'string' } },
    },
    from: { type: 'integer', description: 'ms' },
    to: { type: 'integer', description: 'ms' },
    issuedAt: { type: 'integer', description: 'ms' },
    leafIndex: { type: ['integer', 'null'], description: "The grant's leaf in the owner's log" },
    revokedAt: { type: ['integer', 'null'] },
    status: { enum: ['live', 'revoked'] },
  },
};

export function sharingOpenApiPaths(prefix: string): Record<string, Record<string, unknown>> {
  return {
    [`${prefix}/sharing`]: {
      get: {
        operationId: 'getSharing',
        summary: 'What this organisation owns, what it shared with whom, and what was shared with it (and mirrored)',
        responses: {
          '200': json('Sharing', {
            type: 'object',
            properties: {
              org: { type: 'integer' },
              owned: { type: 'array', items: { type: 'object' } },
              sharedByMe: { type: 'array', items: grant },
              sharedWithMe: { type: 'array', items: grant },
              mirror: { type: 'array', items: { type: 'object' } },
            },
          }),
          '401': problem,
          '403': problem,
        },
      },
    },
    [`${prefix}/sharing/grants`]: {
      post: {
        operationId: 'createGrant',
        summary: 'Grant an organisation a shipment or an EPCIS business transaction (signed by the node, logged)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['grantee'],
                properties: {
                  grantee: { type: 'integer' },
                  shipment: { type: 'string' },
                  bizTransaction: { type: 'string' },
                  from: { type: 'integer' },
                  to: { type: 'integer' },
                },
              },
            },
          },
        },
        responses: { '201': json('The grant', grant), '400': problem, '401': problem, '403': problem, '404': problem },
      },
    },
    [`${prefix}/sharing/grants/{id}/revoke`]: {
      post: {
        operationId: 'revokeGrant',
        summary: 'Revoke a grant (signed by the node, logged)',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Grant id', schema: { type: 'string' } }],
        responses: { '200': json('The revoked grant', grant), '401': problem, '403': problem, '404': problem, '409': problem },
      },
    },
    [`${prefix}/sharing/replicate`]: {
      post: {
        operationId: 'replicateGrants',
        summary: 'Pull what other organisations granted into the verified mirror (a record failing verification is refused)',
        requestBody: {
          required: false,
          content: { 'application/json': { schema: { type: 'object', properties: { owner: { type: 'integer' } } } } },
        },
        responses: {
          '200': json('What was pulled', {
            type: 'object',
            properties: { pulled: { type: 'array', items: { type: 'object' } } },
          }),
          '400': problem,
          '401': problem,
          '403': problem,
          '409': problem,
          '502': problem,
        },
      },
    },
  };
}
