// Conformance of LogStorage: leaves, tiles and signed heads, on any driver.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bytesToHex } from 'viem';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { memorySubtree, treeRoot } from '@tradetwin/core/merkle/proof';
import { headSignerFromKey } from '../../log/head-signer.js';
import { TILE_SIZE, TransparencyLog } from '../../log/transparency-log.js';
import { StoreError } from '../errors.js';
import type { SignedTreeHead } from '../log.js';
import { bytesOf, type FreshStorage, hash32, withStorage } from './harness.js';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const leafData = (i: number) => bytesOf(`leaf-${i}`);
const leaves = (from: number, n: number) =>
  Array.from({ length: n }, (_, j) => ({ data: leafData(from + j), hash: hash32(from + j) }));
const head = (size: number, ts = 1_764_000_000_000 + size): SignedTreeHead => ({
  size,
  root: hash32(size, 7),
  timestamp: ts,
  signature: new Uint8Array(65).fill(size & 0xff),
  signer: '0x00000000000000000000000000000000000000aa',
});

export function logConformance(fresh: FreshStorage): void {
  it('log: an empty log has size 0, no leaves, tiles or heads', () =>
    withStorage(fresh, async ({ storage: { log } }) => {
      assert.equal(await log.size(), 0);
      assert.equal(await log.leaf(0), null);
      assert.deepEqual(await log.leaves(0, 10), []);
      assert.deepEqual(await log.leafHashes(0, 0), []);
      assert.deepEqual(await log.tiles(), []);
      assert.equal(await log.latestHead(), null);
      assert.equal(await log.head(0), null);
      assert.deepEqual(await log.heads(), []);
    }));

  it('log: appends get the next indices and read back byte for byte, after a reopen too', () =>
    withStorage(fresh, async (s) => {
      assert.deepEqual(await s.storage.log.append(leaves(0, 3), []), { firstIndex: 0 });
      assert.deepEqual(await s.storage.log.append(leaves(3, 2), []), { firstIndex: 3 });
      const log = (await s.reopen()).log;
      assert.equal(await log.size(), 5);
      const l = await log.leaf(3);
      assert.deepEqual(l && { index: l.index, data: [...l.data], hash: [...l.hash] }, {
        index: 3,
        data: [...leafData(3)],
        hash: [...hash32(3)],
      });
      assert.deepEqual(
        (await log.leaves(1, 4)).map((x) => x.index),
        [1, 2, 3],
      );
      assert.deepEqual(await log.append(leaves(5, 1), []), { firstIndex: 5 });
    }));

  it('log: leaf ranges page through the log; a range past the end is cut; missing hashes are corrupt', () =>
    withStorage(fresh, async ({ storage: { log } }) => {
      await log.append(leaves(0, 10), []);
      const pages: number[][] = [];
      for (let start = 0; start < 10; start += 4) pages.push((await log.leaves(start, start + 4)).map((l) => l.index));
      assert.deepEqual(pages, [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ]);
      assert.deepEqual(await log.leaves(10, 20), []);
      assert.equal((await log.leafHashes(2, 10)).length, 8);
      await assert.rejects(log.leafHashes(8, 12), (e) => e instanceof StoreError && e.code === 'corrupt');
    }));

  it('log: tile boundaries (255, 256, 257, 512 leaves): tiles stored with their leaves, roots agree with RFC 9162, after reopen', () =>
    withStorage(fresh, async (s) => {
      const signer = headSignerFromKey(KEY);
      let tlog = await TransparencyLog.open(s.storage.log, signer);
      const data = Array.from({ length: 2 * TILE_SIZE + 1 }, (_, i) => leafData(i));
      const ref = memorySubtree(data.map((d) => leafHash(d)));
      let i = 0;
      for (const size of [255, 256, 257, 512, 513]) {
        await tlog.append(data.slice(i, size).map((d) => ({ data: d })));
        i = size;
        assert.equal(tlog.size, size);
        assert.equal(await s.storage.log.size(), size);
        assert.deepEqual(
          (await s.storage.log.tiles()).map((t) => t.index),
          Array.from({ length: Math.floor(size / TILE_SIZE) }, (_, k) => k),
          `tiles at size ${size}`,
        );
        assert.equal(bytesToHex(await tlog.root()), bytesToHex(treeRoot(size, ref)), `root at ${size}`);
        if (size === 256 || size === 512) {
          tlog = await TransparencyLog.open((await s.reopen()).log, signer);
          assert.equal(bytesToHex(await tlog.root()), bytesToHex(treeRoot(size, ref)), `root after reopen at ${size}`);
        }
      }
      const tiles = await s.storage.log.tiles();
      assert.equal(
        bytesToHex(tiles[1]!.hash),
        bytesToHex(treeRoot(TILE_SIZE, memorySubtree(data.slice(256, 512).map((d) => leafHash(d))))),
      );
    }));

  it('log: concurrent appends get contiguous, distinct indices', () =>
    withStorage(fresh, async ({ storage: { log } }) => {
      const batches = Array.from({ length: 20 }, (_, b) => leaves(b * 1000, 3));
      const results = await Promise.all(batches.map((b) => log.append(b, [])));
      const firsts = results.map((r) => r.firstIndex).sort((a, b) => a - b);
      assert.deepEqual(
        firsts,
        Array.from({ length: 20 }, (_, k) => k * 3),
      );
      assert.equal(await log.size(), 60);
      // Each batch's leaves sit together at the index it was given.
      for (const [b, r] of results.entries()) {
        const got = await log.leaves(r.firstIndex, r.firstIndex + 3);
        assert.deepEqual(
          got.map((l) => new TextDecoder().decode(l.data)),
          [0, 1, 2].map((j) => `leaf-${b * 1000 + j}`),
        );
      }
    }));

  it('log: a snapshot read describes one moment while another connection appends', () =>
    withStorage(fresh, async (s) => {
      await s.storage.log.append(leaves(0, 2), []);
      const other = await s.openAnother();
      try {
        const seen = await s.storage.readSnapshot(async () => {
          const before = await s.storage.log.size();
          await other.log.append(leaves(2, 3), []);
          await other.log.saveHead(head(5));
          return {
            before,
            after: await s.storage.log.size(),
            leaves: (await s.storage.log.leaves(0, 10)).length,
            head: await s.storage.log.latestHead(),
          };
        });
        assert.deepEqual(seen, { before: 2, after: 2, leaves: 2, head: null });
        assert.equal((await other.log.leaves(0, 10)).length, 5);
      } finally {
        await other.close();
      }
    }));

  it('log: a head is stored once per size; heads page newest first', () =>
    withStorage(fresh, async ({ storage: { log } }) => {
      for (const size of [1, 5, 3, 9]) await log.saveHead(head(size));
      await log.saveHead({ ...head(5), timestamp: 1 });
      assert.equal((await log.head(5))?.timestamp, head(5).timestamp, 'the first head at a size stays');
      assert.deepEqual(await log.latestHead(), head(9));
      assert.deepEqual(
        (await log.heads(2)).map((h) => h.size),
        [9, 5],
      );
      assert.deepEqual(
        (await log.heads()).map((h) => h.size),
        [9, 5, 3, 1],
      );
      assert.deepEqual(await log.head(3), head(3));
      assert.equal(await log.head(4), null);
    }));
}
