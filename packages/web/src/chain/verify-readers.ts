// The two chain reads verifyBundle needs (core/proof/verify-bundle.ts), done in
// the browser against the chain's JSON-RPC: LogAnchor.rootAt(publisher, size)
// and DeviceRegistry.device(idHash). The RPC must serve the chain the bundle
// names, or the anchor check fails saying so.
import type { Hex } from 'viem';
import { deviceRegistryAbi } from '@tradetwin/contracts/generated/DeviceRegistry';
import { logAnchorAbi } from '@tradetwin/contracts/generated/LogAnchor';
import type { AnchorQuery, DeviceQuery, RegisteredDevice, VerifyBundleOptions } from '@tradetwin/core/proof/verify-bundle';
import { chainClient } from './client.js';

export function chainReaders(rpcUrl: string): Required<VerifyBundleOptions> & { chainId: () => Promise<number> } {
  const client = chainClient(rpcUrl);
  let chainId: Promise<number> | null = null;
  const servedChain = () => (chainId ??= client.getChainId());
  return {
    chainId: servedChain,
    readAnchor: async (a: AnchorQuery) => {
      const served = await servedChain();
      if (served !== a.chainId) throw new Error(`the RPC ${rpcUrl} serves chain ${served}, the bundle names chain ${a.chainId}`);
      const root = await client.readContract({
        address: a.logAnchor,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [a.publisher, BigInt(a.size)],
      });
      return /^0x0+$/.test(root) ? null : root;
    },
    readDevice: async (d: DeviceQuery): Promise<RegisteredDevice | null> => {
      const r = await client.readContract({
        address: d.deviceRegistry,
        abi: deviceRegistryAbi,
        functionName: 'device',
        args: [d.idHash],
      });
      if (r.ownerOrg === 0n) return null;
      return {
        keyType: r.keyType as 1 | 2,
        publicKey: r.publicKey as Hex,
        revokedAt: r.revokedAt === 0n ? null : Number(r.revokedAt) * 1000,
      };
    },
  };
}
