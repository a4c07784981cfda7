// The streaming evaluator of a shipment's location rules: GPS fixes arrive in
// any order and batching (live, shuffled by the network, days late after
// store-and-forward) and events() at any moment equals a batch evaluation of
// every fix pushed so far. Same contract as the condition rules' evaluator:
// readings are deduplicated by (leaf, reading id), a push is all or nothing,
// and each device's fixes form one series in the order of reading.ts.
import { type CorridorState, corridorEvents, corridorMachine, type Deviation } from './corridor-rule.js';
import { RuleError } from './error.js';
import type { Hex } from './excursion.js';
import { type Fix, judge, type LocationReading, newFilter, sameFix, toFix } from './fix.js';
import { type GeofenceState, geofenceEvents, geofenceMachine, type Visit } from './geofence-rule.js';
import {
  type CorridorRule,
  type GeofenceRule,
  type LocationRule,
  type StopRule,
  validateLocationRules,
} from './location-definition.js';
import { type LocationEvent, locationEventId } from './location-event.js';
import { LocationTrack } from './location-track.js';
import { compareKeys, type EntryKey } from './reading.js';
import { SeenReadings } from './seen.js';
import { SortedChunks } from './sorted.js';
import { type Stop, type StopState, stopEvents, stopMachine } from './stop-rule.js';

export interface LocationEvaluatorOptions {
  /** Goes into every event id. */
  shipmentId: string;
  /** Location rule definitions (validated here; plain JSON is fine). */
  rules: readonly LocationRule[] | unknown;
  /** The shipment's devices; fixes of other devices are ignored. Default: every device. */
  devices?: readonly string[];
}

export interface LocationPushResult {
  /** New fixes taken into account. */
  accepted: number;
  /** Fixes already pushed (same id and content). */
  duplicates: number;
  /** Readings that are not positions, or of devices outside the shipment. */
  ignored: number;
}

/** How a rule treated one device's fixes (the noise filter's tally). */
export interface FixTally {
  ruleId: string;
  deviceId: string;
  believed: number;
  /** Dropped as physically impossible jumps. */
  jumps: number;
  /** Dropped for a reported accuracy worse than the rule's maxAccuracyM. */
  inaccurate: number;
}

export interface LocationEvaluator {
  readonly shipmentId: string;
  readonly rules: readonly LocationRule[];
  /** Add readings in any order; non-position readings are ignored. All or nothing: a bad one throws RuleError. */
  push(readings: readonly LocationReading[]): LocationPushResult;
  /** Every event so far: by rule (definition order), device id, then start (geofences: then zone order). */
  events(): LocationEvent[];
  /** The noise filter's tally per rule and device. */
  tallies(): FixTally[];
  /** Distinct fixes taken into account. */
  readonly size: number;
}

type AnyTrack =
  | { kind: 'geofence'; rule: GeofenceRule; track: LocationTrack<GeofenceState, Visit> }
  | { kind: 'corridor'; rule: CorridorRule; track: LocationTrack<CorridorState, Deviation> }
  | { kind: 'stop'; rule: StopRule; track: LocationTrack<StopState, Stop> };

interface DeviceFixes {
  readonly series: SortedChunks<Fix, EntryKey>;
  /** One per rule, in definition order. */
  readonly tracks: AnyTrack[];
  pending: Fix[];
}

/** Geometry is prepared once per rule and shared by every device's track. */
function trackMaker(rule: LocationRule): () => AnyTrack {
  switch (rule.kind) {
    case 'geofence': {
      const m = geofenceMachine(rule);
      return () => ({ kind: 'geofence', rule, track: new LocationTrack(m) });
    }
    case 'corridor': {
      const m = corridorMachine(rule);
      return () => ({ kind: 'corridor', rule, track: new LocationTrack(m) });
    }
    case 'stop': {
      const m = stopMachine(rule);
      return () => ({ kind: 'stop', rule, track: new LocationTrack(m) });
    }
  }
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class Evaluator implements LocationEvaluator {
  readonly shipmentId: string;
  readonly rules: readonly LocationRule[];
  private readonly allowed: ReadonlySet<string> | null;
  private readonly seen = new SeenReadings<Fix>();
  private readonly devices = new Map<string, DeviceFixes>();
  private readonly machines: (() => AnyTrack)[];
  private readonly ids = new Map<string, Hex>();

  constructor(options: LocationEvaluatorOptions) {
    if (typeof options !== 'object' || options === null) throw new RuleError('options', 'must be an object');
    const sid = options.shipmentId;
    if (typeof sid !== 'string' || sid.length === 0 || sid.length > 256) {
      throw new RuleError('shipmentId', 'must be a string of 1–256 characters');
    }
    this.shipmentId = sid;
    this.rules = validateLocationRules(options.rules);
    if (options.devices === undefined) this.allowed = null;
    else {
      if (!Array.isArray(options.devices)) throw new RuleError('devices', 'must be an array of device ids');
      const set = new Set<string>();
      options.devices.forEach((d, i) => {
        if (typeof d !== 'string' || d.length === 0) throw new RuleError(`devices[${i}]`, 'must be a non-empty string');
        if (set.has(d)) throw new RuleError(`devices[${i}]`, `${JSON.stringify(d)} is listed twice`);
        set.add(d);
      });
      this.allowed = set;
    }
    this.machines = this.rules.map(trackMaker);
  }

  get size(): number {
    return this.seen.size;
  }

  push(readings: readonly LocationReading[]): LocationPushResult {
    if (!Array.isArray(readings)) throw new RuleError('readings', 'must be an array');
    const fresh: Fix[] = [];
    let duplicates = 0;
    let ignored = 0;
    try {
      for (let i = 0; i < readings.length; i++) {
        const path = `readings[${i}]`;
        const f = toFix(readings[i]!, path);
        if (f === null || (this.allowed !== null && !this.allowed.has(f.dev))) {
          ignored++;
          continue;
        }
        const old = this.seen.get(f.leaf, f.id);
        if (old !== undefined) {
          if (!sameFix(old, f)) {
            throw new RuleError(`${path}.readingId`, `${JSON.stringify(f.id)} was already pushed with different content`);
          }
          duplicates++;
          continue;
        }
        this.seen.add(f);
        fresh.push(f);
      }
    } catch (err) {
      for (const f of fresh) this.seen.delete(f);
      throw err;
    }
    const touched: DeviceFixes[] = [];
    for (const f of fresh) {
      const d = this.deviceFor(f.dev);
      if (d.pending.length === 0) touched.push(d);
      d.pending.push(f);
    }
    for (const d of touched) this.apply(d);
    return { accepted: fresh.length, duplicates, ignored };
  }

  private deviceFor(dev: string): DeviceFixes {
    let d = this.devices.get(dev);
    if (d === undefined) {
      d = {
        series: new SortedChunks<Fix, EntryKey>((f) => f, compareKeys),
        tracks: this.machines.map((make) => make()),
        pending: [],
      };
      this.devices.set(dev, d);
    }
    return d;
  }

  private apply(d: DeviceFixes): void {
    const pending = d.pending;
    d.pending = [];
    const last = d.series.last();
    let inOrder = true;
    for (let i = 0; i < pending.length && inOrder; i++) {
      const prev = i === 0 ? last : pending[i - 1];
      if (prev !== undefined && compareKeys(prev, pending[i]!) > 0) inOrder = false;
    }
    if (inOrder) {
      for (const f of pending) {
        d.series.insert(f);
        for (const t of d.tracks) (t.track as LocationTrack<unknown, unknown>).append(f);
      }
      return;
    }
    // Late (or unsorted) fixes: insert them all, then re-fold once from the earliest.
    let from: Fix = pending[0]!;
    let to: Fix = pending[0]!;
    for (const f of pending) {
      d.series.insert(f);
      if (compareKeys(f, from) < 0) from = f;
      if (compareKeys(f, to) > 0) to = f;
    }
    for (const t of d.tracks) (t.track as LocationTrack<unknown, unknown>).replay(d.series, from, to);
  }

  private idOf(ruleId: string, deviceId: string, zoneId: string | null, startRef: string): Hex {
    const key = JSON.stringify([ruleId, deviceId, zoneId, startRef]);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = locationEventId(this.shipmentId, ruleId, deviceId, zoneId, startRef);
      this.ids.set(key, id);
    }
    return id;
  }

  events(): LocationEvent[] {
    const out: LocationEvent[] = [];
    const devices = [...this.devices.entries()].sort((a, b) => byId(a[0], b[0]));
    this.rules.forEach((rule, r) => {
      for (const [dev, d] of devices) {
        const t = d.tracks[r]!;
        const common = { shipmentId: this.shipmentId, ruleId: rule.id, deviceId: dev };
        switch (t.kind) {
          case 'geofence': {
            const zones = t.rule.zones;
            out.push(
              ...geofenceEvents(t.rule, t.track.done, t.track.state, (v) => ({
                ...common,
                id: this.idOf(rule.id, dev, zones[v.zone]!.id, v.start.id),
              })),
            );
            break;
          }
          case 'corridor':
            out.push(
              ...corridorEvents(t.rule, t.track.done, t.track.state, (x) => ({
                ...common,
                id: this.idOf(rule.id, dev, null, x.first.id),
              })),
            );
            break;
          case 'stop':
            out.push(
              ...stopEvents(t.rule, t.track.done, t.track.state, (x) => ({
                ...common,
                id: this.idOf(rule.id, dev, null, x.first.id),
              })),
            );
            break;
        }
      }
    });
    return out;
  }

  tallies(): FixTally[] {
    const out: FixTally[] = [];
    const devices = [...this.devices.entries()].sort((a, b) => byId(a[0], b[0]));
    for (const rule of this.rules) {
      for (const [dev, d] of devices) {
        // Recounted on demand (the filter alone is cheap), so the rules' states carry no counters and
        // a replay can converge with the old run.
        const tally: FixTally = { ruleId: rule.id, deviceId: dev, believed: 0, jumps: 0, inaccurate: 0 };
        const filter = newFilter();
        for (const f of d.series) {
          const v = judge(filter, f, rule.noise);
          if (v === 'believed') tally.believed++;
          else tally[v === 'jump' ? 'jumps' : 'inaccurate']++;
        }
        out.push(tally);
      }
    }
    return out;
  }
}

/** A streaming evaluator for one shipment's location rules; throws RuleError on bad options or rules. */
export function createLocationEvaluator(options: LocationEvaluatorOptions): LocationEvaluator {
  return new Evaluator(options);
}

/** One-shot evaluation of a complete set of readings. */
export function evaluateLocationRules(
  options: LocationEvaluatorOptions & { readings: readonly LocationReading[] },
): LocationEvent[] {
  const ev = createLocationEvaluator(options);
  ev.push(options.readings);
  return ev.events();
}
