// NodeDirectory: where each member organisation's node answers and which keys
// it speaks with (RFC 9421 request signatures, signed-note checkpoints). Peers
// read it to authenticate each other from the chain alone — no shared secrets.
import { type Address, bytesToHex, type Hex, hexToBytes, parseEventLogs } from 'viem';
import { nodeDirectoryAbi } from '@tradetwin/contracts/generated/index';
import type { ChainClients } from './clients.js';
import { ChainError, chainCall } from './errors.js';
import { readChunked } from './logs.js';
import { writeContractAndConfirm } from './transact.js';

export interface NodeEntry {
  orgId: number;
  /** The node's base URL. */
  endpoint: string;
  /** Ed25519 public key of its RFC 9421 request signatures (32 bytes). */
  httpSigKey: Uint8Array;
  /** The C2SP checkpoint origin line of its log. */
  logOrigin: string;
  /** Ed25519 public key of its signed-note checkpoints and cosignatures (32 bytes). */
  checkpointKey: Uint8Array;
  /** The account that set the entry and anchors the node's heads in LogAnchor. */
  publisher: Address;
  /** ms */
  updatedAt: number;
}

export interface NodeEntryInput {
  endpoint: string;
  httpSigKey: Uint8Array;
  logOrigin: string;
  checkpointKey: Uint8Array;
}

/** Member `orgId`'s node; null when it has none (UnknownNode). */
export async function readNode(
  clients: Pick<ChainClients, 'publicClient'>,
  address: Address,
  orgId: number,
): Promise<NodeEntry | null> {
  try {
    const n = await chainCall('nodeOf', () =>
      clients.publicClient.readContract({ address, abi: nodeDirectoryAbi, functionName: 'nodeOf', args: [BigInt(orgId)] }),
    );
    return {
      orgId,
      endpoint: n.endpoint,
      httpSigKey: hexToBytes(n.httpSigKey),
      logOrigin: n.logOrigin,
      checkpointKey: hexToBytes(n.checkpointKey),
      publisher: n.publisher,
      updatedAt: Number(n.updatedAt) * 1000,
    };
  } catch (err) {
    if (err instanceof ChainError && err.code === 'reverted' && /UnknownNode/.test(err.message)) return null;
    throw err;
  }
}

/** Set the caller's organisation's node entry (the caller must be an account of an active member). */
export async function setNode(
  clients: ChainClients,
  address: Address,
  entry: NodeEntryInput,
): Promise<{ orgId: number; txHash: Hex }> {
  if (entry.httpSigKey.length !== 32 || entry.checkpointKey.length !== 32) {
    throw new RangeError('setNode: httpSigKey and checkpointKey must be 32-byte Ed25519 public keys');
  }
  const args = [entry.endpoint, bytesToHex(entry.httpSigKey), entry.logOrigin, bytesToHex(entry.checkpointKey)] as const;
  // With a margin over the estimate: a setNode right after another one (a test swapping endpoints
  // while the node anchored) once reverted without a reason; the cause is not pinned down.
  const estimate = await chainCall('estimateGas setNode', () =>
    clients.publicClient.estimateContractGas({
      address,
      abi: nodeDirectoryAbi,
      functionName: 'setNode',
      args,
      account: clients.account,
    }),
  );
  const receipt = await writeContractAndConfirm(clients, {
    address,
    abi: nodeDirectoryAbi,
    functionName: 'setNode',
    args,
    gas: (estimate * 12n) / 10n + 10_000n,
  });
  const [set] = parseEventLogs({ abi: nodeDirectoryAbi, eventName: 'NodeSet', logs: receipt.logs });
  if (!set) throw new ChainError('reverted', `setNode: no NodeSet event in ${receipt.transactionHash}`);
  return { orgId: Number(set.args.orgId), txHash: receipt.transactionHash };
}

/**
 * Every member's current node entry (the latest NodeSet per organisation), by org id. Read in block
 * chunks (chain/logs.ts): Besu and public endpoints limit eth_getLogs ranges.
 */
export async function listNodes(
  clients: Pick<ChainClients, 'publicClient'>,
  address: Address,
  fromBlock = 0,
  chunk?: number,
): Promise<NodeEntry[]> {
  const { items } = await readChunked(clients, { fromBlock, chunk }, (from, to) =>
    clients.publicClient.getContractEvents({
      address,
      abi: nodeDirectoryAbi,
      eventName: 'NodeSet',
      fromBlock: from,
      toBlock: to,
    }),
  );
  const orgs = [...new Set(items.map((l) => Number(l.args.orgId)))].sort((a, b) => a - b);
  const entries = await Promise.all(orgs.map((orgId) => readNode(clients, address, orgId)));
  return entries.filter((e): e is NodeEntry => e !== null);
}
