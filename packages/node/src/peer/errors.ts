// What a peer request can be refused for. Authentication failures are 401s
// that say why (the caller is a member's node and can act on it); a record the
// caller may not see is `not_found`, worded exactly as for a record that does
// not exist — no existence leak.
export type PeerErrorCode =
  | 'unsigned_request'
  | 'bad_signature'
  | 'expired_signature'
  | 'replayed_request'
  | 'not_a_member'
  | 'peer_busy'
  | 'not_found'
  | 'bad_request';

export const PEER_STATUS: Record<PeerErrorCode, 400 | 401 | 404 | 503> = {
  unsigned_request: 401,
  bad_signature: 401,
  expired_signature: 401,
  replayed_request: 401,
  not_a_member: 401,
  peer_busy: 503,
  not_found: 404,
  bad_request: 400,
};

export class PeerError extends Error {
  constructor(
    readonly code: PeerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PeerError';
  }
}

/** The one answer for "no such record" and "no grant covers it": identical bytes either way. */
export const NOT_FOUND_DETAIL = 'no such record';
