// The node's RFC 9162 transparency log over the store. It knows leaves, tiles,
// heads and proofs, nothing of telemetry: ingest and EPCIS are its users.
//
// Layout: every leaf hash is stored; every complete 256-leaf subtree ("tile")
// hash is stored once when it completes and all tile hashes are kept in memory
// (32 bytes per 256 leaves: 1.25 MB for 10 M leaves). Larger complete subtrees
// are memoised on demand; smaller ones are recomputed from at most 256 leaf
// hashes read from the store. So appends are O(1) amortised, and a proof costs
// one range read plus O(log n) hashing.
import { createHash, hash as cryptoHash } from 'node:crypto';
import { bytesToHex, hexToBytes } from 'viem';
import { EMPTY_ROOT, type Hash, nodeHash, splitPoint } from '@tradetwin/core/merkle/hash';
import { consistencyProof, inclusionProof, type SubtreeHash } from '@tradetwin/core/merkle/proof';
import { treeHeadDigest } from '@tradetwin/core/proof/head';
import type { LeafInput, LogStorage, SignedTreeHead } from '../storage/log.js';

export const TILE_SIZE = 256;

/** Signs tree-head digests with the node's account key. */
export interface HeadSigner {
  readonly address: string;
  signDigest(digest: `0x${string}`): Promise<`0x${string}`>;
}

export interface AppendEntry {
  data: Uint8Array;
  /** hashLeaf(data), when the caller computed it already (ingest: on its verify workers). */
  hash?: Uint8Array;
}

export function hashLeaf(data: Uint8Array): Uint8Array {
  // node:crypto for speed on the ingest path; identical to core's leafHash.
  const h = createHash('sha256');
  h.update(new Uint8Array([0]));
  h.update(data);
  return new Uint8Array(h.digest());
}

export class LogError extends Error {
  constructor(
    readonly code: 'bad_range' | 'bad_size' | 'no_head',
    message: string,
  ) {
    super(message);
    this.name = 'LogError';
  }
}

export class TransparencyLog {
  private tiles: Uint8Array[] = [];
  /** Leaf hashes of the incomplete last tile. */
  private tail: Uint8Array[] = [];
  private memo = new Map<string, Hash>();
  private appending: Promise<unknown> = Promise.resolve();
  /** Set when an append failed: whether a lost COMMIT landed is unknown, so the next append reloads first. */
  private stale = false;
  /** Leaves found committed when reloading after a failed append (its commit landed after all), until resync() reports them. */
  private landed: { from: number; to: number }[] = [];

  private constructor(
    readonly store: LogStorage,
    private readonly signer: HeadSigner,
  ) {}

  static async open(store: LogStorage, signer: HeadSigner): Promise<TransparencyLog> {
    const log = new TransparencyLog(store, signer);
    await log.load();
    return log;
  }

  /** The in-memory tree from the store: tile hashes and the last partial tile's leaf hashes. */
  private async load(): Promise<void> {
    const store = this.store;
    const size = await store.size();
    const stored = await store.tiles();
    const complete = Math.floor(size / TILE_SIZE);
    const tiles: Uint8Array[] = [];
    // Rebuild any tile the store lacks (a crash cannot cause it, tiles commit with
    // their leaves, but an older store or a manual repair might).
    for (let i = 0; i < complete; i++) {
      const t = stored[i];
      if (t && t.index === i) tiles.push(t.hash);
      else tiles.push(perfectRoot(await store.leafHashes(i * TILE_SIZE, (i + 1) * TILE_SIZE)));
    }
    const tail = await store.leafHashes(complete * TILE_SIZE, size);
    this.tiles = tiles;
    this.tail = tail;
    this.memo.clear();
  }

  get size(): number {
    return this.tiles.length * TILE_SIZE + this.tail.length;
  }

  get address(): string {
    return this.signer.address;
  }

  /**
   * Append entries durably. Appends are serialised: the in-memory tree only
   * moves once the store has committed, so a failed write leaves both unchanged.
   */
  append(entries: AppendEntry[]): Promise<{ firstIndex: number; size: number }> {
    const run = this.appending.then(() => this.appendNow(entries));
    this.appending = run.catch(() => undefined);
    return run;
  }

  /**
   * After a failed append (the database went away mid-commit), whether it landed is unknown: the
   * tree reloads from the store once it answers, and the failed append's leaves, if they turn out to
   * be committed, are reported by resync() (the ingest path's replay protection needs them).
   */
  resync(): Promise<{ from: number; to: number }[]> {
    const run = this.appending.then(async () => {
      await this.reloadIfStale();
      const landed = this.landed;
      this.landed = [];
      return landed;
    });
    this.appending = run.catch(() => undefined);
    return run;
  }

  private async reloadIfStale(): Promise<void> {
    if (!this.stale) return;
    const before = this.size;
    await this.load();
    this.stale = false;
    if (this.size > before) this.landed.push({ from: before, to: this.size });
  }

  private async appendNow(entries: AppendEntry[]): Promise<{ firstIndex: number; size: number }> {
    await this.reloadIfStale();
    const leaves: LeafInput[] = entries.map((e) => ({ data: e.data, hash: e.hash ?? hashLeaf(e.data) }));
    const tail = this.tail.slice();
    const newTiles: { index: number; hash: Uint8Array }[] = [];
    let tileIndex = this.tiles.length;
    for (const leaf of leaves) {
      tail.push(leaf.hash);
      if (tail.length === TILE_SIZE) {
        newTiles.push({ index: tileIndex++, hash: perfectRoot(tail) });
        tail.length = 0;
      }
    }
    let firstIndex: number;
    try {
      ({ firstIndex } = await this.store.append(leaves, newTiles));
    } catch (err) {
      this.stale = true;
      throw err;
    }
    if (firstIndex !== this.size) throw new LogError('bad_size', `store appended at ${firstIndex}, log expected ${this.size}`);
    for (const t of newTiles) this.tiles.push(t.hash);
    this.tail = tail;
    return { firstIndex, size: this.size };
  }

  /** Root of the tree of the first `size` leaves (default: all). */
  async root(size = this.size): Promise<Uint8Array> {
    this.checkSize(size);
    if (size === 0) return EMPTY_ROOT;
    const sub = await this.accessor([], size);
    return sub(0, size);
  }

  async inclusionProof(index: number, size = this.size): Promise<Uint8Array[]> {
    this.checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LogError('bad_range', `leaf ${index} is not in a tree of size ${size}`);
    }
    const sub = await this.accessor([index], size);
    return inclusionProof(index, size, sub);
  }

  async consistencyProof(from: number, to = this.size): Promise<Uint8Array[]> {
    this.checkSize(to);
    if (!Number.isSafeInteger(from) || from < 0 || from > to) {
      throw new LogError('bad_range', `no consistency proof from size ${from} to ${to}`);
    }
    const sub = await this.accessor(from > 0 ? [from - 1, Math.min(from, to - 1)] : [], to);
    return consistencyProof(from, to, sub);
  }

  /** Sign and store a tree head for the current size (a no-op if that head exists). */
  async signHead(now = Date.now()): Promise<SignedTreeHead> {
    const size = this.size;
    const existing = await this.store.head(size);
    if (existing) return existing;
    const root = await this.root(size);
    const digest = treeHeadDigest({ size, root: bytesToHex(root), timestamp: now });
    const signature = hexToBytes(await this.signer.signDigest(digest));
    const head: SignedTreeHead = { size, root, timestamp: now, signature, signer: this.signer.address };
    await this.store.saveHead(head);
    return head;
  }

  /**
   * The hashes of C2SP tlog-tiles tile (level, index) of width `width` in the current tree: at level
   * 0 leaf hashes, above it MTH of 256^level leaves each. Null when the tree has fewer hashes.
   */
  async tileHashes(level: number, index: number, width: number): Promise<Uint8Array[] | null> {
    const span = TILE_SIZE ** level;
    const first = index * TILE_SIZE;
    if (!Number.isSafeInteger(first * span) || Math.floor(this.size / span) < first + width) return null;
    if (level === 0) return this.store.leafHashes(first, first + width);
    const end = (first + width) * span;
    const sub = await this.accessor([], end);
    const out: Uint8Array[] = [];
    for (let j = first; j < first + width; j++) out.push(sub(j * span, (j + 1) * span));
    return out;
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new LogError('bad_size', `tree size ${size} is beyond the log (size ${this.size})`);
    }
  }

  /**
   * A synchronous subtree accessor for the proof algorithms: prefetches the leaf
   * hashes of the tiles that hold `indices` and of the partial tile ending at `size`.
   */
  private async accessor(indices: number[], size: number): Promise<SubtreeHash> {
    const leafMap = new Map<number, Uint8Array>();
    const wantTile = (tile: number) => {
      const start = tile * TILE_SIZE;
      const end = Math.min(start + TILE_SIZE, size);
      return { start, end };
    };
    const ranges = new Map<number, { start: number; end: number }>();
    for (const i of indices) ranges.set(Math.floor(i / TILE_SIZE), wantTile(Math.floor(i / TILE_SIZE)));
    const lastTile = Math.floor((size - 1) / TILE_SIZE);
    if (size % TILE_SIZE !== 0) ranges.set(lastTile, wantTile(lastTile));
    for (const { start, end } of ranges.values()) {
      const completeTiles = this.tiles.length;
      if (start === completeTiles * TILE_SIZE) {
        this.tail.slice(0, end - start).forEach((h, j) => {
          leafMap.set(start + j, h);
        });
      } else {
        (await this.store.leafHashes(start, end)).forEach((h, j) => {
          leafMap.set(start + j, h);
        });
      }
    }
    const sub: SubtreeHash = (start, end) => {
      const n = end - start;
      if (n === 1) {
        const h = leafMap.get(start);
        if (!h) throw new LogError('bad_range', `leaf hash ${start} was not prefetched`);
        return h;
      }
      const perfect = isPowerOfTwo(n) && start % n === 0;
      if (perfect && n === TILE_SIZE && start / TILE_SIZE < this.tiles.length) return this.tiles[start / TILE_SIZE]!;
      if (perfect && n > TILE_SIZE) {
        const key = `${start}:${n}`;
        const hit = this.memo.get(key);
        if (hit) return hit;
        const h = nodeHash(sub(start, start + n / 2), sub(start + n / 2, end));
        this.memo.set(key, h);
        return h;
      }
      const k = splitPoint(n);
      return nodeHash(sub(start, start + k), sub(start + k, end));
    };
    return sub;
  }
}

/**
 * Root of a perfect tree (length a power of two) from its leaf hashes. OpenSSL rather than core's
 * nodeHash (same bytes): a tile completes every 256 leaves on the ingest thread.
 */
function perfectRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  let level = leafHashes.slice();
  const buf = new Uint8Array(65);
  buf[0] = 0x01;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      buf.set(level[i]!, 1);
      buf.set(level[i + 1]!, 33);
      next.push(new Uint8Array(cryptoHash('sha256', buf, 'buffer')));
    }
    level = next;
  }
  return level[0]!;
}

function isPowerOfTwo(n: number): boolean {
  // Math, not bitwise: subtree sizes may exceed 2^31.
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}
