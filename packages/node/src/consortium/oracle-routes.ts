// POST /api/v1/oracle/attest (scope oracle:attest): this organisation's oracle,
// asked by the member that settles a claim. A refusal (the evidence does not
// show the excursion, it does not verify, …) is a 422 problem.
import { Hono } from 'hono';
import { jsonObjectBody } from '../api/json-body.js';
import type { OracleEndpoint } from '../oracle/claims.js';
import { attestationJson, attestRequestFromJson } from './oracle-service.js';

export function oracleRoutes(oracle: OracleEndpoint): Hono {
  const app = new Hono();
  app.post('/oracle/attest', async (c) => {
    const req = attestRequestFromJson(await jsonObjectBody(c.req));
    return c.json(attestationJson(await oracle.attest(req), oracle.name));
  });
  return app;
}
