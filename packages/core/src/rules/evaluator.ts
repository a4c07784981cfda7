// The streaming evaluator for one shipment: readings arrive in any order and
// any batching (live, shuffled by the network, or days late in bulk after
// store-and-forward); excursions() at any moment equals a batch evaluation of
// every reading pushed so far. In-order readings are folded into the open run
// in O(1); late ones are inserted into a per-(sensor, device) sorted series
// and only the affected runs are re-derived (see runs.ts).
import type { LatLon, ReadingKind } from '../telemetry/payload.js';
import type { BandRule, GapRule, LightRule, LightSensor, Rule, ThresholdRule } from './definition.js';
import { validateRules } from './definition.js';
import { RuleError } from './error.js';
import {
  type BandExcursion,
  type Excursion,
  excursionId,
  type GapExcursion,
  type Hex,
  type LightExcursion,
  type ThresholdExcursion,
} from './excursion.js';
import { type Gap, GapTrack } from './gaps.js';
import { zoneAt } from './geo.js';
import {
  compareKeys,
  type Entry,
  type EntryKey,
  type EvidencedReading,
  keyAfter,
  keyBefore,
  sameEntry,
  toEntry,
} from './reading.js';
import { SeenReadings } from './seen.js';
import { INSIDE, type KeyRange, type Run, type RunClassifier, RunTrack } from './runs.js';
import { MS_PER_MINUTE, shelfDaysLost } from './shelf-life.js';
import { SortedChunks } from './sorted.js';

export interface EvaluatorOptions {
  /** Goes into every excursion id, so the same rule id in two policies never collides. */
  shipmentId: string;
  /** Rule definitions (validated here; plain JSON is fine). */
  rules: readonly Rule[] | unknown;
  /**
   * The shipment's devices. Readings of other devices are ignored, and gap
   * rules can report a device that never sent anything. Default: every device.
   */
  devices?: readonly string[];
}

export interface PushResult {
  /** New readings taken into account. */
  accepted: number;
  /** Readings already pushed (same id and content): redeliveries are harmless. */
  duplicates: number;
  /** Readings of devices outside the shipment. */
  ignored: number;
}

export interface ExcursionsOptions {
  /**
   * "Now", ms since epoch: lets gap rules report a silence still going on
   * (last reading → asOf). Without it only silences ended by a reading count,
   * since a late store-and-forward batch may still fill the rest.
   */
  asOf?: number;
}

export interface RuleEvaluator {
  readonly shipmentId: string;
  readonly rules: readonly Rule[];
  /** Add readings, in any order; all-or-nothing (a bad reading throws RuleError and nothing is added). */
  push(readings: readonly EvidencedReading[]): PushResult;
  /** Every excursion so far: by rule (definition order), device id, sensor (light: rule's order), then start. */
  excursions(options?: ExcursionsOptions): Excursion[];
  /** Distinct readings taken into account. */
  readonly size: number;
}

interface RunTrackRef {
  track: RunTrack;
  /** Light tracks are reclassified when a position arrives late. */
  light: boolean;
}

interface ThresholdRef {
  rule: ThresholdRule;
  over: SortedChunks<Entry, EntryKey>;
}

/** One sensor of one device, shared by every rule reading it. */
interface Series {
  readonly entries: SortedChunks<Entry, EntryKey>;
  readonly runs: RunTrackRef[];
  readonly thresholds: ThresholdRef[];
  readonly light: boolean;
  pending: Entry[];
}

/** All readings of one device, for gap rules. */
interface DeviceLog {
  readonly entries: SortedChunks<Entry, EntryKey>;
  readonly tracks: GapTrack[];
  pending: Entry[];
}

type RuleState =
  | { rule: BandRule; tracks: Map<string, RunTrack> }
  | { rule: ThresholdRule; tracks: Map<string, SortedChunks<Entry, EntryKey>> }
  | { rule: LightRule; tracks: Map<string, Map<LightSensor, RunTrack>> }
  | { rule: GapRule; tracks: Map<string, GapTrack> };

const LIGHT_SENSORS: readonly LightSensor[] = ['lux', 'door'];

const newSeries = (): SortedChunks<Entry, EntryKey> => new SortedChunks<Entry, EntryKey>((e) => e, compareKeys);

function isSorted(list: readonly Entry[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareKeys(list[i - 1]!, list[i]!) > 0) return false;
  return true;
}

/**
 * Whole milliseconds: reading times are integers, so every duration is then an
 * exact integer sum and cannot depend on the order it was added up in.
 */
function holdMsOf(minutes: number): number {
  return Number.isFinite(minutes) ? Math.max(1, Math.round(minutes * MS_PER_MINUTE)) : Infinity;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class Evaluator implements RuleEvaluator {
  readonly shipmentId: string;
  readonly rules: readonly Rule[];
  private readonly allowed: ReadonlySet<string> | null;
  private readonly states: RuleState[];
  private readonly seen = new SeenReadings();
  private readonly series = new Map<ReadingKind, Map<string, Series>>();
  private readonly logs = new Map<string, DeviceLog>();
  private readonly positions = newSeries();
  private readonly holdMs: number;
  private readonly usesPos: boolean;
  private readonly lightSeries: Series[] = [];
  /** Excursion ids by start: hashing once per excursion, not once per excursions() call. */
  private readonly ids = new Map<string, Hex>();

  constructor(options: EvaluatorOptions) {
    if (typeof options !== 'object' || options === null) throw new RuleError('options', 'must be an object');
    const sid = options.shipmentId;
    if (typeof sid !== 'string' || sid.length === 0 || sid.length > 256) {
      throw new RuleError('shipmentId', 'must be a string of 1–256 characters');
    }
    this.shipmentId = sid;
    this.rules = validateRules(options.rules);
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
    // A reading's state is held for at most the tightest allowed silence: beyond
    // that the device was not heard from, and a gap is not evidence of anything.
    let silence = Infinity;
    for (const r of this.rules) if (r.kind === 'gap' && r.maxSilenceMinutes < silence) silence = r.maxSilenceMinutes;
    this.holdMs = holdMsOf(silence);
    this.usesPos = this.rules.some((r) => r.kind === 'light');
    this.states = this.rules.map((rule) => ({ rule, tracks: new Map() }) as RuleState);
  }

  get size(): number {
    return this.seen.size;
  }

  push(readings: readonly EvidencedReading[]): PushResult {
    if (!Array.isArray(readings)) throw new RuleError('readings', 'must be an array');
    const fresh: Entry[] = [];
    let duplicates = 0;
    let ignored = 0;
    try {
      for (let i = 0; i < readings.length; i++) {
        const path = `readings[${i}]`;
        const e = toEntry(readings[i]!, path);
        if (this.allowed !== null && !this.allowed.has(e.dev)) {
          ignored++;
          continue;
        }
        const old = this.seen.get(e.leaf, e.id);
        if (old !== undefined) {
          if (!sameEntry(old, e))
            throw new RuleError(`${path}.readingId`, `${JSON.stringify(e.id)} was already pushed with different content`);
          duplicates++;
          continue;
        }
        this.seen.add(e);
        fresh.push(e);
      }
    } catch (err) {
      for (const e of fresh) this.seen.delete(e);
      throw err;
    }
    this.apply(fresh);
    return { accepted: fresh.length, duplicates, ignored };
  }

  private apply(fresh: readonly Entry[]): void {
    const touched: Series[] = [];
    const touchedLogs: DeviceLog[] = [];
    const newPos: Entry[] = [];
    for (const e of fresh) {
      const log = this.logFor(e.dev);
      if (log !== null) {
        if (log.pending.length === 0) touchedLogs.push(log);
        log.pending.push(e);
      }
      if (e.k === 'pos') {
        if (this.usesPos) newPos.push(e);
        continue;
      }
      const s = this.seriesFor(e.k, e.dev);
      if (s === null) continue;
      if (s.pending.length === 0) touched.push(s);
      s.pending.push(e);
    }
    for (const log of touchedLogs) this.applyLog(log);
    const moved = this.applyPositions(newPos);
    if (moved.length > 0) {
      const from = moved[0]!.t0;
      for (const s of this.lightSeries) {
        const last = s.entries.last();
        if (s.pending.length === 0 && last !== undefined && last.t >= from) touched.push(s);
      }
    }
    for (const s of touched) this.applySeries(s, moved);
  }

  /** Insert positions; returns the time spans [t0, t1) whose position in force changed. */
  private applyPositions(newPos: Entry[]): { t0: number; t1: number }[] {
    if (newPos.length === 0) return [];
    if (!isSorted(newPos)) newPos.sort(compareKeys);
    for (const p of newPos) this.positions.insert(p);
    const spans: { t0: number; t1: number }[] = [];
    for (const p of newPos) {
      const t1 = this.positions.at(this.positions.upperBound(keyAfter(p.t)))?.t ?? Infinity;
      const prev = spans[spans.length - 1];
      if (prev !== undefined && prev.t1 >= p.t) prev.t1 = Math.max(prev.t1, t1);
      else spans.push({ t0: p.t, t1 });
    }
    return spans;
  }

  private applySeries(s: Series, moved: readonly { t0: number; t1: number }[]): void {
    const pending = s.pending;
    s.pending = [];
    if (!isSorted(pending)) pending.sort(compareKeys);
    const last = s.entries.last();
    let k = 0;
    if (last !== undefined) while (k < pending.length && compareKeys(pending[k]!, last) < 0) k++;
    for (let i = 0; i < k; i++) s.entries.insert(pending[i]!);
    if (k > 0 || (s.light && moved.length > 0)) {
      const points: KeyRange[] = [];
      for (let i = 0; i < k; i++) points.push({ lo: pending[i]!, hi: pending[i]! });
      let lightRanges: KeyRange[] | null = null;
      for (const ref of s.runs) {
        let ranges = points;
        if (ref.light && moved.length > 0) {
          lightRanges ??= [...points, ...this.spanRanges(s.entries, moved)].sort((a, b) => compareKeys(a.lo, b.lo));
          ranges = lightRanges;
        }
        if (ranges.length > 0) ref.track.rederive(s.entries, ranges);
      }
    }
    for (const th of s.thresholds) for (const e of pending) if (e.v > th.rule.maxG) th.over.insert(e);
    for (let i = k; i < pending.length; i++) {
      const e = pending[i]!;
      s.entries.insert(e);
      for (const ref of s.runs) ref.track.append(e);
    }
  }

  /** The readings of a series whose time falls in one of the spans. */
  private spanRanges(entries: SortedChunks<Entry, EntryKey>, spans: readonly { t0: number; t1: number }[]): KeyRange[] {
    const out: KeyRange[] = [];
    for (const { t0, t1 } of spans) {
      const lo = entries.at(entries.lowerBound(keyBefore(t0)));
      if (lo === undefined || lo.t >= t1) continue;
      const hi = entries.below(keyBefore(t1));
      if (hi !== undefined) out.push({ lo, hi });
    }
    return out;
  }

  private applyLog(log: DeviceLog): void {
    const pending = log.pending;
    log.pending = [];
    for (const e of pending) {
      const last = log.entries.last();
      let prev: Entry | undefined;
      let next: Entry | undefined;
      if (last === undefined || compareKeys(e, last) > 0) prev = last;
      else {
        const cur = log.entries.upperBound(e);
        next = log.entries.at(cur);
        const p = log.entries.prev(cur);
        prev = p === null ? undefined : log.entries.at(p);
      }
      for (const track of log.tracks) track.inserted(prev, e, next);
      log.entries.insert(e);
    }
  }

  private logFor(dev: string): DeviceLog | null {
    let log = this.logs.get(dev);
    if (log !== undefined) return log;
    const tracks: GapTrack[] = [];
    for (const st of this.states) {
      if (st.rule.kind !== 'gap') continue;
      const track = new GapTrack(st.rule);
      (st.tracks as Map<string, GapTrack>).set(dev, track);
      tracks.push(track);
    }
    if (tracks.length === 0) return null;
    log = { entries: newSeries(), tracks, pending: [] };
    this.logs.set(dev, log);
    return log;
  }

  private seriesFor(k: ReadingKind, dev: string): Series | null {
    let byDev = this.series.get(k);
    const found = byDev?.get(dev);
    if (found !== undefined) return found;
    const runs: RunTrackRef[] = [];
    const thresholds: ThresholdRef[] = [];
    for (const st of this.states) {
      const rule = st.rule;
      if (rule.kind === 'band' && rule.sensor === k) {
        const track = new RunTrack(this.bandClassifier(rule));
        (st.tracks as Map<string, RunTrack>).set(dev, track);
        runs.push({ track, light: false });
      } else if (rule.kind === 'threshold' && rule.sensor === k) {
        const over = newSeries();
        (st.tracks as Map<string, SortedChunks<Entry, EntryKey>>).set(dev, over);
        thresholds.push({ rule, over });
      } else if (rule.kind === 'light' && (k === 'lux' || k === 'door') && (rule.sensors ?? LIGHT_SENSORS).includes(k)) {
        const track = new RunTrack(this.lightClassifier(rule, k));
        const tracks = st.tracks as Map<string, Map<LightSensor, RunTrack>>;
        const bySensor = tracks.get(dev) ?? new Map<LightSensor, RunTrack>();
        tracks.set(dev, bySensor);
        bySensor.set(k, track);
        runs.push({ track, light: true });
      }
    }
    if (runs.length === 0 && thresholds.length === 0) return null;
    const light = runs.some((r) => r.light);
    const s: Series = { entries: newSeries(), runs, thresholds, light, pending: [] };
    if (byDev === undefined) {
      byDev = new Map();
      this.series.set(k, byDev);
    }
    byDev.set(dev, s);
    if (light) this.lightSeries.push(s);
    return s;
  }

  private bandClassifier(rule: BandRule): RunClassifier {
    const { min, max } = rule;
    return {
      score: (e) => (e.v > max ? e.v - max : e.v < min ? min - e.v : INSIDE),
      hot: (e) => e.v > max,
      holdMs: rule.maxHoldMinutes !== undefined ? holdMsOf(rule.maxHoldMinutes) : this.holdMs,
    };
  }

  private lightClassifier(rule: LightRule, sensor: LightSensor): RunClassifier {
    const opened = sensor === 'lux' ? (e: Entry) => e.v > rule.luxAbove : (e: Entry) => e.v === 1;
    return {
      score: (e) => {
        if (!opened(e)) return INSIDE;
        const p = this.positionAt(e.t);
        // No fix yet proves nothing: only a position inside a zone allows an opening.
        return p !== null && zoneAt(p, rule.allowedZones) !== null ? INSIDE : e.v;
      },
      hot: () => false,
      holdMs: rule.maxHoldMinutes !== undefined ? holdMsOf(rule.maxHoldMinutes) : this.holdMs,
    };
  }

  /** The latest position of any shipment device at or before t. */
  private positionAt(t: number): LatLon | null {
    return this.positions.floor(keyAfter(t))?.pos ?? null;
  }

  private idOf(ruleId: string, deviceId: string, startRef: string | null): Hex {
    const key = JSON.stringify([ruleId, deviceId, startRef]);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = excursionId(this.shipmentId, ruleId, deviceId, startRef);
      this.ids.set(key, id);
    }
    return id;
  }

  excursions(options: ExcursionsOptions = {}): Excursion[] {
    const asOf = options.asOf;
    if (asOf !== undefined && (typeof asOf !== 'number' || !Number.isSafeInteger(asOf) || asOf < 0)) {
      throw new RuleError('asOf', `must be a time in ms since epoch, got ${String(asOf)}`);
    }
    const out: Excursion[] = [];
    for (const st of this.states) {
      const rule = st.rule;
      switch (rule.kind) {
        case 'band':
          for (const [dev, track] of sortedEntries(st.tracks as Map<string, RunTrack>)) this.bandOut(rule, dev, track, out);
          break;
        case 'threshold':
          for (const [dev, over] of sortedEntries(st.tracks as Map<string, SortedChunks<Entry, EntryKey>>)) {
            for (const e of over) out.push(this.shockOut(rule, dev, e));
          }
          break;
        case 'light':
          for (const [dev, bySensor] of sortedEntries(st.tracks as Map<string, Map<LightSensor, RunTrack>>)) {
            for (const sensor of rule.sensors ?? LIGHT_SENSORS) {
              const track = bySensor.get(sensor);
              if (track !== undefined) for (const run of track.runs) out.push(this.lightOut(rule, sensor, dev, run));
            }
          }
          break;
        case 'gap':
          this.gapsOut(rule, st.tracks as Map<string, GapTrack>, asOf, out);
          break;
      }
    }
    return out;
  }

  private bandOut(rule: BandRule, dev: string, track: RunTrack, out: Excursion[]): void {
    const toleranceMs = rule.toleranceMinutes * MS_PER_MINUTE;
    let totalMs = 0;
    let hotMs = 0;
    for (const run of track.runs) {
      totalMs += run.durMs;
      hotMs += run.hotMs;
      const counted = rule.mode === 'cumulative' ? totalMs : run.durMs;
      const x: BandExcursion = {
        id: this.idOf(rule.id, dev, run.start.id),
        shipmentId: this.shipmentId,
        ruleId: rule.id,
        kind: 'band',
        sensor: rule.sensor,
        deviceId: dev,
        ...runTimes(run),
        durationMinutes: run.durMs / MS_PER_MINUTE,
        minutesOutside: counted / MS_PER_MINUTE,
        breached: counted > toleranceMs,
        peak: run.peak.v,
        direction: run.peak.v > rule.max ? 'above' : 'below',
        shelfDaysLost:
          rule.stabilityBudgetMinutes !== undefined && rule.shelfLifeDays !== undefined
            ? shelfDaysLost(hotMs, rule.stabilityBudgetMinutes, rule.shelfLifeDays)
            : null,
        evidence: runEvidence(run),
      };
      out.push(x);
    }
  }

  private shockOut(rule: ThresholdRule, dev: string, e: Entry): ThresholdExcursion {
    return {
      id: this.idOf(rule.id, dev, e.id),
      shipmentId: this.shipmentId,
      ruleId: rule.id,
      kind: 'threshold',
      sensor: 'shock',
      deviceId: dev,
      startedAt: e.t,
      endedAt: e.t,
      lastObservedAt: e.t,
      open: false,
      durationMinutes: 0,
      minutesOutside: 0,
      breached: true,
      peak: e.v,
      evidence: { firstLeafIndex: e.leaf, lastLeafIndex: e.leaf, readingIds: { first: e.id, peak: e.id, last: e.id } },
    };
  }

  private lightOut(rule: LightRule, sensor: LightSensor, dev: string, run: Run): LightExcursion {
    const minutes = run.durMs / MS_PER_MINUTE;
    return {
      id: this.idOf(rule.id, dev, run.start.id),
      shipmentId: this.shipmentId,
      ruleId: rule.id,
      kind: 'light',
      sensor,
      deviceId: dev,
      ...runTimes(run),
      durationMinutes: minutes,
      minutesOutside: minutes,
      // Any opening outside the allowed places is the event insured against.
      breached: true,
      peak: run.peak.v,
      position: this.positionAt(run.start.t),
      evidence: runEvidence(run),
    };
  }

  private gapsOut(rule: GapRule, tracks: Map<string, GapTrack>, asOf: number | undefined, out: Excursion[]): void {
    const devices = new Set<string>(tracks.keys());
    if (this.allowed !== null && asOf !== undefined) for (const d of this.allowed) devices.add(d);
    for (const dev of [...devices].sort(byId)) {
      const track = tracks.get(dev) ?? new GapTrack(rule);
      for (const g of track.gaps) out.push(this.gapOut(rule, dev, g, false));
      if (asOf === undefined) continue;
      // A silence still going on: from the last reading (or window.from) to asOf.
      const tail = track.silence(this.logs.get(dev)?.entries.last() ?? null, null, asOf);
      if (tail !== null) out.push(this.gapOut(rule, dev, tail, asOf < rule.window.to));
    }
  }

  private gapOut(rule: GapRule, dev: string, g: Gap, open: boolean): GapExcursion {
    const leaves: number[] = [];
    if (g.left !== null) leaves.push(g.left.leaf);
    if (g.right !== null) leaves.push(g.right.leaf);
    const minutes = (g.to - g.from) / MS_PER_MINUTE;
    return {
      id: this.idOf(rule.id, dev, g.left?.id ?? null),
      shipmentId: this.shipmentId,
      ruleId: rule.id,
      kind: 'gap',
      deviceId: dev,
      startedAt: g.from,
      endedAt: open ? null : g.to,
      lastObservedAt: g.to,
      open,
      durationMinutes: minutes,
      minutesOutside: minutes,
      breached: true,
      evidence: {
        firstLeafIndex: leaves.length > 0 ? Math.min(...leaves) : null,
        lastLeafIndex: leaves.length > 0 ? Math.max(...leaves) : null,
        readingIds: { first: g.left?.id ?? null, last: g.right?.id ?? null },
      },
    };
  }
}

function sortedEntries<V>(m: Map<string, V>): [string, V][] {
  return [...m.entries()].sort((a, b) => byId(a[0], b[0]));
}

function runTimes(run: Run): Pick<BandExcursion, 'startedAt' | 'endedAt' | 'lastObservedAt' | 'open'> {
  return {
    startedAt: run.start.t,
    endedAt: run.end === null ? null : run.end.t,
    lastObservedAt: (run.end ?? run.last).t,
    open: run.end === null,
  };
}

function runEvidence(run: Run): BandExcursion['evidence'] {
  return {
    firstLeafIndex: run.minLeaf,
    lastLeafIndex: run.maxLeaf,
    readingIds: { first: run.start.id, peak: run.peak.id, last: (run.end ?? run.last).id },
  };
}

/** A streaming evaluator for one shipment's rules; throws RuleError on bad options or rules. */
export function createRuleEvaluator(options: EvaluatorOptions): RuleEvaluator {
  return new Evaluator(options);
}

/** One-shot evaluation of a complete set of readings. */
export function evaluateRules(
  options: EvaluatorOptions & { readings: readonly EvidencedReading[] } & ExcursionsOptions,
): Excursion[] {
  const ev = createRuleEvaluator(options);
  ev.push(options.readings);
  return ev.excursions(options.asOf === undefined ? {} : { asOf: options.asOf });
}
