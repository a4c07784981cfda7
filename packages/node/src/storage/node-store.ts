// One handle over the log-side areas of a Storage (see NodeStore in types.ts):
// each method forwards to the area that owns it.
import type { TelemetryIndexReader } from './telemetry-index.js';
import type { NodeStore, Storage } from './types.js';

export function nodeStore(
  s: Pick<Storage, 'kind' | 'log' | 'anchors' | 'devices' | 'settings'> & { telemetry: TelemetryIndexReader },
): NodeStore {
  const { log, anchors, devices, telemetry, settings } = s;
  return {
    kind: s.kind,
    append: (leaves, tiles) => log.append(leaves, tiles),
    size: () => log.size(),
    leaf: (i) => log.leaf(i),
    leafHashes: (a, b) => log.leafHashes(a, b),
    leaves: (a, b) => log.leaves(a, b),
    tiles: () => log.tiles(),
    saveHead: (h) => log.saveHead(h),
    latestHead: () => log.latestHead(),
    head: (n) => log.head(n),
    heads: (limit) => log.heads(limit),
    enqueueAnchor: (a) => anchors.enqueueAnchor(a),
    anchors: (status) => anchors.anchors(status),
    updateAnchor: (size, patch) => anchors.updateAnchor(size, patch),
    latestConfirmedAnchor: () => anchors.latestConfirmedAnchor(),
    upsertDevice: (d) => devices.upsertDevice(d),
    device: (id) => devices.device(id),
    devices: () => devices.devices(),
    telemetryCursor: () => telemetry.telemetryCursor(),
    deviceStates: () => telemetry.deviceStates(),
    gaps: (id) => telemetry.gaps(id),
    telemetry: (q) => telemetry.telemetry(q),
    telemetryAt: (i) => telemetry.telemetryAt(i),
    getSetting: (k) => settings.getSetting(k),
    setSetting: (k, v) => settings.setSetting(k, v),
  };
}
