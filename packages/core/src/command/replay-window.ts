// A per-device sliding window over command sequence numbers (as IPsec's
// anti-replay window): the highest seq seen and which of the WINDOW seqs below
// it were used. A seq is fresh when it is above the highest, or inside the
// window and unused; anything older than the window is refused, so the state
// stays small and can be written to a file (device) or a row (node).

export const REPLAY_WINDOW = 64;

export interface ReplayState {
  highest: number;
  /** The used seqs within (highest - REPLAY_WINDOW, highest], ascending. */
  used: number[];
}

export const emptyReplayState = (): ReplayState => ({ highest: 0, used: [] });

/** Why `seq` may not be used, or null when it is fresh. */
export function replayProblem(state: ReplayState, seq: number): string | null {
  if (seq > state.highest) return null;
  if (seq <= state.highest - REPLAY_WINDOW) return `seq ${seq} is older than the replay window (highest ${state.highest})`;
  if (state.used.includes(seq)) return `seq ${seq} was already used`;
  return null;
}

/** The state after accepting `seq` (call only when replayProblem is null). */
export function acceptSeq(state: ReplayState, seq: number): ReplayState {
  const highest = Math.max(state.highest, seq);
  const used = [...state.used, seq].filter((s) => s > highest - REPLAY_WINDOW).sort((a, b) => a - b);
  return { highest, used };
}

export function parseReplayState(v: unknown): ReplayState {
  const s = v as Partial<ReplayState> | null;
  if (!s || typeof s !== 'object' || !Number.isSafeInteger(s.highest) || !Array.isArray(s.used))
    throw new Error('replay state must be {highest, used[]}');
  return { highest: s.highest as number, used: s.used.filter((x): x is number => Number.isSafeInteger(x)) };
}
