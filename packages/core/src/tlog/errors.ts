// One error type for every C2SP format here: `code` says which rule failed, for
// callers that map it (the witness to an HTTP status, the CLI to an exit code).
export type TlogErrorCode =
  | 'malformed' // not the format the spec defines
  | 'unknown_key' // no signature from a key the verifier trusts
  | 'bad_signature' // a trusted key's signature fails to verify
  | 'policy'; // a policy file breaks the policy rules

export class TlogError extends Error {
  constructor(
    readonly code: TlogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TlogError';
  }
}
