// C2SP tlog-tiles: tile coordinates and paths (height 8, 256 hashes per full
// tile), and proofs computed from tiles alone — what a witness or mirror uses to
// check a log it does not trust.
import { type Hash, nodeHash, splitPoint } from '../merkle/hash.js';
import type { SubtreeHash } from '../merkle/proof.js';
import { TlogError } from './errors.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const HASH_SIZE = 32;

export interface TileId {
  /** 0..63 for hash tiles; 'entries' for entry bundles (level-0 indices). */
  level: number | 'entries';
  index: number;
  /** 1..255 for a partial tile, 256 for a full one. */
  width: number;
}

/** Index n as zero-padded 3-digit path elements, all but the last prefixed with "x": 1234067 → x001/x234/067. */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TlogError('malformed', `tile index ${n} is not a non-negative integer`);
  const parts: string[] = [];
  let v = n;
  do {
    parts.unshift(String(v % 1000).padStart(3, '0'));
    v = Math.floor(v / 1000);
  } while (v > 0);
  return parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join('/');
}

export function tilePath(t: TileId): string {
  const base = `tile/${t.level}/${encodeTileIndex(t.index)}`;
  return t.width === TILE_WIDTH ? base : `${base}.p/${t.width}`;
}

/** Parses the part after "tile/" (e.g. "0/x001/234.p/7" or "entries/005"); null when not a tile path. */
export function parseTilePath(path: string): TileId | null {
  const m = /^(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) return null;
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63) return null;
  const groups = m[2]
    ? m[2]
        .split('/')
        .filter(Boolean)
        .map((g) => g.slice(1))
    : [];
  let index = 0;
  for (const g of [...groups, m[3]!]) index = index * 1000 + Number(g);
  if (!Number.isSafeInteger(index)) return null;
  // Only the canonical encoding names a tile: no leading "x000/" group.
  if (encodeTileIndex(index) !== [...groups.map((g) => `x${g}`), m[3]].join('/')) return null;
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (width < 1 || (width > 255 && width !== TILE_WIDTH)) return null;
  if (m[4] !== undefined && width > 255) return null;
  return { level, index, width };
}

/** Number of level-`level` hashes a tree of `size` leaves has: floor(size / 256^level). */
export function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** The width tile (level, index) has in a tree of `size`, or 0 when the tree has no such tile. */
export function tileWidthAt(size: number, level: number, index: number): number {
  const n = hashesAtLevel(size, level);
  const start = index * TILE_WIDTH;
  if (n >= start + TILE_WIDTH) return TILE_WIDTH;
  return n > start ? n - start : 0;
}

/** Every tile a tree of `size` is made of (full and the partial rightmost ones). */
export function tilesForSize(size: number): TileId[] {
  const out: TileId[] = [];
  for (let level = 0; level < 64 && hashesAtLevel(size, level) > 0; level++) {
    const n = hashesAtLevel(size, level);
    for (let index = 0; index * TILE_WIDTH < n; index++) out.push({ level, index, width: tileWidthAt(size, level, index) });
  }
  return out;
}

const tileKey = (level: number, index: number, width: number) => `${level}/${index}/${width}`;

/**
 * A subtree-hash accessor over the tiles of a tree of `size`: MTH(D[s:e]) from the
 * largest tile hashes that cover it. `tile(level, index, width)` returns that tile's
 * bytes (width × 32), or null when it is not at hand; missing tiles are collected
 * so a caller can fetch them all and run again (see proofFromTiles).
 */
export function tileSubtree(
  size: number,
  tile: (level: number, index: number, width: number) => Uint8Array | null,
  missing: Set<string>,
): SubtreeHash {
  const placeholder = new Uint8Array(HASH_SIZE);
  const hashAt = (level: number, j: number): Hash => {
    const index = Math.floor(j / TILE_WIDTH);
    const width = tileWidthAt(size, level, index);
    const t = tile(level, index, width);
    if (!t) {
      missing.add(tileKey(level, index, width));
      return placeholder;
    }
    if (t.length !== width * HASH_SIZE)
      throw new TlogError('malformed', `tile ${level}/${index} has ${t.length} bytes, expected ${width * HASH_SIZE}`);
    const off = (j % TILE_WIDTH) * HASH_SIZE;
    return t.subarray(off, off + HASH_SIZE);
  };
  const sub: SubtreeHash = (start, end) => {
    const n = end - start;
    // A perfect, aligned subtree of 256^l leaves is one hash of a level-l tile.
    for (let level = Math.floor(Math.log2(n) / TILE_HEIGHT); level >= 0; level--) {
      const span = TILE_WIDTH ** level;
      if (n === span && start % span === 0) return hashAt(level, start / span);
    }
    const k = splitPoint(n);
    return nodeHash(sub(start, start + k), sub(start + k, end));
  };
  return sub;
}

/** Parses a tile key made by tileSubtree's missing set. */
export function parseTileKey(k: string): { level: number; index: number; width: number } {
  const [level, index, width] = k.split('/').map(Number) as [number, number, number];
  return { level, index, width };
}

/**
 * Runs `compute` over tiles fetched on demand: a dry run names every tile needed (control flow of
 * the RFC 9162 algorithms does not depend on hash values), they are fetched at once, then the real run.
 */
export async function withTiles<T>(
  size: number,
  fetchTile: (level: number, index: number, width: number) => Promise<Uint8Array>,
  compute: (sub: SubtreeHash) => T,
): Promise<T> {
  const cache = new Map<string, Uint8Array>();
  const get = (l: number, i: number, w: number) => cache.get(tileKey(l, i, w)) ?? null;
  for (let round = 0; round < 3; round++) {
    const missing = new Set<string>();
    const result = compute(tileSubtree(size, get, missing));
    if (missing.size === 0) return result;
    await Promise.all(
      [...missing].map(async (k) => {
        const { level, index, width } = parseTileKey(k);
        cache.set(k, await fetchTile(level, index, width));
      }),
    );
  }
  throw new TlogError('malformed', 'tiles kept missing after fetching them');
}

/** Splits an entry bundle into its entries (big-endian uint16 length prefixes). */
export function parseEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bundle.length) {
    if (i + 2 > bundle.length) throw new TlogError('malformed', 'entry bundle ends inside a length prefix');
    const n = (bundle[i]! << 8) | bundle[i + 1]!;
    if (i + 2 + n > bundle.length) throw new TlogError('malformed', 'entry bundle ends inside an entry');
    out.push(bundle.subarray(i + 2, i + 2 + n));
    i += 2 + n;
  }
  return out;
}

export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new TlogError('malformed', `entry of ${e.length} bytes exceeds the uint16 length prefix`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let i = 0;
  for (const e of entries) {
    out[i] = e.length >> 8;
    out[i + 1] = e.length & 0xff;
    out.set(e, i + 2);
    i += 2 + e.length;
  }
  return out;
}
