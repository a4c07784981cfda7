// The node's own view of sharing, under /api/v1 (reading: log:read; changing:
// access:admin, the table's default for what it does not name):
//   GET  /sharing                      what this organisation owns, shared with whom, and what was shared with it
//   POST /sharing/grants               grant an organisation a shipment or an EPCIS business transaction
//   POST /sharing/grants/{id}/revoke   revoke a grant (a signed log leaf too)
//   POST /sharing/replicate            pull (from one owner, or every owner that granted something) into the mirror
//   GET  /sharing/shipments/{id}/documents              the documents of a shipment others shared, from the mirror
//   GET  /sharing/shipments/{id}/documents/{leafIndex}  one's content (?owner=N when several owners share that id)
import { Hono } from 'hono';
import { bytesToHex } from 'viem';
import {
  DOCUMENT_LEAF_KIND,
  DocumentFormatError,
  decodeDocumentBody,
  verifyDocumentContent,
} from '@tradetwin/core/document/document';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import type { SharedDocumentJson, SharedDocumentListJson } from '@tradetwin/core/wire/documents';
import { documentHeaders, leafIndexParam } from '../documents/routes.js';
import { jsonObjectBody } from '../api/json-body.js';
import { HttpProblem } from '../http/problem.js';
import type { MirrorLeaf, MirrorStore } from '../storage/mirror.js';
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

/** A mirrored "document" leaf as the grantee lists it (its body was verified before it was stored). */
function sharedDocument(l: MirrorLeaf): SharedDocumentJson & { digest: Uint8Array } {
  const rec = decodeLeaf(l.data);
  const d = decodeDocumentBody(rec.body);
  return {
    owner: l.owner,
    shipmentId: d.shipmentId,
    type: d.type,
    name: d.name,
    mediaType: d.mediaType,
    sha256: bytesToHex(d.sha256).slice(2),
    size: d.size,
    leafIndex: l.index,
    addedAt: rec.receivedAt,
    verified: true,
    headSize: l.headSize,
    digest: d.sha256,
  };
}

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

  app.get('/sharing/shipments/:id/documents', async (c) => {
    const id = c.req.param('id');
    const held = await deps.mirror.leavesOf({ scope: id, kind: DOCUMENT_LEAF_KIND });
    const body: SharedDocumentListJson = {
      shipmentId: id,
      documents: held.map((l) => {
        const { digest: _digest, ...listed } = sharedDocument(l);
        return listed;
      }),
    };
    return c.json(body);
  });

  app.get('/sharing/shipments/:id/documents/:leafIndex', async (c) => {
    const id = c.req.param('id');
    const index = leafIndexParam(c.req.param('leafIndex'));
    const ownerRaw = c.req.query('owner');
    if (ownerRaw !== undefined && !/^[1-9]\d{0,14}$/.test(ownerRaw))
      throw new HttpProblem(400, 'bad_request', 'owner must be an organisation id (a positive integer)');
    const owner = ownerRaw === undefined ? undefined : Number(ownerRaw);
    const held = (await deps.mirror.leavesOf({ scope: id, kind: DOCUMENT_LEAF_KIND, owner })).filter((l) => l.index === index);
    if (held.length === 0)
      throw new HttpProblem(404, 'no_such_document', `no document of shipment ${id} at leaf ${index} was shared with this node`);
    if (held.length > 1)
      throw new HttpProblem(
        400,
        'bad_request',
        `organisations ${held.map((l) => l.owner).join(', ')} each shared one: give ?owner=`,
      );
    const d = sharedDocument(held[0]!);
    const content = await deps.mirror.documentContent(d.owner, index);
    if (content === null)
      throw new HttpProblem(
        409,
        'document_content_missing',
        `the content of the document at leaf ${index} is not held by this node`,
      );
    // Checked before it was stored; checked again on the way out, as the owner does.
    try {
      verifyDocumentContent({ sha256: d.digest, size: d.size }, content);
    } catch (err) {
      if (err instanceof DocumentFormatError)
        throw new HttpProblem(
          500,
          'document_tampered',
          `the mirrored content of the document at leaf ${index} is not the one its leaf commits to: ${err.message}`,
        );
      throw err;
    }
    return c.body(content as Uint8Array<ArrayBuffer>, 200, {
      ...documentHeaders({ name: d.name, mediaType: d.mediaType, sha256: d.digest }),
      'TradeTwin-Owner': String(d.owner),
    });
  });

  return app;
}
