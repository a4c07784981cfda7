// OpenAPI 3.1 path items for governanceRoutes, merged into the node's document
// (api/openapi.ts). Security comes from the access policy (access/openapi.ts).
import { json, pathParam, problem, queryParam } from '../api/openapi-parts.js';

const settings = {
  type: 'object',
  required: ['votingPeriodS', 'executionDelayS', 'executionWindowS', 'approvalBps'],
  properties: {
    votingPeriodS: { type: 'integer', minimum: 1 },
    executionDelayS: { type: 'integer', minimum: 0 },
    executionWindowS: { type: 'integer', minimum: 1 },
    approvalBps: {
      type: 'integer',
      minimum: 5000,
      maximum: 10000,
      description: 'Yes votes needed, exclusive share of the electorate; 5000 = a majority',
    },
  },
};

const roles = {
  description:
    'A list of role names (shipper, carrier, consignee, insurer, financier, oracle, customs, device_owner, port) or the bit set',
  oneOf: [
    { type: 'array', items: { type: 'string' } },
    { type: 'integer', minimum: 1, maximum: 511 },
  ],
};

const action = {
  description: 'What the proposal does',
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'account', 'name', 'roles'],
      properties: { kind: { const: 'admit' }, account: { type: 'string' }, name: { type: 'string' }, roles },
    },
    { type: 'object', required: ['kind', 'orgId'], properties: { kind: { const: 'remove' }, orgId: { type: 'integer' } } },
    {
      type: 'object',
      required: ['kind', 'orgId', 'roles'],
      properties: { kind: { const: 'roles' }, orgId: { type: 'integer' }, roles },
    },
    {
      type: 'object',
      required: ['kind', 'orgId', 'active'],
      properties: { kind: { const: 'status' }, orgId: { type: 'integer' }, active: { type: 'boolean' } },
    },
    {
      type: 'object',
      required: ['kind', 'threshold'],
      properties: {
        kind: { const: 'threshold' },
        threshold: { type: 'integer', minimum: 1, maximum: 255 },
        target: { type: ['string', 'null'], description: 'A ParametricCover set to the new threshold too' },
      },
    },
    { type: 'object', required: ['kind', 'settings'], properties: { kind: { const: 'settings' }, settings } },
  ],
};

const proposal = {
  type: 'object',
  required: ['id', 'action', 'state', 'proposerOrg', 'electorate', 'required', 'yes', 'no', 'votes'],
  properties: {
    id: { type: 'integer' },
    action,
    state: { enum: ['active', 'defeated', 'passed', 'executed', 'cancelled', 'expired'] },
    proposerOrg: { type: 'integer' },
    createdAt: { type: 'integer' },
    votingEndsAt: { type: 'integer' },
    decidedAt: { type: ['integer', 'null'] },
    executableAt: { type: ['integer', 'null'] },
    expiresAt: { type: ['integer', 'null'] },
    electorate: { type: 'integer', description: 'Active members when it was made (one vote each)' },
    required: { type: 'integer', description: 'Yes votes it needs' },
    yes: { type: 'integer' },
    no: { type: 'integer' },
    votes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { orgId: { type: 'integer' }, orgName: { type: ['string', 'null'] }, support: { type: 'boolean' } },
      },
    },
  },
};

const tx = json('Sent and mined', {
  type: 'object',
  properties: { proposalId: { type: 'integer' }, txHash: { type: 'string' } },
});

const idParam = pathParam('id', 'Proposal id (from 1)');

export function governanceOpenApiPaths(base: string): Record<string, unknown> {
  return {
    [`${base}/governance`]: {
      get: {
        summary: 'Consortium governance: voting settings, oracle threshold, proposals and votes',
        description:
          'After genesis, admitting, suspending or removing a member, changing roles, the oracle threshold or these settings is a proposal the members vote on: one organisation, one vote.',
        parameters: [queryParam('limit', 'Newest proposals to return, 1–1000 (default 100)', { type: 'integer', minimum: 1 })],
        responses: {
          '200': json('Governance', {
            type: 'object',
            properties: {
              contract: { type: ['string', 'null'] },
              settings: { oneOf: [settings, { type: 'null' }] },
              oracleThreshold: { type: ['integer', 'null'] },
              orgId: { type: 'integer' },
              proposals: { type: 'array', items: proposal },
            },
          }),
          '400': problem,
          '401': problem,
          '403': problem,
          '503': problem,
        },
      },
    },
    [`${base}/governance/proposals`]: {
      post: {
        summary: "Make a proposal for the node's organisation",
        requestBody: { required: true, content: { 'application/json': { schema: action } } },
        responses: { '201': tx, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '503': problem },
      },
    },
    [`${base}/governance/proposals/{id}`]: {
      get: {
        summary: 'One proposal with its votes',
        parameters: [idParam],
        responses: { '200': json('The proposal', proposal), '400': problem, '401': problem, '403': problem, '404': problem },
      },
    },
    [`${base}/governance/proposals/{id}/vote`]: {
      post: {
        summary: "Cast the node organisation's vote (once per proposal)",
        parameters: [idParam],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['support'], properties: { support: { type: 'boolean' } } },
            },
          },
        },
        responses: { '200': tx, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '503': problem },
      },
    },
    [`${base}/governance/proposals/{id}/execute`]: {
      post: {
        summary: 'Execute a passed proposal once its execution delay is over',
        parameters: [idParam],
        responses: { '200': tx, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '503': problem },
      },
    },
    [`${base}/governance/proposals/{id}/cancel`]: {
      post: {
        summary: "Withdraw one of the node organisation's proposals",
        parameters: [idParam],
        responses: { '200': tx, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '503': problem },
      },
    },
  };
}
