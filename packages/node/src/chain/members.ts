// MemberRegistry: admission, status and queries. Members are organisations
// (ids from 1) with accounts and role bit flags (docs/design.md "Chain").
import { parseEventLogs, type Address, type Hex } from 'viem';
import { memberRegistryAbi } from '@tradetwin/contracts/generated/index';
import type { ChainClients } from './clients.js';
import { chainCall, ChainError } from './errors.js';
import { writeContractAndConfirm } from './transact.js';

export const ROLES = {
  SHIPPER: 1,
  CARRIER: 2,
  CONSIGNEE: 4,
  INSURER: 8,
  FINANCIER: 16,
  ORACLE: 32,
  CUSTOMS: 64,
  DEVICE_OWNER: 128,
  PORT: 256,
} as const;

export type RoleName = keyof typeof ROLES;

/** Every role: what the founding node of a private network holds. */
export const ALL_ROLES = Object.values(ROLES).reduce((a, b) => a | b, 0);

export interface Member {
  orgId: number;
  name: string;
  roles: number;
  active: boolean;
  /** ms */
  admittedAt: number;
}

/** Admit an organisation with its first account (needs ADMISSION_ROLE); returns the new org id. */
export async function admitMember(
  clients: ChainClients,
  registry: Address,
  m: { account: Address; name: string; roles: number },
): Promise<{ orgId: number; txHash: Hex }> {
  const receipt = await writeContractAndConfirm(clients, {
    address: registry,
    abi: memberRegistryAbi,
    functionName: 'admitMember',
    args: [m.account, m.name, BigInt(m.roles)],
  });
  const [admitted] = parseEventLogs({ abi: memberRegistryAbi, eventName: 'MemberAdmitted', logs: receipt.logs });
  if (!admitted) throw new ChainError('reverted', `admitMember: no MemberAdmitted event in ${receipt.transactionHash}`);
  return { orgId: Number(admitted.args.orgId), txHash: receipt.transactionHash };
}

/** Activate or suspend a member (needs ADMISSION_ROLE). */
export async function setActive(
  clients: ChainClients,
  registry: Address,
  orgId: number,
  active: boolean,
): Promise<{ txHash: Hex }> {
  const receipt = await writeContractAndConfirm(clients, {
    address: registry,
    abi: memberRegistryAbi,
    functionName: 'setActive',
    args: [BigInt(orgId), active],
  });
  return { txHash: receipt.transactionHash };
}

/** Add another account to an organisation (by one of its accounts or ADMISSION_ROLE). */
export async function addAccount(
  clients: ChainClients,
  registry: Address,
  orgId: number,
  account: Address,
): Promise<{ txHash: Hex }> {
  const receipt = await writeContractAndConfirm(clients, {
    address: registry,
    abi: memberRegistryAbi,
    functionName: 'addAccount',
    args: [BigInt(orgId), account],
  });
  return { txHash: receipt.transactionHash };
}

/** The organisation an account belongs to; 0 when it is no member's account. */
export async function orgOf(clients: ChainClients, registry: Address, account: Address): Promise<number> {
  const id = await chainCall('orgOf', () =>
    clients.publicClient.readContract({ address: registry, abi: memberRegistryAbi, functionName: 'orgOf', args: [account] }),
  );
  return Number(id);
}

/** A member by id; null when no such org exists. */
export async function readMember(clients: ChainClients, registry: Address, orgId: number): Promise<Member | null> {
  const count = await memberCount(clients, registry);
  if (orgId < 1 || orgId > count) return null;
  const m = await chainCall('member', () =>
    clients.publicClient.readContract({
      address: registry,
      abi: memberRegistryAbi,
      functionName: 'member',
      args: [BigInt(orgId)],
    }),
  );
  return { orgId, name: m.name, roles: Number(m.roles), active: m.active, admittedAt: Number(m.admittedAt) * 1000 };
}

/** Whether the account belongs to an active member holding every bit of `role` (0: any active member). */
export async function hasMemberRole(clients: ChainClients, registry: Address, account: Address, role: number): Promise<boolean> {
  return chainCall('hasMemberRole', () =>
    clients.publicClient.readContract({
      address: registry,
      abi: memberRegistryAbi,
      functionName: 'hasMemberRole',
      args: [account, BigInt(role)],
    }),
  );
}

export async function memberCount(clients: ChainClients, registry: Address): Promise<number> {
  const n = await chainCall('memberCount', () =>
    clients.publicClient.readContract({ address: registry, abi: memberRegistryAbi, functionName: 'memberCount' }),
  );
  return Number(n);
}
