// The shipment's chart data: every attached device's series (temperature,
// humidity, position) in one downsampled request per device, refreshed when
// the log grows; and, while zoomed in, the window again in full detail.
import { useEffect, useMemo, useState } from 'react';
import type { ScalarSeries, SeriesResponse, TrackSeries } from '@tradetwin/core/series/model';
import { getSeries } from '../api/client.js';
import type { ShipmentJson } from '@tradetwin/core/wire/shipments';
import { useLiveVersion } from '../live/feed.js';

export const CHART_KINDS = ['temp', 'rh'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export interface ShipmentSeries {
  charts: Partial<Record<ChartKind, { deviceId: string; series: ScalarSeries }>>;
  track: { deviceId: string; series: TrackSeries } | null;
  /** Full time extent of the readings, ms. */
  extent: [number, number] | null;
  downsampled: boolean;
  source: 'node' | 'browser';
  loadedMs: number;
}

/** Points per chart: about one bucket per pixel of a wide screen. */
export const BUCKETS = 1200;

/** Series loads started early, by device list; taken by the page's first load only, and only while fresh. */
const prefetched = new Map<string, { at: number; p: Promise<ShipmentSeries> }>();

function loadAll(devices: readonly string[], signal?: AbortSignal): Promise<ShipmentSeries> {
  const started = performance.now();
  return Promise.all(
    devices.map((deviceId) => getSeries({ deviceId, kinds: ['temp', 'rh', 'pos'], buckets: BUCKETS }, signal)),
  ).then((all) => combine(all, performance.now() - started));
}

/** Start loading a shipment's series as soon as its definition is known (before the page renders it). */
export function prefetchSeries(shipment: ShipmentJson): void {
  const key = shipment.devices.map((d) => d.deviceId).join('\n');
  const had = prefetched.get(key);
  if (!had || performance.now() - had.at > 2000) {
    const p = loadAll(shipment.devices.map((d) => d.deviceId));
    p.catch(() => prefetched.delete(key));
    prefetched.set(key, { at: performance.now(), p });
  }
}

export function useShipmentSeries(shipment: ShipmentJson | undefined): { data?: ShipmentSeries; error?: Error } {
  const version = useLiveVersion(['ingest']);
  const [state, setState] = useState<{ data?: ShipmentSeries; error?: Error }>({});
  const devices = useMemo(() => shipment?.devices.map((d) => d.deviceId) ?? [], [shipment]);
  const key = devices.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `devices`; `version` (the live feed) triggers the reload; `state.data` only picks the debounce
  useEffect(() => {
    if (devices.length === 0) return;
    const ctl = new AbortController();
    const took = prefetched.get(key);
    prefetched.delete(key);
    const early = !state.data && took && performance.now() - took.at < 2000 ? took.p : undefined;
    const timer = setTimeout(
      () => {
        (early ?? loadAll(devices, ctl.signal))
          .then((data) => !ctl.signal.aborted && setState({ data }))
          .catch((error: unknown) => {
            if (!ctl.signal.aborted)
              setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)) }));
          });
      },
      state.data && !early ? 300 : 0,
    );
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [key, version]);
  return state;
}

function combine(all: (SeriesResponse & { source: 'node' | 'browser' })[], loadedMs: number): ShipmentSeries {
  const charts: ShipmentSeries['charts'] = {};
  let track: ShipmentSeries['track'] = null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of all) {
    for (const k of CHART_KINDS) {
      const s = r.series[k];
      if (s && s.total > 0 && (!charts[k] || charts[k]!.series.total < s.total)) charts[k] = { deviceId: r.deviceId, series: s };
      if (s?.t.length) {
        lo = Math.min(lo, s.t[0]!);
        hi = Math.max(hi, s.t[s.t.length - 1]!);
      }
    }
    if (r.track && r.track.total > 0 && (!track || track.series.total < r.track.total))
      track = { deviceId: r.deviceId, series: r.track };
  }
  return {
    charts,
    track,
    extent: lo <= hi ? [lo, hi] : null,
    downsampled: all.some((r) => r.downsampled),
    source: all.every((r) => r.source === 'node') ? 'node' : 'browser',
    loadedMs,
  };
}

/** While zoomed into [from, to] of a downsampled series: the window at full resolution (or as fine as BUCKETS allow). */
export function useDetail(
  deviceId: string | undefined,
  kind: ChartKind,
  win: [number, number] | null,
  needed: boolean,
): ScalarSeries | null {
  const [detail, setDetail] = useState<{ key: string; series: ScalarSeries } | null>(null);
  const key = win && deviceId ? `${deviceId} ${kind} ${win[0]} ${win[1]}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for device, kind and window
  useEffect(() => {
    if (!win || !deviceId || !needed) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      getSeries({ deviceId, kinds: [kind], from: win[0], to: win[1], buckets: BUCKETS }, ctl.signal)
        .then((r) => {
          const s = r.series[kind];
          if (s) setDetail({ key, series: s });
        })
        .catch(() => undefined);
    }, 0);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [key, needed]);
  return detail && detail.key === key ? detail.series : null;
}
