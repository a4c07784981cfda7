// Silences of one device inside a gap rule's window. A silence is the time
// between two consecutive readings of the device (any kind), clipped to the
// window; it is a gap when strictly longer than maxSilenceMinutes. The stored
// set is a function of consecutive pairs only, so inserting a late reading
// just splits the one silence it falls into, whatever the arrival order.
import type { GapRule } from './definition.js';
import { type Entry, type EntryKey, compareKeys, keyBefore } from './reading.js';
import { MS_PER_MINUTE } from './shelf-life.js';
import { SortedChunks } from './sorted.js';

export interface Gap {
  /** Reading before the silence; null: the window opened with the device silent. */
  readonly left: Entry | null;
  /** Reading that ended it; null: still silent (only reported, never stored). */
  readonly right: Entry | null;
  readonly from: number;
  readonly to: number;
}

/** Silences before any reading sort first. */
const LEADING: EntryKey = keyBefore(-Infinity);

export class GapTrack {
  readonly gaps = new SortedChunks<Gap, EntryKey>((g) => g.left ?? LEADING, compareKeys);
  private readonly maxMs: number;

  constructor(readonly rule: GapRule) {
    this.maxMs = rule.maxSilenceMinutes * MS_PER_MINUTE;
  }

  /** The silence between left and right (right null: up to `until`), if it is a gap. */
  silence(left: Entry | null, right: Entry | null, until?: number): Gap | null {
    const { from, to } = this.rule.window;
    const lo = left === null ? from : Math.max(left.t, from);
    const end = right === null ? until : right.t;
    if (end === undefined) return null;
    const hi = Math.min(end, to);
    return hi - lo > this.maxMs ? { left, right, from: lo, to: hi } : null;
  }

  /** Reading e now sits between prev and next (either may be absent). */
  inserted(prev: Entry | undefined, e: Entry, next: Entry | undefined): void {
    const p = prev ?? null;
    if (next !== undefined) this.gaps.removeRange(p ?? LEADING, p ?? LEADING);
    const before = this.silence(p, e);
    if (before !== null) this.gaps.insert(before);
    if (next !== undefined) {
      const after = this.silence(e, next);
      if (after !== null) this.gaps.insert(after);
    }
  }
}
