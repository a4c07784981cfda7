// ParametricCover and its settlement token, for whoever acts: an insurer funds
// and offers, a shipper binds, an aggregator claims. Each party passes its own
// ChainClients (its own key); nothing here holds state.
import { type Address, decodeEventLog, type Hex, keccak256, toBytes } from 'viem';
import type { ExcursionAttestation } from '@tradetwin/contracts/attestation';
import type { PolicyTerms } from '@tradetwin/contracts/cover';
import {
  parametricCoverAbi,
  parametricCoverBytecode,
  settlementTokenAbi,
  settlementTokenBytecode,
} from '@tradetwin/contracts/generated/index';
import type { ChainClients } from './clients.js';
import { chainCall } from './errors.js';
import { deployContractAndConfirm, writeContractAndConfirm } from './transact.js';

export type { PolicyTerms };

export const POLICY_STATES = ['none', 'offered', 'bound', 'paid', 'expired', 'cancelled'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

export interface OnChainPolicy {
  policyId: number;
  terms: PolicyTerms;
  insurerOrg: number;
  state: PolicyState;
  /** seconds; 0 until bound */
  boundAt: number;
}

/** The on-chain shipment id: keccak256 of the shipment's id string. */
export function shipmentIdHash(id: string): Hex {
  return keccak256(toBytes(id));
}

export async function deploySettlementToken(
  clients: ChainClients,
  opts: { name: string; symbol: string; decimals: number; minter: Address },
) {
  return deployContractAndConfirm(clients, {
    name: 'SettlementToken',
    abi: settlementTokenAbi,
    bytecode: settlementTokenBytecode,
    args: [opts.name, opts.symbol, opts.decimals, opts.minter],
  });
}

export async function deployParametricCover(
  clients: ChainClients,
  opts: { members: Address; anchor: Address; token: Address; threshold: number },
) {
  return deployContractAndConfirm(clients, {
    name: 'ParametricCover',
    abi: parametricCoverAbi,
    bytecode: parametricCoverBytecode,
    args: [opts.members, opts.anchor, opts.token, opts.threshold],
  });
}

export async function mint(clients: ChainClients, token: Address, to: Address, amount: bigint) {
  return writeContractAndConfirm(clients, { address: token, abi: settlementTokenAbi, functionName: 'mint', args: [to, amount] });
}

export async function approve(clients: ChainClients, token: Address, spender: Address, amount: bigint) {
  return writeContractAndConfirm(clients, {
    address: token,
    abi: settlementTokenAbi,
    functionName: 'approve',
    args: [spender, amount],
  });
}

export async function balanceOf(clients: ChainClients, token: Address, who: Address): Promise<bigint> {
  return chainCall('balanceOf', () =>
    clients.publicClient.readContract({ address: token, abi: settlementTokenAbi, functionName: 'balanceOf', args: [who] }),
  );
}

/** An insurer moves capital into the cover (approve + deposit). */
export async function depositCapital(clients: ChainClients, cover: Address, token: Address, amount: bigint) {
  await approve(clients, token, cover, amount);
  return writeContractAndConfirm(clients, { address: cover, abi: parametricCoverAbi, functionName: 'deposit', args: [amount] });
}

export async function offerPolicy(
  clients: ChainClients,
  cover: Address,
  terms: PolicyTerms,
): Promise<{ policyId: number; txHash: Hex }> {
  const receipt = await writeContractAndConfirm(clients, {
    address: cover,
    abi: parametricCoverAbi,
    functionName: 'offerPolicy',
    args: [terms],
  });
  for (const log of receipt.logs) {
    try {
      const ev = decodeEventLog({ abi: parametricCoverAbi, data: log.data, topics: log.topics });
      if (ev.eventName === 'PolicyOffered') return { policyId: Number(ev.args.policyId), txHash: receipt.transactionHash };
    } catch {
      // a log of another contract (the token)
    }
  }
  throw new Error(`offerPolicy ${receipt.transactionHash} emitted no PolicyOffered`);
}

/** The holder binds: approves the premium and binds, locking the insurer's capital. */
export async function bindPolicy(clients: ChainClients, cover: Address, token: Address, policyId: number, premium: bigint) {
  if (premium > 0n) await approve(clients, token, cover, premium);
  return writeContractAndConfirm(clients, {
    address: cover,
    abi: parametricCoverAbi,
    functionName: 'bindPolicy',
    args: [BigInt(policyId)],
  });
}

/** Submit k-of-n attestations; returns the receipt and the amount paid (ClaimPaid). */
export async function submitClaim(clients: ChainClients, cover: Address, a: ExcursionAttestation, signatures: Hex[]) {
  const receipt = await writeContractAndConfirm(clients, {
    address: cover,
    abi: parametricCoverAbi,
    functionName: 'claim',
    args: [a, signatures],
  });
  for (const log of receipt.logs) {
    try {
      const ev = decodeEventLog({ abi: parametricCoverAbi, data: log.data, topics: log.topics });
      if (ev.eventName === 'ClaimPaid') return { receipt, amount: ev.args.amount, orgBitmap: ev.args.orgBitmap };
    } catch {
      // the token's Transfer
    }
  }
  throw new Error(`claim ${receipt.transactionHash} emitted no ClaimPaid`);
}

export async function readPolicy(clients: ChainClients, cover: Address, policyId: number): Promise<OnChainPolicy> {
  const p = await chainCall('policy', () =>
    clients.publicClient.readContract({
      address: cover,
      abi: parametricCoverAbi,
      functionName: 'policy',
      args: [BigInt(policyId)],
    }),
  );
  return {
    policyId,
    terms: { ...p.terms },
    insurerOrg: Number(p.insurerOrg),
    state: POLICY_STATES[p.state] ?? 'none',
    boundAt: Number(p.boundAt),
  };
}

export async function readCapital(
  clients: ChainClients,
  cover: Address,
  orgId: number,
): Promise<{ free: bigint; locked: bigint }> {
  const [free, locked] = await chainCall('capital', () =>
    clients.publicClient.readContract({
      address: cover,
      abi: parametricCoverAbi,
      functionName: 'capital',
      args: [BigInt(orgId)],
    }),
  );
  return { free, locked };
}
