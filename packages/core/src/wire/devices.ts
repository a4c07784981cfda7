// The node API's JSON about devices and their readings: GET /api/v1/devices,
// /devices/{id}, /devices/{id}/readings.
import type { Hex } from 'viem';

export interface DeviceJson {
  deviceId: string;
  keyType: 'ES256' | 'EdDSA';
  publicKey: Hex;
  ownerOrg: number;
  registeredAt: number;
  revokedAt: number | null;
  status: 'active' | 'revoked';
  lastSeq: number;
  lastSeenAt: number | null;
  gaps: number;
}

/** Sequence numbers a device skipped: none between afterSeq and beforeSeq reached the node. */
export interface SequenceGapJson {
  deviceId: string;
  afterSeq: number;
  beforeSeq: number;
  /** ms since epoch */
  detectedAt: number;
}

export interface DeviceDetailJson extends DeviceJson {
  sequenceGaps: SequenceGapJson[];
}

export interface ReadingJson {
  id: string;
  seq: number;
  t: number;
  k: string;
  v: number | [number, number];
}

/** GET /api/v1/devices/{id}/readings */
export interface DeviceReadingsJson {
  deviceId: string;
  readings: ReadingJson[];
}
