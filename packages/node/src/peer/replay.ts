// Replay protection for signed peer requests: each (keyid, nonce) is accepted
// once while its signature can be valid. Kept in memory, bounded, because a
// nonce only needs remembering until its signature expires (≤ 5 min + skew:
// core/peer/http-signature.ts) — persisting it would cost a write per request
// for nothing a restart needs, provided a restart cannot reopen the window:
// the cache refuses signatures created before it was made (a peer simply signs
// again). At capacity it refuses new requests (503 peer_busy) rather than
// forget a live nonce, which would let that request be replayed.
import { MAX_CLOCK_SKEW_S } from '@tradetwin/core/peer/http-signature';
import { PeerError } from './errors.js';

export class NonceCache {
  private readonly seen = new Map<string, number>();
  /** Signatures created before this second are refused (the memory of earlier nonces is gone). */
  readonly notBeforeS: number;

  constructor(
    readonly capacity = 100_000,
    now = Date.now(),
  ) {
    this.notBeforeS = Math.floor(now / 1000);
  }

  /** Record a nonce or throw: replayed, signed before this node started, or too many live nonces. */
  accept(keyid: string, p: { nonce: string; created: number; expires: number }, now = Date.now()): void {
    if (p.created < this.notBeforeS) {
      throw new PeerError('expired_signature', 'the signature predates this node (it restarted): sign the request again');
    }
    const key = `${keyid}\u0000${p.nonce}`;
    if (this.seen.has(key)) throw new PeerError('replayed_request', 'this signature nonce was already used');
    if (this.seen.size >= this.capacity) this.sweep(now);
    if (this.seen.size >= this.capacity) throw new PeerError('peer_busy', 'too many signed requests in flight: retry shortly');
    // Forgettable once no clock could still accept the signature.
    this.seen.set(key, (p.expires + MAX_CLOCK_SKEW_S) * 1000);
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
  }
}
