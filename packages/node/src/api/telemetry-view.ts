// The readable view of a stored telemetry leaf: what the device signed, for
// the API and dashboards. The leaf was verified at ingest; this only decodes.
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodePayload } from '@tradetwin/core/telemetry/payload';
import type { TelemetryLeafJson } from '@tradetwin/core/wire/status';

/** As GET /api/v1/log/leaves/{index} shows it (core/wire). */
export type TelemetryView = TelemetryLeafJson;

export function decodeTelemetryLeaf(leafData: Uint8Array): TelemetryView {
  const leaf = decodeLeaf(leafData);
  const payload = decodePayload(decodeSign1(leaf.body).payload);
  return { deviceId: payload.dev, seq: payload.seq, signedAt: payload.ts, receivedAt: leaf.receivedAt, readings: payload.r };
}
