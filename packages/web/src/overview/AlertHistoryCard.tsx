// The node's persistent alert history (GET /api/v1/alerts): what was raised and to whom it went,
// also while nobody had the page open. Newest first; "Older" pages back.
import { useState } from 'react';
import { Link } from '../app/Link.js';
import { Badge, Card, ErrorNote, Loading } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { paths } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

interface AlertItem {
  seq: number;
  id: string;
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  shipmentId: string | null;
  title: string;
  occurredAt: string;
}

const PAGE = 10;
const TONE = { critical: 'bad', warning: 'warn', info: 'info' } as const;
const KIND = {
  excursion: 'breach',
  payout: 'payout',
  claim_refused: 'claim refused',
  device_silent: 'device silent',
  anchoring_stalled: 'anchoring stalled',
  equivocation: 'equivocation',
  replication_refused: 'replication refused',
} as Record<string, string>;

export function AlertHistoryCard() {
  const [before, setBefore] = useState<number[]>([]);
  const cursor = before[before.length - 1];
  const page = useApi<{ alerts: AlertItem[]; next: number | null }>(
    `/api/v1/alerts?limit=${PAGE}${cursor !== undefined ? `&before=${cursor}` : ''}`,
    { live: ['alert'] },
  );
  return (
    <Card title="Alert history" testId="alert-history">
      {page.error && <ErrorNote error={page.error} />}
      {!page.data && !page.error && <Loading what="alert history" />}
      {page.data && page.data.alerts.length === 0 && <p className="empty">No alerts raised.</p>}
      <ul className="alerts">
        {page.data?.alerts.map((a) => (
          <li key={a.id} className={`alert${a.severity === 'critical' ? ' breach' : ''}`} data-alert={a.id} data-kind={a.kind}>
            <div className="row">
              <Badge tone={TONE[a.severity]}>{KIND[a.kind] ?? a.kind}</Badge>
              <span className="small">{a.title}</span>
            </div>
            <div className="t">
              {a.shipmentId && (
                <>
                  <Link href={paths.shipment(a.shipmentId)}>{a.shipmentId}</Link> ·{' '}
                </>
              )}
              {formatTime(Date.parse(a.occurredAt))}
            </div>
          </li>
        ))}
      </ul>
      {(before.length > 0 || page.data?.next != null) && (
        <div className="row">
          {before.length > 0 && (
            <button type="button" onClick={() => setBefore(before.slice(0, -1))}>
              Newer
            </button>
          )}
          {page.data?.next != null && (
            <button type="button" onClick={() => setBefore([...before, page.data!.next!])}>
              Older
            </button>
          )}
        </div>
      )}
    </Card>
  );
}
