// POST /api/v1/shipments/{id}/dossiers: build, sign and log a claim dossier of
// one of the shipment's policies (its payout) or excursions, answered as the
// package itself (application/zip). Who may: whoever may read the shipment
// (shipments:read or shipments:read:<id>; access/policy.ts).
import { Hono } from 'hono';
import type { Hex } from 'viem';
import { jsonObjectBody } from '../../api/json-body.js';
import { type BuiltDossier, buildDossier, type DossierSigner } from './build.js';
import { DossierError } from './errors.js';
import type { DossierSources, DossierSubject } from './gather.js';

export interface DossierRouteDeps extends DossierSources {
  signer: DossierSigner;
  /** Told after a dossier's leaf was appended (the anchorer publishes it with the next head). */
  onIssued?: (d: BuiltDossier) => void;
}

/** Headers that describe the package beside its bytes. */
export const DOSSIER_HEADERS = {
  sha256: 'x-tradetwin-dossier-sha256',
  manifest: 'x-tradetwin-manifest-sha256',
  signer: 'x-tradetwin-signer',
  logIndex: 'x-tradetwin-log-index',
} as const;

export function dossierRoutes(deps: DossierRouteDeps): Hono {
  const app = new Hono();
  app.post('/shipments/:id/dossiers', async (c) => {
    const body = await jsonObjectBody(c.req);
    const shipmentId = c.req.param('id');
    let subject: DossierSubject;
    if (body.policyId !== undefined && body.excursionId === undefined) {
      if (typeof body.policyId !== 'number') throw new DossierError('bad_subject', 'policyId must be a number');
      if (body.cover !== undefined && (typeof body.cover !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(body.cover)))
        throw new DossierError('bad_subject', 'cover must be a 0x address');
      subject = { shipmentId, policyId: body.policyId, cover: body.cover as Hex | undefined };
    } else if (body.excursionId !== undefined && body.policyId === undefined) {
      if (typeof body.excursionId !== 'string') throw new DossierError('bad_subject', 'excursionId must be a string');
      subject = { shipmentId, excursionId: body.excursionId as Hex };
    } else {
      throw new DossierError('bad_subject', 'give either {"policyId": N} or {"excursionId": "0x…"}');
    }
    const built = await buildDossier(deps, subject);
    deps.onIssued?.(built);
    return new Response(new Uint8Array(built.zip), {
      status: 201,
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${built.fileName}"`,
        [DOSSIER_HEADERS.sha256]: built.sha256,
        [DOSSIER_HEADERS.manifest]: built.manifestSha256,
        [DOSSIER_HEADERS.signer]: built.signer,
        [DOSSIER_HEADERS.logIndex]: String(built.logIndex),
        'access-control-expose-headers': Object.values(DOSSIER_HEADERS).join(', '),
      },
    });
  });
  return app;
}
