import { Card } from '../app/ui.js';
import { formatClock, shortHex } from '../lib/format.js';
import { type LiveEvent, useLive } from '../live/feed.js';

/** What the node reported since this page was opened. */
export function LiveFeedCard() {
  const live = useLive();
  return (
    <Card title="Live from the node" testId="live-feed">
      {live.events.length === 0 && (
        <p className="empty">Waiting for the node to report ingest commits, anchors, excursions and payouts…</p>
      )}
      <ul className="feed">
        {live.events.map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <span className="muted">{formatClock(e.at)}</span> {describe(e)}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function describe(e: LiveEvent): string {
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.kind) {
    case 'ingest':
      return `log grew to ${String(d.size)} leaves (${String(d.leaves)} new in ${String(d.commits)} commits${Array.isArray(d.devices) && d.devices.length ? ` from ${d.devices.join(', ')}` : ''})`;
    case 'anchor':
      return `head of ${String(d.size)} leaves anchored on chain, tx ${shortHex(String(d.txHash ?? ''))}`;
    case 'excursion':
      return `${d.breached ? 'BREACH' : 'excursion'} ${String(d.ruleId ?? '')} on ${String(d.deviceId ?? '')}${d.shipmentId ? ` (${String(d.shipmentId)})` : ''}${d.open ? ', open' : ''}`;
    case 'payout':
      return `PAYOUT on policy #${String(d.policyId)}, tx ${shortHex(String(d.txHash ?? ''))}${typeof d.latencyMs === 'number' ? `, ${Math.round(d.latencyMs)} ms after the excursion was recorded` : ''}`;
    case 'alert':
      return `alert (${String(d.kind ?? '')}): ${String(d.title ?? '')}`;
  }
}
