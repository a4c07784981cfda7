// One shipment: its conditions over time, its route, its story, the policy
// that covers it and the state of the evidence — live.
import { useState } from 'react';
import { getJson } from '../api/client.js';
import { useStatus } from '../api/hooks.js';
import type { GeofenceSetJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { AnchorJson } from '@tradetwin/core/wire/status';
import { Link } from '../app/Link.js';
import { QrCode } from '../app/QrCode.js';
import { Card, ErrorNote, Loading, ShipmentStatusBadge } from '../app/ui.js';
import { OrgName } from '../app/OrgName.js';
import { useDocumentTitle } from '../app/title.js';
import { useDisplaySettings } from '../lib/display.js';
import { formatTime } from '../lib/format.js';
import { paths } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { CommandLogPanel } from './CommandLogPanel.js';
import { DocumentsPanel } from './DocumentsPanel.js';
import { EvidencePanel } from './EvidencePanel.js';
import { definitionZones } from './location-geometry.js';
import { PickedReadingCard } from './PickedReading.js';
import { PolicyPanel } from './PolicyPanel.js';
import { RouteMap } from './RouteMap.js';
import type { PickedReading } from './SensorChart.js';
import { ShipmentCharts } from './ShipmentCharts.js';
import { Timeline } from './Timeline.js';
import { loadShipmentState, shipmentPath } from './load.js';
import { useShipmentSeries } from './use-series.js';

/** GET /dcsa/tnt/v3/events answers a bare array (TNT 3.0); the page wants it named. */
async function loadDcsaEvents(path: string): Promise<{ events: Record<string, unknown>[] }> {
  const body = await getJson<Record<string, unknown>[] | { events: Record<string, unknown>[] }>(path);
  return Array.isArray(body) ? { events: body } : body;
}

export default function ShipmentPage({ id }: { id: string }) {
  if (performance.getEntriesByName('tt:shipment').length === 0) performance.mark('tt:shipment');
  const state = useApi<ShipmentStateJson>(shipmentPath(id), { live: ['ingest', 'excursion', 'payout'], load: loadShipmentState });
  const anchors = useApi<AnchorJson[]>('/api/v1/anchors', { live: ['anchor'] });
  const status = useStatus();
  // The geofences drawn: the definition's, the shipment's set and the node-wide set; the container's DCSA events.
  const ownSet = useApi<GeofenceSetJson>(`/api/v1/shipments/${encodeURIComponent(id)}/geofences`);
  const nodeSet = useApi<GeofenceSetJson>('/api/v1/geofences');
  const equipment = state.data?.shipment.references?.equipment;
  const dcsa = useApi<{ events: Record<string, unknown>[] }>(
    equipment ? `/dcsa/tnt/v3/events?equipmentReference=${encodeURIComponent(equipment)}&limit=100` : null,
    { live: ['ingest', 'excursion'], load: loadDcsaEvents },
  );
  const series = useShipmentSeries(state.data?.shipment);
  const [picked, setPicked] = useState<(PickedReading & { kind: string; deviceId: string }) | null>(null);
  useDocumentTitle(`Shipment ${id}`);
  // Charts draw their time axis once: a new display zone redraws them.
  const display = useDisplaySettings();

  if (state.error) return <ErrorNote error={state.error} />;
  if (!state.data) return <Loading what={`shipment ${id}`} />;
  const s = state.data;
  const legs = s.shipment.legs;
  return (
    <div className="stack" data-testid="shipment-page" data-ready={series.data ? 'true' : 'false'}>
      <div className="page-head">
        <div>
          <p className="small muted">
            <Link href={paths.overview()}>Overview</Link> / shipment
          </p>
          <h1>
            {s.shipment.id} <ShipmentStatusBadge status={s.status} breached={s.breached} />
          </h1>
          <p className="muted">
            {s.shipment.goods.description} · {legs[0]?.from.name} → {legs[legs.length - 1]?.to.name} ·{' '}
            {formatTime(legs[0]?.plannedDeparture)} → {formatTime(legs[legs.length - 1]?.plannedArrival)}
          </p>
          <p className="small muted" data-testid="parties">
            {s.shipment.parties.map((p, i) => (
              <span key={`${p.role} ${p.name}`}>
                {i > 0 && ' · '}
                {p.role}: {p.account ? <OrgName address={p.account} fallbackName={p.name} /> : p.name}
              </span>
            ))}
          </p>
        </div>
        <QrCode path={paths.shipment(s.shipment.id)} label="This shipment" testId="shipment-qr" compact />
      </div>
      {series.error && <ErrorNote error={series.error} />}
      {!series.data && !series.error && <Loading what="readings" />}
      {series.data && (
        <ShipmentCharts
          key={`${display.timeZone} ${display.locale}`}
          series={series.data}
          rules={s.shipment.rules}
          excursions={s.excursions}
          onPick={setPicked}
        />
      )}
      {picked && <PickedReadingCard r={picked} onClose={() => setPicked(null)} />}
      <div className="grid grid-2">
        <div className="stack">
          <Card title="Route" testId="route">
            <RouteMap
              shipment={s.shipment}
              track={series.data?.track?.series ?? null}
              excursions={s.excursions}
              zones={[
                ...definitionZones(s.shipment.locationRules),
                ...(ownSet.data?.zones ?? []),
                ...(nodeSet.data?.zones ?? []),
              ]}
              locationEvents={s.locationEvents ?? []}
              dcsaEvents={dcsa.data?.events ?? []}
            />
          </Card>
          <DocumentsPanel shipmentId={s.shipment.id} />
          <CommandLogPanel shipmentId={s.shipment.id} />
          <PolicyPanel policies={s.policies} payouts={s.payouts} />
        </div>
        <div className="stack">
          <EvidencePanel
            status={status.data}
            excursions={s.excursions}
            ready={series.data !== undefined || series.error !== undefined}
          />
          <Timeline state={s} anchors={anchors.data ?? []} track={series.data?.track?.series ?? null} />
        </div>
      </div>
    </div>
  );
}
