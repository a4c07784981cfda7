// Strict standard base64 (RFC 4648 §4) for the C2SP text formats: padding required,
// no whitespace, canonical trailing bits — atob alone accepts all of those.
import { fromBase64, toBase64 } from '../proof/bundle.js';

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export { toBase64 };

/** Decodes `s`, or returns null when it is not canonical standard base64. */
export function decodeBase64(s: string): Uint8Array | null {
  if (!B64.test(s)) return null;
  const bytes = fromBase64(s);
  return toBase64(bytes) === s ? bytes : null;
}
