// The other members of the consortium as this node knows them, in
// <dataDir>/peers.json: each organisation's account, node URL and the
// credentials it issued to this organisation (to read its evidence, to ask its
// oracle). Written by `consortium up`; read on every use, so credentials
// issued after the node started reach it without a restart.
//
// INTEGRATION (i13-peer): this file is the interim peer directory. It is
// replaced by NodeDirectory on chain (endpoint, HTTP signature key) and RFC
// 9421 signed requests checked against MemberRegistry — no bearer tokens
// between organisations. Only readPeers()/peerFor() callers change.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEERS_FILE = 'peers.json';

export interface Peer {
  /** The organisation's name. */
  org: string;
  slug: string;
  /** Its node's account: the publisher of its log, the signer of its oracle's attestations. */
  address: `0x${string}`;
  /** Its node's base URL. */
  url: string;
  /** A log:read credential it issued to this organisation (its evidence). */
  evidenceToken?: string;
  /** An oracle:attest credential it issued to this organisation (its oracle). */
  oracleToken?: string;
  /** Its log's C2SP verifier key (signed-note vkey, type 0x01): its checkpoints are witnessed against it (tlog/). */
  logVkey?: string;
}

export interface PeersFile {
  peers: Peer[];
}

export function readPeers(dataDir: string): Peer[] {
  const file = join(dataDir, PEERS_FILE);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as PeersFile).peers;
}

/** The peer whose node account is `address` (case-insensitive); undefined when none. */
export function peerFor(dataDir: string, address: string): Peer | undefined {
  return readPeers(dataDir).find((p) => p.address.toLowerCase() === address.toLowerCase());
}

/** Replace the file in one step (a running node may be reading it). */
export function writePeers(dataDir: string, peers: Peer[]): void {
  const file = join(dataDir, PEERS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ peers } satisfies PeersFile, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
