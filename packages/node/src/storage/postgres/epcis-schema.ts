// The EPCIS index's tables on PostgreSQL: the SQLite layout (same names and
// columns, so both drivers share the filter compiler) in PostgreSQL types —
// BIGINT leaf indexes and ms times, DOUBLE PRECISION measures, TEXT — and the
// same indexes. Text columns compare in byte order (COLLATE "C"), as SQLite's
// do: EPC key ranges ("…\uffff") and keyset paging rely on it, whatever the
// database's default collation.
import type { Migration } from '../migrations.js';

const T = 'TEXT COLLATE "C"';

const V1 = `
CREATE TABLE epcis_events (
  rid BIGINT PRIMARY KEY,
  event_id ${T} NOT NULL,
  hash_id ${T} NOT NULL,
  type ${T} NOT NULL,
  event_time BIGINT NOT NULL,
  record_time BIGINT NOT NULL,
  tz_offset ${T} NOT NULL,
  action ${T},
  biz_step ${T},
  disposition ${T},
  read_point ${T},
  biz_location ${T},
  transformation_id ${T},
  has_sensor INTEGER NOT NULL,
  is_declaration INTEGER NOT NULL,
  declaration_time BIGINT,
  error_reason ${T},
  declared_by BIGINT,
  capture_id ${T}
);
CREATE TABLE epcis_json (rid BIGINT PRIMARY KEY, json TEXT NOT NULL);
CREATE UNIQUE INDEX epcis_events_event_id ON epcis_events(event_id, is_declaration);
CREATE INDEX epcis_events_time ON epcis_events(event_time);
CREATE INDEX epcis_events_record ON epcis_events(record_time);
CREATE INDEX epcis_events_type ON epcis_events(type, event_time);
CREATE INDEX epcis_events_biz_step ON epcis_events(biz_step, event_time);
CREATE INDEX epcis_events_disposition ON epcis_events(disposition, event_time);
CREATE INDEX epcis_events_read_point ON epcis_events(read_point, event_time);
CREATE INDEX epcis_events_biz_location ON epcis_events(biz_location, event_time);
CREATE INDEX epcis_events_transformation ON epcis_events(transformation_id) WHERE transformation_id IS NOT NULL;
CREATE INDEX epcis_events_declarations ON epcis_events(declaration_time) WHERE is_declaration = 1;
CREATE TABLE epcis_epc (
  epc ${T} NOT NULL,
  t BIGINT NOT NULL,
  rid BIGINT NOT NULL,
  role INTEGER NOT NULL,
  quantity DOUBLE PRECISION,
  uom ${T},
  PRIMARY KEY (epc, t, rid, role)
);
CREATE INDEX epcis_epc_rid ON epcis_epc(rid);
CREATE TABLE epcis_link (
  kind INTEGER NOT NULL,
  value ${T} NOT NULL,
  rid BIGINT NOT NULL,
  type ${T},
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind, value, rid, seq)
);
CREATE INDEX epcis_link_rid ON epcis_link(rid);
CREATE TABLE epcis_sensor (
  rid BIGINT NOT NULL,
  el INTEGER NOT NULL,
  rep INTEGER NOT NULL,
  type ${T}, device_id ${T}, time BIGINT, start_time BIGINT, end_time BIGINT, uom ${T},
  value DOUBLE PRECISION, min_value DOUBLE PRECISION, max_value DOUBLE PRECISION, mean_value DOUBLE PRECISION,
  sdev DOUBLE PRECISION, perc_rank DOUBLE PRECISION, perc_value DOUBLE PRECISION,
  string_value ${T}, boolean_value INTEGER, hex_binary_value ${T}, uri_value ${T},
  dpm ${T}, microorganism ${T}, chemical_substance ${T}, biz_rules ${T},
  PRIMARY KEY (rid, el, rep)
);
CREATE INDEX epcis_sensor_uom_value ON epcis_sensor(uom, value);
CREATE INDEX epcis_sensor_type ON epcis_sensor(type);
CREATE INDEX epcis_sensor_uom_max ON epcis_sensor(uom, max_value);
CREATE INDEX epcis_sensor_uom_min ON epcis_sensor(uom, min_value);
CREATE TABLE epcis_capture_jobs (
  id ${T} PRIMARY KEY,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  running INTEGER NOT NULL,
  success INTEGER NOT NULL,
  behaviour ${T} NOT NULL,
  event_count INTEGER NOT NULL,
  captured_count INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',
  first_leaf BIGINT,
  last_leaf BIGINT,
  probe_event_id ${T},
  min_leaf BIGINT
);
CREATE INDEX epcis_capture_jobs_created ON epcis_capture_jobs(created_at, id);
CREATE TABLE epcis_meta (key ${T} PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE epcis_gcp (prefix ${T} PRIMARY KEY);
CREATE TABLE epcis_revoked_tokens (mac ${T} PRIMARY KEY, at BIGINT NOT NULL);
CREATE TABLE epcis_ext (
  rid BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  area INTEGER NOT NULL,
  field ${T} NOT NULL,
  kind INTEGER NOT NULL,
  text ${T},
  num DOUBLE PRECISION,
  PRIMARY KEY (rid, seq)
);
CREATE INDEX epcis_ext_text ON epcis_ext(field, area, text);
CREATE INDEX epcis_ext_num ON epcis_ext(field, area, kind, num);
CREATE TABLE epcis_ns (prefix ${T} NOT NULL, ns ${T} NOT NULL, PRIMARY KEY (prefix, ns));
CREATE TABLE epcis_vocab (id ${T} NOT NULL, type ${T} NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (id, type));
CREATE TABLE epcis_vocab_attr (
  id ${T} NOT NULL,
  attr ${T} NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  text ${T},
  num DOUBLE PRECISION,
  PRIMARY KEY (id, attr, seq)
);
CREATE INDEX epcis_vocab_attr_value ON epcis_vocab_attr(attr, text);
CREATE TABLE epcis_vocab_child (parent ${T} NOT NULL, child ${T} NOT NULL, PRIMARY KEY (parent, child));
CREATE INDEX epcis_vocab_child_child ON epcis_vocab_child(child);
`;

export const POSTGRES_EPCIS_MIGRATIONS: readonly Migration[] = [{ version: 1, name: 'epcis index', sql: V1 }];
