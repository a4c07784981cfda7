// Interoperability: TradeTwin checkpoints and inclusion proofs checked by an independent
// implementation — Sigstore's verifier (@sigstore/verify, which checks Rekor checkpoints as
// signed notes, with OpenSSL's Ed25519 through node:crypto, and RFC 6962 inclusion proofs).
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
// Deep imports: these functions are the package's own checkpoint and Merkle verification, not re-exported at its root.
import { verifyCheckpoint } from '@sigstore/verify/dist/tlog/checkpoint.js';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle.js';
import { leafHash } from '../merkle/hash.js';
import { inclusionProof, memorySubtree, treeRoot } from '../merkle/proof.js';
import { formatCheckpoint } from './checkpoint.js';
import { cosign } from './cosignature.js';
import { ed25519NoteSigner, formatSignatureLine, keyId, SIG_TYPE_ED25519, signNote } from './note.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function sigstoreLog(origin: string, publicKey: Uint8Array) {
  const id = Buffer.alloc(32);
  id.writeUInt32BE(keyId(origin, SIG_TYPE_ED25519, publicKey));
  return {
    // Sigstore matches a signature by the first four bytes of the log ID (the C2SP key ID) and the key name.
    logID: id,
    baseURL: `https://${origin}`,
    publicKey: createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }),
    validFor: { start: new Date(0), end: new Date(8.64e15) },
  };
}

describe('interop with @sigstore/verify', () => {
  const sk = ed25519.utils.randomSecretKey();
  const pk = ed25519.getPublicKey(sk);
  const origin = 'tradetwin.test/org-1';
  const entries = Array.from({ length: 300 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
  const sub = memorySubtree(entries.map(leafHash));
  const size = entries.length;
  const text = formatCheckpoint({ origin, size, root: treeRoot(size, sub), extensions: [] });
  // A checkpoint carrying a witness cosignature as well: Sigstore must ignore the unknown signature line.
  const note =
    signNote(text, [ed25519NoteSigner(origin, sk)]) +
    formatSignatureLine(cosign(text, 'w.test', ed25519.utils.randomSecretKey(), 1_700_000_000));

  const entry = (index: number, env: string) =>
    ({
      canonicalizedBody: Buffer.from(entries[index]!),
      inclusionProof: {
        logIndex: String(index),
        treeSize: String(size),
        rootHash: Buffer.from(treeRoot(size, sub)),
        hashes: inclusionProof(index, size, sub).map((h) => Buffer.from(h)),
        checkpoint: { envelope: env },
      },
    }) as never;

  it('accepts a TradeTwin checkpoint and an inclusion proof against it', () => {
    const checkpoint = verifyCheckpoint(entry(257, note), [sigstoreLog(origin, pk)] as never);
    assert.equal(checkpoint.origin, origin);
    assert.equal(checkpoint.logSize, BigInt(size));
    for (const i of [0, 255, 256, 299]) verifyMerkleInclusion(entry(i, note), checkpoint);
  });

  it('refuses it when the text changed or the key is another', () => {
    const forged = note.replace(`\n${size}\n`, `\n${size + 1}\n`);
    assert.throws(() => verifyCheckpoint(entry(0, forged), [sigstoreLog(origin, pk)] as never), /invalid checkpoint signature/);
    const otherPk = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    assert.throws(
      () => verifyCheckpoint(entry(0, note), [sigstoreLog(origin, otherPk)] as never),
      /invalid checkpoint signature/,
    );
  });
});
