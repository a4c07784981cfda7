// One location rule over one device's fixes, in the total order of
// reading.ts (time, leaf, reading id). A rule is a state machine folded over
// that order, so its events are a function of the set of fixes alone.
//
// In-order fixes are folded in O(1). The state is checkpointed every
// CHECKPOINT_EVERY fixes; a late fix restores the last checkpoint before it
// and folds forward again to the end of the series. The re-run executes the
// same step on the same state and fixes as an in-order run would, so the
// result is exactly equal (not merely close). Cost of a late push: a binary
// search plus the fixes after the restored checkpoint.
import { compareKeys, type EntryKey } from './reading.js';
import type { Fix } from './fix.js';
import type { SortedChunks } from './sorted.js';

export const CHECKPOINT_EVERY = 256;

/** A rule as a fold over fixes. `Done` is what a finished event keeps. */
export interface LocationMachine<S, Done> {
  initial(): S;
  /** A copy that later steps on the original cannot change. */
  clone(s: S): S;
  step(s: S, f: Fix, done: Done[]): void;
}

interface Checkpoint<S> {
  /** The state after folding this fix and everything before it. */
  key: Fix;
  state: S;
  done: number;
}

export class LocationTrack<S, Done> {
  state: S;
  /** Finished events, in the order they finished. */
  readonly done: Done[] = [];
  private readonly checkpoints: Checkpoint<S>[] = [];
  private sinceCheckpoint = 0;

  constructor(private readonly machine: LocationMachine<S, Done>) {
    this.state = machine.initial();
  }

  /** Fold a fix that sorts after every fix already folded. */
  append(f: Fix): void {
    this.machine.step(this.state, f, this.done);
    if (++this.sinceCheckpoint >= CHECKPOINT_EVERY) {
      this.checkpoints.push({ key: f, state: this.machine.clone(this.state), done: this.done.length });
      this.sinceCheckpoint = 0;
    }
  }

  /** The series changed at `from` and later: fold again from the last checkpoint before it. */
  replay(series: SortedChunks<Fix, EntryKey>, from: EntryKey): void {
    const cps = this.checkpoints;
    let lo = 0;
    let hi = cps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(cps[mid]!.key, from) < 0) lo = mid + 1;
      else hi = mid;
    }
    cps.length = lo;
    const cp = cps[lo - 1];
    this.sinceCheckpoint = 0;
    if (cp === undefined) {
      this.state = this.machine.initial();
      this.done.length = 0;
      for (const f of series) this.append(f);
      return;
    }
    this.state = this.machine.clone(cp.state);
    this.done.length = cp.done;
    for (const f of series.from(series.upperBound(cp.key))) this.append(f);
  }
}
