// Chain reads for verifying many proof bundles of one excursion: they share
// anchors and devices, so each is asked of the chain once.
import type { VerifyBundleOptions } from '@tradetwin/core/proof/verify-bundle';

export function cachedReaders(r: Required<VerifyBundleOptions>): Required<VerifyBundleOptions> {
  const anchors = new Map<string, ReturnType<typeof r.readAnchor>>();
  const devices = new Map<string, ReturnType<typeof r.readDevice>>();
  return {
    readAnchor: (a) => {
      const k = `${a.chainId}:${a.logAnchor}:${a.publisher}:${a.size}`;
      if (!anchors.has(k)) anchors.set(k, r.readAnchor(a));
      return anchors.get(k)!;
    },
    readDevice: (d) => {
      const k = `${d.deviceRegistry}:${d.idHash}`;
      if (!devices.has(k)) devices.set(k, r.readDevice(d));
      return devices.get(k)!;
    },
  };
}
