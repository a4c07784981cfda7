// The audit's content check for telemetry leaves: the device envelope inside
// must still verify under the device's registered key, match the telemetry
// index row, and keep each device's sequence strictly increasing in log order.
// A row rewritten together with its leaf hash, or a replayed envelope inserted
// into the log, is caught here and named to the leaf.
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { openTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { NodeStore, StoredLeaf } from '../storage/types.js';

export async function checkTelemetryLeaves(store: NodeStore): Promise<(leaf: StoredLeaf) => Promise<string | null>> {
  const keys = new Map((await store.devices()).map((d) => [d.deviceId, { keyType: d.keyType, publicKey: d.publicKey }]));
  // Leaves from the follower's cursor on are not indexed yet (a node stopped between an append and
  // its index catches up at its next start): their envelopes are checked, their rows not expected.
  const indexedBelow = await store.telemetryCursor();
  const lastSeq = new Map<string, number>();
  return async (leaf) => {
    const record = decodeLeaf(leaf.data);
    if (record.kind !== 'telemetry') return null;
    const opened = openTelemetry(record.body, (id) => keys.get(id));
    if (!opened.ok) return `device envelope fails verification (${opened.reason}: ${opened.detail})`;
    const { deviceId, seq } = opened.msg;
    const row = leaf.index < indexedBelow ? await store.telemetryAt(leaf.index) : undefined;
    if (row === null) return `telemetry index row for leaf ${leaf.index} is missing`;
    if (row && (row.deviceId !== deviceId || row.seq !== seq || row.readings !== opened.msg.readings)) {
      return `telemetry index row says ${row.deviceId}#${row.seq}, the signed envelope is ${deviceId}#${seq}`;
    }
    const prev = lastSeq.get(deviceId) ?? 0;
    lastSeq.set(deviceId, Math.max(prev, seq));
    if (seq <= prev) return `${deviceId}#${seq} appears after #${prev}: replayed or reordered envelope`;
    return null;
  };
}
