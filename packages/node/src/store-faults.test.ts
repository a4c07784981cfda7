// The node and its database failing: PostgreSQL unreachable at start, a
// database migrated by a newer TradeTwin, and the connection lost during
// ingest (through a proxy the test cuts: a real PostgreSQL behind it). Each is
// a clear refusal that loses nothing, and the node recovers by itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { connectDevice } from './device/mqtt-device.js';
import { StoreError } from './storage/errors.js';
import { MIGRATIONS_TABLE_SQL } from './storage/migrations.js';
import {
  forEachDriver,
  freshDriver,
  freshPostgresDatabase,
  openRawDatabase,
  POSTGRES_SKIP_MESSAGE,
  postgresForTests,
  type RawDatabase,
} from './storage/test-support.js';
import { runCli } from './test-support/cli.js';
import { deviceKey, envelope, startTestNode } from './test-support/node-fixture.js';
import { CuttableProxy } from './test-support/tcp-proxy.js';

const PROBLEM = 'https://tradetwin.dev/problems/';

describe('tradetwin start without its database', () => {
  it('PostgreSQL unreachable: exits non-zero with a message naming the server (no password)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tt-nodb-'));
    try {
      const r = await runCli(['start', '--data-dir', dataDir, '--database-url', 'postgres://tt:secret@127.0.0.1:1/nowhere']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /cannot reach PostgreSQL at postgres:\/\/tt:\*\*\*@127\.0\.0\.1:1\/nowhere/);
      assert.doesNotMatch(r.stderr, /secret/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a --database-url that is not postgres:// is refused before anything starts', async () => {
    const r = await runCli(['start', '--data-dir', mkdtempSync(join(tmpdir(), 'tt-nodb-')), '--database-url', 'mysql://x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--database-url must be a postgres:\/\/ URL/);
  });
});

forEachDriver('a database migrated by a newer TradeTwin', (driver) => {
  it('is refused at start, saying so', async () => {
    const fx = await freshDriver(driver);
    try {
      const db = await openRawDatabase({ dataDir: fx.dataDir, url: fx.store.kind === 'postgres' ? fx.store.url : undefined });
      await db.run(MIGRATIONS_TABLE_SQL);
      await db.run(`INSERT INTO schema_migrations (area, version, applied_at) VALUES ('log', 99, 0)`);
      await db.close();
      const r = await runCli([
        'start',
        '--data-dir',
        fx.dataDir,
        ...(fx.store.kind === 'postgres' ? ['--database-url', fx.store.url] : []),
        '--port',
        '0',
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /"log" schema is at version 99, newer than this node knows \(1\)/);
    } finally {
      await fx.dispose();
    }
  });
});

describe('PostgreSQL connection lost during ingest', () => {
  it('answers 503 store_unavailable, acknowledges nothing it did not commit, and recovers without a restart', async (t) => {
    if (!postgresForTests()) return t.skip(POSTGRES_SKIP_MESSAGE);
    const db = await freshPostgresDatabase('tt_fault');
    const proxy = await CuttableProxy.start({ host: new URL(db.url).hostname, port: Number(new URL(db.url).port || 5432) });
    const node = await startTestNode({
      configure: (c) => {
        c.store = { kind: 'postgres', url: proxy.route(db.url) };
      },
    });
    const key = deviceKey('reefer-fault', 2);
    let direct: RawDatabase | undefined;
    let mqttClient: MqttClient | undefined;
    try {
      assert.equal((await node.register(key)).status, 201);
      assert.equal((await node.post([envelope(key, 1)])).status, 201);
      mqttClient = await connectDevice(node.node.mqttUrl!, key, { audience: node.node.address });

      proxy.cut();
      const single = await node.post([envelope(key, 2)]);
      assert.equal(single.status, 503);
      assert.equal(((await single.json()) as { type: string }).type, `${PROBLEM}store_unavailable`);
      assert.ok(single.headers.get('retry-after'));
      const batch = await node.post([envelope(key, 2), envelope(key, 3)], 'application/cbor-seq');
      assert.equal(batch.status, 503);
      assert.equal(((await batch.json()) as { type: string }).type, `${PROBLEM}store_unavailable`);
      const status = await fetch(`${node.node.httpUrl}/api/v1/status`);
      assert.equal(status.status, 503);
      assert.equal(((await status.json()) as { type: string }).type, `${PROBLEM}store_unavailable`);
      // MQTT QoS 1: no PUBACK; the broker closes the connection so the device sends it again.
      let pubacked = false;
      const closed = new Promise<void>((resolve) => mqttClient!.once('close', () => resolve()));
      mqttClient.publish(`tradetwin/v1/devices/${key.deviceId}/telemetry`, Buffer.from(envelope(key, 2)), { qos: 1 }, (err) => {
        if (!err) pubacked = true;
      });
      await closed;
      assert.equal(pubacked, false, 'no PUBACK for a reading that was not stored');

      proxy.restore();
      direct = await openRawDatabase({ dataDir: node.dataDir, url: db.url });
      const [leaves] = await direct.rows<{ n: number }>('SELECT count(*)::int AS n FROM log_leaves');
      assert.equal(leaves?.n, 1, 'nothing refused was stored');
      // The same node, no restart: the refused readings are accepted now, in order.
      const again = await node.post([envelope(key, 2)]);
      assert.equal(again.status, 201, await again.clone().text());
      const more = await node.post([envelope(key, 3), envelope(key, 4)], 'application/cbor-seq');
      assert.equal(more.status, 200);
      assert.deepEqual(((await more.json()) as { accepted: number }).accepted, 2);
      assert.deepEqual(
        (await node.node.store.telemetry({ deviceId: key.deviceId })).map((r) => [r.index, r.seq]),
        [
          [0, 1],
          [1, 2],
          [2, 3],
          [3, 4],
        ],
      );
      const replay = await node.post([envelope(key, 2)]);
      assert.equal(replay.status, 409, 'a reading stored after the outage is a replay now');
    } finally {
      mqttClient?.end(true);
      await direct?.close().catch(() => undefined);
      await node.stop();
      rmSync(node.dataDir, { recursive: true, force: true });
      await proxy.close();
      await db.drop();
    }
  });
});

describe('a commit whose answer was lost', () => {
  it('is learnt before the next commit: a retry of its readings is a replay, never a second leaf', async () => {
    const node = await startTestNode();
    const key = deviceKey('reefer-lost-commit', 2);
    const store = node.node.log.store;
    const append = store.append;
    try {
      assert.equal((await node.register(key)).status, 201);
      assert.equal((await node.post([envelope(key, 1)])).status, 201);
      // The database commits, then the connection drops before its answer arrives (PostgreSQL: a
      // lost COMMIT response). Only the answer is taken away; the commit is the driver's, for real.
      store.append = async (leaves, tiles) => {
        store.append = append;
        await append.call(store, leaves, tiles);
        throw new StoreError('unavailable', 'PostgreSQL is unavailable (query): Connection terminated unexpectedly');
      };
      const lost = await node.post([envelope(key, 2)]);
      assert.equal(lost.status, 503);
      assert.equal(((await lost.json()) as { type: string }).type, `${PROBLEM}store_unavailable`);
      // The device sends it again, as told: the node finds it was stored after all.
      const retry = await node.post([envelope(key, 2)]);
      assert.equal(retry.status, 409, await retry.clone().text());
      const next = await node.post([envelope(key, 3)]);
      assert.equal(next.status, 201);
      assert.equal(((await next.json()) as { index: number }).index, 2);
      assert.deepEqual(
        (await node.node.store.telemetry({ deviceId: key.deviceId })).map((r) => [r.index, r.seq]),
        [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
      );
    } finally {
      store.append = append;
      await node.dispose();
    }
  });
});
