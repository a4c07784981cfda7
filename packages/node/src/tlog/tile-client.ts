// Fetching a peer's C2SP tiles (its tlog-tiles prefix = its base URL).
import { TILE_WIDTH, tilePath } from '@tradetwin/core/tlog/tiles';

export async function fetchTile(
  f: typeof fetch,
  endpoint: string,
  level: number,
  index: number,
  width: number,
): Promise<Uint8Array> {
  const url = `${endpoint.replace(/\/$/, '')}/${tilePath({ level, index, width })}`;
  let res = await f(url, { signal: AbortSignal.timeout(5000) });
  // A partial tile may have been replaced by its full tile (the spec allows deleting it): fall back.
  if (res.status === 404 && width < TILE_WIDTH)
    res = await f(`${endpoint.replace(/\/$/, '')}/${tilePath({ level, index, width: TILE_WIDTH })}`);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // A full tile where a partial one was asked for: its first `width` hashes are the partial tile.
  return bytes.subarray(0, width * 32);
}
