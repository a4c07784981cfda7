// The shipment's policies and what they paid: the node's record of each payout
// next to what the chain says — the ClaimPaid event in the payout's own
// transaction, read here from the chain's JSON-RPC.
import { useEffect, useState } from 'react';
import { useChain } from '../api/hooks.js';
import type { PayoutJson, PolicyJson } from '@tradetwin/core/wire/shipments';
import type { OnChainPayout } from '../chain/payouts.js';
import { OrgName } from '../app/OrgName.js';
import { TokenAmount } from '../app/TokenAmount.js';
import { Badge, Card, Hash, StatusBadge } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { DossierButton } from './DossierButton.js';
import { termsLine } from '../overview/PoliciesCard.js';

export function PolicyPanel({ policies, payouts }: { policies: PolicyJson[]; payouts: PayoutJson[] }) {
  return (
    <Card title="Policy and payout" testId="policy-panel">
      {policies.length === 0 && <p className="empty">No policy covers this shipment.</p>}
      {policies.map((p) => (
        <div key={`${p.cover}-${p.policyId}`} data-policy={p.policyId} style={{ marginBottom: 12 }}>
          <div className="row">
            <strong>Policy #{p.policyId}</strong> <StatusBadge status={p.state} />
          </div>
          <dl className="kv small" style={{ marginTop: 6 }}>
            <dt>Cover contract</dt>
            <dd>
              <Hash value={p.cover} full />
            </dd>
            {p.terms.sumInsured && (
              <>
                <dt>Sum insured</dt>
                <dd>
                  <TokenAmount cover={p.cover} amount={p.terms.sumInsured} money={p.money?.sumInsured} />
                </dd>
              </>
            )}
            {p.terms.premium && (
              <>
                <dt>Premium</dt>
                <dd>
                  <TokenAmount cover={p.cover} amount={p.terms.premium} money={p.money?.premium} />
                </dd>
              </>
            )}
            <dt>Terms</dt>
            <dd>{termsLine(p)}</dd>
            {p.terms.holder && (
              <>
                <dt>Holder</dt>
                <dd>
                  <OrgName address={p.terms.holder} org={p.holderOrg} testId="policy-holder" />
                </dd>
              </>
            )}
          </dl>
          {payouts
            .filter((x) => x.policyId === p.policyId)
            .map((x) => (
              <div key={x.txHash}>
                <PayoutRow cover={p.cover} payout={x} />
                <DossierButton shipmentId={p.shipmentId} subject={{ policyId: p.policyId }} label="Download claim dossier" />
              </div>
            ))}
        </div>
      ))}
    </Card>
  );
}

function PayoutRow({ cover, payout }: { cover: PolicyJson['cover']; payout: PayoutJson }) {
  const chain = useChain();
  const [onChain, setOnChain] = useState<OnChainPayout>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!chain) return;
    let live = true;
    import('../chain/payouts.js')
      .then((m) => m.readPayoutTx(chain.rpcUrl, cover, payout.txHash))
      .then(
        (r) => live && setOnChain(r),
        (e: unknown) => live && setError(e instanceof Error ? e.message.split('\n')[0] : String(e)),
      );
    return () => {
      live = false;
    };
  }, [chain?.rpcUrl, cover, payout.txHash]);
  const agrees = onChain?.amount !== null && onChain?.amount !== undefined && onChain.amount.toString() === payout.amount;
  return (
    <div className="note" style={{ background: 'var(--ok-bg)', color: 'var(--ink)', marginTop: 8 }} data-testid="payout">
      <div className="row">
        <Badge tone="ok">paid</Badge>
        <strong>
          <TokenAmount cover={cover} amount={payout.amount} money={payout.money} testId="payout-node-amount" />
        </strong>
        <span className="small muted">{formatTime(payout.paidAt)}</span>
      </div>
      <dl className="kv small" style={{ marginTop: 6 }}>
        <dt>Transaction</dt>
        <dd>
          <Hash value={payout.txHash} full />
        </dd>
        <dt>On chain</dt>
        <dd data-testid="payout-onchain" data-amount={onChain?.amount?.toString() ?? ''} data-status={onChain?.status ?? ''}>
          {error && <span className="badge bad">could not read the chain: {error}</span>}
          {!error && !onChain && <span className="muted">reading the receipt…</span>}
          {onChain && onChain.amount !== null && (
            <>
              ClaimPaid <TokenAmount cover={cover} amount={onChain.amount} /> in block {onChain.blockNumber} ({onChain.status}){' '}
              {agrees ? (
                <Badge tone="ok">matches the node's record</Badge>
              ) : (
                <Badge tone="bad">differs from the node's record</Badge>
              )}
            </>
          )}
          {onChain && onChain.amount === null && <Badge tone="bad">no ClaimPaid event in this transaction</Badge>}
        </dd>
        {onChain?.holderTransfer && (
          <>
            <dt>Paid to</dt>
            <dd>
              <OrgName address={onChain.holderTransfer.to} testId="paid-to" />
            </dd>
          </>
        )}
        <dt>Attested by</dt>
        <dd>
          {payout.signers.map((s, i) => (
            <div key={s}>
              <OrgName address={s} org={payout.signerOrgs?.[i]} testId="attested-by" />
            </div>
          ))}
        </dd>
        <dt>Excursion</dt>
        <dd>
          <Hash value={payout.excursionId} />
        </dd>
      </dl>
    </div>
  );
}
