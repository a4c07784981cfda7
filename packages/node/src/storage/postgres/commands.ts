// Signed actuator commands on PostgreSQL. JSON documents as TEXT (byte for byte back); ids COLLATE "C".
import {
  COMMANDS_AREA,
  type CommandEffect,
  type CommandFilter,
  type CommandRow,
  type CommandStore,
  commandRowOf,
} from '../commands.js';
import type { Migration } from '../migrations.js';
import { pgWrite } from './constraint.js';
import { migratePostgres, type PgDatabase } from './database.js';

export const POSTGRES_COMMAND_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'commands',
    sql: `
CREATE TABLE IF NOT EXISTS commands (
  n BIGSERIAL PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  device_id TEXT COLLATE "C" NOT NULL,
  shipment_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  action TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  authorisation TEXT NOT NULL,
  bundle BYTEA NOT NULL,
  leaf_index BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  effect TEXT,
  effect_report BYTEA,
  UNIQUE (device_id, seq)
);
CREATE INDEX IF NOT EXISTS commands_shipment ON commands(shipment_id, n);
`,
  },
];

export class PostgresCommandStore implements CommandStore {
  private constructor(private readonly db: PgDatabase) {}

  /** Migrates the area on `db` (shared by every area; the Storage closes it, not this store). */
  static async open(db: PgDatabase): Promise<PostgresCommandStore> {
    await migratePostgres(db, COMMANDS_AREA, POSTGRES_COMMAND_MIGRATIONS);
    return new PostgresCommandStore(db);
  }

  async insert(c: CommandRow): Promise<void> {
    await pgWrite(`command ${c.id} (device ${c.deviceId} seq ${c.seq})`, () =>
      this.db.query(
        `INSERT INTO commands (id, device_id, shipment_id, seq, action, issued_at, expires_at, authorisation, bundle,
         leaf_index, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          c.id,
          c.deviceId,
          c.shipmentId,
          c.seq,
          JSON.stringify(c.action),
          c.issuedAt,
          c.expiresAt,
          JSON.stringify(c.authorisation),
          Buffer.from(c.bundle),
          c.leafIndex,
          c.receivedAt,
        ],
      ),
    );
  }

  async command(id: string): Promise<CommandRow | null> {
    const [r] = await this.db.query('SELECT * FROM commands WHERE id = $1', [id]);
    return r ? commandRowOf(r) : null;
  }

  async list(filter: CommandFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<CommandRow[]> {
    const rows = await this.db.query(
      `SELECT * FROM commands WHERE n < $1 AND ($2::text IS NULL OR device_id = $2) AND ($3::text IS NULL OR shipment_id = $3)
       ORDER BY n DESC LIMIT $4`,
      [before, filter.deviceId ?? null, filter.shipmentId ?? null, limit],
    );
    return rows.map(commandRowOf);
  }

  async highestSeq(deviceId: string): Promise<number> {
    const [r] = await this.db.query('SELECT MAX(seq) AS s FROM commands WHERE device_id = $1', [deviceId]);
    return r?.s === null || r?.s === undefined ? 0 : Number(r.s);
  }

  async seqsAbove(deviceId: string, above: number): Promise<number[]> {
    const rows = await this.db.query('SELECT seq FROM commands WHERE device_id = $1 AND seq > $2 ORDER BY seq', [
      deviceId,
      above,
    ]);
    return rows.map((r) => Number(r.seq));
  }

  async recordEffect(id: string, e: CommandEffect): Promise<boolean> {
    const { report, ...rest } = e;
    const rows = await this.db.query(
      'UPDATE commands SET effect = $1, effect_report = $2 WHERE id = $3 AND effect IS NULL RETURNING n',
      [JSON.stringify(rest), Buffer.from(report), id],
    );
    return rows.length === 1;
  }

  async close(): Promise<void> {}
}
