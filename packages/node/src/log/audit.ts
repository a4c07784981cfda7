// `tradetwin audit`: recompute the whole log from the stored rows, trusting
// nothing the store says about itself, and check it against the node's signed
// tree heads and the heads anchored on chain. Any changed, deleted or inserted
// row shows up, and the report names the first bad leaf.
import { bytesToHex, type Hex } from 'viem';
import { EMPTY_ROOT, hashEquals, nodeHash, splitPoint } from '@tradetwin/core/merkle/hash';
import { recoverTreeHeadSigner } from '@tradetwin/core/proof/head';
import { decodeLeaf, LeafFormatError } from '@tradetwin/core/proof/leaf';
import { type ChainAnchor, compareAnchors } from '../anchor/reconcile.js';
import { StoreError } from '../storage/errors.js';
import type { AnchorRecord, NodeStore, StoredLeaf } from '../storage/types.js';
import { hashLeaf, TILE_SIZE } from './transparency-log.js';

export interface AnchoredHead {
  size: number;
  root: Hex;
  timestamp: number;
  txHash?: Hex | null;
}

export interface AuditOptions {
  store: NodeStore;
  /** Heads this node anchored on chain, read from the chain (null: chain not reachable). */
  anchoredHeads: AnchoredHead[] | null;
  /** The node account that signs heads and publishes anchors. */
  nodeAddress: string;
  /**
   * Re-check one leaf's content (device signature, telemetry index row).
   * Returns a problem description, or null when the leaf is sound.
   */
  checkLeaf?: (leaf: StoredLeaf) => Promise<string | null> | string | null;
  /** Leaves read per store query. */
  chunk?: number;
  /**
   * This node's heads as the chain holds them (with transactions), to check every anchor the
   * node records as confirmed; null when the chain was not reachable. `recheck` reads them again
   * for anchors that look missing (confirmed after the first read).
   */
  chainAnchors?: ChainAnchor[] | null;
  recheckChainAnchors?: () => Promise<ChainAnchor[]>;
}

export type AuditProblem =
  | 'missing_leaf'
  | 'leaf_hash_mismatch'
  | 'malformed_leaf'
  | 'bad_content'
  | 'tile_mismatch'
  | 'signed_head_mismatch'
  | 'bad_head_signature'
  | 'anchored_head_mismatch'
  | 'anchored_head_beyond_log'
  /** A row whose stored type or shape was changed: it cannot even be read as a leaf/head. */
  | 'damaged_row'
  /** A head the node recorded as confirmed is not on the chain (rolled back) or differs there. */
  | 'confirmed_anchor_missing'
  | 'confirmed_anchor_different';

export interface AuditFinding {
  problem: AuditProblem;
  /** First bad leaf index, when it can be located to one leaf. */
  leafIndex?: number;
  /** Record id of that leaf: telemetry `device#seq`, else `leaf:<index>`. */
  recordId?: string;
  /** When only a range can be named: the first bad leaf lies in [from, to). */
  range?: { from: number; to: number };
  detail: string;
}

export interface AuditReport {
  ok: boolean;
  size: number;
  leavesChecked: number;
  signedHeads: { checked: number; latestSize: number };
  anchoredHeads: { checked: number; latestSize: number; source: 'chain' | 'unavailable' };
  /** Anchors the node records as confirmed, checked against the chain (root, transaction, block). */
  recordedAnchors: { checked: number; missing: number; different: number; source: 'chain' | 'unavailable' };
  /** Leaves after the latest signed head (written since; signed at the next checkpoint). */
  unsignedTail: number;
  findings: AuditFinding[];
  firstBad: AuditFinding | null;
}

export async function auditLog(opts: AuditOptions): Promise<AuditReport> {
  const { store } = opts;
  const chunk = opts.chunk ?? 8192;
  const findings: AuditFinding[] = [];
  const recordId = async (index: number): Promise<string> => {
    const t = await store.telemetryAt(index);
    return t ? `${t.deviceId}#${t.seq}` : `leaf:${index}`;
  };

  // 1. Recompute every leaf hash from the stored bytes.
  const storedSize = await store.size();
  const hashes = new LeafHashes(storedSize);
  for (let start = 0; start < storedSize; start += chunk) {
    const end = Math.min(start + chunk, storedSize);
    const rows = await readLeaves(store, start, end, (index, err) =>
      findings.push({
        problem: 'damaged_row',
        leafIndex: index,
        recordId: `leaf:${index}`,
        detail: `leaf ${index} cannot be read: ${err.message}`,
      }),
    );
    let expect = start;
    for (const row of rows) {
      if (row.index !== expect) {
        findings.push({
          problem: 'missing_leaf',
          leafIndex: expect,
          recordId: `leaf:${expect}`,
          detail: `leaf ${expect} is missing from the store (deleted row)`,
        });
        // Keep positions aligned so later checks still locate.
        while (expect < row.index) hashes.set(expect++, EMPTY_ROOT);
      }
      if (row.data === DAMAGED) {
        // Already reported as damaged_row; nothing to recompute from.
        hashes.set(row.index, EMPTY_ROOT);
        expect++;
        continue;
      }
      const h = hashLeaf(row.data);
      hashes.set(row.index, h);
      if (!hashEquals(h, row.hash)) {
        findings.push({
          problem: 'leaf_hash_mismatch',
          leafIndex: row.index,
          recordId: await recordId(row.index),
          detail: `stored data of leaf ${row.index} no longer hashes to its recorded leaf hash`,
        });
      }
      try {
        decodeLeaf(row.data);
        const problem = opts.checkLeaf ? await opts.checkLeaf(row) : null;
        if (problem) {
          findings.push({ problem: 'bad_content', leafIndex: row.index, recordId: await recordId(row.index), detail: problem });
        }
      } catch (err) {
        if (!(err instanceof LeafFormatError)) throw err;
        findings.push({
          problem: 'malformed_leaf',
          leafIndex: row.index,
          recordId: await recordId(row.index),
          detail: `leaf ${row.index}: ${err.message}`,
        });
      }
      expect++;
    }
    while (expect < end) {
      findings.push({
        problem: 'missing_leaf',
        leafIndex: expect,
        recordId: `leaf:${expect}`,
        detail: `leaf ${expect} is missing`,
      });
      hashes.set(expect++, EMPTY_ROOT);
    }
  }
  const size = storedSize;

  // 2. Tiles against recomputed leaves.
  const tree = new RecomputedTree(hashes);
  const damaged = (what: string) => (err: unknown) => {
    if (!(err instanceof StoreError)) throw err;
    findings.push({ problem: 'damaged_row', detail: `${what} cannot be read: ${err.message}` });
    return [];
  };
  for (const tile of await store.tiles().catch(damaged('stored tiles'))) {
    const start = tile.index * TILE_SIZE;
    if (start + TILE_SIZE > size) continue;
    if (!hashEquals(tree.subtree(start, start + TILE_SIZE), tile.hash)) {
      findings.push({
        problem: 'tile_mismatch',
        range: { from: start, to: start + TILE_SIZE },
        detail: `stored tile ${tile.index} does not match its leaves`,
      });
    }
  }

  // 3. Signed heads: signature by the node, root recomputed from the leaves.
  const heads = (await store.heads(1_000_000).catch(damaged('signed heads'))).sort((a, b) => a.size - b.size);
  let goodSize = 0;
  for (const h of heads) {
    const root = bytesToHex(h.root);
    const signer = await recoverTreeHeadSigner({ size: h.size, root, timestamp: h.timestamp }, h.signature);
    if (signer.toLowerCase() !== opts.nodeAddress.toLowerCase()) {
      findings.push({
        problem: 'bad_head_signature',
        detail: `signed head at size ${h.size} is not signed by ${opts.nodeAddress}`,
      });
      continue;
    }
    if (h.size > size || !hashEquals(tree.root(h.size), h.root)) {
      findings.push({
        problem: 'signed_head_mismatch',
        range: { from: goodSize, to: Math.min(h.size, size) },
        detail: `the leaves no longer reproduce the signed head at size ${h.size}`,
      });
    } else goodSize = h.size;
  }

  // 4. Anchored heads on chain: the evidence no node can rewrite.
  let anchoredGood = 0;
  for (const a of (opts.anchoredHeads ?? []).slice().sort((x, y) => x.size - y.size)) {
    if (a.size > size) {
      findings.push({
        problem: 'anchored_head_beyond_log',
        range: { from: size, to: a.size },
        detail: `chain has a head at size ${a.size} but the store holds only ${size} leaves (rows deleted)`,
      });
      continue;
    }
    if (bytesToHex(tree.root(a.size)) !== a.root.toLowerCase()) {
      findings.push({
        problem: 'anchored_head_mismatch',
        range: { from: anchoredGood, to: a.size },
        detail: `the leaves no longer reproduce the head anchored at size ${a.size}${a.txHash ? ` (tx ${a.txHash})` : ''}`,
      });
    } else anchoredGood = a.size;
  }

  // 5. Every anchor the node records as confirmed must be on chain as recorded.
  const recorded = await store.anchors().catch(damaged('the anchor outbox') as (e: unknown) => AnchorRecord[]);
  let anchorCheck = { checked: 0, missing: 0, different: 0, source: 'unavailable' as 'chain' | 'unavailable' };
  if (opts.chainAnchors) {
    let found = compareAnchors(recorded, opts.chainAnchors);
    // Confirmed after the chain was read (ingest runs on): read the chain again before calling them missing.
    if (found.length > 0 && opts.recheckChainAnchors) found = compareAnchors(recorded, await opts.recheckChainAnchors());
    for (const d of found) {
      findings.push({
        problem: d.kind === 'missing' ? 'confirmed_anchor_missing' : 'confirmed_anchor_different',
        detail: d.detail,
      });
    }
    anchorCheck = {
      checked: compareAnchorsChecked(recorded),
      missing: found.filter((d) => d.kind === 'missing').length,
      different: found.filter((d) => d.kind !== 'missing').length,
      source: 'chain',
    };
  }

  const latestSigned = heads.length ? heads[heads.length - 1]!.size : 0;
  const anchored = opts.anchoredHeads ?? [];
  const firstBad = pickFirstBad(findings);
  return {
    ok: findings.length === 0,
    size,
    leavesChecked: size,
    signedHeads: { checked: heads.length, latestSize: latestSigned },
    anchoredHeads: {
      checked: anchored.length,
      latestSize: anchored.reduce((m, a) => Math.max(m, a.size), 0),
      source: opts.anchoredHeads ? 'chain' : 'unavailable',
    },
    recordedAnchors: anchorCheck,
    unsignedTail: Math.max(0, size - latestSigned),
    findings,
    firstBad,
  };
}

/** Placeholder bytes of a leaf row that could not be read (compared by identity). */
const DAMAGED = new Uint8Array(0);

function compareAnchorsChecked(records: AnchorRecord[]): number {
  return records.filter((a) => a.status === 'confirmed' || a.confirmedAt !== null).length;
}

/**
 * Leaves [start, end) as stored. A row that cannot be read (its stored type was changed, e.g. a
 * BLOB updated to TEXT) fails the whole query; then the range is read leaf by leaf so the bad
 * rows are named and every other leaf is still checked.
 */
async function readLeaves(
  store: NodeStore,
  start: number,
  end: number,
  onDamaged: (index: number, err: StoreError) => void,
): Promise<StoredLeaf[]> {
  try {
    return await store.leaves(start, end);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
  }
  const rows: StoredLeaf[] = [];
  for (let i = start; i < end; i++) {
    try {
      const row = await store.leaf(i);
      if (row) rows.push(row);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      onDamaged(i, err);
      // Keep it in place with no bytes: its hash check fails and positions stay aligned.
      rows.push({ index: i, hash: EMPTY_ROOT, data: DAMAGED });
    }
  }
  return rows;
}

/**
 * The finding that names the earliest bad leaf. A range only says "somewhere in
 * here" (a tile or head no longer matches), so a finding located to one leaf
 * wins over any range; among ranges, the one that starts (then ends) first.
 */
function pickFirstBad(findings: AuditFinding[]): AuditFinding | null {
  const located = findings.filter((f) => f.leafIndex !== undefined);
  if (located.length > 0) return located.reduce((a, b) => (b.leafIndex! < a.leafIndex! ? b : a));
  const ranged = findings.filter((f) => f.range !== undefined);
  if (ranged.length > 0) {
    return ranged.reduce((a, b) =>
      b.range!.from < a.range!.from || (b.range!.from === a.range!.from && b.range!.to < a.range!.to) ? b : a,
    );
  }
  return findings[0] ?? null;
}

/** Leaf hashes in one flat buffer: 32 bytes a leaf (320 MB for 10 M leaves, not 1 GB of objects). */
class LeafHashes {
  private readonly buf: Uint8Array;
  constructor(readonly length: number) {
    this.buf = new Uint8Array(length * 32);
  }
  set(i: number, h: Uint8Array): void {
    this.buf.set(h, i * 32);
  }
  get(i: number): Uint8Array {
    return this.buf.subarray(i * 32, i * 32 + 32);
  }
}

/**
 * RFC 9162 roots over the recomputed leaf hashes. Perfect subtrees of at least
 * one tile are memoised (2 per 256 leaves); smaller ones are rehashed on demand,
 * which only the right edge of each head needs.
 */
class RecomputedTree {
  private memo = new Map<number, Uint8Array>();
  constructor(private readonly leaves: LeafHashes) {}

  root(size: number): Uint8Array {
    return size === 0 ? EMPTY_ROOT : this.subtree(0, size);
  }

  subtree(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 1) return this.leaves.get(start);
    const memoised = n >= TILE_SIZE && 2 ** Math.round(Math.log2(n)) === n && start % n === 0;
    // start/n and n identify a perfect subtree uniquely; pack both into one number key.
    const key = memoised ? Math.log2(n) * 2 ** 40 + start / n : 0;
    if (memoised) {
      const hit = this.memo.get(key);
      if (hit) return hit;
    }
    const k = splitPoint(n);
    const h = nodeHash(this.subtree(start, start + k), this.subtree(start + k, end));
    if (memoised) this.memo.set(key, h);
    return h;
  }
}
