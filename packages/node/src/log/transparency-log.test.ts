import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bytesToHex } from 'viem';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { memorySubtree, treeRoot } from '@tradetwin/core/merkle/proof';
import { verifyConsistency, verifyInclusion } from '@tradetwin/core/merkle/verify';
import { recoverTreeHeadSigner } from '@tradetwin/core/proof/head';
import { StoreError } from '../storage/errors.js';
import { sqliteNodeStore } from '../storage/test-support.js';
import { headSignerFromKey } from './head-signer.js';
import { TILE_SIZE, TransparencyLog } from './transparency-log.js';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const dir = mkdtempSync(join(tmpdir(), 'tt-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const leafData = (i: number) => new TextEncoder().encode(`leaf-${i}`);

describe('transparency log over the SQLite store', () => {
  it('agrees with the RFC 9162 reference at every size across tile boundaries, and after reopening', async () => {
    const path = join(dir, 'a.db');
    let store = await sqliteNodeStore(path);
    let log = await TransparencyLog.open(store, headSignerFromKey(KEY));
    const total = TILE_SIZE * 3 + 37;
    const reference = Array.from({ length: total }, (_, i) => leafHash(leafData(i)));
    const ref = memorySubtree(reference);
    let i = 0;
    let reopened = false;
    // Uneven batch sizes so batches straddle tile boundaries.
    for (const n of [1, 2, 250, 3, 256, 300, 1, total]) {
      const batch = [];
      for (let j = 0; j < n && i < total; j++, i++) batch.push({ data: leafData(i) });
      if (batch.length) await log.append(batch);
      assert.equal(bytesToHex(await log.root()), bytesToHex(treeRoot(log.size, ref)), `root at size ${log.size}`);
      if (i === 512) {
        // Reopen mid-way: the tree must continue from the store alone.
        await store.close();
        store = await sqliteNodeStore(path);
        log = await TransparencyLog.open(store, headSignerFromKey(KEY));
        assert.equal(log.size, 512);
        reopened = true;
      }
    }
    assert.ok(reopened, 'the test reopened the log mid-way');
    assert.equal(log.size, total);
    for (const size of [1, 255, 256, 257, 512, 700, total]) {
      const root = await log.root(size);
      for (const idx of new Set([0, Math.min(1, size - 1), Math.floor(size / 2), size - 1])) {
        const proof = await log.inclusionProof(idx, size);
        assert.deepEqual(verifyInclusion(idx, size, reference[idx]!, proof, root), { ok: true });
      }
    }
    for (const [m, n] of [
      [1, 2],
      [255, 256],
      [256, 257],
      [300, 800],
      [512, total],
      [total, total],
    ] as const) {
      const proof = await log.consistencyProof(m, n);
      const r = verifyConsistency(m, n, await log.root(m), await log.root(n), proof);
      assert.deepEqual(r, { ok: true }, `${m} -> ${n}`);
    }
    await store.close();
  });

  it('signs heads recoverable to the node account and refuses out-of-range proofs', async () => {
    const store = await sqliteNodeStore(':memory:');
    const signer = headSignerFromKey(KEY);
    const log = await TransparencyLog.open(store, signer);
    await log.append([{ data: leafData(1) }, { data: leafData(2) }, { data: leafData(3) }]);
    const head = await log.signHead(1_764_000_000_000);
    assert.equal(head.size, 3);
    const signer2 = await recoverTreeHeadSigner(
      { size: head.size, root: bytesToHex(head.root), timestamp: head.timestamp },
      head.signature,
    );
    assert.equal(signer2, signer.address);
    assert.deepEqual(await store.latestHead(), head);
    await assert.rejects(log.inclusionProof(3, 3), /not in a tree/);
    await assert.rejects(log.inclusionProof(0, 4), /beyond the log/);
    await assert.rejects(log.consistencyProof(4, 3), /beyond the log|no consistency/);
  });

  it('leaves the tree unchanged when the store refuses an append, and continues from the store after', async () => {
    const store = await sqliteNodeStore(':memory:');
    let refuse = false;
    const refusing = {
      ...store,
      append: (leaves: Parameters<typeof store.append>[0], tiles: Parameters<typeof store.append>[1]) =>
        refuse
          ? Promise.reject(new StoreError('unavailable', 'append failed: the database went away'))
          : store.append(leaves, tiles),
    };
    const log = await TransparencyLog.open(refusing, headSignerFromKey(KEY));
    await log.append([{ data: leafData(1) }]);
    const rootBefore = bytesToHex(await log.root());
    refuse = true;
    await assert.rejects(log.append([{ data: leafData(2) }, { data: leafData(3) }]), /append failed/);
    assert.equal(log.size, 1);
    assert.equal(await store.size(), 1);
    assert.equal(bytesToHex(await log.root()), rootBefore);
    refuse = false;
    await log.append([{ data: leafData(2) }]);
    assert.equal(log.size, 2);
  });
});
