// Signed actuator commands on the embedded driver: its own connection to node.db.
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import {
  COMMANDS_AREA,
  type CommandEffect,
  type CommandFilter,
  type CommandRow,
  type CommandStore,
  commandRowOf,
} from '../commands.js';
import type { Migration } from '../migrations.js';
import { sqliteWrite } from './constraint.js';
import { migrateSqlite, openSqliteFile } from './database.js';

export const SQLITE_COMMAND_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'commands',
    sql: `
CREATE TABLE IF NOT EXISTS commands (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL,
  shipment_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  authorisation TEXT NOT NULL,
  bundle BLOB NOT NULL,
  leaf_index INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  effect TEXT,
  effect_report BLOB,
  UNIQUE (device_id, seq)
);
CREATE INDEX IF NOT EXISTS commands_shipment ON commands(shipment_id, n);
`,
  },
];

type Row = Record<string, SQLInputValue>;

export class SqliteCommandStore implements CommandStore {
  private constructor(private readonly db: DatabaseSync) {}

  static open(opts: { path: string; synchronous?: 'FULL' | 'NORMAL' }): SqliteCommandStore {
    const db = openSqliteFile(opts);
    try {
      migrateSqlite(db, COMMANDS_AREA, SQLITE_COMMAND_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteCommandStore(db);
  }

  async insert(c: CommandRow): Promise<void> {
    sqliteWrite(`command ${c.id} (device ${c.deviceId} seq ${c.seq})`, () =>
      this.db
        .prepare(
          `INSERT INTO commands (id, device_id, shipment_id, seq, action, issued_at, expires_at, authorisation, bundle,
           leaf_index, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.id,
          c.deviceId,
          c.shipmentId,
          c.seq,
          JSON.stringify(c.action),
          c.issuedAt,
          c.expiresAt,
          JSON.stringify(c.authorisation),
          c.bundle,
          c.leafIndex,
          c.receivedAt,
        ),
    );
  }

  async command(id: string): Promise<CommandRow | null> {
    const r = this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as Row | undefined;
    return r ? commandRowOf(r) : null;
  }

  async list(filter: CommandFilter, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<CommandRow[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM commands WHERE n < ? AND (? IS NULL OR device_id = ?) AND (? IS NULL OR shipment_id = ?)
         ORDER BY n DESC LIMIT ?`,
      )
      .all(
        before,
        filter.deviceId ?? null,
        filter.deviceId ?? null,
        filter.shipmentId ?? null,
        filter.shipmentId ?? null,
        limit,
      ) as Row[];
    return rows.map(commandRowOf);
  }

  async highestSeq(deviceId: string): Promise<number> {
    const r = this.db.prepare('SELECT MAX(seq) AS s FROM commands WHERE device_id = ?').get(deviceId) as Row | undefined;
    return r?.s === null || r?.s === undefined ? 0 : Number(r.s);
  }

  async seqsAbove(deviceId: string, above: number): Promise<number[]> {
    const rows = this.db
      .prepare('SELECT seq FROM commands WHERE device_id = ? AND seq > ? ORDER BY seq')
      .all(deviceId, above) as Row[];
    return rows.map((r) => Number(r.seq));
  }

  async recordEffect(id: string, e: CommandEffect): Promise<boolean> {
    const { report, ...rest } = e;
    const changes = this.db
      .prepare('UPDATE commands SET effect = ?, effect_report = ? WHERE id = ? AND effect IS NULL')
      .run(JSON.stringify(rest), report, id).changes;
    return Number(changes) === 1;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
