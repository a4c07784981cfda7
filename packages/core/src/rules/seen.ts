// The readings already taken into account, to drop redeliveries and catch a
// reading id reused with other content. Indexed by leaf first: a Map with a
// million string keys costs ~1 µs per lookup in V8 (measured: 10× the rest of
// the evaluator), while leaf numbers are small integers and a leaf holds one
// envelope's readings, so the second level is a short list.
import type { Entry } from './reading.js';

/** What a reading needs to be told apart: its leaf and its id. */
interface Keyed {
  readonly leaf: number;
  readonly id: string;
}

/** Past this many readings in one leaf, index them by id instead of scanning. */
const SCAN_LIMIT = 32;

export class SeenReadings<E extends Keyed = Entry> {
  private readonly byLeaf = new Map<number, E[] | Map<string, E>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(leaf: number, id: string): E | undefined {
    const slot = this.byLeaf.get(leaf);
    if (slot === undefined) return undefined;
    if (slot instanceof Map) return slot.get(id);
    for (const e of slot) if (e.id === id) return e;
    return undefined;
  }

  /** Add a reading not seen before (check with get first). */
  add(e: E): void {
    this.count++;
    const slot = this.byLeaf.get(e.leaf);
    if (slot === undefined) this.byLeaf.set(e.leaf, [e]);
    else if (slot instanceof Map) slot.set(e.id, e);
    else if (slot.length < SCAN_LIMIT) slot.push(e);
    else this.byLeaf.set(e.leaf, new Map([...slot, e].map((x) => [x.id, x])));
  }

  delete(e: E): void {
    const slot = this.byLeaf.get(e.leaf);
    if (slot === undefined) return;
    if (slot instanceof Map) {
      if (slot.delete(e.id)) this.count--;
      return;
    }
    const i = slot.indexOf(e);
    if (i < 0) return;
    slot.splice(i, 1);
    this.count--;
    if (slot.length === 0) this.byLeaf.delete(e.leaf);
  }
}
