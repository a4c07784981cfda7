// Ingest while the chain is down, as a device meets it. Devices the node has
// cached keep being accepted; a device it has not cached yet cannot be checked
// and gets a retryable refusal — 503 chain_unavailable with Retry-After over
// HTTP, CONNACK 3 (server unavailable: retry) for an uncached device over MQTT —
// never a final 422 unknown_device; once the chain is back the same reading
// is accepted and anchoring catches up.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { DEV_ACCOUNTS, type DevChain, freePort, startDevChain } from '@tradetwin/contracts/devchain';
import { mintMqttToken } from '@tradetwin/core/device/mqtt-token';
import { registerDevice } from '../chain/devices.js';
import { deviceKey, envelope, startTestNode, type TestNode, tempDataDir } from '../test-support/node-fixture.js';

const chainDir = tempDataDir('tt-outage-chain-');
const stateFile = join(chainDir, 'anvil-state.json');
let port: number;
let chain: DevChain;
let t: TestNode;
const cached = deviceKey('reefer-cached', 1);
const uncached = deviceKey('reefer-uncached', 1);

before(async () => {
  // An external chain this test can take down and bring back (the embedded one restarts itself).
  port = await freePort();
  chain = await startDevChain({ port, stateFile });
  t = await startTestNode({
    configure: (c) => {
      c.chain = { mode: 'external', rpcUrl: chain.rpcUrl, chainId: 31337, gasPrice: 'auto', pollingIntervalMs: 50 };
      c.signerKey = DEV_ACCOUNTS[0];
    },
  });
  assert.equal((await t.register(cached)).status, 201);
  // Registered on chain by its owner, never seen by this node: not in its cache.
  await registerDevice(t.node.clients, t.node.contracts.deviceRegistry, {
    deviceId: uncached.deviceId,
    keyType: uncached.keyType,
    publicKey: uncached.publicKey,
  });
  assert.equal((await t.post([envelope(cached, 1)])).status, 201);
  await t.node.anchorer.anchorNow();
  await chain.stop();
});
after(async () => {
  await t.dispose();
  await chain.stop();
  rmSync(chainDir, { recursive: true, force: true });
});

describe('ingest during a chain outage', () => {
  it('goes on for cached devices and answers 503 chain_unavailable with Retry-After for the others', async () => {
    const ok = await t.post([envelope(cached, 2)]);
    assert.equal(ok.status, 201, 'a cached device keeps being accepted');

    const res = await t.post([envelope(uncached, 1)]);
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `Retry-After: ${res.headers.get('retry-after')}`);
    const problem = (await res.json()) as { type: string; status: number };
    assert.equal(problem.type, 'https://tradetwin.dev/problems/chain_unavailable');
    assert.equal(t.node.ingestor.counters.rejected.unknown_device, 0, 'never called unknown');

    // A batch mixing both: the cached device's reading is stored, the other one is retryable.
    const mixed = await t.post([envelope(cached, 3), envelope(uncached, 1)]);
    assert.equal(mixed.status, 200);
    assert.ok(Number(mixed.headers.get('retry-after')) > 0);
    const body = (await mixed.json()) as { results: { status: string; reason?: string }[] };
    assert.deepEqual(
      body.results.map((r) => r.reason ?? r.status),
      ['accepted', 'chain_unavailable'],
    );

    const status = (await (await fetch(`${t.node.httpUrl}/api/v1/status`)).json()) as {
      chainHealth: { reachable: boolean; mode: string; secondsSinceAnswer: number | null };
      anchoring: { outboxDepth: number };
    };
    await t.node.chainHealth.poll();
    assert.equal(t.node.chainHealth.snapshot().reachable, false);
    assert.equal(status.chainHealth.mode, 'external');
  });

  it('over MQTT: an uncached device is told to retry (CONNACK 3, server unavailable), a cached one is served', async () => {
    const url = `mqtt://127.0.0.1:${t.node.mqttPort}`;
    // Its token can only be checked against its key, which the node cannot read now: retry, not "refused".
    const password = await mintMqttToken(uncached, { audience: t.node.address });
    await assert.rejects(
      mqtt.connectAsync(url, { clientId: uncached.deviceId, username: uncached.deviceId, password, reconnectPeriod: 0 }),
      (err: Error & { code?: number }) => {
        assert.equal(err.code, 3, err.message);
        return true;
      },
    );
    // A cached device goes on: connected from its cached key, its reading acknowledged after the commit.
    const device = await mqtt.connectAsync(url, {
      clientId: cached.deviceId,
      username: cached.deviceId,
      password: await mintMqttToken(cached, { audience: t.node.address }),
      reconnectPeriod: 0,
    });
    try {
      const refusals: string[] = [];
      await device.subscribeAsync(`tradetwin/v1/devices/${cached.deviceId}/rejected`, { qos: 0 });
      device.on('message', (_topic, payload) => refusals.push(payload.toString()));
      const size = t.node.log.size;
      await device.publishAsync(`tradetwin/v1/devices/${cached.deviceId}/telemetry`, Buffer.from(envelope(cached, 4)), {
        qos: 1,
      });
      assert.deepEqual(refusals, []);
      assert.equal(t.node.log.size, size + 1);
    } finally {
      await device.endAsync();
    }
  });

  it('accepts the same reading once the chain is back, and anchoring catches up', async () => {
    chain = await startDevChain({ port, stateFile });
    const res = await t.post([envelope(uncached, 1)]);
    assert.equal(res.status, 201);
    const anchored = await t.node.anchorer.anchorNow(30_000);
    assert.equal(anchored?.size, t.node.log.size, 'every reading, including those taken during the outage, is anchored');
  });
});
