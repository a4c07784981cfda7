// `?bundle=` carries a proof bundle as base64url JSON; pasted or dropped text is plain JSON.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { decodeBase64Url } from '../lib/base64url.js';

export function parseBundleJson(text: string): { bundle?: ProofBundle; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'This is not JSON: a proof bundle is the JSON file the node or `tradetwin verify` gives out.' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || !('readingId' in v) || !('envelope' in v)) {
    return { error: 'This JSON is not a proof bundle (it has no readingId and envelope).' };
  }
  return { bundle: v as ProofBundle };
}

export function parseBundleParam(param: string): { bundle?: ProofBundle; error?: string } {
  let text: string;
  try {
    text = decodeBase64Url(param);
  } catch {
    return { error: 'The bundle in this link is damaged (not base64url). Ask for the link again, or for the bundle file.' };
  }
  return parseBundleJson(text);
}
