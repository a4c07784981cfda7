// Conformance of the TelemetryIndex and of the follower that fills it from the
// log: batches move the cursor only from where it is; a crash between an
// append and its index is caught up at the next start.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateDeviceKey } from '@tradetwin/core/device/keys';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import { TelemetryFollower } from '../../ingest/telemetry-follower.js';
import { hashLeaf } from '../../log/transparency-log.js';
import { StoreError } from '../errors.js';
import type { TelemetryIndexBatch, TelemetryRow } from '../telemetry-index.js';
import { bytesOf, type FreshStorage, withStorage } from './harness.js';

const T0 = 1_764_000_000_000;

const row = (index: number, deviceId: string, seq: number, firstAt: number, lastAt = firstAt): TelemetryRow => ({
  index,
  deviceId,
  seq,
  signedAt: lastAt + 1,
  firstAt,
  lastAt,
  readings: 1 + (seq % 3),
  receivedAt: lastAt + 5,
});

/** A signed telemetry leaf, as ingest writes it. */
function telemetryLeaf(deviceId: string, seq: number, t: number) {
  const key = { deviceId, ...generateDeviceKey(2, bytesOf(deviceId)) };
  const body = signTelemetry({ dev: deviceId, seq, ts: t + 1, r: [{ t, k: 'temp', v: 4.5 }] }, key);
  const data = encodeLeaf({ kind: 'telemetry', receivedAt: t + 5, body });
  return { data, hash: hashLeaf(data) };
}
const otherLeaf = (i: number) => {
  const data = encodeLeaf({ kind: 'document', receivedAt: T0, body: bytesOf(`doc-${i}`) });
  return { data, hash: hashLeaf(data) };
};

export function telemetryIndexConformance(fresh: FreshStorage): void {
  it('telemetry index: empty, then a batch moves the cursor with rows, device state and gaps', () =>
    withStorage(fresh, async (s) => {
      const ix = s.storage.telemetry;
      assert.equal(await ix.telemetryCursor(), 0);
      assert.deepEqual(await ix.deviceStates(), []);
      assert.deepEqual(await ix.gaps(), []);
      assert.deepEqual(await ix.telemetry({ deviceId: 'a' }), []);
      assert.equal(await ix.telemetryAt(0), null);
      const batch: TelemetryIndexBatch = {
        from: 0,
        to: 4,
        rows: [row(0, 'a', 1, T0 + 5_000), row(1, 'a', 4, T0 + 2_000), row(3, 'b', 1, T0 + 3_000, T0 + 9_000)],
        deviceSeqs: new Map([
          ['a', { seq: 4, seenAt: T0 + 2_005 }],
          ['b', { seq: 1, seenAt: T0 + 9_005 }],
        ]),
        gaps: [{ deviceId: 'a', afterSeq: 1, beforeSeq: 4, detectedAt: T0 + 2_005 }],
      };
      await ix.indexTelemetry(batch);
      assert.equal(await ix.telemetryCursor(), 4);
      // Out-of-order reading times: ordered by first reading time, then index.
      assert.deepEqual(await ix.telemetry({ deviceId: 'a' }), [batch.rows[1], batch.rows[0]]);
      assert.deepEqual(await ix.telemetry({ deviceId: 'a', limit: 1 }), [batch.rows[1]]);
      assert.deepEqual(await ix.telemetry({ deviceId: 'a', from: T0 + 3_000, to: T0 + 6_000 }), [batch.rows[0]]);
      // A span that meets the window counts, even when it starts before it.
      assert.deepEqual(await ix.telemetry({ deviceId: 'b', from: T0 + 8_000, to: T0 + 8_500 }), [batch.rows[2]]);
      assert.deepEqual(await ix.telemetryAt(3), batch.rows[2]);
      assert.equal(await ix.telemetryAt(2), null);
      assert.deepEqual(await ix.deviceStates(), [
        { deviceId: 'a', lastSeq: 4, lastSeenAt: T0 + 2_005, gaps: 1 },
        { deviceId: 'b', lastSeq: 1, lastSeenAt: T0 + 9_005, gaps: 0 },
      ]);
      assert.deepEqual(await ix.gaps('a'), batch.gaps);
      assert.deepEqual(await ix.gaps('b'), []);

      // A batch that does not start at the cursor is refused and writes nothing.
      await assert.rejects(
        ix.indexTelemetry({
          from: 3,
          to: 5,
          rows: [row(4, 'c', 1, T0)],
          deviceSeqs: new Map([['c', { seq: 1, seenAt: T0 }]]),
          gaps: [],
        }),
        (e) => e instanceof StoreError && e.code === 'conflict',
      );
      assert.equal(await ix.telemetryCursor(), 4);
      assert.deepEqual(await ix.telemetry({ deviceId: 'c' }), []);
      // A lower seq never moves a device's state back.
      await ix.indexTelemetry({ from: 4, to: 5, rows: [], deviceSeqs: new Map([['a', { seq: 2, seenAt: 1 }]]), gaps: [] });
      assert.equal((await (await s.reopen()).telemetry.deviceStates())[0]?.lastSeq, 4);
    }));

  it('telemetry follower: a crash between append and index is caught up at the next start, gaps derived from the log', () =>
    withStorage(fresh, async (s) => {
      // The node's path: append, then index through the follower.
      const first = [telemetryLeaf('dev-a', 1, T0), otherLeaf(0), telemetryLeaf('dev-b', 1, T0 + 10)];
      await s.storage.log.append(first, []);
      const follower = new TelemetryFollower(s.storage.log, s.storage.telemetry);
      await follower.catchUp();
      assert.equal(await s.storage.telemetry.telemetryCursor(), 3);
      // Appended, then "killed" before the follower ran.
      await s.storage.log.append([telemetryLeaf('dev-a', 2, T0 + 20), telemetryLeaf('dev-a', 5, T0 + 30), otherLeaf(1)], []);
      const restarted = await s.reopen();
      assert.equal(await restarted.telemetry.telemetryCursor(), 3, 'the crash left the index behind the log');
      await new TelemetryFollower(restarted.log, restarted.telemetry).catchUp();
      const ix = restarted.telemetry;
      assert.equal(await ix.telemetryCursor(), 6);
      assert.deepEqual(
        (await ix.telemetry({ deviceId: 'dev-a' })).map((r) => [r.index, r.seq, r.firstAt, r.receivedAt, r.readings]),
        [
          [0, 1, T0, T0 + 5, 1],
          [3, 2, T0 + 20, T0 + 25, 1],
          [4, 5, T0 + 30, T0 + 35, 1],
        ],
      );
      assert.deepEqual(
        (await ix.gaps()).map((g) => [g.deviceId, g.afterSeq, g.beforeSeq]),
        [['dev-a', 2, 5]],
      );
      assert.deepEqual(
        (await ix.deviceStates()).map((d) => [d.deviceId, d.lastSeq, d.gaps]),
        [
          ['dev-a', 5, 1],
          ['dev-b', 1, 0],
        ],
      );
    }));

  it('telemetry follower: rows handed over by a commit give the same index as reading the leaves', () =>
    withStorage(fresh, async (s) => {
      const follower = new TelemetryFollower(s.storage.log, s.storage.telemetry);
      await follower.catchUp();
      const leaves = [telemetryLeaf('dev-c', 1, T0), telemetryLeaf('dev-c', 3, T0 + 10)];
      const { firstIndex } = await s.storage.log.append(leaves, []);
      const handed = [row(firstIndex, 'dev-c', 1, T0), row(firstIndex + 1, 'dev-c', 3, T0 + 10)].map((r) => ({
        ...r,
        signedAt: r.firstAt + 1,
        readings: 1,
      }));
      await follower.follow(firstIndex, handed);
      // Another writer's leaf (EPCIS) in between: the next commit no longer continues the cursor.
      await s.storage.log.append([otherLeaf(2)], []);
      const later = await s.storage.log.append([telemetryLeaf('dev-c', 4, T0 + 20)], []);
      await follower.follow(later.firstIndex, [
        { ...row(later.firstIndex, 'dev-c', 4, T0 + 20), signedAt: T0 + 21, readings: 1 },
      ]);
      // Two commits handed over before the follower ran: indexed together.
      const a = await s.storage.log.append([telemetryLeaf('dev-c', 5, T0 + 30)], []);
      const b = await s.storage.log.append([telemetryLeaf('dev-c', 6, T0 + 40)], []);
      await Promise.all([
        follower.follow(a.firstIndex, [{ ...row(a.firstIndex, 'dev-c', 5, T0 + 30), signedAt: T0 + 31, readings: 1 }]),
        follower.follow(b.firstIndex, [{ ...row(b.firstIndex, 'dev-c', 6, T0 + 40), signedAt: T0 + 41, readings: 1 }]),
      ]);
      assert.equal(await s.storage.telemetry.telemetryCursor(), 6);
      assert.deepEqual(
        (await s.storage.telemetry.telemetry({ deviceId: 'dev-c' })).map((r) => [r.index, r.seq, r.signedAt]),
        [
          [0, 1, T0 + 1],
          [1, 3, T0 + 11],
          [3, 4, T0 + 21],
          [4, 5, T0 + 31],
          [5, 6, T0 + 41],
        ],
      );
      assert.deepEqual(
        (await s.storage.telemetry.gaps('dev-c')).map((g) => [g.afterSeq, g.beforeSeq]),
        [[1, 3]],
      );
    }));
}
