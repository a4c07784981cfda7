// The EPCIS index's tables on SQLite. Version 1 is the layout the EPCIS repository
// created before versioned migrations, written with CREATE … IF NOT EXISTS, so a
// node.db from then is adopted in place.
import type { Migration } from '../migrations.js';

const V1 = `
CREATE TABLE IF NOT EXISTS epcis_events (
  rid INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  hash_id TEXT NOT NULL,
  type TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  record_time INTEGER NOT NULL,
  tz_offset TEXT NOT NULL,
  action TEXT,
  biz_step TEXT,
  disposition TEXT,
  read_point TEXT,
  biz_location TEXT,
  transformation_id TEXT,
  has_sensor INTEGER NOT NULL,
  is_declaration INTEGER NOT NULL,
  declaration_time INTEGER,
  error_reason TEXT,
  declared_by INTEGER,
  capture_id TEXT
);
CREATE TABLE IF NOT EXISTS epcis_json (rid INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS epcis_events_event_id ON epcis_events(event_id, is_declaration);
CREATE INDEX IF NOT EXISTS epcis_events_time ON epcis_events(event_time);
CREATE INDEX IF NOT EXISTS epcis_events_record ON epcis_events(record_time);
CREATE INDEX IF NOT EXISTS epcis_events_type ON epcis_events(type, event_time);
CREATE INDEX IF NOT EXISTS epcis_events_biz_step ON epcis_events(biz_step, event_time);
CREATE INDEX IF NOT EXISTS epcis_events_disposition ON epcis_events(disposition, event_time);
CREATE INDEX IF NOT EXISTS epcis_events_read_point ON epcis_events(read_point, event_time);
CREATE INDEX IF NOT EXISTS epcis_events_biz_location ON epcis_events(biz_location, event_time);
CREATE INDEX IF NOT EXISTS epcis_events_transformation ON epcis_events(transformation_id) WHERE transformation_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS epcis_events_declarations ON epcis_events(declaration_time) WHERE is_declaration = 1;
CREATE TABLE IF NOT EXISTS epcis_epc (
  epc TEXT NOT NULL,
  t INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  role INTEGER NOT NULL,
  quantity REAL,
  uom TEXT,
  PRIMARY KEY (epc, t, rid, role)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_epc_rid ON epcis_epc(rid);
CREATE TABLE IF NOT EXISTS epcis_link (
  kind INTEGER NOT NULL,
  value TEXT NOT NULL,
  rid INTEGER NOT NULL,
  type TEXT,
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, value, rid, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_link_rid ON epcis_link(rid);
CREATE TABLE IF NOT EXISTS epcis_sensor (
  rid INTEGER NOT NULL,
  el INTEGER NOT NULL,
  rep INTEGER NOT NULL,
  type TEXT, device_id TEXT, time INTEGER, start_time INTEGER, end_time INTEGER, uom TEXT,
  value REAL, min_value REAL, max_value REAL, mean_value REAL, sdev REAL, perc_rank REAL, perc_value REAL,
  string_value TEXT, boolean_value INTEGER, hex_binary_value TEXT, uri_value TEXT,
  dpm TEXT, microorganism TEXT, chemical_substance TEXT, biz_rules TEXT,
  PRIMARY KEY (rid, el, rep)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_sensor_uom_value ON epcis_sensor(uom, value);
CREATE INDEX IF NOT EXISTS epcis_sensor_type ON epcis_sensor(type);
CREATE INDEX IF NOT EXISTS epcis_sensor_uom_max ON epcis_sensor(uom, max_value);
CREATE INDEX IF NOT EXISTS epcis_sensor_uom_min ON epcis_sensor(uom, min_value);
CREATE TABLE IF NOT EXISTS epcis_capture_jobs (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  running INTEGER NOT NULL,
  success INTEGER NOT NULL,
  behaviour TEXT NOT NULL,
  event_count INTEGER NOT NULL,
  captured_count INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',
  first_leaf INTEGER,
  last_leaf INTEGER,
  probe_event_id TEXT,
  min_leaf INTEGER
);
CREATE INDEX IF NOT EXISTS epcis_capture_jobs_created ON epcis_capture_jobs(created_at, id);
CREATE TABLE IF NOT EXISTS epcis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS epcis_gcp (prefix TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epcis_revoked_tokens (mac TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epcis_ext (
  rid INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  area INTEGER NOT NULL,
  field TEXT NOT NULL,
  kind INTEGER NOT NULL,
  text TEXT,
  num REAL,
  PRIMARY KEY (rid, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_ext_text ON epcis_ext(field, area, text);
CREATE INDEX IF NOT EXISTS epcis_ext_num ON epcis_ext(field, area, kind, num);
CREATE TABLE IF NOT EXISTS epcis_ns (prefix TEXT NOT NULL, ns TEXT NOT NULL, PRIMARY KEY (prefix, ns)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epcis_vocab (
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (id, type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epcis_vocab_attr (
  id TEXT NOT NULL,
  attr TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  text TEXT,
  num REAL,
  PRIMARY KEY (id, attr, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_vocab_attr_value ON epcis_vocab_attr(attr, text);
CREATE TABLE IF NOT EXISTS epcis_vocab_child (parent TEXT NOT NULL, child TEXT NOT NULL, PRIMARY KEY (parent, child)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS epcis_vocab_child_child ON epcis_vocab_child(child);
`;

export const SQLITE_EPCIS_MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'epcis index', sql: V1 }];
