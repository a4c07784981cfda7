// Live updates for the dashboard: the node publishes what happened (an ingest
// commit, a head anchored, an excursion found or changed, a payout) into a
// LiveFeed; browsers follow it over Server-Sent Events at
// GET /api/v1/events/stream. Events carry ids, so a browser that reconnects
// (EventSource does, with Last-Event-ID) gets what it missed from a short
// in-memory backlog. Ingest commits are coalesced: at thousands of commits a
// second a dashboard needs one "the log grew" per half second, not each.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type IngestSummary, LIVE_KINDS, type LiveEvent, type LiveKind } from '@tradetwin/core/wire/live';

export interface LiveFeedOptions {
  /** Events kept for reconnecting clients (default 256). */
  keep?: number;
  /** Ingest commits published within this window go out as one event (default 500 ms; 0: each). */
  ingestEveryMs?: number;
  now?: () => number;
}

type Listener = (e: LiveEvent) => void;

export class LiveFeed {
  private readonly backlog: LiveEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  private pendingIngest: IngestSummary | null = null;
  private ingestTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly keep: number;
  private readonly ingestEveryMs: number;
  private readonly now: () => number;

  constructor(opts: LiveFeedOptions = {}) {
    this.keep = opts.keep ?? 256;
    this.ingestEveryMs = opts.ingestEveryMs ?? 500;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Publish an event. `ingest` data is `{ firstIndex, size, devices? }` per commit (size: log size
   * after it); it is coalesced into an IngestSummary. Other kinds go out as given (bigints as strings).
   */
  publish(kind: LiveKind, data: unknown): void {
    if (kind === 'ingest' && this.ingestEveryMs > 0) {
      this.noteIngest(data);
      return;
    }
    this.emit(kind, kind === 'ingest' ? summarise(null, data) : data);
  }

  /** Follow new events; returns the unsubscribe function. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Backlogged events after `id` (all kept ones for 0). */
  since(id: number): LiveEvent[] {
    return this.backlog.filter((e) => e.id > id);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Publish a coalesced ingest event now, if one is waiting (and stop its timer). */
  flush(): void {
    if (this.ingestTimer) clearTimeout(this.ingestTimer);
    this.ingestTimer = null;
    const pending = this.pendingIngest;
    this.pendingIngest = null;
    if (pending) this.emit('ingest', pending);
  }

  private noteIngest(data: unknown): void {
    this.pendingIngest = summarise(this.pendingIngest, data);
    if (!this.ingestTimer) {
      this.ingestTimer = setTimeout(() => this.flush(), this.ingestEveryMs);
      this.ingestTimer.unref?.();
    }
  }

  private emit(kind: LiveKind, data: unknown): void {
    const e: LiveEvent = { id: this.nextId++, kind, at: this.now(), data: jsonSafe(data) };
    this.backlog.push(e);
    if (this.backlog.length > this.keep) this.backlog.splice(0, this.backlog.length - this.keep);
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // one broken listener must not stop the others
      }
    }
  }
}

function summarise(prev: IngestSummary | null, data: unknown): IngestSummary {
  const d = (data ?? {}) as { firstIndex?: unknown; size?: unknown; devices?: unknown };
  const first = typeof d.firstIndex === 'number' ? d.firstIndex : 0;
  const size = typeof d.size === 'number' ? d.size : first;
  const devices = new Set(prev?.devices ?? []);
  if (Array.isArray(d.devices)) for (const x of d.devices) if (typeof x === 'string') devices.add(x);
  return {
    commits: (prev?.commits ?? 0) + 1,
    leaves: (prev?.leaves ?? 0) + Math.max(0, size - first),
    size: Math.max(prev?.size ?? 0, size),
    devices: [...devices].sort(),
  };
}

function jsonSafe(v: unknown): unknown {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
}

export interface LiveStreamOptions {
  /** A comment line keeps proxies from closing an idle stream (default 15 s). */
  heartbeatMs?: number;
  /** Reconnect delay the browser is told (default 2000 ms). */
  retryMs?: number;
}

/**
 * The SSE handler: `event: <kind>`, `id: <n>`, `data: <LiveEvent JSON>`. A `Last-Event-ID`
 * header (or `?since=`) replays the backlog after that id first. Starts with a `hello` event.
 */
export function liveStream(feed: LiveFeed, opts: LiveStreamOptions = {}) {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const retryMs = opts.retryMs ?? 2_000;
  return (c: Context) => {
    const lastId = Number(c.req.header('last-event-id') ?? c.req.query('since') ?? 0);
    c.header('Cache-Control', 'no-cache, no-transform');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      const unsubscribe = feed.subscribe((e) => {
        queue.push(e);
        wake?.();
      });
      const stop = () => {
        closed = true;
        unsubscribe();
        wake?.();
      };
      stream.onAbort(stop);
      const heartbeat = setInterval(() => {
        stream.write(': keep-alive\n\n').catch(stop);
      }, heartbeatMs);
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ at: Date.now(), kinds: LIVE_KINDS }), retry: retryMs });
        const seen = Number.isSafeInteger(lastId) && lastId > 0 ? lastId : 0;
        let sent = seen;
        if (seen > 0) {
          queue.unshift(...feed.since(seen).filter((e) => !queue.some((q) => q.id === e.id)));
          queue.sort((a, b) => a.id - b.id);
        }
        while (!closed) {
          while (queue.length > 0 && !closed) {
            const e = queue.shift()!;
            if (e.id <= sent) continue;
            sent = e.id;
            await stream.writeSSE({ event: e.kind, id: String(e.id), data: JSON.stringify(e) });
          }
          if (closed) break;
          if (queue.length > 0) continue;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  };
}
