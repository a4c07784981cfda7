// The node's own view of sharing, under /api/v1 (reading: log:read; changing:
// access:admin, the table's default for what it does not name):
//   GET  /sharing                      what this organisation owns, shared with whom, and what was shared with it
//   POST /sharing/grants               grant an organisation a shipment or an EPCIS business transaction
//   POST /sharing/grants/{id}/revoke   revoke a grant (a signed log leaf too)
//   POST /sharing/replicate            pull (from one owner, or every owner that granted something) into the mirror
import { Hono } from 'hono';
import { jsonObjectBody } from '../api/json-body.js';
import { HttpProblem } from '../http/problem.js';
import type { MirrorStore } from '../storage/mirror.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { GrantRow } from '../storage/grants.js';
import type { GrantService } from './grants.js';
import type { Replicator } from './replicate.js';

export interface SharingApiDeps {
  grants: GrantService;
  shipments: ShipmentStore;
  mirror: MirrorStore;
  replicator: Replicator | null;
}

export interface GrantJson {
  grantId: string;
  owner: number;
  grantee: number;
  scope: { shipment: string } | { bizTransaction: string };
  from: number;
  to: number;
  issuedAt: number;
  leafIndex: number | null;
  revokedAt: number | null;
  status: 'live' | 'revoked';
}

export function grantJson(g: GrantRow): GrantJson {
  return {
    grantId: g.grantId,
    owner: g.owner,
    grantee: g.grantee,
    scope: g.scopeKind === 'shipment' ? { shipment: g.scopeValue } : { bizTransaction: g.scopeValue },
    from: g.from,
    to: g.to,
    issuedAt: g.issuedAt,
    leafIndex: g.leafIndex,
    revokedAt: g.revokedAt,
    status: g.revokedAt === null ? 'live' : 'revoked',
  };
}

const orgParam = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new HttpProblem(400, 'bad_grant', `${name} must be an organisation id (a positive integer)`);
  }
  return v;
};

const msParam = (v: unknown, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new HttpProblem(400, 'bad_grant', `${name} must be a time in ms`);
  return v;
};

export function sharingRoutes(deps: SharingApiDeps): Hono {
  const app = new Hono();

  app.get('/sharing', async (c) => {
    const issued = await deps.grants.issued();
    const received = await deps.grants.received();
    const heads = await deps.mirror.heads();
    const owned = await Promise.all(
      (await deps.shipments.shipments()).map(async (s) => ({
        shipmentId: s.id,
        sharedWith: [
          ...new Set(
            issued
              .filter((g) => g.revokedAt === null && g.scopeKind === 'shipment' && g.scopeValue === s.id)
              .map((g) => g.grantee),
          ),
        ],
      })),
    );
    const mirrored = await Promise.all(
      heads.map(async (h) => ({
        owner: h.owner,
        headSize: h.size,
        verifiedAt: h.verifiedAt,
        leaves: await deps.mirror.count(h.owner),
      })),
    );
    return c.json({
      org: deps.grants.orgId,
      owned,
      sharedByMe: issued.map(grantJson),
      sharedWithMe: received.map(grantJson),
      mirror: mirrored,
    });
  });

  app.post('/sharing/grants', async (c) => {
    const b = await jsonObjectBody(c.req);
    const grantee = orgParam(b.grantee, 'grantee');
    const shipment = b.shipment;
    const biz = b.bizTransaction;
    if ((typeof shipment === 'string') === (typeof biz === 'string')) {
      throw new HttpProblem(400, 'bad_grant', 'give exactly one of shipment (an id) or bizTransaction (a URI)');
    }
    if (typeof shipment === 'string' && !(await deps.shipments.shipment(shipment))) {
      throw new HttpProblem(404, 'no_such_shipment', `this node holds no shipment ${shipment}`);
    }
    const row = await deps.grants.issue({
      grantee,
      scope: typeof shipment === 'string' ? { shipment } : { bizTransaction: biz as string },
      from: msParam(b.from, 'from'),
      to: msParam(b.to, 'to'),
    });
    return c.json(grantJson(row), 201);
  });

  app.post('/sharing/grants/:id/revoke', async (c) => c.json(grantJson(await deps.grants.revoke(c.req.param('id')))));

  app.post('/sharing/replicate', async (c) => {
    if (!deps.replicator) throw new HttpProblem(409, 'no_node_directory', 'this node has no NodeDirectory: it has no peers');
    const text = await c.req.text();
    const b = text.trim() === '' ? {} : (JSON.parse(text) as { owner?: unknown });
    const owner = b.owner === undefined ? undefined : orgParam(b.owner, 'owner');
    const replicator = deps.replicator;
    const owners = owner !== undefined ? [owner] : await replicator.peers();
    // Grants first (an owner whose node does not answer is skipped when pulling from every peer).
    for (const o of owners) {
      await replicator.pullGrants(o).catch((err: unknown) => {
        if (owner !== undefined) throw err;
      });
    }
    const pulled = [];
    // From every peer: one owner's failure (down, or refused and alerted) does not stop the others; it is reported.
    const failed: { owner: number; error: string }[] = [];
    for (const o of owners) {
      try {
        pulled.push(...(await replicator.replicate(o)));
      } catch (err) {
        if (owner !== undefined) throw err;
        failed.push({ owner: o, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return c.json({ pulled, failed });
  });

  return app;
}
