import type { Excursion, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { Link } from '../app/Link.js';
import { Badge, Card, Loading } from '../app/ui.js';
import { excursionDetail, excursionTitle } from '../lib/excursions.js';
import { formatTime } from '../lib/format.js';
import { paths } from '../lib/router.js';

/** Excursions of every shipment, newest first; breaches marked. */
export function AlertsCard({ shipments }: { shipments?: ShipmentStateJson[] }) {
  const alerts: { x: Excursion; shipmentId: string }[] = (shipments ?? [])
    .flatMap((s) => s.excursions.map((x) => ({ x, shipmentId: s.shipment.id })))
    .sort((a, b) => b.x.lastObservedAt - a.x.lastObservedAt);
  return (
    <Card title="Alerts" testId="alerts">
      {!shipments && <Loading what="alerts" />}
      {shipments && alerts.length === 0 && <p className="empty">No excursions: every condition held.</p>}
      <ul className="alerts">
        {alerts.map(({ x, shipmentId }) => (
          <li key={x.id} className={`alert${x.breached ? ' breach' : ''}`} data-excursion={x.id} data-breached={x.breached}>
            <div className="row">
              {x.breached ? <Badge tone="bad">breach</Badge> : <Badge tone="warn">excursion</Badge>}
              <strong>{excursionTitle(x)}</strong>
            </div>
            <div className="small">{excursionDetail(x)}</div>
            <div className="t">
              <Link href={paths.shipment(shipmentId)}>{shipmentId}</Link> · {formatTime(x.startedAt)} →{' '}
              {x.endedAt ? formatTime(x.endedAt) : 'ongoing'}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
