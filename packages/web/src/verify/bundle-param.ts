// `?bundle=` carries a proof bundle (`?event=` an EPCIS event proof) as base64url JSON; pasted or dropped text is plain JSON.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import type { EventProof } from '@tradetwin/core/proof/epcis-event';
import { decodeBase64Url } from '../lib/base64url.js';

/** A proof someone gave: a reading's bundle or an EPCIS event's proof, told apart by their fields. */
export function parseBundleJson(text: string): { bundle?: ProofBundle; event?: EventProof; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'This is not JSON: a proof bundle is the JSON file the node or `tradetwin verify` gives out.' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'This JSON is not a proof bundle.' };
  if ('readingId' in v && 'envelope' in v) return { bundle: v as ProofBundle };
  if ('eventHashId' in v && 'event' in v && 'leaf' in v) return { event: v as EventProof };
  return {
    error: 'This JSON is not a proof bundle (it has no readingId and envelope) nor an EPCIS event proof (no eventHashId).',
  };
}

export function parseEventParam(param: string): { event?: EventProof; error?: string } {
  let text: string;
  try {
    text = decodeBase64Url(param);
  } catch {
    return { error: 'The proof in this link is damaged (not base64url). Ask for the link again, or for the proof file.' };
  }
  const r = parseBundleJson(text);
  return r.event ? { event: r.event } : { error: r.error ?? 'This link holds a reading bundle, not an EPCIS event proof.' };
}

export function parseBundleParam(param: string): { bundle?: ProofBundle; error?: string } {
  let text: string;
  try {
    text = decodeBase64Url(param);
  } catch {
    return { error: 'The bundle in this link is damaged (not base64url). Ask for the link again, or for the bundle file.' };
  }
  const r = parseBundleJson(text);
  return r.bundle ? { bundle: r.bundle } : { error: r.error ?? 'This link holds an EPCIS event proof, not a reading bundle.' };
}
