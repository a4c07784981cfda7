// The telemetry index as a follower of the log (Tessera/Trillian style, as the
// EPCIS index is): the log commits leaves and tiles only; this follower derives
// each telemetry leaf's row, the devices' last seq and the sequence gaps from
// the leaves, and writes them with its cursor in one transaction of the index.
// At start it catches up from its cursor, so a crash between an append and its
// index is repaired then, on either driver. While the node runs, each group
// commit hands its rows over directly (no read back, no second decode) when
// they continue the cursor; otherwise the follower reads the leaves.
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { summarisePayload } from '@tradetwin/core/telemetry/envelope';
import type { LogStorage, StoredLeaf } from '../storage/log.js';
import type {
  SequenceGap,
  TelemetryIndex,
  TelemetryIndexBatch,
  TelemetryIndexReader,
  TelemetryRow,
} from '../storage/telemetry-index.js';

/** Leaves read per catch-up step (one index transaction each). */
const CATCH_UP_CHUNK = 2048;

/** The index row of a telemetry leaf; null for any other kind of leaf. Throws on a telemetry leaf that does not decode. */
export function telemetryRowOf(leaf: StoredLeaf): TelemetryRow | null {
  const rec = decodeLeaf(leaf.data);
  if (rec.kind !== 'telemetry') return null;
  const env = decodeSign1(rec.body);
  const s = summarisePayload(env.payload);
  return {
    index: leaf.index,
    deviceId: env.kid,
    seq: s.seq,
    signedAt: s.signedAt,
    firstAt: s.firstAt,
    lastAt: s.lastAt,
    readings: s.readings,
    receivedAt: rec.receivedAt,
  };
}

/**
 * Device state and gaps for `rows` (in log order), given each device's last seq before them.
 * A seq more than one above the last leaves a gap (last, seq); `lastSeqs` is not changed.
 */
export function deviceProgress(
  rows: readonly TelemetryRow[],
  lastSeqs: ReadonlyMap<string, number>,
): { deviceSeqs: Map<string, { seq: number; seenAt: number }>; gaps: SequenceGap[] } {
  const deviceSeqs = new Map<string, { seq: number; seenAt: number }>();
  const gaps: SequenceGap[] = [];
  for (const r of rows) {
    const last = deviceSeqs.get(r.deviceId)?.seq ?? lastSeqs.get(r.deviceId) ?? 0;
    if (r.seq > last + 1) gaps.push({ deviceId: r.deviceId, afterSeq: last, beforeSeq: r.seq, detectedAt: r.receivedAt });
    if (r.seq > last) deviceSeqs.set(r.deviceId, { seq: r.seq, seenAt: r.receivedAt });
  }
  return { deviceSeqs, gaps };
}

const endOf = (it: { firstIndex: number; rows: readonly TelemetryRow[] }) => it.firstIndex + it.rows.length;

export class TelemetryFollower {
  /** The index's cursor and each device's last seq, as committed; null until read (start, after a failed write). */
  private state: { cursor: number; lastSeqs: Map<string, number> } | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Commits' rows not indexed yet, in commit order. */
  private handedOver: { firstIndex: number; rows: readonly TelemetryRow[] }[] = [];
  /** The last step failed: the index may be behind the log until the next step succeeds. */
  private failed = false;

  constructor(
    private readonly log: Pick<LogStorage, 'size' | 'leaves'>,
    private readonly index: TelemetryIndex,
  ) {}

  /** Index every leaf from the cursor to the end of the log (at start; after a failure). */
  catchUp(): Promise<void> {
    return this.enqueue(async () => this.indexUpTo(await this.log.size()));
  }

  /**
   * A group commit's rows (leaves [firstIndex, firstIndex + rows.length), all telemetry): indexed
   * as given when they continue the cursor, otherwise the leaves up to their end are read.
   */
  follow(firstIndex: number, rows: readonly TelemetryRow[]): Promise<void> {
    this.handedOver.push({ firstIndex, rows });
    return this.enqueue(async () => {
      // Everything handed over meanwhile goes in one index transaction (an earlier step may have taken this one).
      const items = this.handedOver.splice(0);
      const last = items.at(-1);
      if (!last) return;
      const state = await this.loadState();
      const end = last.firstIndex + last.rows.length;
      const continues = items.every((it, i) => it.firstIndex === (i === 0 ? state.cursor : endOf(items[i - 1]!)));
      if (continues) await this.write(state, end, items.length === 1 ? last.rows : items.flatMap((it) => it.rows));
      else await this.indexUpTo(end);
    });
  }

  /** Resolves when everything handed over so far is indexed (or failed). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Before a read: wait for queued work, and after a failed write (database was away) catch up first. */
  private settled(): Promise<void> {
    return this.failed ? this.catchUp().catch(() => undefined) : this.queue;
  }

  /** The index for readers: each read first waits for the follower, so a reader sees what was acknowledged before. */
  reader(): TelemetryIndexReader {
    const ix = this.index;
    return {
      telemetryCursor: () => ix.telemetryCursor(),
      deviceStates: () => this.settled().then(() => ix.deviceStates()),
      gaps: (id) => this.settled().then(() => ix.gaps(id)),
      telemetry: (q) => this.settled().then(() => ix.telemetry(q)),
      telemetryAt: (i) => this.settled().then(() => ix.telemetryAt(i)),
    };
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    // A failed step is retried by the next one (it reloads the cursor); callers see the failure.
    this.queue = run.then(
      () => {
        this.failed = false;
      },
      () => {
        this.state = null;
        this.failed = true;
      },
    );
    return run;
  }

  private async loadState(): Promise<{ cursor: number; lastSeqs: Map<string, number> }> {
    if (!this.state) {
      const cursor = await this.index.telemetryCursor();
      const lastSeqs = new Map((await this.index.deviceStates()).map((s) => [s.deviceId, s.lastSeq]));
      this.state = { cursor, lastSeqs };
    }
    return this.state;
  }

  private async indexUpTo(end: number): Promise<void> {
    const state = await this.loadState();
    while (state.cursor < end) {
      const to = Math.min(state.cursor + CATCH_UP_CHUNK, end);
      const leaves = await this.log.leaves(state.cursor, to);
      if (leaves.length !== to - state.cursor) throw new Error(`log leaves [${state.cursor}, ${to}) are incomplete`);
      const rows: TelemetryRow[] = [];
      for (const leaf of leaves) {
        const row = telemetryRowOf(leaf);
        if (row) rows.push(row);
      }
      await this.write(state, to, rows);
    }
  }

  private async write(state: { cursor: number; lastSeqs: Map<string, number> }, to: number, rows: readonly TelemetryRow[]) {
    const { deviceSeqs, gaps } = deviceProgress(rows, state.lastSeqs);
    const batch: TelemetryIndexBatch = { from: state.cursor, to, rows, deviceSeqs, gaps };
    await this.index.indexTelemetry(batch);
    state.cursor = to;
    for (const [id, { seq }] of deviceSeqs) state.lastSeqs.set(id, seq);
  }
}
