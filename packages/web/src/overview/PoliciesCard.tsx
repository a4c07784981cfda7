import type { PayoutJson, PolicyJson } from '@tradetwin/core/wire/shipments';
import { Link } from '../app/Link.js';
import { OrgName } from '../app/OrgName.js';
import { TokenAmount } from '../app/TokenAmount.js';
import { Card, ErrorNote, Hash, Loading, StatusBadge } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { paths } from '../lib/router.js';
import type { Loaded } from '../lib/use-api.js';

export function PoliciesCard({ policies, payouts }: { policies: Loaded<PolicyJson[]>; payouts: Loaded<PayoutJson[]> }) {
  const byPolicy = new Map<number, PolicyJson>((policies.data ?? []).map((p) => [p.policyId, p]));
  return (
    <Card title="Policies and payouts" testId="policies">
      {policies.error && <ErrorNote error={policies.error} />}
      {!policies.data && !policies.error && <Loading what="policies" />}
      {policies.data && policies.data.length === 0 && <p className="empty">No policies linked to shipments.</p>}
      {policies.data && policies.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Policy</th>
                <th>Shipment</th>
                <th>State</th>
                <th className="num">Sum insured</th>
                <th>Terms</th>
              </tr>
            </thead>
            <tbody>
              {policies.data.map((p) => (
                <tr key={`${p.cover}-${p.policyId}`} data-policy={p.policyId}>
                  <td>
                    #{p.policyId}
                    <div className="small muted">
                      cover <Hash value={p.cover} keep={4} />
                    </div>
                  </td>
                  <td>
                    <Link href={paths.shipment(p.shipmentId)}>{p.shipmentId}</Link>
                  </td>
                  <td>
                    <StatusBadge status={p.state} />
                  </td>
                  <td className="num">
                    {p.terms.sumInsured ? (
                      <TokenAmount cover={p.cover} amount={p.terms.sumInsured} money={p.money?.sumInsured} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="small">{termsLine(p)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Payouts</h3>
      {payouts.error && <ErrorNote error={payouts.error} />}
      {payouts.data && payouts.data.length === 0 && <p className="empty">No payouts.</p>}
      {payouts.data && payouts.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Policy</th>
                <th className="num">Amount</th>
                <th>Paid</th>
                <th>Transaction</th>
              </tr>
            </thead>
            <tbody>
              {payouts.data.map((p) => {
                const policy = byPolicy.get(p.policyId);
                return (
                  <tr key={p.txHash} data-payout={p.txHash}>
                    <td>#{p.policyId}</td>
                    <td className="num">
                      {policy ? (
                        <TokenAmount cover={policy.cover} amount={p.amount} money={p.money} testId="payout-amount" />
                      ) : (
                        <span data-testid="payout-amount" data-amount={p.amount}>
                          {p.money?.formatted ?? `${p.amount} raw units`}
                        </span>
                      )}
                    </td>
                    <td className="small">{formatTime(p.paidAt)}</td>
                    <td>
                      <Hash value={p.txHash} />
                      <div className="small muted">
                        attested by{' '}
                        {p.signers.map((s, i) => (
                          <span key={s}>
                            {i > 0 && ', '}
                            <OrgName address={s} org={p.signerOrgs?.[i]} />
                          </span>
                        ))}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function termsLine(p: PolicyJson): string {
  const t = p.terms;
  const parts: string[] = [];
  if (t.minCentiC !== undefined && t.maxCentiC !== undefined) parts.push(`${t.minCentiC / 100}–${t.maxCentiC / 100} °C`);
  if (t.toleranceMinutes !== undefined) parts.push(`${t.toleranceMinutes} min tolerance`);
  if (t.payoutPerHourBps !== undefined) parts.push(`${t.payoutPerHourBps / 100}% per started hour`);
  if (t.catastrophicMinutes !== undefined) parts.push(`all from ${t.catastrophicMinutes / 60} h`);
  return parts.join(' · ');
}
