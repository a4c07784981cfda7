// One location rule over one device's fixes, in the total order of
// reading.ts (time, leaf, reading id). A rule is a state machine folded over
// that order, so its events are a function of the set of fixes alone.
//
// In-order fixes are folded in O(1). The state is checkpointed every
// CHECKPOINT_EVERY fixes. Late fixes restore the last checkpoint before the
// earliest of them and fold forward again; the re-run executes the same step
// on the same state and fixes as an in-order run would, so the result is
// exactly equal (not merely close). It stops early where it converges: at an
// old checkpoint past every late fix whose state equals the re-run's, the old
// run from there on still holds, and its later events, checkpoints and final
// state are kept as they are. A fix held back for days thus costs the stretch
// until the rule's state agrees again (typically a checkpoint or two), not the
// days after it.
import type { Fix } from './fix.js';
import { compareKeys, type EntryKey } from './reading.js';
import type { SortedChunks } from './sorted.js';

export const CHECKPOINT_EVERY = 64;

/** A rule as a fold over fixes. `Done` is what a finished event keeps. */
export interface LocationMachine<S, Done> {
  initial(): S;
  /** A copy that later steps on the original cannot change. */
  clone(s: S): S;
  step(s: S, f: Fix, done: Done[]): void;
  /** Equal in everything that decides later steps and events. */
  same(a: S, b: S): boolean;
}

interface Checkpoint<S> {
  /** The state after folding this fix and everything before it. */
  key: Fix;
  state: S;
}

export class LocationTrack<S, Done> {
  state: S;
  /** Finished events, in the order they finished. */
  readonly done: Done[] = [];
  /** The fix at which each finished event finished (parallel to done). */
  private readonly doneAt: Fix[] = [];
  private readonly checkpoints: Checkpoint<S>[] = [];
  private sinceCheckpoint = 0;

  constructor(private readonly machine: LocationMachine<S, Done>) {
    this.state = machine.initial();
  }

  /** Fold a fix that sorts after every fix already folded. */
  append(f: Fix): void {
    this.fold(f, this.checkpoints);
  }

  private fold(f: Fix, checkpoints: Checkpoint<S>[]): void {
    const n = this.done.length;
    this.machine.step(this.state, f, this.done);
    for (let i = n; i < this.done.length; i++) this.doneAt.push(f);
    if (++this.sinceCheckpoint >= CHECKPOINT_EVERY) {
      checkpoints.push({ key: f, state: this.machine.clone(this.state) });
      this.sinceCheckpoint = 0;
    }
  }

  /** Events that finished after `key`, as [first index, events, their fixes], removed from the track. */
  private cutDone(key: EntryKey | null): { done: Done[]; at: Fix[] } {
    let i = this.doneAt.length;
    if (key === null) i = 0;
    else while (i > 0 && compareKeys(this.doneAt[i - 1]!, key) > 0) i--;
    const cut = { done: this.done.slice(i), at: this.doneAt.slice(i) };
    this.done.length = i;
    this.doneAt.length = i;
    return cut;
  }

  /** Fixes from `from` to `to` (keys) were inserted into the series: fold again from the last checkpoint before them. */
  replay(series: SortedChunks<Fix, EntryKey>, from: EntryKey, to: EntryKey): void {
    const m = this.machine;
    const cps = this.checkpoints;
    const at = firstAfter(cps, from, false);
    const restore = cps[at - 1];
    // The old run, for convergence: its checkpoints past every inserted fix, its later events, its final state.
    let k = firstAfter(cps, to, true);
    const old = this.cutDone(restore?.key ?? null);
    const oldState = this.state;
    const oldSince = this.sinceCheckpoint;
    this.state = restore === undefined ? m.initial() : m.clone(restore.state);
    this.sinceCheckpoint = 0;
    const fresh: Checkpoint<S>[] = [];
    for (const f of restore === undefined ? series : series.from(series.upperBound(restore.key))) {
      this.fold(f, fresh);
      while (k < cps.length && compareKeys(cps[k]!.key, f) < 0) k++;
      const cp = cps[k];
      if (cp === undefined || cp.key !== f) continue;
      if (!m.same(this.state, cp.state)) {
        k++;
        continue;
      }
      // Converged at f: the old run from here on still holds.
      if (fresh[fresh.length - 1]?.key === f) fresh.pop();
      cps.splice(at, k - at, ...fresh);
      let i = 0;
      while (i < old.at.length && compareKeys(old.at[i]!, f) <= 0) i++;
      for (; i < old.at.length; i++) {
        this.done.push(old.done[i]!);
        this.doneAt.push(old.at[i]!);
      }
      this.state = oldState;
      this.sinceCheckpoint = oldSince;
      return;
    }
    cps.length = at;
    for (const cp of fresh) cps.push(cp);
  }
}

/** Index of the first checkpoint whose key is ≥ key (> key when strict). */
function firstAfter<S>(cps: readonly Checkpoint<S>[], key: EntryKey, strict: boolean): number {
  let lo = 0;
  let hi = cps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const d = compareKeys(cps[mid]!.key, key);
    if (d < 0 || (strict && d === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
