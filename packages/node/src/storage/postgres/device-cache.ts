// The device cache on PostgreSQL.
import type { DeviceCache, DeviceRecord } from '../device-cache.js';
import type { PgDatabase } from './database.js';
import { buf } from './log.js';
import { bytes, num, numOrNull, type Row } from './rows.js';

export class PgDeviceCache implements DeviceCache {
  constructor(private readonly db: PgDatabase) {}

  async upsertDevice(d: DeviceRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO devices (id, key_type, public_key, owner_org, metadata_hash, registered_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET key_type = excluded.key_type,
       public_key = excluded.public_key, owner_org = excluded.owner_org, metadata_hash = excluded.metadata_hash,
       registered_at = excluded.registered_at, revoked_at = excluded.revoked_at`,
      [d.deviceId, d.keyType, buf(d.publicKey), d.ownerOrg, d.metadataHash, d.registeredAt, d.revokedAt],
    );
  }

  async device(deviceId: string): Promise<DeviceRecord | null> {
    const rows = await this.db.query('SELECT * FROM devices WHERE id = $1', [deviceId]);
    return rows[0] ? deviceFromRow(rows[0]) : null;
  }

  async devices(): Promise<DeviceRecord[]> {
    return (await this.db.query('SELECT * FROM devices ORDER BY id')).map(deviceFromRow);
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
