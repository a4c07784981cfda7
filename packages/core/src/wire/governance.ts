// Consortium governance as the API shows it (GET /api/v1/governance): the
// voting settings, the oracle threshold, and the proposals with their votes.
// Times are ms since the epoch; roles are MemberRegistry bit sets.

export type ProposalActionJson =
  | { kind: 'admit'; account: string; name: string; roles: number }
  | { kind: 'remove'; orgId: number }
  | { kind: 'roles'; orgId: number; roles: number }
  | { kind: 'threshold'; threshold: number; target: string | null }
  | {
      kind: 'settings';
      settings: { votingPeriodS: number; executionDelayS: number; executionWindowS: number; approvalBps: number };
    }
  | { kind: 'status'; orgId: number; active: boolean };

export type ProposalStateJson = 'active' | 'defeated' | 'passed' | 'executed' | 'cancelled' | 'expired';

export interface ProposalJson {
  id: number;
  action: ProposalActionJson;
  state: ProposalStateJson;
  proposerOrg: number;
  createdAt: number;
  votingEndsAt: number;
  /** When the outcome became final; null while the vote is open (or ran out undecided). */
  decidedAt: number | null;
  /** Passed proposals: executable from (the execution delay) until expiresAt. */
  executableAt: number | null;
  expiresAt: number | null;
  /** Active members when the proposal was made, and the yes votes it needs. */
  electorate: number;
  required: number;
  yes: number;
  no: number;
  /** One entry per organisation that voted. */
  votes: { orgId: number; orgName: string | null; support: boolean }[];
}

export interface GovernanceJson {
  /** The ConsortiumGovernance contract; null on a network without one (nothing else is then set). */
  contract: string | null;
  settings: { votingPeriodS: number; executionDelayS: number; executionWindowS: number; approvalBps: number } | null;
  oracleThreshold: number | null;
  /** The node's own organisation (its vote is what this node casts). */
  orgId: number;
  proposals: ProposalJson[];
}
