// Load JSON from the node and load it again when the live feed says something
// relevant happened (debounced: a burst of commits is one refetch).
import { useCallback, useEffect, useRef, useState } from 'react';
import { getJson } from '../api/client.js';
import { takePrimed } from '../api/prime.js';
import { type LiveKind, useLiveVersion } from '../live/feed.js';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

const NONE: readonly LiveKind[] = [];

/** `load` defaults to getJson(key); `key` null: nothing to load yet. */
export function useApi<T>(
  key: string | null,
  opts: { live?: readonly LiveKind[]; load?: (key: string) => Promise<T> } = {},
): Loaded<T> {
  const version = useLiveVersion(opts.live ?? NONE);
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<{ key: string | null; data?: T; error?: Error; loading: boolean }>({
    key,
    loading: key !== null,
  });
  const loadRef = useRef(opts.load);
  loadRef.current = opts.load;
  const loadedKey = useRef<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` (the live feed) and `tick` (reload) are the triggers
  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    const run = () => {
      setState((s) => ({ ...s, key, loading: true }));
      (takePrimed<T>(key) ?? (loadRef.current ?? getJson<T>)(key)).then(
        (data) => !cancelled && setState({ key, data, loading: false }),
        (error: unknown) =>
          !cancelled &&
          setState((s) => ({
            key,
            data: s.key === key ? s.data : undefined,
            error: error instanceof Error ? error : new Error(String(error)),
            loading: false,
          })),
      );
    };
    // A new key loads at once; live-triggered reloads wait for the burst to end.
    if (loadedKey.current !== key) {
      loadedKey.current = key;
      run();
      return () => {
        cancelled = true;
      };
    }
    const timer = setTimeout(run, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [key, version, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: key !== null && (!current || state.loading),
    reload,
  };
}
