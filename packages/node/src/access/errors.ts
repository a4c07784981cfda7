// What the access service refuses, by code. The HTTP edge (http/errors.ts) maps
// each code to a status: who is asking is unknown (401), may not (403), is
// locked out for a while (423, 429: retryAfterSeconds says how long), or asked
// for something that is not there (404), already there (409) or malformed (400).

export type AccessErrorCode =
  | 'bad_credential'
  | 'credential_revoked'
  | 'no_session'
  | 'session_expired'
  | 'account_disabled'
  | 'bad_login'
  | 'foreign_organisation'
  | 'account_locked'
  | 'too_many_logins'
  | 'user_exists'
  | 'no_such_user'
  | 'no_such_credential'
  | 'bad_name'
  | 'bad_scopes'
  | 'bad_username'
  | 'weak_password';

export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
    /** Set when the refusal ends by itself (a lock, a rate limit). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
