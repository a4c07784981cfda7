// Who this node witnesses, and whose witnesses it asks: the peer logs, from an
// injected resolver. The consortium's source of truth is the chain's NodeDirectory
// (orgId → endpoint, log origin, checkpoint key); until a node is given that,
// a static list (tests, `consortium up` wiring the nodes it started) serves.
import { hexToBytes } from '@noble/hashes/utils.js';
import { witnessNameOf } from './identity.js';

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
