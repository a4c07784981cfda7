// The log-side areas' SQLite schema, one migration list per area. Version 1 of
// each is the previous layout's tables, written with CREATE … IF NOT EXISTS, so a
// node.db from before versioned migrations is adopted in place.
import type { Migration } from '../migrations.js';

export const LOG_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'leaves, tiles, heads',
    sql: `
CREATE TABLE IF NOT EXISTS log_leaves (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_tiles (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS log_heads (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  signature BLOB NOT NULL, signer TEXT NOT NULL);`,
  },
];

export const ANCHOR_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'anchor outbox',
    sql: `
CREATE TABLE IF NOT EXISTS anchor_outbox (size INTEGER PRIMARY KEY, root BLOB NOT NULL, ts INTEGER NOT NULL,
  status TEXT NOT NULL, tx_hash TEXT, block INTEGER, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  enqueued_at INTEGER NOT NULL, confirmed_at INTEGER);
CREATE INDEX IF NOT EXISTS anchor_outbox_status ON anchor_outbox(status, size);`,
  },
];

export const DEVICE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'device cache',
    sql: `
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, key_type INTEGER NOT NULL, public_key BLOB NOT NULL,
  owner_org INTEGER NOT NULL, metadata_hash TEXT NOT NULL, registered_at INTEGER NOT NULL, revoked_at INTEGER);`,
  },
];

export const TELEMETRY_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'telemetry rows, device state, gaps',
    sql: `
CREATE TABLE IF NOT EXISTS device_state (id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, last_seen INTEGER,
  gaps INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS seq_gaps (device TEXT NOT NULL, after_seq INTEGER NOT NULL, before_seq INTEGER NOT NULL,
  detected_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS seq_gaps_device ON seq_gaps(device);
CREATE TABLE IF NOT EXISTS telemetry (idx INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,
  signed_at INTEGER NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, n INTEGER NOT NULL,
  received_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS telemetry_device_time ON telemetry(device, first_at);
DROP INDEX IF EXISTS telemetry_device_seq;`,
  },
  {
    version: 2,
    name: 'follower cursor',
    // The previous layout wrote telemetry rows in the same transaction as their leaves: an adopted
    // file is indexed up to the end of its log. (The log area migrates first.)
    sql: `
CREATE TABLE IF NOT EXISTS telemetry_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), next_index INTEGER NOT NULL);
INSERT INTO telemetry_cursor (id, next_index) SELECT 1, COALESCE(MAX(idx) + 1, 0) FROM log_leaves WHERE true
  ON CONFLICT(id) DO NOTHING;`,
  },
];

export const SETTINGS_MIGRATIONS: Migration[] = [
  { version: 1, name: 'settings', sql: 'CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);' },
];
