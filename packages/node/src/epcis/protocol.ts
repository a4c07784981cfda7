// Request-level rules of the EPCIS 2.0 REST binding that are not about one
// resource: URI length (414), media types (application/json and
// application/ld+json, 406 otherwise), the version headers a client may pin
// (406 when this repository cannot serve them) and the discovery headers OPTIONS
// answers with. Pure: each takes header values and returns or throws.
import { EpcisProblem } from './problem.js';
import { CBV_VERSION, EPCIS_VERSION } from './types.js';

/**
 * Longest request URI served (bytes of path and query). Node's HTTP server refuses request
 * heads over 16 KiB itself (431), so the limit sits well below that to be the one clients meet.
 */
export const MAX_URI_LENGTH = 8192;

export function checkUriLength(pathAndQuery: string): void {
  const n = Buffer.byteLength(pathAndQuery, 'utf8');
  if (n > MAX_URI_LENGTH) {
    throw new EpcisProblem(
      414,
      'epcisException:URITooLongException',
      'uri_too_long',
      `the request URI is ${n} bytes; this repository serves URIs of at most ${MAX_URI_LENGTH} bytes (send fewer or shorter query values, or page with nextPageToken)`,
      { maxLength: MAX_URI_LENGTH },
    );
  }
}

/** Media types a JSON response can be labelled with, best first. */
export const JSON_TYPES = ['application/json', 'application/ld+json'] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/**
 * The response media type for an Accept header (RFC 9110 §12.5.1: q-values, wildcards).
 * application/ld+json when preferred (the binding's JSON-LD), application/json otherwise;
 * 406 when the client accepts neither.
 */
/** The JSON type an Accept header prefers, or null when it prefers none (another syntax may serve it). */
export function jsonTypeOrNull(accept: string | undefined): JsonType | null {
  try {
    return negotiateJson(accept);
  } catch (err) {
    if (err instanceof EpcisProblem) return null;
    throw err;
  }
}

export function negotiateJson(accept: string | undefined): JsonType {
  if (accept === undefined || accept.trim() === '') return 'application/json';
  let best: { type: JsonType; q: number; specific: number } | null = null;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!range) continue;
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    for (const type of JSON_TYPES) {
      const specific = range === type ? 2 : range === 'application/*' ? 1 : range === '*/*' ? 0 : -1;
      if (specific < 0) continue;
      // Higher q wins; then the more specific range; then the order of JSON_TYPES (plain JSON first).
      if (!best || q > best.q || (q === best.q && specific > best.specific)) best = { type, q, specific };
    }
  }
  if (!best) {
    throw new EpcisProblem(
      406,
      'epcisException:NotAcceptableException',
      'not_acceptable',
      `Accept: ${accept} cannot be served: this repository answers application/json or application/ld+json`,
      { header: 'Accept' },
    );
  }
  return best.type;
}

/** "1.2.0" vs "2.0.0", numerically per dotted field. */
export function versionCmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The version headers a request may carry. GS1-EPCIS-Version / GS1-CBV-Version name the version
 * the client speaks: servable when its major.minor is ours (2.0.x). -Min / -Max bound it.
 */
export function checkVersions(header: (name: string) => string | undefined): void {
  const check = (name: string, ours: string, rule: 'same' | 'min' | 'max') => {
    const v = header(name)?.trim();
    if (v === undefined) return;
    if (!/^\d+(\.\d+)*$/.test(v))
      throw new EpcisProblem(
        400,
        'epcisException:ValidationException',
        'bad_version_header',
        `${name} must be a version like 2.0.0, not "${v}"`,
        { header: name },
      );
    const [maj, min] = v.split('.').map(Number);
    const [oMaj, oMin] = ours.split('.').map(Number);
    const ok =
      rule === 'same'
        ? maj === oMaj && (min ?? 0) === oMin
        : rule === 'min'
          ? versionCmp(v, ours) <= 0
          : versionCmp(v, ours) >= 0;
    if (!ok) {
      throw new EpcisProblem(
        406,
        'epcisException:NotAcceptableException',
        'unsupported_version',
        `${name}: ${v} cannot be served: this repository speaks ${name.includes('CBV') ? 'CBV' : 'EPCIS'} ${ours}`,
        { header: name },
      );
    }
  };
  check('GS1-EPCIS-Version', EPCIS_VERSION, 'same');
  check('GS1-CBV-Version', CBV_VERSION, 'same');
  check('GS1-EPCIS-Min', EPCIS_VERSION, 'min');
  check('GS1-EPCIS-Max', EPCIS_VERSION, 'max');
  check('GS1-CBV-Min', CBV_VERSION, 'min');
  check('GS1-CBV-Max', CBV_VERSION, 'max');
}

/** The discovery headers every OPTIONS answers with (204 responses of the binding). */
export function discoveryHeaders(allow: string): Record<string, string> {
  return {
    Allow: allow,
    'GS1-EPCIS-Version': EPCIS_VERSION,
    'GS1-EPCIS-Min': EPCIS_VERSION,
    'GS1-EPCIS-Max': EPCIS_VERSION,
    'GS1-CBV-Version': CBV_VERSION,
    'GS1-CBV-Min': CBV_VERSION,
    'GS1-CBV-Max': CBV_VERSION,
    'GS1-CBV-XML-Format': 'Never_Translates',
  };
}
