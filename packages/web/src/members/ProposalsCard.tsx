// Consortium governance (admission by vote): the voting settings, the oracle
// threshold, and every proposal with its tally and each organisation's vote,
// from the node's API (GET /api/v1/governance). Votes are cast with
// `tradetwin governance vote`: the node's key signs for its organisation.
import type { GovernanceJson, ProposalJson } from '@tradetwin/core/wire/governance';
import { useApi } from '../lib/use-api.js';
import { formatTime } from '../lib/format.js';
import { roleNames } from '../chain/members.js';
import { Badge, Card, ErrorNote, Hash, Loading, type Tone } from '../app/ui.js';

const STATE_TONE: Record<ProposalJson['state'], Tone> = {
  active: 'info',
  passed: 'warn',
  executed: 'ok',
  defeated: 'bad',
  cancelled: 'plain',
  expired: 'plain',
};

function describe(a: ProposalJson['action']) {
  switch (a.kind) {
    case 'admit':
      return (
        <>
          Admit <strong>{a.name}</strong> (<Hash value={a.account} keep={4} />) as {roleNames(a.roles).join(', ')}
        </>
      );
    case 'remove':
      return <>Remove org {a.orgId}</>;
    case 'roles':
      return (
        <>
          Roles of org {a.orgId}: {roleNames(a.roles).join(', ')}
        </>
      );
    case 'status':
      return (
        <>
          {a.active ? 'Reactivate' : 'Suspend'} org {a.orgId}
        </>
      );
    case 'threshold':
      return <>Oracle threshold {a.threshold}</>;
    case 'settings':
      return (
        <>
          Voting {a.settings.votingPeriodS} s, delay {a.settings.executionDelayS} s, approval &gt; {a.settings.approvalBps / 100}%
        </>
      );
  }
}

const duration = (s: number) => (s % 86_400 === 0 ? `${s / 86_400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);

export default function ProposalsCard() {
  const gov = useApi<GovernanceJson>('/api/v1/governance');
  const g = gov.data;
  return (
    <Card title="Proposals and votes" testId="proposals-card">
      {gov.error && <ErrorNote error={gov.error} />}
      {!g && !gov.error && <Loading what="proposals" />}
      {g && !g.contract && <p className="muted">This network has no governance contract: admission is not by vote here.</p>}
      {g?.contract && g.settings && (
        <>
          <p className="muted small">
            Admission by vote through ConsortiumGovernance <Hash value={g.contract} />: one organisation, one vote; a proposal
            passes with more than {g.settings.approvalBps / 100}% of the active members, within{' '}
            {duration(g.settings.votingPeriodS)}, executable{' '}
            {g.settings.executionDelayS ? `${duration(g.settings.executionDelayS)} after` : 'as soon as'} it passes. Oracle
            threshold: {g.oracleThreshold} organisations. This node votes for org {g.orgId}.
          </p>
          {g.proposals.length === 0 ? (
            <p className="muted">No proposals yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th className="num">#</th>
                    <th>Proposal</th>
                    <th>State</th>
                    <th>Votes</th>
                    <th>When</th>
                  </tr>
                </thead>
                <tbody>
                  {g.proposals.map((p) => (
                    <tr key={p.id} data-proposal={p.id}>
                      <td className="num">{p.id}</td>
                      <td>
                        {describe(p.action)}
                        <div className="muted small">by org {p.proposerOrg}</div>
                      </td>
                      <td>
                        <Badge tone={STATE_TONE[p.state]}>{p.state}</Badge>
                      </td>
                      <td>
                        <div>
                          {p.yes} yes, {p.no} no of {p.electorate} (needs {p.required})
                        </div>
                        <div className="row">
                          {p.votes.map((v) => (
                            <Badge key={v.orgId} tone={v.support ? 'ok' : 'bad'}>
                              {v.orgName ?? `org ${v.orgId}`}: {v.support ? 'yes' : 'no'}
                            </Badge>
                          ))}
                        </div>
                      </td>
                      <td className="small">
                        made {formatTime(p.createdAt)}
                        <div className="muted">
                          {p.state === 'active' && <>vote until {formatTime(p.votingEndsAt)}</>}
                          {p.state === 'passed' && p.executableAt !== null && <>executable from {formatTime(p.executableAt)}</>}
                          {p.decidedAt !== null && p.state !== 'passed' && <>decided {formatTime(p.decidedAt)}</>}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
