// The consortium as the chain records it: every MemberAdmitted event of the
// MemberRegistry, with each organisation's current roles and status read from
// member(orgId), and the accounts added to it (AccountAdded).
import type { Hex } from 'viem';
import { memberRegistryAbi } from '@tradetwin/contracts/generated/MemberRegistry';
import { chainClient } from './client.js';

/** MemberRegistry role bits (packages/node/src/chain/members.ts ROLES). */
export const ROLE_BITS = [
  ['shipper', 1],
  ['carrier', 2],
  ['consignee', 4],
  ['insurer', 8],
  ['financier', 16],
  ['oracle', 32],
  ['customs', 64],
  ['device owner', 128],
  ['port', 256],
] as const;

export function roleNames(bits: bigint | number): string[] {
  const b = BigInt(bits);
  return ROLE_BITS.filter(([, bit]) => (b & BigInt(bit)) !== 0n).map(([name]) => name);
}

export interface MemberOrg {
  orgId: number;
  name: string;
  roles: string[];
  active: boolean;
  admittedAt: number;
  /** When the consortium voted it out (ms); null while a member (or on a registry without removals). */
  removedAt: number | null;
  accounts: Hex[];
  admittedTx: Hex;
  admittedBlock: number;
}

export async function readMembers(rpcUrl: string, registry: Hex): Promise<MemberOrg[]> {
  const client = chainClient(rpcUrl);
  const [admitted, added] = await Promise.all([
    client.getContractEvents({
      address: registry,
      abi: memberRegistryAbi,
      eventName: 'MemberAdmitted',
      fromBlock: 0n,
      toBlock: 'latest',
      strict: true,
    }),
    client.getContractEvents({
      address: registry,
      abi: memberRegistryAbi,
      eventName: 'AccountAdded',
      fromBlock: 0n,
      toBlock: 'latest',
      strict: true,
    }),
  ]);
  return Promise.all(
    admitted.map(async (e) => {
      const orgId = e.args.orgId;
      const [m, removedAt] = await Promise.all([
        client.readContract({ address: registry, abi: memberRegistryAbi, functionName: 'member', args: [orgId] }),
        client
          .readContract({ address: registry, abi: memberRegistryAbi, functionName: 'removedAt', args: [orgId] })
          .catch(() => 0n),
      ]);
      const accounts = new Set<Hex>([e.args.account]);
      for (const a of added) if (a.args.orgId === orgId) accounts.add(a.args.account);
      return {
        orgId: Number(orgId),
        name: m.name,
        roles: roleNames(m.roles),
        active: m.active,
        admittedAt: Number(m.admittedAt) * 1000,
        removedAt: removedAt === 0n ? null : Number(removedAt) * 1000,
        accounts: [...accounts],
        admittedTx: e.transactionHash,
        admittedBlock: Number(e.blockNumber),
      };
    }),
  );
}
