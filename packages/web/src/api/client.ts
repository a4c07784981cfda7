// Fetching from the node that served this page (same origin). A non-2xx answer
// is an RFC 7807 problem; it surfaces as ApiError with the node's own detail.
import { buildSeries, type SeriesResponse } from '@tradetwin/core/series/model';
import type { ReadingJson } from '@tradetwin/core/wire/devices';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const inFlight = new Map<string, Promise<unknown>>();

/** GET JSON; identical requests under way at the same time share one fetch (several panels read the status). */
export function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  if (init) return fetchJson<T>(path, init);
  let p = inFlight.get(path) as Promise<T> | undefined;
  if (!p) {
    p = fetchJson<T>(path);
    inFlight.set(path, p);
    const clear = () => inFlight.delete(path);
    p.then(clear, clear);
  }
  return p;
}

/** The CSRF token the node set at login (double submit: echoed in X-CSRF-Token on every change). */
export function csrfToken(): string | undefined {
  return /(?:^|;\s*)tt_csrf=([^;]+)/.exec(document.cookie)?.[1];
}

async function fetchJson<T>(path: string, init?: RequestInit): Promise<T> {
  const method = (init?.method ?? 'GET').toUpperCase();
  const csrf = method !== 'GET' && method !== 'HEAD' ? csrfToken() : undefined;
  const res = await fetch(path, {
    ...init,
    headers: { accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}), ...init?.headers },
  });
  if (!res.ok) {
    let code = 'http_error';
    let detail = `${res.status} ${res.statusText}`;
    try {
      const p = (await res.json()) as { type?: string; detail?: string };
      if (p.type) code = p.type.split('/').pop() ?? code;
      if (p.detail) detail = p.detail;
    } catch {
      // not a problem document
    }
    throw new ApiError(res.status, code, `${path}: ${detail}`);
  }
  return (await res.json()) as T;
}

export interface SeriesQuery {
  deviceId: string;
  kinds: readonly string[];
  from?: number;
  to?: number;
  buckets: number;
}

/** Most readings the fallback pulls through /readings (the route's own cap). */
const READINGS_CAP = 100_000;

/**
 * A device's chart series: downsampled on the node (…/series) when it has that route, else
 * built here from the raw readings route (capped at 100,000 readings per request).
 */
export async function getSeries(q: SeriesQuery, signal?: AbortSignal): Promise<SeriesResponse & { source: 'node' | 'browser' }> {
  const from = q.from ?? 0;
  const to = q.to ?? Number.MAX_SAFE_INTEGER;
  const params = new URLSearchParams({ kinds: q.kinds.join(','), buckets: String(q.buckets) });
  if (q.from !== undefined) params.set('from', String(from));
  if (q.to !== undefined) params.set('to', String(to));
  const id = encodeURIComponent(q.deviceId);
  try {
    return { ...(await getJson<SeriesResponse>(`/api/v1/devices/${id}/series?${params}`, { signal })), source: 'node' };
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404 && err.code === 'not_found')) throw err;
  }
  const window = new URLSearchParams({ limit: String(READINGS_CAP) });
  if (q.from !== undefined) window.set('from', String(from));
  if (q.to !== undefined) window.set('to', String(to));
  const raw = await getJson<{ readings: ReadingJson[] }>(`/api/v1/devices/${id}/readings?${window}`, { signal });
  return { ...buildSeries(q.deviceId, raw.readings, { kinds: q.kinds, from, to, buckets: q.buckets }), source: 'browser' };
}
