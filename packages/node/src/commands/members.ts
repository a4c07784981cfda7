// The MemberRegistry as the command service asks it: which active member
// organisation an account belongs to.
import type { Address } from 'viem';
import type { ChainClients } from '../chain/clients.js';
import { orgOf, readMember } from '../chain/members.js';
import type { MemberDirectory } from './service.js';

export function chainMemberDirectory(clients: ChainClients, registry: Address): MemberDirectory {
  return {
    async orgOf(account) {
      const id = await orgOf(clients, registry, account as Address);
      if (id === 0) return null;
      const m = await readMember(clients, registry, id);
      return m?.active ? id : null;
    },
  };
}
