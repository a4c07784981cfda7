// Members of the consortium as the chain records them (MemberRegistry's
// MemberAdmitted events and member(orgId)), read from this browser.
import { useEffect, useState } from 'react';
import { useChain } from '../api/hooks.js';
import { type MemberOrg, readMembers } from '../chain/members.js';
import { Badge, Card, ErrorNote, Hash, Loading } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { useDocumentTitle } from '../app/title.js';
import ProposalsCard from './ProposalsCard.js';

export default function MembersPage() {
  const chain = useChain();
  const [members, setMembers] = useState<MemberOrg[]>();
  const [error, setError] = useState<string>();
  useDocumentTitle('Members');
  useEffect(() => {
    if (!chain) return;
    let live = true;
    readMembers(chain.rpcUrl, chain.status.chain.memberRegistry).then(
      (m) => live && setMembers(m),
      (e: unknown) => live && setError(e instanceof Error ? e.message.split('\n')[0] : String(e)),
    );
    return () => {
      live = false;
    };
  }, [chain?.rpcUrl, chain?.status.chain.memberRegistry]);
  const node = chain?.status.node.address.toLowerCase();
  return (
    <div className="stack" data-testid="members-page">
      <div className="page-head">
        <div>
          <h1>Members</h1>
          <p className="muted">
            Organisations admitted to the consortium, from MemberRegistry <Hash value={chain?.status.chain.memberRegistry} /> on
            chain {chain?.status.chain.chainId ?? '…'}.
          </p>
        </div>
      </div>
      <Card>
        {error && <ErrorNote error={`Could not read the chain at ${chain?.rpcUrl}: ${error}`} />}
        {!members && !error && <Loading what="members from the chain" />}
        {members && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th className="num">Org</th>
                  <th>Organisation</th>
                  <th>Roles</th>
                  <th>Status</th>
                  <th>Accounts</th>
                  <th>Admitted</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.orgId} data-org={m.orgId}>
                    <td className="num">{m.orgId}</td>
                    <td>
                      <strong>{m.name}</strong>
                      {m.accounts.some((a) => a.toLowerCase() === node) && (
                        <div>
                          <Badge tone="info">runs this node</Badge>
                        </div>
                      )}
                    </td>
                    <td>
                      <div className="row">
                        {m.roles.map((r) => (
                          <Badge key={r}>{r}</Badge>
                        ))}
                      </div>
                    </td>
                    <td>
                      {m.active ? (
                        <Badge tone="ok">active</Badge>
                      ) : (
                        <Badge tone="bad">{m.removedAt ? 'removed' : 'suspended'}</Badge>
                      )}
                      {m.removedAt ? <div className="muted small">since {formatTime(m.removedAt)}</div> : null}
                    </td>
                    <td>
                      {m.accounts.map((a) => (
                        <div key={a}>
                          <Hash value={a} />
                        </div>
                      ))}
                    </td>
                    <td className="small">
                      {formatTime(m.admittedAt)}
                      <div className="muted">
                        block {m.admittedBlock}, tx <Hash value={m.admittedTx} keep={4} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <ProposalsCard />
    </div>
  );
}
