// Why a claim dossier cannot be built or does not verify, by code. The HTTP
// edge (http/errors.ts) maps them: what is absent is 404, a subject the dossier
// cannot cover is 409; the CLI maps them to exit codes.

export type DossierErrorCode =
  | 'unknown_shipment'
  | 'unknown_policy'
  | 'unknown_excursion'
  /** The policy has not paid out: a dossier of one of its excursions needs the excursion's id. */
  | 'no_payout'
  /** A silence (gap) has no readings outside a limit to show. */
  | 'unsupported_excursion'
  | 'bad_subject';

export class DossierError extends Error {
  constructor(
    readonly code: DossierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DossierError';
  }
}
