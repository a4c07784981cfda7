// HTTP routes for item tags, a Hono app to mount under /api/v1:
//   POST /tags                    (admin) issue a tag for an item with the node's brand account → URI + QR SVG
//   GET  /tags/verify?uri=…       (public) verify a scan: ?lat=&lon= (degrees), ?at= (ms or RFC 3339), ?by=
//   GET  /tags/{uri}/sightings    (admin) the recorded scans of the item (the URI percent-encoded as one segment)
// Sightings are admin-only: they hold where and by whom an item was scanned
// (consumers' positions); the public verification names only the two
// sightings of an impossible-travel finding, without who scanned.
// Errors are RFC 7807 problems (api/problem.ts), each with a precise code.
import { type Context, Hono } from 'hono';
import type { LocalAccount } from 'viem';
import { HttpProblem, intParam, problemResponse } from '../api/problem.js';
import { parseDateTime } from '../epcis/time.js';
import { checkCoordinates, type LatLon } from './geo.js';
import { tagQrSvg } from './qr.js';
import type { Sighting } from './sightings.js';
import { gtinSerialLink, issueTag, TagError } from './tag.js';
import type { TagVerifier } from './verify.js';

export interface TagRouteDeps {
  verifier: TagVerifier;
  /** The account POST /tags signs with (the node's own: it must be an active member with the brand role); absent: POST /tags answers 501. */
  brand?: Pick<LocalAccount, 'address' | 'signMessage'>;
  /** The brand's resolver for issued tags when the request names none (default https://id.gs1.org). */
  resolver?: string;
  requireAdmin: (authorization: string | undefined) => void;
}

export function tagRoutes(deps: TagRouteDeps): Hono {
  const app = new Hono();
  // Applies to these routes only, also when mounted into the node's app.
  app.onError((err, c) => {
    if (err instanceof HttpProblem) return problemResponse(c, err);
    console.error(`[tags] ${c.req.method} ${c.req.path}:`, err);
    return problemResponse(c, new HttpProblem(500, 'internal', 'the node could not answer this request'));
  });

  app.post('/tags', async (c) => {
    deps.requireAdmin(c.req.header('authorization'));
    if (!deps.brand) throw new HttpProblem(501, 'no_brand_key', 'this node has no brand account to sign tags with');
    const body = await jsonObject(c);
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
    const by = c.req.query('by');
    const at = scanTime(c.req.query('at'));
    const result = await deps.verifier.verifyTag({
      uri,
      scan: { ...(at !== undefined ? { at } : {}), ...(by !== undefined ? { by } : {}), ...(pos ?? {}) },
    });
    c.header('cache-control', 'no-store');
    return c.json(result);
  });

  app.get('/tags/:uri/sightings', (c) => {
    deps.requireAdmin(c.req.header('authorization'));
    const limit = Math.min(intParam(c.req.query('limit'), 'limit', 1000), 10_000);
    const { item, epc, sightings } = deps.verifier.sightingsOf(c.req.param('uri'), limit);
    return c.json({ item, epc, sightings: sightings.map(sightingJson) });
  });

  return app;
}

export function sightingJson(s: Sighting) {
  return { ...s, at: new Date(s.at).toISOString(), recordedAt: new Date(s.recordedAt).toISOString() };
}

async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // the problem below
  }
  throw new HttpProblem(400, 'bad_json', 'request body must be a JSON object');
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

/** ?at= as ms since the epoch or an RFC 3339 date-time with its zone. */
function scanTime(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const t = parseDateTime(value);
  if (!t.ok) throw new TagError('bad_time', `at: ${t.reason}; or give ms since the epoch`);
  return t.ms;
}
