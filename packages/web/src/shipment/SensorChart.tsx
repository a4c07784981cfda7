// One sensor over time (uPlot, canvas): the allowed band drawn behind the line,
// each excursion shaded over exactly its record's startedAt … endedAt. With a
// mouse: drag to zoom (the page then loads the window in full detail),
// double-click to reset; a point under the pointer shows its value and time in
// a tooltip; selecting (clicking or tapping) a point picks that reading (to
// verify it). Times on the axis are in the display zone. The overlays are DOM
// elements carrying their times (data-start / data-end, ms) and the chart its
// x-scale (data-x-min / data-x-max, ms), so what is drawn can be checked.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ScalarSeries } from '@tradetwin/core/series/model';
import { displaySettings } from '../lib/display.js';
import { fieldsIn, formatTimeSeconds, formatValue, unitOf } from '../lib/format.js';

export interface ChartExcursion {
  id: string;
  start: number;
  end: number;
  breached: boolean;
}

export interface PickedReading {
  id: string;
  t: number;
  v: number;
}

export interface SensorChartProps {
  kind: string;
  label: string;
  data: ScalarSeries;
  band: { min: number; max: number } | null;
  excursions: ChartExcursion[];
  /** Visible window, ms. */
  view: [number, number];
  /** What the chart shows, in words (its text alternative; the page also lists the values in a table). */
  description?: string;
  color?: string;
  height?: number;
  syncKey?: string;
  onZoom?: (window: [number, number] | null) => void;
  onPick?: (r: PickedReading) => void;
}

export function SensorChart(props: SensorChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;

  // Create once; data, view and overlays are pushed into the live plot below.
  useEffect(() => {
    const el = host.current!;
    const overlays = document.createElement('div');
    const tooltip = document.createElement('div');
    tooltip.className = 'chart-tooltip';
    tooltip.dataset.testid = 'chart-tooltip';
    tooltip.setAttribute('role', 'status');
    tooltip.hidden = true;
    const timeZone = displaySettings().timeZone;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 240,
      legend: { show: false },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone === 'UTC' ? 'Etc/UTC' : timeZone),
      scales: {
        x: { time: true },
        y: {
          range: (_u, min, max) => {
            const band = latest.current.band;
            const lo = Math.min(min, band?.min ?? min);
            const hi = Math.max(max, band?.max ?? max);
            const pad = Math.max(0.5, (hi - lo) * 0.08);
            return [Math.floor(lo - pad), Math.ceil(hi + pad)];
          },
        },
      },
      axes: [
        {
          stroke: '#4a5a66',
          grid: { stroke: '#eef1f4' },
          values: (_u, splits, _i, _space, incr) => splits.map((s, i) => zoneTick(s, incr, i === 0, timeZone)),
          size: 44,
        },
        {
          stroke: '#4a5a66',
          grid: { stroke: '#eef1f4' },
          values: (_u, ticks) => ticks.map((t) => `${t}${unitOf(props.kind) ? ` ${unitOf(props.kind)}` : ''}`),
          size: 64,
        },
      ],
      series: [{}, { label: props.label, stroke: props.color ?? '#1f7a8c', width: 1.5, points: { show: false } }],
      cursor: {
        sync: props.syncKey ? { key: props.syncKey } : undefined,
        drag: { x: true, y: false, setScale: false },
        bind: {
          dblclick: () => () => {
            latest.current.onZoom?.(null);
            return null;
          },
        },
      },
      hooks: {
        ready: [
          (u) => {
            overlays.className = 'overlays';
            u.over.appendChild(overlays);
            el.appendChild(tooltip);
            u.over.addEventListener('click', () => {
              const i = u.cursor.idx;
              const d = latest.current.data;
              if (i === null || i === undefined || u.select.width > 0) return;
              const id = d.id[i];
              if (id !== undefined) latest.current.onPick?.({ id, t: d.t[i]!, v: d.v[i]! });
            });
          },
        ],
        // A drag selects a window: the page zooms every chart to it (and loads it in detail).
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onZoom?.([Math.round(a * 1000), Math.round(b * 1000)]);
          },
        ],
        draw: [(u) => drawOverlays(u, el, overlays, latest.current)],
        // The reading under the pointer: its value and time, in words beside the point.
        setCursor: [(u) => showTooltip(u, el, tooltip, latest.current)],
      },
    };
    const u = new uPlot(opts, toAligned(props.data), el);
    plot.current = u;
    u.setScale('x', { min: props.view[0] / 1000, max: props.view[1] / 1000 });
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height: u.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(toAligned(props.data), false);
    u.setScale('x', { min: props.view[0] / 1000, max: props.view[1] / 1000 });
  }, [props.data, props.view[0], props.view[1]]);

  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [props.band, props.excursions]);

  return (
    <div
      className="chart"
      ref={host}
      role="img"
      aria-label={props.description ?? props.label}
      data-testid={`chart-${props.kind}`}
      data-kind={props.kind}
      data-points={props.data.t.length}
      data-total={props.data.total}
    />
  );
}

/** Axis ticks in the display zone, like every time on the page: dates for day steps, hours (with the date at midnight) below. */
function zoneTick(sec: number, incrSec: number, first: boolean, timeZone: string): string {
  const f = fieldsIn(sec * 1000, timeZone);
  const day = `${f.month}-${f.day}`;
  const hm = `${f.hour}:${f.minute}`;
  if (incrSec >= 86_400) return first ? `${day}\n${f.year}` : day;
  return hm === '00:00' || first ? `${hm}\n${day}` : hm;
}

function showTooltip(u: uPlot, root: HTMLElement, tip: HTMLDivElement, p: SensorChartProps) {
  const i = u.cursor.idx;
  const d = p.data;
  if (i === null || i === undefined || d.t[i] === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
    tip.hidden = true;
    return;
  }
  const v = d.v[i]!;
  tip.hidden = false;
  tip.textContent = `${formatValue(p.kind, v)} · ${formatTimeSeconds(d.t[i]!)}`;
  tip.dataset.value = String(v);
  tip.dataset.t = String(d.t[i]);
  tip.dataset.reading = d.id[i] ?? '';
  const over = u.over.getBoundingClientRect();
  const host = root.getBoundingClientRect();
  tip.style.left = `${over.left - host.left + u.valToPos(d.t[i]! / 1000, 'x')}px`;
  tip.style.top = `${over.top - host.top + u.valToPos(v, 'y')}px`;
}

function toAligned(d: ScalarSeries): uPlot.AlignedData {
  const xs = new Float64Array(d.t.length);
  for (let i = 0; i < xs.length; i++) xs[i] = d.t[i]! / 1000;
  return [xs, Float64Array.from(d.v)];
}

/** Place the band and excursion overlays in CSS pixels of the plotting area (u.over). */
function drawOverlays(u: uPlot, root: HTMLElement, layer: HTMLDivElement, p: SensorChartProps) {
  if (!root.dataset.drawnAt && p.data.t.length > 0) {
    // When the reader first sees the data (the page bench reads this).
    root.dataset.drawnAt = String(Math.round(performance.now()));
    performance.mark(`tt:chart-${p.kind}`);
  }
  const xMin = u.scales.x!.min! * 1000;
  const xMax = u.scales.x!.max! * 1000;
  root.dataset.xMin = String(xMin);
  root.dataset.xMax = String(xMax);
  root.dataset.plotWidth = String(u.over.clientWidth);
  const parts: HTMLElement[] = [];
  if (p.band) {
    const top = u.valToPos(p.band.max, 'y');
    const bottom = u.valToPos(p.band.min, 'y');
    const band = document.createElement('div');
    band.className = 'band';
    band.dataset.testid = 'band';
    band.dataset.min = String(p.band.min);
    band.dataset.max = String(p.band.max);
    band.style.top = `${top}px`;
    band.style.height = `${Math.max(0, bottom - top)}px`;
    parts.push(band);
  }
  const width = u.over.clientWidth;
  for (const x of p.excursions) {
    if (x.end < xMin || x.start > xMax) continue;
    const left = u.valToPos(x.start / 1000, 'x');
    const right = u.valToPos(x.end / 1000, 'x');
    const l = Math.max(0, left);
    const r = Math.min(width, right);
    const div = document.createElement('div');
    div.className = `excursion${x.breached ? '' : ' minor'}`;
    div.dataset.testid = 'excursion-shade';
    div.dataset.excursion = x.id;
    div.dataset.start = String(x.start);
    div.dataset.end = String(x.end);
    div.dataset.breached = String(x.breached);
    div.style.left = `${l}px`;
    div.style.width = `${Math.max(1, r - l)}px`;
    div.title = `${formatTimeSeconds(x.start)} → ${formatTimeSeconds(x.end)}`;
    parts.push(div);
  }
  layer.replaceChildren(...parts);
}
