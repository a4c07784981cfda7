// A payout as the chain has it: the ClaimPaid event in the payout's own
// transaction receipt, and the settlement token's symbol and decimals, read
// from the cover contract — so the dashboard shows the on-chain amount, not
// only the node's record of it.
import { type Hex, parseEventLogs } from 'viem';
import { parametricCoverAbi } from '@tradetwin/contracts/generated/ParametricCover';
import { settlementTokenAbi } from '@tradetwin/contracts/generated/SettlementToken';
import { chainClient } from './client.js';

export interface TokenInfo {
  address: Hex;
  symbol: string;
  decimals: number;
}

export interface OnChainPayout {
  txHash: Hex;
  status: 'success' | 'reverted';
  blockNumber: number;
  /** From ClaimPaid; null when the receipt holds none (not a payout). */
  amount: bigint | null;
  policyId: number | null;
  excursionId: Hex | null;
  /** Bit i set: organisation i attested. */
  orgBitmap: bigint | null;
  holderTransfer: { to: Hex; value: bigint } | null;
}

const tokens = new Map<string, Promise<TokenInfo>>();

export function coverToken(rpcUrl: string, cover: Hex): Promise<TokenInfo> {
  const key = `${rpcUrl} ${cover.toLowerCase()}`;
  let p = tokens.get(key);
  if (!p) {
    const client = chainClient(rpcUrl);
    p = (async () => {
      const address = await client.readContract({ address: cover, abi: parametricCoverAbi, functionName: 'token' });
      const [symbol, decimals] = await Promise.all([
        client.readContract({ address, abi: settlementTokenAbi, functionName: 'symbol' }),
        client.readContract({ address, abi: settlementTokenAbi, functionName: 'decimals' }),
      ]);
      return { address, symbol, decimals };
    })();
    p.catch(() => tokens.delete(key));
    tokens.set(key, p);
  }
  return p;
}

export async function readPayoutTx(rpcUrl: string, cover: Hex, txHash: Hex): Promise<OnChainPayout> {
  const client = chainClient(rpcUrl);
  const receipt = await client.getTransactionReceipt({ hash: txHash });
  const paid = parseEventLogs({ abi: parametricCoverAbi, eventName: 'ClaimPaid', logs: receipt.logs }).find(
    (l) => l.address.toLowerCase() === cover.toLowerCase(),
  );
  const transfer = parseEventLogs({ abi: settlementTokenAbi, eventName: 'Transfer', logs: receipt.logs }).find(
    (l) => l.args.from.toLowerCase() === cover.toLowerCase(),
  );
  return {
    txHash,
    status: receipt.status,
    blockNumber: Number(receipt.blockNumber),
    amount: paid?.args.amount ?? null,
    policyId: paid ? Number(paid.args.policyId) : null,
    excursionId: paid?.args.excursionId ?? null,
    orgBitmap: paid?.args.orgBitmap ?? null,
    holderTransfer: transfer ? { to: transfer.args.to, value: transfer.args.value } : null,
  };
}
