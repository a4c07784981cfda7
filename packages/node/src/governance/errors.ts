// What the governance API refuses before anything reaches the chain (mapped to
// problems in http/errors.ts). The contract's own refusals come as ChainError.
export type GovernanceErrorCode = 'bad_proposal' | 'no_such_proposal' | 'no_governance';

export class GovernanceError extends Error {
  constructor(
    readonly code: GovernanceErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GovernanceError';
  }
}

export const GOVERNANCE_STATUS: Record<GovernanceErrorCode, 400 | 404> = {
  bad_proposal: 400,
  no_such_proposal: 404,
  no_governance: 404,
};
