// The node's copy of the on-chain device registry (the chain is the authority;
// this cache lets ingest verify without a chain round trip).

export interface DeviceRecord {
  deviceId: string;
  /** 1 = P-256 (ES256), 2 = Ed25519 (EdDSA) */
  keyType: 1 | 2;
  publicKey: Uint8Array;
  ownerOrg: number;
  metadataHash: string;
  registeredAt: number;
  /** ms; null when not revoked */
  revokedAt: number | null;
}

export interface DeviceCache {
  /** Insert or replace a device (a revocation is an upsert with revokedAt set). */
  upsertDevice(d: DeviceRecord): Promise<void>;
  device(deviceId: string): Promise<DeviceRecord | null>;
  /** Every device, by id. */
  devices(): Promise<DeviceRecord[]>;
}
