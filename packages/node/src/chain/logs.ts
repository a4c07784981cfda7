// Event reads in block chunks: public endpoints and Besu limit eth_getLogs
// ranges, and one huge query would time out on a long chain anyway.
import type { ChainClients } from './clients.js';
import { chainCall } from './errors.js';

export const DEFAULT_LOG_CHUNK = 5_000;

/**
 * Call `read(from, to)` over [fromBlock, toBlock] in chunks of `chunk` blocks, in order.
 * `toBlock` defaults to the current block; returns the concatenated results and the block read up to.
 */
export async function readChunked<T>(
  clients: Pick<ChainClients, 'publicClient'>,
  range: { fromBlock: number; toBlock?: number; chunk?: number },
  read: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
): Promise<{ items: T[]; toBlock: number }> {
  // Uncached: a stale block number would hide the newest events (a just-confirmed anchor would look lost).
  const toBlock =
    range.toBlock ?? Number(await chainCall('eth_blockNumber', () => clients.publicClient.getBlockNumber({ cacheTime: 0 })));
  const chunk = Math.max(1, range.chunk ?? DEFAULT_LOG_CHUNK);
  const items: T[] = [];
  for (let from = range.fromBlock; from <= toBlock; from += chunk) {
    const to = Math.min(toBlock, from + chunk - 1);
    items.push(...(await chainCall('eth_getLogs', () => read(BigInt(from), BigInt(to)))));
  }
  return { items, toBlock };
}
