// Who this node witnesses, and whose witnesses it asks: the peer logs, from an
// injected resolver. The consortium's source of truth is the chain's NodeDirectory
// (orgId → endpoint, log origin, checkpoint key: directoryPeers); a node without
// one reads a static list or a witness-peers.json file (tests, a lone node).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { parseVerifierKey, SIG_TYPE_ED25519 } from '@tradetwin/core/tlog/note';
import { witnessNameOf } from './identity.js';

/** In a node's data dir: the peers it witnesses and is witnessed by, when no NodeDirectory resolver is configured. */
export const WITNESS_PEERS_FILE = 'witness-peers.json';

export interface PeerLog {
  orgId: number | null;
  /** Base URL of the peer node: its tlog-tiles prefix and its witness submission prefix. Null: not reachable. */
  endpoint: string | null;
  /** The peer log's checkpoint origin. */
  origin: string;
  /** The peer's Ed25519 checkpoint key (32 bytes): its log key and its witness key. */
  checkpointKey: Uint8Array;
}

export type PeerResolver = () => Promise<PeerLog[]>;

export const peerWitnessName = (p: PeerLog): string => witnessNameOf(p.origin);

/** A fixed list, changeable at run time (a node that starts before its peers learns them later). */
export class StaticPeers {
  private list: PeerLog[] = [];
  constructor(initial: PeerLog[] = []) {
    this.list = initial.slice();
  }
  readonly resolve: PeerResolver = async () => this.list.slice();
  set(peers: PeerLog[]): void {
    this.list = peers.slice();
  }
  add(peer: PeerLog): void {
    this.list = [...this.list.filter((p) => p.origin !== peer.origin), peer];
  }
}

/**
 * Adapter for the NodeDirectory contract (i13-peer): entries as its client lists them
 * ({orgId, endpoint, logOrigin, checkpointKey: 0x-hex bytes32}), minus this node's own.
 */
export function directoryPeers(
  listNodes: () => Promise<{ orgId: number | bigint; endpoint: string; logOrigin: string; checkpointKey: `0x${string}` }[]>,
  ownOrigin: string,
): PeerResolver {
  return async () =>
    (await listNodes())
      .filter((n) => n.logOrigin !== ownOrigin && n.logOrigin !== '')
      .map((n) => ({
        orgId: Number(n.orgId),
        endpoint: n.endpoint || null,
        origin: n.logOrigin,
        checkpointKey: hexToBytes(n.checkpointKey.slice(2)),
      }));
}

/** One entry of a peers file: a peer node's base URL and its log vkey (node.json → checkpoint.logVkey). */
export interface PeerFileEntry {
  orgId?: number;
  endpoint: string | null;
  logVkey: string;
}

/**
 * Peers from a JSON file (an array of PeerFileEntry), re-read when it changes: how processes started
 * separately (`consortium up`) learn each other once all are up. A missing file is no peers; a broken
 * one throws (the loop reports it) rather than silently witnessing nobody.
 */
export function filePeers(path: string): PeerResolver {
  let cached: { mtimeMs: number; size: number; peers: PeerLog[] } | null = null;
  return async () => {
    if (!existsSync(path)) return [];
    const st = statSync(path);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.peers;
    const entries = JSON.parse(readFileSync(path, 'utf8')) as PeerFileEntry[];
    if (!Array.isArray(entries)) throw new Error(`${path} is not a JSON array of peers`);
    const peers = entries.map((e, i) => {
      const k = parseVerifierKey(String(e.logVkey));
      if (k.type !== SIG_TYPE_ED25519) throw new Error(`${path} entry ${i}: logVkey is not an Ed25519 note key`);
      return { orgId: e.orgId ?? null, endpoint: e.endpoint ?? null, origin: k.name, checkpointKey: k.publicKey };
    });
    cached = { mtimeMs: st.mtimeMs, size: st.size, peers };
    return peers;
  };
}

/**
 * A resolver read at most once per `ttlMs` (NodeDirectory is read from chain events; the loop asks
 * several times a second). A failed read is not kept: the next call reads again. While reads fail
 * (the chain is down or restarting) the last list read stands: the members' nodes rarely change, and
 * witnessing, and the node's status, must not stop with the chain. Before any good read, it throws.
 */
export function cachedPeers(resolve: PeerResolver, ttlMs = 2000, now: () => number = Date.now): PeerResolver {
  let cached: { at: number; peers: PeerLog[] } | null = null;
  let inFlight: Promise<PeerLog[]> | null = null;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.peers;
    inFlight ??= resolve()
      .then((peers) => {
        cached = { at: now(), peers };
        return peers;
      })
      .finally(() => {
        inFlight = null;
      });
    try {
      return await inFlight;
    } catch (err) {
      if (cached) return cached.peers;
      throw err;
    }
  };
}
