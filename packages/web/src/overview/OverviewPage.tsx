// Overview: what is moving, what went wrong, what it cost the insurer — live.
import type { PayoutJson, PolicyJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { useStatus } from '../api/hooks.js';
import { useDocumentTitle } from '../app/title.js';
import { useApi } from '../lib/use-api.js';
import { AlertHistoryCard } from './AlertHistoryCard.js';
import { AlertsCard } from './AlertsCard.js';
import { ChainHealthCard } from './ChainHealthCard.js';
import { WitnessCard } from './WitnessCard.js';
import { EvidenceStats } from './EvidenceStats.js';
import { LiveFeedCard } from './LiveFeedCard.js';
import { PoliciesCard } from './PoliciesCard.js';
import { ShipmentsCard } from './ShipmentsCard.js';

export default function OverviewPage() {
  const shipments = useApi<ShipmentStateJson[]>('/api/v1/shipments', { live: ['ingest', 'excursion', 'payout'] });
  const policies = useApi<PolicyJson[]>('/api/v1/policies', { live: ['payout'] });
  const payouts = useApi<PayoutJson[]>('/api/v1/payouts', { live: ['payout'] });
  const status = useStatus();
  useDocumentTitle('Overview');
  return (
    <div className="stack" data-testid="overview">
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="muted">
            Shipments, condition alerts, policies and payouts, as the node derives them from signed evidence.
          </p>
        </div>
      </div>
      <EvidenceStats status={status.data} shipments={shipments.data} payouts={payouts.data} />
      <div className="grid grid-2">
        <div className="stack">
          <ShipmentsCard loaded={shipments} />
          <PoliciesCard policies={policies} payouts={payouts} />
        </div>
        <div className="stack">
          <AlertsCard shipments={shipments.data} />
          <AlertHistoryCard />
          <ChainHealthCard status={status.data} reload={status.reload} />
          <WitnessCard status={status.data} />
          <LiveFeedCard />
        </div>
      </div>
    </div>
  );
}
