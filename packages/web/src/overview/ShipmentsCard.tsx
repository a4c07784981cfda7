import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { Link } from '../app/Link.js';
import { Badge, Card, ErrorNote, Loading, ShipmentStatusBadge } from '../app/ui.js';
import { formatTime, formatValue } from '../lib/format.js';
import type { Loaded } from '../lib/use-api.js';
import { paths } from '../lib/router.js';

export function ShipmentsCard({ loaded }: { loaded: Loaded<ShipmentStateJson[]> }) {
  const { data, error } = loaded;
  return (
    <Card title="Shipments" testId="shipments">
      {error && <ErrorNote error={error} />}
      {!data && !error && <Loading what="shipments" />}
      {data && data.length === 0 && <p className="empty">No shipments yet.</p>}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Shipment</th>
                <th>Route</th>
                <th>Status</th>
                <th>Conditions</th>
                <th>Latest</th>
              </tr>
            </thead>
            <tbody>
              {data.map((s) => {
                const legs = s.shipment.legs;
                const temp = s.latest.temp;
                return (
                  <tr key={s.shipment.id} data-shipment={s.shipment.id}>
                    <td>
                      <Link href={paths.shipment(s.shipment.id)}>{s.shipment.id}</Link>
                      <div className="small muted">{s.shipment.goods.description}</div>
                    </td>
                    <td className="small">
                      {legs[0]?.from.name} → {legs[legs.length - 1]?.to.name}
                      <div className="muted">
                        {legs.length} legs · arrives {formatTime(legs[legs.length - 1]?.plannedArrival)}
                      </div>
                    </td>
                    <td>
                      <ShipmentStatusBadge status={s.status} breached={s.breached} />
                    </td>
                    <td>
                      {s.breached > 0 ? (
                        <Badge tone="bad">{`${s.breached} breached`}</Badge>
                      ) : (
                        <Badge tone="ok">within limits</Badge>
                      )}
                      <div className="small muted">{s.excursions.length} excursions</div>
                    </td>
                    <td className="small">
                      {temp ? (
                        <>
                          {formatValue('temp', temp.v)}
                          <div className="muted">{formatTime(temp.t)}</div>
                        </>
                      ) : (
                        <span className="muted">no readings</span>
                      )}
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
