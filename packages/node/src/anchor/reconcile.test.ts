import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexToBytes, type Hex } from 'viem';
import type { AnchorRecord } from '../storage/types.js';
import { type ChainAnchor, compareAnchors } from './reconcile.js';

const root = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const tx = (n: number): Hex => `0x${(n + 0xabc).toString(16).padStart(64, '0')}`;
const record = (
  size: number,
  status: AnchorRecord['status'],
  block: number | null,
  confirmedAt: number | null = 1,
): AnchorRecord => ({
  size,
  root: hexToBytes(root(size)),
  timestamp: size,
  status,
  txHash: block === null ? null : tx(size),
  blockNumber: block,
  attempts: 1,
  lastError: null,
  enqueuedAt: 0,
  confirmedAt,
});
const onChain = (size: number, block: number, r = root(size), t = tx(size)): ChainAnchor => ({
  size,
  root: r,
  txHash: t,
  blockNumber: block,
});

describe('compareAnchors', () => {
  it('finds nothing when the chain holds every confirmed head as recorded', () => {
    assert.deepEqual(
      compareAnchors([record(10, 'confirmed', 5), record(20, 'confirmed', 6)], [onChain(10, 5), onChain(20, 6)]),
      [],
    );
  });

  it('names confirmed heads a rolled-back chain lost, and ignores heads never confirmed', () => {
    const found = compareAnchors(
      [
        record(10, 'confirmed', 5),
        record(20, 'confirmed', 6),
        record(25, 'superseded', null, null),
        record(30, 'pending', null, null),
      ],
      [onChain(10, 5)],
    );
    assert.deepEqual(
      found.map((d) => [d.kind, d.size]),
      [['missing', 20]],
    );
  });

  it('tells a different root from a different transaction, and keeps re-queued heads until found', () => {
    const found = compareAnchors(
      [record(10, 'confirmed', 5), record(20, 'confirmed', 6), record(30, 'requeued', 7), record(40, 'requeued', 8)],
      [onChain(10, 5, root(999)), onChain(20, 9, root(20), tx(77)), onChain(30, 10, root(30), tx(78))],
    );
    assert.deepEqual(
      found.map((d) => [d.kind, d.size]),
      [
        ['root_mismatch', 10],
        ['tx_mismatch', 20],
        ['tx_mismatch', 30],
        ['missing', 40],
      ],
    );
  });
});
