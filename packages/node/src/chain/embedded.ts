// The embedded chain: a local anvil whose state lives in the data directory
// (<dataDir>/chain/anvil-state.json), so contracts, devices and anchored heads
// survive a node restart. Development and single-host demos only; a real
// network is an external endpoint (Besu QBFT).
import { join } from 'node:path';
import { createPublicClient, http, parseEther, type Address } from 'viem';
import { fundAccount, startDevChain } from '@tradetwin/contracts/devchain';

/** Accounts are topped up to this balance when below half of it (gas on the dev chain is not free). */
export const EMBEDDED_FUNDING = parseEther('1000');

export interface EmbeddedChain {
  rpcUrl: string;
  port: number;
  chainId: number;
  stateFile: string;
  /** Stops anvil; it writes its state file on the way out. */
  stop(): Promise<void>;
}

export function embeddedStateFile(dataDir: string): string {
  return join(dataDir, 'chain', 'anvil-state.json');
}

export async function startEmbeddedChain(
  dataDir: string,
  opts: { port: number; chainId: number; fund?: readonly Address[]; genesisTimestamp?: number },
): Promise<EmbeddedChain> {
  const stateFile = embeddedStateFile(dataDir);
  const chain = await startDevChain({
    port: opts.port || undefined,
    chainId: opts.chainId,
    stateFile,
    genesisTimestamp: opts.genesisTimestamp,
  });
  try {
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    for (const address of opts.fund ?? []) {
      // The dev faucet (anvil_setBalance); only when low, so restarts leave the balance history alone.
      if ((await client.getBalance({ address })) < EMBEDDED_FUNDING / 2n)
        await fundAccount(chain.rpcUrl, address, EMBEDDED_FUNDING);
    }
  } catch (err) {
    await chain.stop();
    throw err;
  }
  return { rpcUrl: chain.rpcUrl, port: chain.port, chainId: chain.chainId, stateFile, stop: () => chain.stop() };
}
