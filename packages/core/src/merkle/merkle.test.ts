import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { consistencyProof, inclusionProof, memorySubtree, treeRoot } from './proof.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

// The leaf inputs used by the Certificate Transparency reference test suite.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) =>
  hexToBytes(h),
);

describe('RFC 9162 hashing', () => {
  it('hashes the empty tree, a leaf and a node with domain separation', () => {
    assert.equal(bytesToHex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(bytesToHex(leafHash(new Uint8Array())), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.notEqual(bytesToHex(nodeHash(EMPTY_ROOT, EMPTY_ROOT)), bytesToHex(leafHash(new Uint8Array(64))));
  });

  it('matches the CT reference root for the eight-leaf tree', () => {
    const leaves = CT_LEAVES.map(leafHash);
    assert.equal(
      bytesToHex(treeRoot(8, memorySubtree(leaves))),
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    );
  });
});

describe('inclusion proofs', () => {
  const leaves = Array.from({ length: 70 }, (_, i) => leafHash(new TextEncoder().encode(`reading-${i}`)));
  const sub = memorySubtree(leaves);

  it('verify for every leaf of every tree size up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      const root = treeRoot(n, sub);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, sub);
        assert.deepEqual(verifyInclusion(i, n, leaves[i]!, proof, root), { ok: true }, `leaf ${i} of ${n}`);
      }
    }
  });

  it('fail for a changed leaf, a changed path node, a wrong index or a short path', () => {
    const n = 37;
    const root = treeRoot(n, sub);
    const proof = inclusionProof(5, n, sub);
    assert.equal(verifyInclusion(5, n, leaves[6]!, proof, root).ok, false);
    const bent = proof.map((p, j) => (j === 2 ? leafHash(p) : p));
    assert.equal(verifyInclusion(5, n, leaves[5]!, bent, root).ok, false);
    assert.equal(verifyInclusion(4, n, leaves[5]!, proof, root).ok, false);
    assert.equal(verifyInclusion(5, n, leaves[5]!, proof.slice(1), root).ok, false);
    assert.equal(verifyInclusion(40, n, leaves[5]!, proof, root).ok, false);
    assert.throws(() => inclusionProof(n, n, sub), RangeError);
  });
});

describe('consistency proofs', () => {
  const leaves = Array.from({ length: 50 }, (_, i) => leafHash(new Uint8Array([i, i >> 8])));
  const sub = memorySubtree(leaves);

  it('verify between every pair of sizes up to 50', () => {
    for (let n = 1; n <= 50; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, n, sub);
        const r = verifyConsistency(m, n, treeRoot(m, sub), treeRoot(n, sub), proof);
        assert.deepEqual(r, { ok: true }, `${m} -> ${n}`);
      }
    }
  });

  it('fail for a rewritten history, swapped sizes or a truncated proof', () => {
    const other = leaves.slice();
    other[3] = leafHash(new Uint8Array([0xff]));
    const forged = memorySubtree(other);
    const proof = consistencyProof(7, 20, sub);
    assert.equal(verifyConsistency(7, 20, treeRoot(7, forged), treeRoot(20, sub), proof).ok, false);
    assert.equal(verifyConsistency(7, 20, treeRoot(7, sub), treeRoot(20, forged), proof).ok, false);
    assert.equal(verifyConsistency(7, 20, treeRoot(7, sub), treeRoot(20, sub), proof.slice(0, -1)).ok, false);
    assert.equal(verifyConsistency(20, 7, treeRoot(20, sub), treeRoot(7, sub), proof).ok, false);
  });
});
