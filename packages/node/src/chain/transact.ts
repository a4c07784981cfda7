// Sending contract transactions from the node account: prepare, sign locally,
// send raw (viem's writeContract with a local account), optionally wait for
// the receipt. Failures come out as ChainError.
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hex, TransactionReceipt } from 'viem';
import type { ChainClients } from './clients.js';
import { ChainError, toChainError } from './errors.js';

type Mutating = 'nonpayable' | 'payable';

export interface ContractTx<abi extends Abi, fn extends ContractFunctionName<abi, Mutating>> {
  address: Address;
  abi: abi;
  functionName: fn;
  args: ContractFunctionArgs<abi, Mutating, fn>;
  /** Gas limit; absent: estimated by the chain. */
  gas?: bigint;
}

/** Send a contract call; resolves with the hash once the node accepted the raw transaction. */
export async function sendContractTx<const abi extends Abi, fn extends ContractFunctionName<abi, Mutating>>(
  clients: ChainClients,
  tx: ContractTx<abi, fn>,
): Promise<Hex> {
  try {
    // The exclusive section spans nonce lookup to eth_sendRawTransaction.
    return await clients.exclusive(() =>
      clients.walletClient.writeContract({
        address: tx.address,
        abi: tx.abi as Abi,
        functionName: tx.functionName as string,
        args: tx.args as readonly unknown[],
        ...(tx.gas !== undefined ? { gas: tx.gas } : {}),
        ...clients.fees,
      } as Parameters<ChainClients['walletClient']['writeContract']>[0]),
    );
  } catch (err) {
    throw toChainError(err, `${tx.functionName as string}`);
  }
}

/** Wait for a transaction's receipt; a reverted one becomes a ChainError (decoded by replaying the call). */
export async function confirmTx(clients: ChainClients, hash: Hex, what: string, timeoutMs = 60_000): Promise<TransactionReceipt> {
  let receipt: TransactionReceipt;
  try {
    receipt = await clients.publicClient.waitForTransactionReceipt({
      hash,
      timeout: timeoutMs,
      pollingInterval: clients.pollingIntervalMs,
    });
  } catch (err) {
    throw toChainError(err, `${what} (tx ${hash})`);
  }
  if (receipt.status !== 'success')
    throw new ChainError('reverted', `${what}: transaction ${hash} reverted in block ${receipt.blockNumber}`);
  return receipt;
}

/** Send and wait for a successful receipt. */
export async function writeContractAndConfirm<const abi extends Abi, fn extends ContractFunctionName<abi, Mutating>>(
  clients: ChainClients,
  tx: ContractTx<abi, fn>,
  timeoutMs?: number,
): Promise<TransactionReceipt> {
  const hash = await sendContractTx(clients, tx);
  return confirmTx(clients, hash, tx.functionName as string, timeoutMs);
}

/** Deploy a contract from the node account and wait for it; returns its address and the block it landed in. */
export async function deployContractAndConfirm(
  clients: ChainClients,
  c: { name: string; abi: Abi; bytecode: Hex; args: readonly unknown[] },
  timeoutMs?: number,
): Promise<{ address: Address; blockNumber: number; txHash: Hex }> {
  let hash: Hex;
  try {
    hash = await clients.exclusive(() =>
      clients.walletClient.deployContract({
        abi: c.abi,
        bytecode: c.bytecode,
        args: c.args,
        ...clients.fees,
      } as Parameters<ChainClients['walletClient']['deployContract']>[0]),
    );
  } catch (err) {
    throw toChainError(err, `deploy ${c.name}`);
  }
  const receipt = await confirmTx(clients, hash, `deploy ${c.name}`, timeoutMs);
  if (!receipt.contractAddress) throw new ChainError('reverted', `deploy ${c.name}: no contract address in receipt ${hash}`);
  return { address: receipt.contractAddress, blockNumber: Number(receipt.blockNumber), txHash: hash };
}
