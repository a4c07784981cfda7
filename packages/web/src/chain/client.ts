// Reading the chain directly from the browser: a viem public client over the
// chain's JSON-RPC endpoint (never through the node), one per URL.
import { createPublicClient, http, type PublicClient } from 'viem';

const clients = new Map<string, PublicClient>();

export function chainClient(rpcUrl: string): PublicClient {
  let c = clients.get(rpcUrl);
  if (!c) {
    c = createPublicClient({ transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }) });
    clients.set(rpcUrl, c);
  }
  return c;
}
