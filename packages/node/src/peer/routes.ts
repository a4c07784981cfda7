// The peer endpoints, /peer/v1/…, spoken between member nodes only. Every
// request must be signed (RFC 9421) by an active member's node (peer/auth.ts);
// a record is served only under a live grant from this node's organisation to
// the caller's, otherwise the answer is the one for a record that does not
// exist. A shipment is served with its devices' telemetry in the window, its
// documents (each leaf with the content it commits to) and the grant's own leaf. Served records carry inclusion proofs to
// this node's latest head anchored on chain, and a consistency proof from the
// head the caller holds.
// The organisation's oracle is asked here too (POST /peer/v1/oracle/attest),
// by whichever member settles a claim.
import { Hono } from 'hono';
import { jsonObjectBody } from '../api/json-body.js';
import { attestationJson, attestRequestFromJson } from '../consortium/oracle-service.js';
import type { OracleEndpoint } from '../oracle/claims.js';
import { bytesToHex } from 'viem';
import type { PeerEpcisJson, PeerGrantsJson, PeerShipmentJson } from '@tradetwin/core/wire/peer';
import {
  DOCUMENT_LEAF_KIND,
  DocumentFormatError,
  decodeDocumentBody,
  verifyDocumentContent,
} from '@tradetwin/core/document/document';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { LINK } from '../epcis/types.js';
import type { EpcisIndexStore } from '../storage/epcis.js';
import type { DocumentStore } from '../storage/documents.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { httpErrorHandler } from '../http/errors.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { NodeStore } from '../storage/types.js';
import { type PeerAuthDeps, type PeerCaller, authenticatePeer } from './auth.js';
import { PeerError } from './errors.js';
import { type GrantService, signedOf } from './grants.js';

/** Most telemetry leaves one shipment response carries (the caller pulls a longer one by window). */
export const MAX_PEER_RECORDS = 200_000;

export interface PeerRoutesDeps {
  auth: PeerAuthDeps;
  grants: GrantService;
  store: NodeStore;
  log: TransparencyLog;
  shipments: ShipmentStore;
  /** The EPCIS index (events by business transaction). */
  epcis: EpcisIndexStore;
  /** The index of the shipments' documents ("document" leaves). */
  documents: DocumentStore;
  publisher: `0x${string}`;
  /** This organisation's oracle, asked by the member settling a claim (absent: the node runs none). */
  oracle?: OracleEndpoint;
}

type Env = { Variables: { caller: PeerCaller } };

export function peerRoutes(deps: PeerRoutesDeps): Hono<Env> {
  const app = new Hono<Env>();
  app.onError(httpErrorHandler('peer'));
  app.use('/peer/*', async (c, next) => {
    const body = new Uint8Array(await c.req.raw.clone().arrayBuffer());
    c.set('caller', await authenticatePeer(c.req.raw, body, deps.auth));
    await next();
  });

  app.get('/peer/v1/grants', async (c) => {
    const caller = c.get('caller');
    const rows = (await deps.grants.issued()).filter((g) => g.grantee === caller.orgId);
    const body: PeerGrantsJson = {
      owner: deps.grants.orgId,
      grants: rows.map((r) => {
        const s = signedOf(r);
        return {
          signed: s.grant,
          leafIndex: r.leafIndex,
          revocation: s.revocation ? { signed: s.revocation, leafIndex: r.revocationLeafIndex } : null,
        };
      }),
    };
    return c.json(body);
  });

  app.get('/peer/v1/shipments/:id', async (c) => {
    const caller = c.get('caller');
    const id = c.req.param('id');
    // Default deny first: without a live grant nothing below runs (no timing or body difference to "absent").
    const grant = await deps.grants.require(caller.orgId, 'shipment', id);
    const shipment = await deps.shipments.shipment(id);
    if (!shipment) throw new PeerError('not_found', 'no such record');
    const anchor = await deps.store.latestConfirmedAnchor();
    if (!anchor) throw new PeerError('not_found', 'no such record');
    const sinceRaw = c.req.query('since');
    let since: number | null = null;
    if (sinceRaw !== undefined) {
      if (!/^\d{1,15}$/.test(sinceRaw)) throw new PeerError('bad_request', 'since must be a tree size');
      since = Number(sinceRaw);
      if (since > anchor.size) throw new PeerError('bad_request', `since ${since} is beyond the anchored size ${anchor.size}`);
    }
    const indices: number[] = [];
    let windowFrom = Number.POSITIVE_INFINITY;
    let windowTo = 0;
    for (const d of shipment.devices) {
      const from = Math.max(d.from, grant.from);
      const to = Math.min(d.to ?? grant.to, grant.to);
      if (to < from) continue;
      windowFrom = Math.min(windowFrom, from);
      windowTo = Math.max(windowTo, to);
      const rows = await deps.store.telemetry({ deviceId: d.deviceId, from, to, limit: MAX_PEER_RECORDS + 1 });
      for (const r of rows) if (r.index < anchor.size) indices.push(r.index);
    }
    if (indices.length > MAX_PEER_RECORDS) {
      throw new PeerError('bad_request', `more than ${MAX_PEER_RECORDS} records: ask with a grant of a shorter window`);
    }
    // The shipment's documents go with it whatever the grant's window: they are of the shipment, not of a time;
    // each with its content, and only one whose stored content is the one its leaf commits to (a content lost
    // or changed on this node is not served: the grantee would refuse the whole answer).
    const contents = new Map<number, Uint8Array>();
    for (const d of await deps.documents.ofShipment(id)) {
      if (d.leafIndex >= anchor.size || !d.hasContent) continue;
      const content = await verifiedDocumentContent(deps, d.leafIndex);
      if (content === null) continue;
      contents.set(d.leafIndex, content);
      indices.push(d.leafIndex);
    }
    if (grant.leafIndex !== null && grant.leafIndex < anchor.size) indices.push(grant.leafIndex);
    const unique = [...new Set(indices)].sort((a, b) => a - b);
    const paths = await deps.log.inclusionProofs(unique, anchor.size);
    const leaves = await leafData(deps.store, unique);
    const body: PeerShipmentJson = {
      owner: deps.grants.orgId,
      publisher: deps.publisher,
      shipment: shipment as unknown as PeerShipmentJson['shipment'],
      window: { from: Number.isFinite(windowFrom) ? windowFrom : grant.from, to: windowTo || grant.to },
      head: { size: anchor.size, root: bytesToHex(anchor.root), timestamp: anchor.timestamp, txHash: anchor.txHash },
      consistency:
        since === null
          ? null
          : { from: since, path: (await deps.log.consistencyProof(since, anchor.size)).map((p) => bytesToHex(p)) },
      records: unique.map((index, i) => {
        const content = contents.get(index);
        return {
          index,
          data: Buffer.from(leaves[i]!).toString('base64'),
          path: paths[i]!.map((p) => bytesToHex(p)),
          ...(content ? { content: Buffer.from(content).toString('base64') } : {}),
        };
      }),
      excursions: (await deps.shipments.excursions(id)).map((e) => e.record),
    };
    return c.json(body);
  });

  app.get('/peer/v1/epcis', async (c) => {
    const caller = c.get('caller');
    const biz = c.req.query('bizTransaction');
    if (!biz) throw new PeerError('bad_request', 'bizTransaction is required');
    const grant = await deps.grants.require(caller.orgId, 'bizTransaction', biz);
    const anchor = await deps.store.latestConfirmedAnchor();
    if (!anchor) throw new PeerError('not_found', 'no such record');
    const since = sinceOf(c.req.query('since'), anchor.size);
    const events = await deps.epcis.queryEvents(
      { where: [{ kind: 'link', link: LINK.bizTransaction, values: [biz], type: null }], orderBy: 'capture', direction: 'ASC' },
      { after: null, limit: MAX_PEER_RECORDS + 1 },
      { epcMatch: () => false },
    );
    if (events.length > MAX_PEER_RECORDS) throw new PeerError('bad_request', `more than ${MAX_PEER_RECORDS} events`);
    const indices = events
      .filter((e) => e.leafIndex < anchor.size && e.eventTime >= grant.from && e.eventTime <= grant.to)
      .map((e) => e.leafIndex);
    if (grant.leafIndex !== null && grant.leafIndex < anchor.size) indices.push(grant.leafIndex);
    const unique = [...new Set(indices)].sort((a, b) => a - b);
    const paths = await deps.log.inclusionProofs(unique, anchor.size);
    const leaves = await leafData(deps.store, unique);
    const body: PeerEpcisJson = {
      owner: deps.grants.orgId,
      publisher: deps.publisher,
      bizTransaction: biz,
      head: { size: anchor.size, root: bytesToHex(anchor.root), timestamp: anchor.timestamp, txHash: anchor.txHash },
      consistency:
        since === null
          ? null
          : { from: since, path: (await deps.log.consistencyProof(since, anchor.size)).map((p) => bytesToHex(p)) },
      records: unique.map((index, i) => ({
        index,
        data: Buffer.from(leaves[i]!).toString('base64'),
        path: paths[i]!.map((p) => bytesToHex(p)),
      })),
    };
    return c.json(body);
  });

  // The organisation's oracle: any authenticated member may ask; it signs only what it derived itself
  // from evidence verified against the chain (a refusal is a 422 problem).
  app.post('/peer/v1/oracle/attest', async (c) => {
    const oracle = deps.oracle;
    if (!oracle) throw new PeerError('not_found', 'no such record');
    const req = attestRequestFromJson(await jsonObjectBody(c.req));
    return c.json(attestationJson(await oracle.attest(req), oracle.name));
  });

  // Anything else under /peer: authenticated, and not there.
  app.all('/peer/*', () => {
    throw new PeerError('not_found', 'no such record');
  });
  return app;
}

/** The caller's verified head size (`since`), when given: a tree size no larger than the anchored one. */
function sinceOf(raw: string | undefined, anchored: number): number | null {
  if (raw === undefined) return null;
  if (!/^\d{1,15}$/.test(raw)) throw new PeerError('bad_request', 'since must be a tree size');
  const since = Number(raw);
  if (since > anchored) throw new PeerError('bad_request', `since ${since} is beyond the anchored size ${anchored}`);
  return since;
}

/** The data of sorted leaf indices, read as runs (a gap under one tile is read through rather than split). */
/** A document's stored content when it is the one its leaf commits to (null: missing, or not that content). */
async function verifiedDocumentContent(deps: PeerRoutesDeps, leafIndex: number): Promise<Uint8Array | null> {
  const [content, leaf] = await Promise.all([deps.documents.content(leafIndex), deps.store.leaf(leafIndex)]);
  if (content === null || !leaf) return null;
  const rec = decodeLeaf(leaf.data);
  if (rec.kind !== DOCUMENT_LEAF_KIND) return null;
  try {
    verifyDocumentContent(decodeDocumentBody(rec.body), content);
    return content;
  } catch (err) {
    if (err instanceof DocumentFormatError) return null;
    throw err;
  }
}

async function leafData(store: NodeStore, sorted: number[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! - sorted[j]! < 256) j++;
    const start = sorted[i]!;
    const rows = await store.leaves(start, sorted[j]! + 1);
    for (let k = i; k <= j; k++) {
      const row = rows[sorted[k]! - start];
      if (!row) throw new Error(`leaf ${sorted[k]} is indexed but missing`);
      out.push(row.data);
    }
    i = j + 1;
  }
  return out;
}
