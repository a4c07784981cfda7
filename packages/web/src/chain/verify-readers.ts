// The chain reads verifyBundle needs, done in the browser against the chain's
// JSON-RPC (@tradetwin/contracts/bundle-readers). The RPC must serve the chain
// the bundle names, or the anchor check fails saying so.
import { type BundleChainReaders, bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import { chainClient } from './client.js';

export function chainReaders(rpcUrl: string): BundleChainReaders {
  return bundleChainReaders(chainClient(rpcUrl), `the RPC ${rpcUrl}`);
}
