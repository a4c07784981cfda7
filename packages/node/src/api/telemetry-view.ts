// The readable view of a stored telemetry leaf: what the device signed, for
// the API and dashboards. The leaf was verified at ingest; this only decodes.
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodePayload, type Reading } from '@tradetwin/core/telemetry/payload';

export interface TelemetryView {
  deviceId: string;
  seq: number;
  signedAt: number;
  receivedAt: number;
  readings: Reading[];
}

export function decodeTelemetryLeaf(leafData: Uint8Array): TelemetryView {
  const leaf = decodeLeaf(leafData);
  const payload = decodePayload(decodeSign1(leaf.body).payload);
  return { deviceId: payload.dev, seq: payload.seq, signedAt: payload.ts, receivedAt: leaf.receivedAt, readings: payload.r };
}
