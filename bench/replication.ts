// Replication between two member nodes on this machine: the owner ingests a
// shipment's telemetry (60 readings per envelope, as the batched ingest phase),
// anchors it and grants it; the grantee pulls it over signed HTTP (RFC 9421),
// verifies everything before storing — the head anchored on chain, each leaf's
// inclusion proof, each envelope's device signature under the DeviceRegistry
// key — and stores it in its verified mirror. Figure: readings pulled and
// verified per second (first pull: everything; second pull: the same shipment
// again with a consistency proof from the head held).
import { deviceKey, envelope } from '../packages/node/src/test-support/node-fixture.js';
import { startTestConsortium } from '../packages/node/src/test-support/consortium.js';

export interface ReplicationFigures {
  readings: number;
  envelopes: number;
  readingsPerEnvelope: number;
  /** First pull: fetch, verify, store, ms. */
  firstPullMs: number;
  readingsPerSec: number;
  /** A second pull of the same shipment (consistency proof, proofs refreshed), ms. */
  secondPullMs: number;
  secondReadingsPerSec: number;
}

export async function runReplicationBench(opts: { readings: number; log: (line: string) => void }): Promise<ReplicationFigures> {
  const perEnvelope = 60;
  const envelopes = Math.ceil(opts.readings / perEnvelope);
  const c = await startTestConsortium(['Owner', 'Grantee']);
  try {
    const [ownerT] = c.nodes;
    const owner = ownerT!.node;
    const grantee = c.nodes[1]!.node;
    const key = deviceKey('reefer-bench-1', 1);
    if ((await ownerT!.register(key)).status !== 201) throw new Error('device registration failed');
    const t0 = Date.now() - envelopes * 60_000 - 60_000;
    await owner.shipments.putShipment(
      {
        id: 'SHP-BENCH',
        goods: { description: 'bench' },
        parties: [],
        legs: [],
        devices: [{ deviceId: key.deviceId, from: t0 }],
        rules: [],
      },
      t0,
    );
    opts.log(
      `  owner ingests ${envelopes.toLocaleString('en-US')} envelopes (${(envelopes * perEnvelope).toLocaleString('en-US')} readings)…`,
    );
    const batch: Uint8Array[] = [];
    for (let i = 0; i < envelopes; i++) {
      const at = t0 + (i + 1) * 60_000;
      batch.push(
        envelope(key, i + 1, {
          at,
          readings: Array.from({ length: perEnvelope }, (_, j) => ({
            t: at - (perEnvelope - 1 - j) * 1000,
            k: 'temp',
            v: 4 + (j % 7) / 10,
          })),
        }),
      );
      if (batch.length === 1000 || i === envelopes - 1) {
        const res = await ownerT!.post(batch.splice(0));
        if (res.status !== 200 && res.status !== 201) throw new Error(`ingest answered ${res.status}`);
      }
    }
    // The telemetry index follows the log: wait until it holds every envelope, then anchor and grant.
    for (;;) {
      const rows = await owner.store.telemetry({ deviceId: key.deviceId, limit: envelopes + 1 });
      if (rows.length >= envelopes) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await owner.grants.issue({ grantee: grantee.orgId, scope: { shipment: 'SHP-BENCH' } });
    await owner.anchorer.anchorNow();
    await grantee.replicator!.pullGrants(owner.orgId);

    const s1 = performance.now();
    const first = await grantee.replicator!.pullShipment(owner.orgId, 'SHP-BENCH');
    const firstPullMs = performance.now() - s1;
    const s2 = performance.now();
    const second = await grantee.replicator!.pullShipment(owner.orgId, 'SHP-BENCH');
    const secondPullMs = performance.now() - s2;
    const figures: ReplicationFigures = {
      readings: first.readings,
      envelopes,
      readingsPerEnvelope: perEnvelope,
      firstPullMs: Math.round(firstPullMs),
      readingsPerSec: Math.round(first.readings / (firstPullMs / 1000)),
      secondPullMs: Math.round(secondPullMs),
      secondReadingsPerSec: Math.round(second.readings / (secondPullMs / 1000)),
    };
    opts.log(`  first pull: ${JSON.stringify(first.timings)}; second: ${JSON.stringify(second.timings)}`);
    opts.log(
      `  replication: ${figures.readings.toLocaleString('en-US')} readings pulled and verified in ${(firstPullMs / 1000).toFixed(2)} s = ` +
        `${figures.readingsPerSec.toLocaleString('en-US')} readings/s (again, with a consistency proof: ${figures.secondReadingsPerSec.toLocaleString('en-US')} readings/s)`,
    );
    return figures;
  } finally {
    await c.dispose();
  }
}
