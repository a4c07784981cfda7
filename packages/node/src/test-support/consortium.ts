// Several member nodes over one real chain for end-to-end tests of what passes
// between organisations: a dev chain of its own, the first node deploys the
// contracts with the others as genesis members (admission is by vote after
// genesis), the others start against the same addresses — each with its own data dir, keys, HTTP port, log and store.
import { rmSync } from 'node:fs';
import { DEV_ACCOUNTS, type DevChain, freePort, startDevChain } from '@tradetwin/contracts/devchain';
import { privateKeyToAccount } from 'viem/accounts';
import { ROLES } from '../chain/members.js';
import { startTestNode, type TestNode, tempDataDir } from './node-fixture.js';

export interface TestConsortium {
  chain: DevChain;
  /** One node per organisation, in order; nodes[0] founded the network (org 1). */
  nodes: TestNode[];
  dispose(): Promise<void>;
}

/** `names.length` member nodes (≤ 9: one dev account each) over one fresh dev chain. */
export async function startTestConsortium(names: string[]): Promise<TestConsortium> {
  const chainDir = tempDataDir('tt-consortium-chain-');
  const chain = await startDevChain({ port: await freePort(), stateFile: `${chainDir}/anvil-state.json` });
  const nodes: TestNode[] = [];
  const external = (i: number) => ({
    mode: 'external' as const,
    rpcUrl: chain.rpcUrl,
    chainId: 31337,
    gasPrice: 'auto' as const,
    pollingIntervalMs: 50,
    addresses: i === 0 ? undefined : nodes[0]!.node.contracts,
  });
  try {
    const genesisMembers = names.slice(1).map((name, i) => ({
      account: privateKeyToAccount(DEV_ACCOUNTS[i + 1]!).address,
      name,
      roles: ROLES.SHIPPER | ROLES.INSURER | ROLES.ORACLE | ROLES.CARRIER,
    }));
    for (let i = 0; i < names.length; i++) {
      const key = DEV_ACCOUNTS[i]!;
      nodes.push(
        await startTestNode({
          configure: (c) => {
            c.chain = external(i);
            c.signerKey = key;
            c.orgName = names[i]!;
            if (i === 0) c.genesis = { members: genesisMembers };
          },
        }),
      );
    }
  } catch (err) {
    for (const n of nodes) await n.dispose().catch(() => undefined);
    await chain.stop();
    rmSync(chainDir, { recursive: true, force: true });
    throw err;
  }
  return {
    chain,
    nodes,
    dispose: async () => {
      for (const n of nodes) await n.dispose().catch(() => undefined);
      await chain.stop();
      rmSync(chainDir, { recursive: true, force: true });
    },
  };
}
