// LogAnchor for the anchorer and the audit: publish this node's tree heads,
// ask whether a head is on chain, and read back every head it anchored.
import { TransactionReceiptNotFoundError, type Address, type Hex } from 'viem';
import { logAnchorAbi } from '@tradetwin/contracts/generated/index';
import type { AnchorChain } from '../anchor/anchorer.js';
import type { ChainAnchor } from '../anchor/reconcile.js';
import type { AnchoredHead } from '../log/audit.js';
import type { ChainClients } from './clients.js';
import { chainCall, toChainError } from './errors.js';
import { readChunked } from './logs.js';
import { sendContractTx } from './transact.js';

export interface OnChainHead {
  size: number;
  root: Hex;
  /** ms, from the signed head */
  timestamp: number;
}

export interface PublishedHead extends AnchoredHead {
  txHash: Hex;
  blockNumber: number;
  orgId: number;
  /** The publisher's number of heads after this one. */
  count: number;
}

const HEAD_PUBLISHED = logAnchorAbi.find((i) => i.type === 'event' && i.name === 'HeadPublished')!;

export class LogAnchorClient implements AnchorChain {
  constructor(
    private readonly clients: ChainClients,
    readonly address: Address,
    /** The block LogAnchor was deployed in: where reading this node's heads starts. */
    readonly fromBlock = 0,
  ) {}

  /** The node account: the publisher of this node's heads. */
  get publisher(): Address {
    return this.clients.account.address;
  }

  async publishHead(head: { size: number; root: Hex; timestamp: number }): Promise<Hex> {
    return sendContractTx(this.clients, {
      address: this.address,
      abi: logAnchorAbi,
      functionName: 'publishHead',
      args: [BigInt(head.size), head.root, BigInt(head.timestamp)],
    });
  }

  async receipt(txHash: Hex): Promise<{ status: 'success' | 'reverted'; blockNumber: number; gasUsed: bigint } | null> {
    try {
      const r = await this.clients.publicClient.getTransactionReceipt({ hash: txHash });
      return { status: r.status, blockNumber: Number(r.blockNumber), gasUsed: r.gasUsed };
    } catch (err) {
      // Unknown or still in the pool: the anchorer decides when it counts as dropped.
      if (err instanceof TransactionReceiptNotFoundError) return null;
      throw toChainError(err, `receipt ${txHash}`);
    }
  }

  async isAnchored(size: number, root: Hex): Promise<boolean> {
    return chainCall('isAnchored', () =>
      this.clients.publicClient.readContract({
        address: this.address,
        abi: logAnchorAbi,
        functionName: 'isAnchored',
        args: [this.publisher, BigInt(size), root],
      }),
    );
  }

  async latestAnchoredSize(): Promise<number> {
    return (await this.latestHead()).size;
  }

  /** A publisher's latest head (size 0 when it has none). */
  async latestHead(publisher: Address = this.publisher): Promise<OnChainHead> {
    const h = await chainCall('latestHead', () =>
      this.clients.publicClient.readContract({
        address: this.address,
        abi: logAnchorAbi,
        functionName: 'latestHead',
        args: [publisher],
      }),
    );
    return { size: Number(h.size), root: h.root, timestamp: Number(h.timestamp) };
  }

  /** The root a publisher anchored at `size`, or null. */
  async rootAt(size: number, publisher: Address = this.publisher): Promise<Hex | null> {
    const root = await chainCall('rootAt', () =>
      this.clients.publicClient.readContract({
        address: this.address,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [publisher, BigInt(size)],
      }),
    );
    return /^0x0*$/.test(root) ? null : root;
  }

  async headCount(publisher: Address = this.publisher): Promise<number> {
    const n = await chainCall('headCount', () =>
      this.clients.publicClient.readContract({
        address: this.address,
        abi: logAnchorAbi,
        functionName: 'headCount',
        args: [publisher],
      }),
    );
    return Number(n);
  }

  /** This node's heads as the chain has them now (the anchorer's reconciliation). */
  async publishedHeads(): Promise<ChainAnchor[]> {
    return (await this.anchoredHeads(this.publisher, this.fromBlock)).map((h) => ({
      size: h.size,
      root: h.root,
      txHash: h.txHash,
      blockNumber: h.blockNumber,
    }));
  }

  /** Every head a publisher anchored (HeadPublished events), oldest first: the audit's chain evidence. */
  async anchoredHeads(
    publisher: Address = this.publisher,
    fromBlock = 0,
    opts: { chunk?: number } = {},
  ): Promise<PublishedHead[]> {
    const { items } = await readChunked(this.clients, { fromBlock, chunk: opts.chunk }, (from, to) =>
      this.clients.publicClient.getLogs({
        address: this.address,
        event: HEAD_PUBLISHED,
        args: { publisher },
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
    return items.map((l) => ({
      size: Number(l.args.size),
      root: l.args.root,
      timestamp: Number(l.args.timestamp),
      txHash: l.transactionHash,
      blockNumber: Number(l.blockNumber),
      orgId: Number(l.args.orgId),
      count: Number(l.args.count),
    }));
  }
}
