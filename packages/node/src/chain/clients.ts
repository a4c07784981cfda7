// viem clients for the node's chain access. Every transaction is signed by a
// local private-key account and sent with eth_sendRawTransaction: the node
// never asks an RPC endpoint to hold or unlock keys, so any EVM endpoint (a
// dev anvil, a Besu QBFT validator, a hosted gateway) works the same way.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export interface ChainClientSettings {
  rpcUrl: string;
  chainId: number;
  /** The node account's private key (also signs tree heads). */
  signerKey: Hex;
  /** 0 for free-gas networks (Besu QBFT min-gas-price 0); 'auto' uses the network's fee market. */
  gasPrice: 'auto' | number;
  /** How often receipts and logs are polled. */
  pollingIntervalMs: number;
  /** Per-request HTTP timeout (default 10 s). */
  requestTimeoutMs?: number;
}

export type NodePublicClient = PublicClient<Transport, Chain>;
export type NodeWalletClient = WalletClient<Transport, Chain, PrivateKeyAccount>;

/** Fee fields spread into every transaction. Empty for 'auto': viem then reads the fee market. */
export type TxFees = { type: 'legacy'; gasPrice: bigint } | { type?: undefined; gasPrice?: undefined };

export interface ChainClients {
  readonly chain: Chain;
  readonly account: PrivateKeyAccount;
  readonly publicClient: NodePublicClient;
  readonly walletClient: NodeWalletClient;
  readonly fees: TxFees;
  readonly pollingIntervalMs: number;
  /**
   * Run a send exclusively: viem takes the nonce from the 'pending' count, so two
   * concurrent sends from the node account (anchoring and a device registration)
   * must not prepare at the same time or they would pick the same nonce.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** A chain definition for a private network known only by its id. */
export function nodeChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `TradeTwin chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** A fixed gas price means legacy transactions at that price (0n on free-gas networks). */
export function txFees(gasPrice: 'auto' | number): TxFees {
  return gasPrice === 'auto' ? {} : { type: 'legacy', gasPrice: BigInt(gasPrice) };
}

export function createChainClients(settings: ChainClientSettings): ChainClients {
  const chain = nodeChain(settings.chainId, settings.rpcUrl);
  const account = privateKeyToAccount(settings.signerKey);
  // One retry only: the anchorer and the device sync have their own retry loops,
  // and an outage should surface quickly rather than after viem's backoff.
  const transport = http(settings.rpcUrl, { timeout: settings.requestTimeoutMs ?? 10_000, retryCount: 1, retryDelay: 100 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: settings.pollingIntervalMs });
  const walletClient = createWalletClient({ chain, transport, account, pollingInterval: settings.pollingIntervalMs });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    chain,
    account,
    publicClient,
    walletClient,
    fees: txFees(settings.gasPrice),
    pollingIntervalMs: settings.pollingIntervalMs,
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const run = queue.then(fn, fn);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
