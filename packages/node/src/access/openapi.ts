// The access model in the node's OpenAPI document: the security schemes, the
// routes of access/routes.ts and /api/v1/chain, and each operation's `security`
// derived from policy.ts (the table the middleware enforces), so the document
// cannot say other than what the node does.
import { requirementFor } from './policy.js';
import { ROLE_SCOPES, type Role, SCOPES, type Scope } from './scopes.js';

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: unknown = { type: 'object' }) => ({ 'application/json': { schema } });
const body = (schema: unknown) => ({ required: true, content: json(schema) });
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: `An API credential (ttc_…, made by an admin: POST /api/v1/access/credentials or \`tradetwin credential create\`) or the operator's bootstrap token in <data-dir>/admin-token. Scopes: ${Object.entries(
      SCOPES,
    )
      .map(([s, d]) => `${s} (${d})`)
      .join('; ')}.`,
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'tt_session',
    description:
      'A dashboard session (POST /api/v1/auth/login). Roles: viewer < operator < admin. A state-changing request with it also needs the X-CSRF-Token header (the tt_csrf cookie).',
  },
} as const;

export function accessOpenApiPaths(prefix: string): Record<string, Record<string, unknown>> {
  const user = {
    type: 'object',
    properties: {
      username: { type: 'string' },
      orgId: { type: 'integer' },
      role: { enum: ['viewer', 'operator', 'admin'] },
      disabled: { type: 'boolean' },
      locked: { type: 'boolean' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  };
  const credential = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      orgId: { type: 'integer' },
      name: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      createdAt: { type: 'string', format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' },
      lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  };
  return {
    [`${prefix}/chain`]: {
      get: {
        operationId: 'getPinnedChain',
        summary: 'The chain this node is pinned to (chain id, contract addresses, RPC): what the verify page checks against',
        responses: { '200': { description: 'Pinned chain', content: json() }, '400': problem },
      },
    },
    [`${prefix}/auth/login`]: {
      post: {
        operationId: 'login',
        summary: 'Log in: sets the tt_session (HttpOnly, SameSite=Strict) and tt_csrf cookies',
        requestBody: body({
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string' }, password: { type: 'string' } },
        }),
        responses: {
          '200': { description: 'Logged in; csrfToken for the X-CSRF-Token header', content: json() },
          '400': problem,
          '401': problem,
          '415': problem,
          '423': problem,
          '429': problem,
        },
      },
    },
    [`${prefix}/auth/logout`]: {
      post: {
        operationId: 'logout',
        summary: 'End this session',
        responses: { '204': { description: 'Logged out' }, '401': problem, '403': problem },
      },
    },
    [`${prefix}/auth/session`]: {
      get: {
        operationId: 'getSession',
        summary: 'Who the caller is: kind, name, role, organisation, scopes',
        responses: { '200': { description: 'The caller', content: json() }, '401': problem },
      },
    },
    [`${prefix}/access/users`]: {
      get: {
        operationId: 'listUsers',
        summary: "The organisation's user accounts",
        responses: { '200': { description: 'Users', content: json({ type: 'array', items: user }) }, '401': problem },
      },
      post: {
        operationId: 'addUser',
        summary: 'Add a user account (password 12-256 characters, hashed with argon2id)',
        requestBody: body({
          type: 'object',
          required: ['username', 'password', 'role'],
          properties: {
            username: { type: 'string' },
            password: { type: 'string' },
            role: { enum: ['viewer', 'operator', 'admin'] },
          },
        }),
        responses: { '201': { description: 'Added', content: json(user) }, '400': problem, '409': problem },
      },
    },
    [`${prefix}/access/users/{username}/password`]: {
      post: {
        operationId: 'setUserPassword',
        summary: "Set a user's password (ends the user's sessions, lifts a lock)",
        parameters: [pathParam('username')],
        requestBody: body({ type: 'object', required: ['password'], properties: { password: { type: 'string' } } }),
        responses: { '204': { description: 'Set' }, '400': problem, '404': problem },
      },
    },
    [`${prefix}/access/users/{username}/disable`]: {
      post: {
        operationId: 'disableUser',
        summary: 'Disable a user (ends their sessions)',
        parameters: [pathParam('username')],
        responses: { '200': { description: 'Disabled', content: json(user) }, '404': problem },
      },
    },
    [`${prefix}/access/users/{username}/enable`]: {
      post: {
        operationId: 'enableUser',
        summary: 'Enable a disabled user',
        parameters: [pathParam('username')],
        responses: { '200': { description: 'Enabled', content: json(user) }, '404': problem },
      },
    },
    [`${prefix}/access/credentials`]: {
      get: {
        operationId: 'listCredentials',
        summary: "The organisation's API credentials (never their secrets)",
        responses: { '200': { description: 'Credentials', content: json({ type: 'array', items: credential }) }, '401': problem },
      },
      post: {
        operationId: 'createCredential',
        summary: 'Create a scoped API credential; the token is in this answer only',
        requestBody: body({
          type: 'object',
          required: ['name', 'scopes'],
          properties: { name: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } },
        }),
        responses: { '201': { description: 'Created, with its token', content: json() }, '400': problem },
      },
    },
    [`${prefix}/access/credentials/{id}/revoke`]: {
      post: {
        operationId: 'revokeCredential',
        summary: 'Revoke a credential',
        parameters: [pathParam('id')],
        responses: { '200': { description: 'Revoked', content: json(credential) }, '404': problem },
      },
    },
  };
}

/** The least role whose scopes meet any of these. */
function leastRole(anyOf: readonly Scope[]): Role {
  for (const r of ['viewer', 'operator', 'admin'] as const) if (anyOf.some((s) => ROLE_SCOPES[r].includes(s))) return r;
  return 'admin';
}

type Operation = Record<string, unknown> & { responses?: Record<string, unknown>; security?: unknown; description?: string };

/** Set every operation's `security` (public ones `[]`) from the policy, with the 401/403 a gated one can answer. */
export function applySecurity(paths: Record<string, Record<string, Operation>>): void {
  for (const [path, item] of Object.entries(paths)) {
    const sample = path.replace(/\{[^}]+\}/g, 'x');
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete', 'options', 'head'].includes(method)) continue;
      const need = requirementFor(method.toUpperCase(), sample);
      if (need.public) {
        op.security = [];
        continue;
      }
      op.security = [{ bearer: [...need.anyOf] }, { session: [leastRole(need.anyOf)] }];
      op.responses ??= {};
      op.responses['401'] ??= problem;
      op.responses['403'] ??= problem;
      const access = `Needs ${need.anyOf.join(' or ')} (a credential's scope), or a ${leastRole(need.anyOf)} session.`;
      op.description = op.description ? `${op.description}\n\n${access}` : access;
    }
  }
}
