// OpenAPI 3.1 path items for sharingRoutes (peer/api.ts), merged into the node's document
// (api/openapi.ts). Security comes from the access policy. The /peer/v1 endpoints between
// member nodes are not in it: they take RFC 9421 signatures, not credentials (README).
import { documentContentResponse, documentSchema, leafIndexParamSpec } from '../documents/openapi.js';

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
    [`${prefix}/sharing/shipments/{id}/documents`]: {
      get: {
        operationId: 'listSharedDocuments',
        summary:
          "The documents of a shipment other organisations shared with this one, from the verified mirror (each checked against the owner's anchored head before it was stored)",
        parameters: [{ name: 'id', in: 'path', required: true, description: 'Shipment id', schema: { type: 'string' } }],
        responses: {
          '200': json('The shared documents', {
            type: 'object',
            properties: {
              shipmentId: { type: 'string' },
              documents: {
                type: 'array',
                items: {
                  ...documentSchema,
                  required: [...documentSchema.required, 'owner', 'verified', 'headSize'],
                  properties: {
                    ...documentSchema.properties,
                    owner: { type: 'integer', description: 'The owner organisation; leafIndex is in its log' },
                    verified: { const: true },
                    headSize: { type: 'integer', description: "The owner's anchored head the inclusion proof leads to" },
                  },
                },
              },
            },
          }),
          '401': problem,
          '403': problem,
        },
      },
    },
    [`${prefix}/sharing/shipments/{id}/documents/{leafIndex}`]: {
      get: {
        operationId: 'getSharedDocument',
        summary: "A shared document's content from the verified mirror (TradeTwin-Owner names the owner organisation)",
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'Shipment id', schema: { type: 'string' } },
          leafIndexParamSpec,
          {
            name: 'owner',
            in: 'query',
            required: false,
            description: 'The owner organisation (needed only when several shared a document of that id at that index)',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        responses: {
          '200': documentContentResponse,
          '400': problem,
          '401': problem,
          '403': problem,
          '404': problem,
          '409': problem,
          '500': problem,
        },
      },
    },
  };
}
