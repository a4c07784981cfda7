// Temperature and humidity over the journey, each with its allowed band and
// its excursions shaded; zoom is shared, cursors are synchronised.
import { useMemo, useState } from 'react';
import type { ScalarSeries } from '@tradetwin/core/series/model';
import type { Excursion, Rule } from '@tradetwin/core/wire/shipments';
import { Badge, Card } from '../app/ui.js';
import { excursionSpan } from '../lib/excursions.js';
import { formatTime, kindName } from '../lib/format.js';
import { ChartSummary, chartDescription, chartFacts } from './ChartSummary.js';
import { type ChartExcursion, type PickedReading, SensorChart } from './SensorChart.js';
import { CHART_KINDS, type ChartKind, type ShipmentSeries, useDetail } from './use-series.js';

const COLORS: Record<ChartKind, string> = { temp: '#1f7a8c', rh: '#6a4c93' };

export function ShipmentCharts({
  series,
  rules,
  excursions,
  onPick,
}: {
  series: ShipmentSeries;
  rules: Rule[];
  excursions: Excursion[];
  onPick: (r: PickedReading & { kind: string; deviceId: string }) => void;
}) {
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const extent = series.extent;
  if (!extent)
    return (
      <Card title="Conditions">
        <p className="empty">No temperature or humidity readings yet.</p>
      </Card>
    );
  const view = zoom ?? extent;
  const focus = excursions
    .filter((x) => x.kind === 'band')
    .map((x) => {
      const { start, end } = excursionSpan(x);
      const pad = Math.max(2 * 3600_000, (end - start) * 3);
      return {
        id: x.id,
        label: `${x.breached ? 'breach' : 'excursion'} ${x.ruleId}, ${formatTime(start)}`,
        window: [start - pad, end + pad] as [number, number],
      };
    });
  return (
    <Card
      title="Conditions over time"
      testId="conditions"
      actions={
        <span className="row small">
          {series.downsampled && (
            <Badge tone="info">min/max per bucket ({series.source === 'node' ? 'on the node' : 'in the browser'})</Badge>
          )}
          {zoom && (
            <button type="button" className="button" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          )}
        </span>
      }
    >
      <p className="small muted" data-testid="chart-help">
        {formatTime(view[0])} → {formatTime(view[1])}. {coarsePointer() ? TOUCH_HELP : POINTER_HELP}
      </p>
      {focus.length > 0 && (
        <div className="row small" style={{ marginTop: 4 }}>
          <span className="muted">Zoom to:</span>
          {focus.map((f) => (
            <button
              key={f.id}
              type="button"
              className="button"
              data-testid="zoom-to"
              data-excursion={f.id}
              onClick={() => setZoom(f.window)}
            >
              {f.label}
            </button>
          ))}
        </div>
      )}
      {CHART_KINDS.map((k) => {
        const c = series.charts[k];
        if (!c) return null;
        return (
          <KindChart
            key={k}
            kind={k}
            deviceId={c.deviceId}
            full={c.series}
            view={view}
            zoom={zoom}
            setZoom={setZoom}
            rules={rules}
            excursions={excursions}
            onPick={onPick}
          />
        );
      })}
    </Card>
  );
}

const POINTER_HELP =
  'Point at a reading to see its value; select it to verify it. Drag across a chart to zoom (double-click resets), or use the buttons below. Each chart lists its readings in a table under it.';
const TOUCH_HELP =
  'Tap a reading to see and verify it. Zoom with the buttons below. Each chart lists its readings in a table under it.';

/** A touch screen without a mouse: no instruction may need hovering or dragging. */
function coarsePointer(): boolean {
  return (
    typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches && !matchMedia('(any-pointer: fine)').matches
  );
}

function KindChart(p: {
  kind: ChartKind;
  deviceId: string;
  full: ScalarSeries;
  view: [number, number];
  zoom: [number, number] | null;
  setZoom: (w: [number, number] | null) => void;
  rules: Rule[];
  excursions: Excursion[];
  onPick: (r: PickedReading & { kind: string; deviceId: string }) => void;
}) {
  const detail = useDetail(p.deviceId, p.kind, p.zoom, p.full.t.length < p.full.total);
  const band = useMemo(() => {
    const r = p.rules.find((x): x is Extract<Rule, { kind: 'band' }> => x.kind === 'band' && x.sensor === p.kind);
    return r ? { min: r.min, max: r.max, id: r.id, tolerance: r.toleranceMinutes } : null;
  }, [p.rules, p.kind]);
  const shaded: ChartExcursion[] = useMemo(
    () =>
      p.excursions
        .filter((x) => x.kind === 'band' && x.sensor === p.kind && x.deviceId === p.deviceId)
        .map((x) => ({ id: x.id, ...excursionSpan(x), breached: x.breached })),
    [p.excursions, p.kind, p.deviceId],
  );
  const bandValues = useMemo(() => (band ? { min: band.min, max: band.max } : null), [band]);
  const own = useMemo(
    () => p.excursions.filter((x) => x.kind === 'band' && x.sensor === p.kind && x.deviceId === p.deviceId),
    [p.excursions, p.kind, p.deviceId],
  );
  const facts = useMemo(() => chartFacts(p.full), [p.full]);
  return (
    <div style={{ marginTop: 12 }}>
      <div className="chart-head">
        <h3>
          {kindName(p.kind)[0]!.toUpperCase() + kindName(p.kind).slice(1)} <span className="small muted">({p.deviceId})</span>
        </h3>
        <div className="legend">
          {band && (
            <span>
              <i style={{ background: 'var(--band)', border: '1px dashed rgba(31,122,140,.6)' }} />
              allowed {band.min}–{band.max} {p.kind === 'temp' ? '°C' : '%'} (rule {band.id}, {band.tolerance} min tolerance)
            </span>
          )}
          {shaded.length > 0 && (
            <span>
              <i style={{ background: 'var(--excursion)' }} />
              {shaded.length} excursion{shaded.length > 1 ? 's' : ''}
            </span>
          )}
          <span>
            {(detail ?? p.full).t.length.toLocaleString('en-US')} of {(detail ?? p.full).total.toLocaleString('en-US')} readings
            drawn
          </span>
        </div>
      </div>
      <SensorChart
        kind={p.kind}
        label={kindName(p.kind)}
        data={detail ?? p.full}
        band={bandValues}
        excursions={shaded}
        view={p.view}
        color={COLORS[p.kind]}
        syncKey="shipment"
        onZoom={p.setZoom}
        onPick={(r) => p.onPick({ ...r, kind: p.kind, deviceId: p.deviceId })}
        description={chartDescription(p.kind, p.deviceId, facts, bandValues, own)}
      />
      <ChartSummary kind={p.kind} facts={facts} band={bandValues} excursions={own} />
    </div>
  );
}
