// Gas of anchor transactions, from their receipts.
import { createPublicClient, http, type Hex } from 'viem';

export async function gasOfTransactions(rpcUrl: string, hashes: string[]): Promise<{ total: bigint; perTx: bigint[] }> {
  const client = createPublicClient({ transport: http(rpcUrl, { batch: { batchSize: 100 } }) });
  const receipts = await Promise.all(hashes.map((hash) => client.getTransactionReceipt({ hash: hash as Hex })));
  const perTx = receipts.map((r) => {
    if (r.status !== 'success') throw new Error(`anchor transaction ${r.transactionHash} reverted`);
    return r.gasUsed;
  });
  return { total: perTx.reduce((a, b) => a + b, 0n), perTx };
}
