import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { SqliteStore } from './sqlite.js';
import { type AppendBatch, type LeafInput, StoreError } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'tt-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function leaf(deviceId: string, seq: number, firstAt = 1_000 * seq): LeafInput {
  const data = Uint8Array.of(seq & 0xff, deviceId.length);
  return {
    data,
    hash: new Uint8Array(32).fill(seq & 0xff),
    telemetry: { deviceId, seq, signedAt: firstAt, firstAt, lastAt: firstAt, readings: 1, receivedAt: firstAt + 5 },
  };
}

function batch(leaves: LeafInput[]): AppendBatch {
  const deviceSeqs = new Map<string, { seq: number; seenAt: number }>();
  for (const l of leaves) deviceSeqs.set(l.telemetry!.deviceId, { seq: l.telemetry!.seq, seenAt: l.telemetry!.receivedAt });
  return { leaves, tiles: [], deviceSeqs, gaps: [] };
}

const isConflict = (err: unknown) => err instanceof StoreError && err.code === 'conflict';

describe('SqliteStore telemetry appends', () => {
  it('refuse a seq that does not exceed the device’s last one, in the batch or stored, and write nothing then', async () => {
    const path = join(dir, 'seq.db');
    let store = new SqliteStore({ path });
    await store.append(batch([leaf('a', 1), leaf('b', 1), leaf('a', 3)]));
    // Stored before: a duplicate, and an older seq.
    await assert.rejects(store.append(batch([leaf('b', 2), leaf('a', 3)])), isConflict);
    await assert.rejects(store.append(batch([leaf('a', 2)])), isConflict);
    // Within one batch.
    await assert.rejects(store.append(batch([leaf('c', 5), leaf('c', 5)])), isConflict);
    await assert.rejects(store.append(batch([leaf('c', 5), leaf('c', 4)])), isConflict);
    assert.equal(await store.size(), 3);
    assert.deepEqual(
      (await store.telemetry({ deviceId: 'b' })).map((r) => r.seq),
      [1],
      'the refused batch left no row of its other device',
    );
    assert.deepEqual(await store.telemetry({ deviceId: 'c' }), []);
    // A refused batch does not move the rule: c may still start at 5, b continue at 2.
    await store.append(batch([leaf('c', 5), leaf('b', 2)]));
    await store.close();

    // After a restart the rule reads device_state.
    store = new SqliteStore({ path });
    await assert.rejects(store.append(batch([leaf('a', 3)])), isConflict);
    await assert.rejects(store.append(batch([leaf('c', 1)])), isConflict);
    const { firstIndex } = await store.append(batch([leaf('a', 4), leaf('c', 9)]));
    assert.equal(firstIndex, 5);
    assert.deepEqual(
      (await store.deviceStates()).map((s) => [s.deviceId, s.lastSeq]),
      [
        ['a', 4],
        ['b', 2],
        ['c', 9],
      ],
    );
    await store.close();
  });

  it('keep device_state complete when the caller leaves a device out of deviceSeqs', async () => {
    const path = join(dir, 'state.db');
    let store = new SqliteStore({ path });
    await store.append({ leaves: [leaf('d', 7)], tiles: [], deviceSeqs: new Map(), gaps: [] });
    await store.close();
    store = new SqliteStore({ path });
    assert.deepEqual(
      (await store.deviceStates()).map((s) => [s.deviceId, s.lastSeq, s.lastSeenAt]),
      [['d', 7, 7_005]],
    );
    await assert.rejects(store.append(batch([leaf('d', 7)])), isConflict);
    await store.close();
  });

  it('drop the old unique (device, seq) index of an existing store; time queries still use their index', async () => {
    const path = join(dir, 'old.db');
    new SqliteStore({ path }).close();
    const raw = new DatabaseSync(path);
    raw.exec('CREATE UNIQUE INDEX telemetry_device_seq ON telemetry(device, seq)');
    raw.close();
    const store = new SqliteStore({ path });
    const db = store.unsafeDatabase();
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'telemetry'").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    assert.deepEqual(indexes, ['telemetry_device_time']);
    // Out-of-order reading times: the query orders by first_at, whatever the seq order.
    await store.append(batch([leaf('e', 1, 5_000), leaf('e', 2, 2_000), leaf('e', 3, 9_000), leaf('f', 1, 3_000)]));
    const rows = await store.telemetry({ deviceId: 'e', from: 1_000, to: 6_000 });
    assert.deepEqual(
      rows.map((r) => [r.seq, r.firstAt]),
      [
        [2, 2_000],
        [1, 5_000],
      ],
    );
    const plan = (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM telemetry WHERE device = ? AND last_at >= ? AND first_at <= ? ORDER BY first_at, idx LIMIT ?`,
        )
        .all('e', 0, 1, 1) as { detail: string }[]
    ).map((r) => r.detail);
    assert.ok(
      plan.some((d) => d.includes('telemetry_device_time')),
      plan.join('; '),
    );
    await store.close();
  });
});
