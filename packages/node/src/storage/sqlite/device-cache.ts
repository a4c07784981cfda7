// The device cache on SQLite.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DeviceCache, DeviceRecord } from '../device-cache.js';
import { bytes, num, numOrNull, type Row } from './rows.js';

export class SqliteDeviceCache implements DeviceCache {
  private readonly upsert: StatementSync;
  private readonly one: StatementSync;
  private readonly all: StatementSync;

  constructor(db: DatabaseSync) {
    this.upsert = db.prepare(`INSERT INTO devices (id, key_type, public_key, owner_org, metadata_hash, registered_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET key_type = excluded.key_type,
      public_key = excluded.public_key, owner_org = excluded.owner_org, metadata_hash = excluded.metadata_hash,
      registered_at = excluded.registered_at, revoked_at = excluded.revoked_at`);
    this.one = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.all = db.prepare('SELECT * FROM devices ORDER BY id');
  }

  async upsertDevice(d: DeviceRecord): Promise<void> {
    this.upsert.run(d.deviceId, d.keyType, d.publicKey, d.ownerOrg, d.metadataHash, d.registeredAt, d.revokedAt);
  }

  async device(deviceId: string): Promise<DeviceRecord | null> {
    const r = this.one.get(deviceId) as Row | undefined;
    return r ? deviceFromRow(r) : null;
  }

  async devices(): Promise<DeviceRecord[]> {
    return (this.all.all() as Row[]).map(deviceFromRow);
  }
}

function deviceFromRow(r: Row): DeviceRecord {
  return {
    deviceId: String(r.id),
    keyType: num(r.key_type) as 1 | 2,
    publicKey: bytes(r.public_key, `devices.public_key of ${String(r.id)}`),
    ownerOrg: num(r.owner_org),
    metadataHash: String(r.metadata_hash),
    registeredAt: num(r.registered_at),
    revokedAt: numOrNull(r.revoked_at),
  };
}
