import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { privateKeyToAccount } from 'viem/accounts';
import { recoverTreeHeadSigner, treeHeadDigest } from './head.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const head = { size: 1234, root: `0x${'ab'.repeat(32)}` as const, timestamp: 1_764_000_000_000 };

describe('signed tree heads', () => {
  it('recover the signing account', async () => {
    const sig = await account.signMessage({ message: { raw: treeHeadDigest(head) } });
    assert.equal(await recoverTreeHeadSigner(head, sig), account.address);
  });

  it('bind size, root and time: changing any gives another signer', async () => {
    const sig = await account.signMessage({ message: { raw: treeHeadDigest(head) } });
    for (const changed of [
      { ...head, size: 1235 },
      { ...head, root: `0x${'ac'.repeat(32)}` as const },
      { ...head, timestamp: head.timestamp + 1 },
    ]) {
      assert.notEqual(await recoverTreeHeadSigner(changed, sig), account.address);
    }
  });
});
