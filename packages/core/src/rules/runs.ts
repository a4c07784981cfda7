// Runs of "outside" readings in one time-ordered series (band and light rules).
//
// A run starts at the first outside reading and ends at the first reading back
// inside. Time is counted per interval between consecutive readings: the
// interval after an outside reading counts as outside, but never for longer
// than holdMs (a reading's state is held until the next reading, at most that
// long: time beyond it is a data gap, reported by gap rules, not evidence).
//
// The same step function serves the in-order append and the re-derivation
// after late readings, so both add the same numbers in the same order and a
// result never depends on arrival order (not even in the last float bit).
import { type Entry, type EntryKey, compareKeys } from './reading.js';
import { SortedChunks } from './sorted.js';

/** score(e) for a reading inside the band / allowed. */
export const INSIDE = -1;

export interface RunClassifier {
  /** INSIDE, or how bad the reading is (≥ 0; the run's peak is the highest, earliest on ties). */
  score(e: Entry): number;
  /** Whether the interval after this outside reading counts as "hot" (above max: shelf-life loss). */
  hot(e: Entry): boolean;
  /** Longest interval credited to one reading, ms. */
  readonly holdMs: number;
}

export interface Run {
  /** First outside reading. */
  readonly start: Entry;
  /** Last outside reading so far. */
  last: Entry;
  lastHot: boolean;
  /** First reading back inside; null while open. */
  end: Entry | null;
  /** Time outside counted so far, ms. */
  durMs: number;
  /** Of that, time above max, ms. */
  hotMs: number;
  peak: Entry;
  peakScore: number;
  /** Leaf range of every reading from start to end (or last). */
  minLeaf: number;
  maxLeaf: number;
}

export interface KeyRange {
  lo: EntryKey;
  hi: EntryKey;
}

/** Advance the run state by one reading; returns the run still open after it. */
function step(cls: RunClassifier, open: Run | null, e: Entry, emit: (r: Run) => void): Run | null {
  const score = cls.score(e);
  if (open !== null) {
    const gap = e.t - open.last.t;
    const dt = Math.min(gap, cls.holdMs);
    open.durMs += dt;
    if (open.lastHot) open.hotMs += dt;
    if (e.leaf < open.minLeaf) open.minLeaf = e.leaf;
    if (e.leaf > open.maxLeaf) open.maxLeaf = e.leaf;
    if (score === INSIDE) {
      open.end = e;
      return null;
    }
    open.last = e;
    open.lastHot = cls.hot(e);
    if (score > open.peakScore) {
      open.peak = e;
      open.peakScore = score;
    }
    return open;
  }
  if (score === INSIDE) return null;
  const run: Run = {
    start: e,
    last: e,
    lastHot: cls.hot(e),
    end: null,
    durMs: 0,
    hotMs: 0,
    peak: e,
    peakScore: score,
    minLeaf: e.leaf,
    maxLeaf: e.leaf,
  };
  emit(run);
  return run;
}

/** The runs of one rule over one series (one device, one sensor). */
export class RunTrack {
  readonly runs = new SortedChunks<Run, EntryKey>((r) => r.start, compareKeys);
  /** The run still open at the end of the series. */
  open: Run | null = null;
  private readonly emit = (r: Run): void => this.runs.insert(r);

  constructor(readonly cls: RunClassifier) {}

  /** Feed a reading that sorts after every reading already fed. */
  append(e: Entry): void {
    this.open = step(this.cls, this.open, e, this.emit);
  }

  /**
   * Re-derive the runs around readings whose keys fall in `ranges` (inserted
   * late, or reclassified), given the series that now holds them. Work is
   * bounded by the affected runs, not the history: each scan starts at the
   * nearest stable boundary before the change (the start of the run holding
   * the preceding reading, or the change itself when that reading is inside)
   * and stops at the first inside reading after the change, beyond which the
   * old runs still hold.
   */
  rederive(series: SortedChunks<Entry, EntryKey>, ranges: readonly KeyRange[]): void {
    let r = 0;
    while (r < ranges.length) {
      const range = ranges[r++]!;
      let cur = series.lowerBound(range.lo);
      const first = series.at(cur);
      if (first === undefined) continue;
      let hi = range.hi;
      // Stable boundary on the left.
      let startKey: EntryKey = first;
      const prevCur = series.prev(cur);
      const prev = prevCur === null ? undefined : series.at(prevCur);
      if (prev !== undefined) {
        const holder = this.runs.floor(prev);
        if (holder !== undefined && compareKeys(prev, holder.last) <= 0) {
          startKey = holder.start;
          cur = series.lowerBound(startKey);
        }
      }
      const fresh: Run[] = [];
      const collect = (run: Run): void => {
        fresh.push(run);
      };
      let open: Run | null = null;
      let stopKey: EntryKey | undefined;
      for (const e of series.from(cur)) {
        // Absorb later ranges the scan has reached.
        while (r < ranges.length && compareKeys(ranges[r]!.lo, e) <= 0) {
          const next = ranges[r++]!;
          if (compareKeys(next.hi, hi) > 0) hi = next.hi;
        }
        open = step(this.cls, open, e, collect);
        // An unchanged inside reading past every change: the old runs from here on are still right.
        if (open === null && compareKeys(e, hi) > 0) {
          stopKey = e;
          break;
        }
      }
      this.runs.removeRange(startKey, stopKey);
      for (const run of fresh) this.runs.insert(run);
      if (stopKey === undefined) this.open = open;
    }
  }
}
