// The governance API under /api/v1 (access: governance:read to read, governance:vote to act for
// the node's organisation).
//   GET  /governance                         settings, oracle threshold, proposals (newest first) with votes
//   GET  /governance/proposals/:id           one proposal
//   POST /governance/proposals               body {kind, …} (see parseProposalAction); 201 {proposalId, txHash}
//   POST /governance/proposals/:id/vote      body {support: boolean}
//   POST /governance/proposals/:id/execute   a passed proposal after its execution delay
//   POST /governance/proposals/:id/cancel    the node organisation's own proposal
import { Hono } from 'hono';
import { jsonObjectBody } from '../api/json-body.js';
import { HttpProblem, intParam } from '../http/problem.js';
import type { GovernanceService } from './service.js';

export function governanceRoutes(gov: GovernanceService): Hono {
  const app = new Hono();
  const id = (raw: string | undefined) => {
    const n = intParam(raw, 'id');
    if (n < 1) throw new HttpProblem(400, 'bad_parameter', 'parameter id must be a proposal id (≥ 1)');
    return n;
  };

  app.get('/governance', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 100);
    if (limit < 1 || limit > 1000) throw new HttpProblem(400, 'bad_parameter', 'parameter limit must be 1..1000');
    return c.json(await gov.overview(limit));
  });
  app.get('/governance/proposals/:id', async (c) => c.json(await gov.proposal(id(c.req.param('id')))));
  app.post('/governance/proposals', async (c) => c.json(await gov.propose(await jsonObjectBody(c.req)), 201));
  app.post('/governance/proposals/:id/vote', async (c) =>
    c.json(await gov.vote(id(c.req.param('id')), await jsonObjectBody(c.req))),
  );
  app.post('/governance/proposals/:id/execute', async (c) => c.json(await gov.execute(id(c.req.param('id')))));
  app.post('/governance/proposals/:id/cancel', async (c) => c.json(await gov.cancel(id(c.req.param('id')))));
  return app;
}
