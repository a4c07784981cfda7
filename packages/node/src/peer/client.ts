// Signed requests to another member's node (RFC 9421 as organisation `orgId`).
import { signRequest } from '@tradetwin/core/peer/http-signature';

export interface PeerClientKey {
  orgId: number;
  secretKey: Uint8Array;
}

export class PeerUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PeerUnavailable';
  }
}

/** GET `url` signed as `key`; the Response whatever its status (PeerUnavailable when nobody answers). */
export async function peerGet(url: string, key: PeerClientKey, timeoutMs = 30_000): Promise<Response> {
  const headers = signRequest({ method: 'GET', url }, { secretKey: key.secretKey, keyid: String(key.orgId) });
  try {
    return await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new PeerUnavailable(`${new URL(url).origin} did not answer: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** POST a JSON `body` to `url` signed as `key` (the body bound by Content-Digest); PeerUnavailable when nobody answers. */
export async function peerPost(url: string, body: unknown, key: PeerClientKey, timeoutMs = 30_000): Promise<Response> {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const headers = signRequest({ method: 'POST', url, body: bytes }, { secretKey: key.secretKey, keyid: String(key.orgId) });
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: bytes,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new PeerUnavailable(`${new URL(url).origin} did not answer: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
