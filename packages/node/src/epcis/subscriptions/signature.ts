// Webhook delivery headers. The binding names GS1-Signature and leaves its
// scheme to the implementation: here "sha256=" + hex HMAC-SHA256 of the exact
// body bytes, keyed with the subscription's signatureToken (as GitHub-style
// webhooks do, so common receivers can check it). Pure.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'GS1-Signature';
/** The delivery's id: the same on every retry of one delivery, so a receiver can drop repeats. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function signBody(token: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
}

/** Whether `header` is signBody(token, body) (constant-time compare). */
export function verifySignature(token: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(token, body));
  const got = Buffer.from(header.trim());
  return want.length === got.length && timingSafeEqual(want, got);
}
