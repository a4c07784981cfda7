// After genesis only a passed proposal admits or suspends a member. Tests and
// fixtures that need more members after the node founded its network go
// through that real path: the node's organisation proposes, the members vote,
// the proposal is executed (node-founded networks have no execution delay).
import type { Address, Hex } from 'viem';
import { fundAccount } from '@tradetwin/contracts/devchain';
import { createChainClients, type ChainClients } from '../chain/clients.js';
import { admitByVote, passByVote } from '../chain/governance.js';

interface NodeLike {
  clients: ChainClients;
  contracts: { governance?: Address };
}

export function governanceOf(node: NodeLike): Address {
  const g = node.contracts.governance;
  if (!g) throw new Error('this network has no ConsortiumGovernance contract');
  return g;
}

/**
 * Admit members by vote; returns their org ids. Proposals made together share one electorate, so
 * on a network the node founded alone its own vote admits them all; later admissions need the
 * votes of other members (`voters`).
 */
export async function admitMembers(
  node: NodeLike,
  members: { account: Address; name: string; roles: number }[],
  voters: ChainClients[] = [],
): Promise<number[]> {
  return admitByVote(node.clients, governanceOf(node), members, voters);
}

/** Suspend or reactivate a member by vote. */
export async function setMemberActive(
  node: NodeLike,
  orgId: number,
  active: boolean,
  voters: ChainClients[] = [],
): Promise<void> {
  await passByVote(node.clients, governanceOf(node), [{ kind: 'status', orgId, active }], voters);
}

/** Chain clients for a member's key on the node's chain, funded so that it can vote. */
export async function fundedClients(node: NodeLike & { rpcUrl: string }, key: Hex): Promise<ChainClients> {
  const c = createChainClients({
    rpcUrl: node.rpcUrl,
    chainId: node.clients.chain.id,
    signerKey: key,
    gasPrice: 'auto',
    pollingIntervalMs: 50,
  });
  await fundAccount(node.rpcUrl, c.account.address, 10n ** 19n);
  return c;
}
