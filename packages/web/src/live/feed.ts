// The browser side of the node's live feed (GET /api/v1/events/stream, SSE;
// the node's http/dashboard/live.ts). One EventSource per page; components read the latest events
// and a per-kind counter through useLive(), and refetch when it moves.
import { useSyncExternalStore } from 'react';
import type { LiveEvent, LiveKind } from '@tradetwin/core/wire/live';

export type { LiveEvent, LiveKind };

export interface LiveState {
  status: 'connecting' | 'open' | 'closed' | 'unsupported';
  /** Newest first, at most 50. */
  events: LiveEvent[];
  /** Events seen per kind since the page loaded. */
  counts: Record<LiveKind, number>;
}

const KINDS: LiveKind[] = ['ingest', 'anchor', 'excursion', 'payout', 'alert'];
const STREAM = '/api/v1/events/stream';

let state: LiveState = { status: 'connecting', events: [], counts: { ingest: 0, anchor: 0, excursion: 0, payout: 0, alert: 0 } };
const listeners = new Set<() => void>();
let source: EventSource | null = null;

function set(next: LiveState) {
  state = next;
  for (const l of listeners) l();
}

function connect() {
  if (source || typeof EventSource === 'undefined') {
    if (typeof EventSource === 'undefined') set({ ...state, status: 'unsupported' });
    return;
  }
  source = new EventSource(STREAM);
  source.addEventListener('open', () => set({ ...state, status: 'open' }));
  source.addEventListener('error', () =>
    set({ ...state, status: source?.readyState === EventSource.CLOSED ? 'closed' : 'connecting' }),
  );
  for (const kind of KINDS) {
    source.addEventListener(kind, (m: MessageEvent<string>) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(m.data) as LiveEvent;
      } catch {
        return;
      }
      set({
        status: 'open',
        events: [e, ...state.events].slice(0, 50),
        counts: { ...state.counts, [kind]: state.counts[kind] + 1 },
      });
    });
  }
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  connect();
  return () => listeners.delete(cb);
}

export function useLive(): LiveState {
  return useSyncExternalStore(subscribe, () => state);
}

/** A number that changes whenever an event of one of `kinds` arrives (a refetch key). */
export function useLiveVersion(kinds: readonly LiveKind[]): number {
  const live = useLive();
  return kinds.reduce((n, k) => n + live.counts[k], 0);
}
