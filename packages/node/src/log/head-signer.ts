// A head signer from a raw private key: used by the node (with its configured
// key) and by tests.
import { privateKeyToAccount } from 'viem/accounts';
import type { HeadSigner } from './transparency-log.js';

export function headSignerFromKey(privateKey: `0x${string}`): HeadSigner {
  const account = privateKeyToAccount(privateKey);
  return {
    address: account.address,
    signDigest: (digest) => account.signMessage({ message: { raw: digest } }),
  };
}
