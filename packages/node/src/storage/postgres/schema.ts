// The log-side areas' PostgreSQL schema, one migration list per area, numbered
// as on SQLite. BIGINT for indexes, sizes and ms times; BYTEA for hashes and leaves.
import type { Migration } from '../migrations.js';

export const LOG_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'leaves, tiles, heads',
    sql: `
CREATE TABLE log_leaves (idx BIGINT PRIMARY KEY, hash BYTEA NOT NULL, data BYTEA NOT NULL);
CREATE TABLE log_tiles (idx BIGINT PRIMARY KEY, hash BYTEA NOT NULL);
CREATE TABLE log_heads (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, ts BIGINT NOT NULL,
  signature BYTEA NOT NULL, signer TEXT NOT NULL);`,
  },
];

export const ANCHOR_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'anchor outbox',
    sql: `
CREATE TABLE anchor_outbox (size BIGINT PRIMARY KEY, root BYTEA NOT NULL, ts BIGINT NOT NULL,
  status TEXT NOT NULL, tx_hash TEXT, block BIGINT, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  enqueued_at BIGINT NOT NULL, confirmed_at BIGINT);
CREATE INDEX anchor_outbox_status ON anchor_outbox(status, size);`,
  },
];

export const DEVICE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'device cache',
    sql: `
CREATE TABLE devices (id TEXT PRIMARY KEY, key_type INTEGER NOT NULL, public_key BYTEA NOT NULL,
  owner_org BIGINT NOT NULL, metadata_hash TEXT NOT NULL, registered_at BIGINT NOT NULL, revoked_at BIGINT);`,
  },
];

export const TELEMETRY_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'telemetry rows, device state, gaps',
    sql: `
CREATE TABLE device_state (id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL, last_seen BIGINT,
  gaps INTEGER NOT NULL DEFAULT 0);
CREATE TABLE seq_gaps (device TEXT NOT NULL, after_seq BIGINT NOT NULL, before_seq BIGINT NOT NULL,
  detected_at BIGINT NOT NULL);
CREATE INDEX seq_gaps_device ON seq_gaps(device);
CREATE TABLE telemetry (idx BIGINT PRIMARY KEY, device TEXT NOT NULL, seq BIGINT NOT NULL,
  signed_at BIGINT NOT NULL, first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, n INTEGER NOT NULL,
  received_at BIGINT NOT NULL);
CREATE INDEX telemetry_device_time ON telemetry(device, first_at);`,
  },
  {
    version: 2,
    name: 'follower cursor',
    sql: `
CREATE TABLE telemetry_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), next_index BIGINT NOT NULL);
INSERT INTO telemetry_cursor (id, next_index) SELECT 1, COALESCE(MAX(idx) + 1, 0) FROM log_leaves;`,
  },
];

export const SETTINGS_MIGRATIONS: Migration[] = [
  { version: 1, name: 'settings', sql: 'CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);' },
];
