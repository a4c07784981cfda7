// The MemberRegistry as the command service asks it: which active member
// organisation an account belongs to.
import type { Address } from 'viem';
import type { ChainClients } from '../chain/clients.js';
import { hasMemberRole, orgOf } from '../chain/members.js';
import type { MemberDirectory } from './service.js';

export function chainMemberDirectory(clients: ChainClients, registry: Address): MemberDirectory {
  return {
    async orgOf(account) {
      // Two reads at once: whose account it is, and whether that member is active (role 0: any).
      const [id, active] = await Promise.all([
        orgOf(clients, registry, account as Address),
        hasMemberRole(clients, registry, account as Address, 0),
      ]);
      return id !== 0 && active ? id : null;
    },
  };
}
