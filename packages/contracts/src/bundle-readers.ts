// The two chain reads a proof bundle's verification needs
// (core/proof/verify-bundle.ts): LogAnchor.rootAt(publisher, size) and
// DeviceRegistry.device(idHash), over any viem public client — the CLI's, a
// node's, or a browser's. Isomorphic: viem and the generated ABIs only.
import type { Hex, PublicClient } from 'viem';
import { deviceRegistryAbi } from './generated/DeviceRegistry.js';
import { logAnchorAbi } from './generated/LogAnchor.js';

export interface BundleChainReaders {
  /** The chain id the client serves (asked once). */
  chainId(): Promise<number>;
  /** LogAnchor.rootAt; null when nothing is anchored at that size. Refuses a bundle naming another chain. */
  readAnchor(a: { chainId: number; logAnchor: Hex; publisher: Hex; size: number }): Promise<Hex | null>;
  /** DeviceRegistry.device; null for an unknown device. Times in ms. */
  readDevice(d: {
    deviceId?: string;
    idHash: Hex;
    deviceRegistry: Hex;
  }): Promise<{ keyType: 1 | 2; publicKey: Hex; revokedAt: number | null } | null>;
}

/** `label` names the endpoint in the error when it serves another chain than the bundle's. */
export function bundleChainReaders(
  client: Pick<PublicClient, 'readContract' | 'getChainId'>,
  label = 'the RPC',
): BundleChainReaders {
  let chainId: Promise<number> | null = null;
  const served = () => {
    chainId ??= client.getChainId();
    return chainId;
  };
  return {
    chainId: served,
    readAnchor: async (a) => {
      const id = await served();
      if (id !== a.chainId) throw new Error(`${label} serves chain ${id}, the bundle names chain ${a.chainId}`);
      const root = await client.readContract({
        address: a.logAnchor,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [a.publisher, BigInt(a.size)],
      });
      return /^0x0+$/.test(root) ? null : root;
    },
    readDevice: async (d) => {
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
