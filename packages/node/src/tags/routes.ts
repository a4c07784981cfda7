// HTTP routes for item tags, a Hono app to mount under /api/v1:
//   POST /tags                    (tags:issue: an operator) issue a tag for an item with the node's brand account → URI + QR SVG
//   GET  /tags/verify?uri=…       (public) verify a scan: ?lat=&lon= (degrees), ?by=; the node takes the time
//                                 (a client's ?at= is refused). Anonymous scans are answered but never change
//                                 a verdict; a `tags:scan` credential's or a member's scan counts in clone detection.
//   GET  /tags/{uri}/sightings    (tags:read: an operator) the recorded scans of the item (the URI percent-encoded as one segment)
// Who may call each route is decided by the access policy (access/policy.ts) before these handlers run.
// Sightings are not public: they hold where and by whom an item was scanned
// (consumers' positions); the public verification names only the two
// sightings of an impossible-travel finding, without who scanned.
// Errors are RFC 7807 problems (http/problem.ts; domain errors mapped in http/errors.ts), each with a precise code.
import { jsonObjectBody } from '../api/json-body.js';
import { Hono } from 'hono';
import type { LocalAccount } from 'viem';
import { httpErrorHandler } from '../http/errors.js';
import { HttpProblem, intParam } from '../http/problem.js';
import { checkCoordinates, type LatLon } from './geo.js';
import { tagQrSvg } from './qr.js';
import type { Sighting } from './sightings.js';
import { gtinSerialLink, issueTag, TagError } from './tag.js';
import type { TagVerifier } from './verify.js';
import { clientAddress } from '../access/http.js';
import { satisfies } from '../access/scopes.js';

export interface TagRouteDeps {
  verifier: TagVerifier;
  /** The account POST /tags signs with (the node's own: it must be an active member with the brand role); absent: POST /tags answers 501. */
  brand?: Pick<LocalAccount, 'address' | 'signMessage'>;
  /** The brand's resolver for issued tags when the request names none (default https://id.gs1.org). */
  resolver?: string;
  /** Anonymous sightings kept per client address per minute (default 30). */
  anonymousSightingsPerMinute?: number;
}

export function tagRoutes(deps: TagRouteDeps): Hono {
  const app = new Hono();
  // Applies to these routes only, also when mounted into the node's app.
  app.onError(httpErrorHandler('tags'));

  app.post('/tags', async (c) => {
    if (!deps.brand) throw new HttpProblem(501, 'no_brand_key', 'this node has no brand account to sign tags with');
    const body = await jsonObjectBody(c.req);
    const item = itemInput(body);
    const base = body.base ?? deps.resolver;
    if (base !== undefined && typeof base !== 'string')
      throw new TagError('bad_base', 'base must be a string (the brand resolver, e.g. https://brand.example)');
    const brand = await deps.verifier.isBrand(deps.brand.address);
    if (!brand.ok) {
      throw new HttpProblem(409, 'brand_not_member', `this node's account cannot issue tags: ${brand.reason.detail}`, {
        issuer: deps.brand.address,
        reason: brand.reason.code,
      });
    }
    const tag = await issueTag({ account: deps.brand, item, ...(base !== undefined ? { base } : {}) });
    return c.json(
      { ...tag, issuerOrg: { orgId: brand.status.orgId, name: brand.status.name }, qrSvg: await tagQrSvg(tag.uri) },
      201,
    );
  });

  // Anonymous sightings kept per client address per minute; beyond, scans are answered but not kept.
  const anonymous = new Map<string, { windowStart: number; n: number }>();
  const keepAnonymous = (client: string): boolean => {
    const now = Date.now();
    const a = anonymous.get(client);
    if (!a || now - a.windowStart >= 60_000) {
      if (anonymous.size > 10_000) anonymous.clear();
      anonymous.set(client, { windowStart: now, n: 1 });
      return true;
    }
    a.n += 1;
    return a.n <= (deps.anonymousSightingsPerMinute ?? 30);
  };

  app.get('/tags/verify', async (c) => {
    const uri = c.req.query('uri');
    if (uri === undefined || uri === '')
      throw new HttpProblem(400, 'missing_parameter', 'parameter uri (the scanned tag, percent-encoded) is required');
    let pos: LatLon | null;
    try {
      pos = checkCoordinates(c.req.query('lat'), c.req.query('lon'));
    } catch (err) {
      throw new TagError('bad_coordinates', (err as Error).message);
    }
    if (c.req.query('at') !== undefined)
      throw new TagError('client_time_refused', 'at is not accepted: the node takes the time of a scan when it receives it');
    const principal = c.get('principal');
    const trusted = principal !== undefined && satisfies(principal.scopes, { anyOf: ['tags:scan'] });
    // A trusted scan is named by who the node knows it is; an anonymous one by what it says (unverified).
    const by = trusted ? `${principal.kind === 'user' ? 'user' : 'credential'}:${principal.name}` : c.req.query('by');
    const result = await deps.verifier.verifyTag({
      uri,
      scan: { ...(by !== undefined ? { by } : {}), ...(pos ?? {}) },
      trusted,
      record: trusted || keepAnonymous(clientAddress(c)),
    });
    c.header('cache-control', 'no-store');
    return c.json(result);
  });

  app.get('/tags/:uri/sightings', async (c) => {
    const limit = Math.min(intParam(c.req.query('limit'), 'limit', 1000), 10_000);
    const { item, epc, sightings } = await deps.verifier.sightingsOf(c.req.param('uri'), limit);
    return c.json({ item, epc, sightings: sightings.map(sightingJson) });
  });

  return app;
}

export function sightingJson(s: Sighting) {
  return { ...s, at: new Date(s.at).toISOString(), recordedAt: new Date(s.recordedAt).toISOString() };
}

/** Exactly one way of naming the item: epc, uri, or gtin + serial. */
function itemInput(body: Record<string, unknown>): string {
  const { epc, uri, gtin, serial } = body;
  const forms = [epc !== undefined, uri !== undefined, gtin !== undefined || serial !== undefined].filter(Boolean).length;
  if (forms !== 1) {
    throw new HttpProblem(
      400,
      'bad_item',
      'name the item one way: {"epc": "urn:epc:id:sgtin:…"}, {"uri": "https://…/01/…/21/…"} or {"gtin": "…", "serial": "…"}',
    );
  }
  if (epc !== undefined) {
    if (typeof epc !== 'string' || !epc.startsWith('urn:epc:'))
      throw new HttpProblem(400, 'bad_item', 'epc must be an EPC URN (urn:epc:id:…)');
    return epc;
  }
  if (uri !== undefined) {
    if (typeof uri !== 'string') throw new HttpProblem(400, 'bad_item', 'uri must be a GS1 Digital Link string');
    return uri;
  }
  if (typeof gtin !== 'string' || typeof serial !== 'string')
    throw new HttpProblem(400, 'bad_item', 'gtin and serial must both be strings');
  return gtinSerialLink(gtin, serial);
}
