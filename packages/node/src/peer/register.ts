// A node announces itself in NodeDirectory at start: its endpoint, its two
// Ed25519 public keys and its log's origin. A transaction only when something
// changed (a restart on the same port and keys costs nothing).
import type { Address } from 'viem';
import type { ChainClients } from '../chain/clients.js';
import { type NodeEntry, readNode, setNode } from '../chain/node-directory.js';
import type { NodePeerKeys } from './keys.js';

export async function registerNode(
  clients: ChainClients,
  directory: Address,
  orgId: number,
  want: { endpoint: string; logOrigin: string; keys: NodePeerKeys },
): Promise<{ entry: NodeEntry; changed: boolean }> {
  const current = await readNode(clients, directory, orgId);
  if (
    current &&
    current.endpoint === want.endpoint &&
    current.logOrigin === want.logOrigin &&
    current.publisher.toLowerCase() === clients.account.address.toLowerCase() &&
    sameBytes(current.httpSigKey, want.keys.httpSig.publicKey) &&
    sameBytes(current.checkpointKey, want.keys.checkpoint.publicKey)
  ) {
    return { entry: current, changed: false };
  }
  await setNode(clients, directory, {
    endpoint: want.endpoint,
    httpSigKey: want.keys.httpSig.publicKey,
    logOrigin: want.logOrigin,
    checkpointKey: want.keys.checkpoint.publicKey,
  });
  const entry = await readNode(clients, directory, orgId);
  if (!entry) throw new Error(`NodeDirectory ${directory} has no entry for org ${orgId} after setNode`);
  return { entry, changed: true };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
