// Device telemetry as EPCIS 2.0 sensor data: per time window, one ObjectEvent
// (action OBSERVE, bizStep sensor_reporting) whose sensorElementList states the
// min/max/mean of each measured quantity and an ALARM_CONDITION report for each
// threshold crossed. Partners get the summary; the `tradetwin:readings`
// extension lists the reading ids behind it so they can fetch each reading's
// inclusion proof from the log. Windows are aligned to the epoch, so anyone
// summarising the same readings gets the same events and the same hash IDs.
import type { ReadingKind } from '../telemetry/payload.js';
import type { EpcisEvent } from './canonical.js';
import { EPCIS_CONTEXT_URL } from './document.js';
import { eventHashId } from './hash.js';

/** Namespace of TradeTwin's EPCIS extensions. */
export const TRADETWIN_NS = 'https://tradetwin.dev/ns/epcis/';

/** How a window becomes a report: min/max/mean over the readings of an epoch-aligned window. */
export const WINDOW_SUMMARY_METHOD = `${TRADETWIN_NS}method/window-min-max-mean-v1`;

/** The quantities summarised, as GS1 measurement types with UN/ECE Rec 20 units. */
export const SENSOR_TYPES = {
  temp: { type: 'gs1:Temperature', uom: 'CEL' }, // degree Celsius
  rh: { type: 'gs1:RelativeHumidity', uom: 'P1' }, // percent
  lux: { type: 'gs1:Illuminance', uom: 'LUX' },
  shock: { type: 'gs1:Acceleration', uom: 'K40' }, // standard acceleration of free fall (g)
} as const satisfies Partial<Record<ReadingKind, { type: string; uom: string }>>;

export type SummarisedKind = keyof typeof SENSOR_TYPES;
const KINDS = Object.keys(SENSOR_TYPES) as SummarisedKind[];

export interface SummaryReading {
  /** ms since epoch */
  t: number;
  k: ReadingKind;
  v: number | readonly [number, number];
  /** `<leafIndex>:<position>`: where its proof is. */
  readingId: string;
  /** The device that measured it, if not the one given for all. */
  deviceId?: string;
}

export interface Threshold {
  min?: number;
  max?: number;
}

export interface SummariseOptions {
  /** The object the readings describe: an EPC URN or GS1 Digital Link (class-level ids go to quantityList). */
  epc?: string;
  /**
   * The logistic unit or asset carrying the sensor (SSCC, GRAI…), when the
   * readings describe it rather than one item. An ObjectEvent has no parentID
   * field: the unit is the event's object; its contents follow from its AggregationEvents.
   */
  parentID?: string;
  readings: readonly SummaryReading[];
  /** Window length in ms; windows start at multiples of it since the epoch. */
  windowMs: number;
  /** Limits per quantity; a window with a reading outside gets an ALARM_CONDITION report. */
  thresholds?: Partial<Record<SummarisedKind, Threshold>>;
  /** EPC URN or Digital Link of the read point (needed when there is no epc or parentID). */
  readPoint?: string;
  bizLocation?: string;
  /** Device id (docs/design.md) of readings that carry none. */
  deviceId?: string;
  /** The device's URI in sensorMetadata.deviceID; https://tradetwin.dev/devices/<id> by default. */
  deviceUri?: (deviceId: string) => string;
  /** ±hh:mm of the place; +00:00 by default. */
  eventTimeZoneOffset?: string;
  /** CBV business step; sensor_reporting by default. */
  bizStep?: string;
}

export const defaultDeviceUri = (id: string) => `https://tradetwin.dev/devices/${encodeURIComponent(id)}`;

interface Window {
  start: number;
  readings: (SummaryReading & { v: number })[];
}

function check(opts: SummariseOptions): void {
  if (!Number.isSafeInteger(opts.windowMs) || opts.windowMs <= 0)
    throw new RangeError(`windowMs must be a positive whole number of ms, got ${opts.windowMs}`);
  if (opts.epc === undefined && opts.parentID === undefined && opts.readPoint === undefined) {
    throw new TypeError('give epc, parentID or readPoint: the readings must describe something');
  }
  if (opts.epc !== undefined && opts.parentID !== undefined) throw new TypeError('give epc or parentID, not both');
  opts.readings.forEach((r, i) => {
    if (!Number.isFinite(r.t)) throw new RangeError(`readings[${i}].t must be ms since the epoch, got ${r.t}`);
    if (typeof r.readingId !== 'string' || r.readingId === '') throw new TypeError(`readings[${i}].readingId is missing`);
  });
  for (const [kind, th] of Object.entries(opts.thresholds ?? {})) {
    if (!Object.hasOwn(SENSOR_TYPES, kind))
      throw new TypeError(`thresholds.${kind}: not a summarised quantity (${KINDS.join(', ')})`);
    if (th?.min !== undefined && th.max !== undefined && th.min > th.max)
      throw new RangeError(`thresholds.${kind}: min ${th.min} is above max ${th.max}`);
  }
}

/** Class-level identifiers (lots, bare GTINs, patterns) are quantities, not instances. */
function isClassLevel(id: string): boolean {
  if (/^urn:epc:(class|idpat):/.test(id)) return true;
  const dl = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/(01|gtin)\/\d{8,14}(\/(10|lot)\/[^/?#]+)?\/?(?:[?#].*)?$/.exec(id);
  return dl !== null;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
const iso = (t: number) => new Date(t).toISOString();

function sensorReports(
  kind: SummarisedKind,
  rs: Window['readings'],
  threshold: Threshold | undefined,
): Record<string, unknown>[] {
  const { type, uom } = SENSOR_TYPES[kind];
  const values = rs.map((r) => r.v);
  const reports: Record<string, unknown>[] = [
    {
      type,
      minValue: Math.min(...values),
      maxValue: Math.max(...values),
      meanValue: round(values.reduce((a, b) => a + b, 0) / values.length),
      uom,
    },
  ];
  const alarm = (side: 'min' | 'max', limit: number, outside: Window['readings']) => {
    if (!outside.length) return;
    const worst = outside.reduce((w, r) => ((side === 'max' ? r.v > w.v : r.v < w.v) ? r : w));
    reports.push({
      type,
      exception: 'ALARM_CONDITION',
      time: iso(outside[0]!.t),
      value: worst.v,
      uom,
      [`tradetwin:${side === 'max' ? 'aboveMax' : 'belowMin'}`]: limit,
      'tradetwin:readings': outside.map((r) => r.readingId),
    });
  };
  if (threshold?.max !== undefined)
    alarm(
      'max',
      threshold.max,
      rs.filter((r) => r.v > threshold.max!),
    );
  if (threshold?.min !== undefined)
    alarm(
      'min',
      threshold.min,
      rs.filter((r) => r.v < threshold.min!),
    );
  return reports;
}

/**
 * One ObjectEvent per window holding readings of a summarised quantity
 * (temperature, relative humidity, illuminance, shock; other kinds are not
 * sensor data about the goods and are left out), oldest window first. Each event
 * carries its @context and its hash ID as eventID, so it validates on its own.
 */
export function summariseReadings(opts: SummariseOptions): EpcisEvent[] {
  check(opts);
  const windows = new Map<number, Window>();
  for (const r of opts.readings) {
    if (!Object.hasOwn(SENSOR_TYPES, r.k) || typeof r.v !== 'number' || !Number.isFinite(r.v)) continue;
    const start = Math.floor(r.t / opts.windowMs) * opts.windowMs;
    const w = windows.get(start) ?? { start, readings: [] };
    w.readings.push(r as SummaryReading & { v: number });
    windows.set(start, w);
  }
  const deviceUri = opts.deviceUri ?? defaultDeviceUri;
  return [...windows.values()]
    .sort((a, b) => a.start - b.start)
    .map((w) => {
      const readings = [...w.readings].sort(
        (a, b) => a.t - b.t || (a.readingId < b.readingId ? -1 : a.readingId > b.readingId ? 1 : 0),
      );
      const byDevice = new Map<string, Window['readings']>();
      for (const r of readings) {
        const dev = r.deviceId ?? opts.deviceId ?? '';
        const list = byDevice.get(dev);
        if (list) list.push(r);
        else byDevice.set(dev, [r]);
      }
      const sensorElementList = [...byDevice.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([dev, rs]) => ({
          sensorMetadata: {
            time: iso(rs.at(-1)!.t),
            startTime: iso(rs[0]!.t),
            endTime: iso(rs.at(-1)!.t),
            ...(dev ? { deviceID: deviceUri(dev) } : {}),
            dataProcessingMethod: WINDOW_SUMMARY_METHOD,
          },
          sensorReport: KINDS.flatMap((k) => {
            const of = rs.filter((r) => r.k === k);
            return of.length ? sensorReports(k, of, opts.thresholds?.[k]) : [];
          }),
        }));
      return withHashId(eventOf(opts, readings, sensorElementList));
    });
}

function eventOf(opts: SummariseOptions, readings: Window['readings'], sensorElementList: unknown[]): Record<string, unknown> {
  const subject = opts.epc ?? opts.parentID;
  const what =
    subject === undefined
      ? { epcList: [] }
      : isClassLevel(subject)
        ? { quantityList: [{ epcClass: subject }] }
        : { epcList: [subject] };
  return {
    '@context': [EPCIS_CONTEXT_URL, { tradetwin: TRADETWIN_NS }],
    type: 'ObjectEvent',
    eventTime: iso(readings.at(-1)!.t),
    eventTimeZoneOffset: opts.eventTimeZoneOffset ?? '+00:00',
    ...what,
    action: 'OBSERVE',
    bizStep: opts.bizStep ?? 'sensor_reporting',
    ...(opts.readPoint ? { readPoint: { id: opts.readPoint } } : {}),
    ...(opts.bizLocation ? { bizLocation: { id: opts.bizLocation } } : {}),
    sensorElementList,
    'tradetwin:readings': readings.map((r) => r.readingId),
  };
}

/** The hash does not cover eventID, so the ID can be the event's own hash. */
function withHashId(event: Record<string, unknown>): EpcisEvent {
  return { eventID: eventHashId(event), ...event };
}
