// The EPCIS repository: an index of captured events on the node's SQLite file
// (its own connection and tables, like shipments/store.ts). The node's
// transparency log holds the events themselves — one leaf of kind "epcis" per
// event, body CBOR [eventHashId, canonicalJsonBytes] — and this index is
// derived from it: an event is appended to the log first and indexed after,
// and on open (or after a failed index write) every "epcis" leaf past the scan
// cursor that is not indexed yet is indexed from the log. So an event is
// indexed exactly when it is in the log.
//
// Tables (rid = the event's leaf index in the log):
//   epcis_events   one row per captured event (original or error declaration): the
//                  indexed fields only, so filters scan compact rows
//   epcis_json     the event's canonical JSON as logged (read for the page returned)
//   epcis_epc      (epc, eventTime, rid, role): epcList, parentID, childEPCs, input/output EPCs,
//                  and the epcClass of every quantity list, with quantity and uom
//   epcis_link     bizTransactions, sources, destinations, corrective event IDs,
//                  persistent dispositions
//   epcis_sensor   one row per sensorReport, its element's metadata folded in
//   epcis_ext      user extension fields and ILMD, one row per value (extension-index.ts);
//                  epcis_ns the CURIE prefixes captured contexts declared
//   epcis_gcp      GS1 Company Prefixes seen in EPC URNs (GS1-EPC-Format: Always_EPC_URN)
//   epcis_vocab*   master data (master-data.ts; not derived from the log)
//   epcis_revoked_tokens  page tokens released by DELETE /nextPageToken/{token}
//   epcis_capture_jobs, epcis_meta
import { randomBytes } from 'node:crypto';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { type CborValue, decodeCbor, encodeHead } from '@tradetwin/core/cose/cbor';
import type { CbvVersion } from '@tradetwin/core/epcis/hash';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore } from '../storage/types.js';
import { coreCodec } from './codec.js';
import { EXT_SCHEMA } from './extension-index.js';
import { extractEvent } from './extract.js';
import { MASTER_DATA_SCHEMA } from './master-data.js';
import {
  type CaptureJob,
  type CaptureProblem,
  type EpcisEvent,
  type EventType,
  type IndexedEvent,
  LINK,
  type LinkName,
  type PreparedEvent,
  ROLE,
  ROLE_NAME,
  type RoleName,
  type StoredEvent,
} from './types.js';
import { type EpcForms, epcKey, epcMatcher } from './vocab.js';

export const LEAF_KIND = 'epcis';

const SCHEMA = `
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
${EXT_SCHEMA}
${MASTER_DATA_SCHEMA}
`;

type Row = Record<string, SQLInputValue>;

export class RepositoryError extends Error {
  constructor(
    readonly code: 'not_indexed' | 'corrupt' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'RepositoryError';
  }
}

/** What capture needs from core/epcis (injected so the node can be tested and benchmarked alone). */
export interface EpcisCodec extends EpcForms {
  eventHashId(event: EpcisEvent, context?: unknown, version?: CbvVersion): string;
}

export interface EpcisRepositoryOptions {
  /** The node's SQLite file (the same file as the node store). */
  path: string;
  store: NodeStore;
  log: TransparencyLog;
  /** Hash IDs and EPC forms (default: core/epcis). */
  codec?: EpcisCodec;
  /** Which CBV event-hash rules name captured events (default CBV 2.0, what partners' tooling computes). */
  hashVersion?: CbvVersion;
  /** Called after every append of EPCIS leaves (the node wires the anchorer's noteAppended). */
  onAppended?: () => void;
  now?: () => number;
}

/** An event's place in the EPC graph: one identifier, the role it plays, and the event. */
export interface GraphHop {
  leafIndex: number;
  role: RoleName;
  eventId: string;
  hashId: string;
  type: EventType;
  action: string | null;
  eventTime: number;
  bizStep: string | null;
  disposition: string | null;
  readPoint: string | null;
  bizLocation: string | null;
  transformationId: string | null;
  isDeclaration: boolean;
  declaredBy: number | null;
}

export interface EventLinks {
  epcs: { epc: string; role: RoleName; quantity: number | null; uom: string | null }[];
  links: { kind: LinkName; type: string | null; value: string }[];
}

/** Beyond any event time in ms (year ~287,000): the open ends of a time window. */
const MAX_TIME = 9_000_000_000_000_000;

const LINK_NAME = Object.fromEntries(Object.entries(LINK).map(([k, v]) => [v, k])) as Record<number, LinkName>;

/** CBOR [hashId, canonicalJsonBytes]: the body of an "epcis" leaf (docs/design.md "Log leaf"). */
export function encodeEpcisBody(hashId: string, json: string): Uint8Array {
  const id = new TextEncoder().encode(hashId);
  const js = new TextEncoder().encode(json);
  const h1 = encodeHead(3, id.length);
  const h2 = encodeHead(2, js.length);
  const out = new Uint8Array(1 + h1.length + id.length + h2.length + js.length);
  out[0] = 0x82;
  let at = 1;
  for (const part of [h1, id, h2, js]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function decodeEpcisBody(body: Uint8Array): { hashId: string; json: string } {
  const v: CborValue = decodeCbor(body);
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !(v[1] instanceof Uint8Array)) {
    throw new RepositoryError('corrupt', 'an epcis leaf body must be CBOR [text hashId, bytes canonicalJson]');
  }
  return { hashId: v[0], json: new TextDecoder('utf-8', { fatal: true }).decode(v[1]) };
}

export class EpcisRepository {
  readonly db: DatabaseSync;
  readonly store: NodeStore;
  readonly log: TransparencyLog;
  readonly codec: EpcisCodec;
  readonly hashVersion: CbvVersion;
  private readonly now: () => number;
  private readonly onAppended: (() => void) | undefined;
  /** In-process notices after events are indexed (query subscriptions wake on them). */
  private readonly indexedListeners = new Set<() => void>();
  private readonly stmts = new Map<string, StatementSync>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when events reached the log but their index write failed: the next write catches up first. */
  private dirty = false;
  private closed = false;
  /** Known GS1 Company Prefixes (epcis_gcp), loaded on first use. */
  private gcpSet: Set<string> | null = null;
  private nsSeen = new Set<string>();

  constructor(opts: EpcisRepositoryOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.codec = opts.codec ?? coreCodec;
    this.hashVersion = opts.hashVersion ?? '2.0';
    this.now = opts.now ?? Date.now;
    this.onAppended = opts.onAppended;
    this.db = new DatabaseSync(opts.path);
    // The index can be rebuilt from the log, so it need not fsync on every commit.
    // Reads go through a memory map and a 64 MiB page cache: queries and traces touch
    // many small index pages of a file that outgrows SQLite's default 2 MB cache.
    this.db.exec(
      'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536; PRAGMA mmap_size=8589934592;',
    );
    const fresh = !this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'epcis_meta'`).get();
    this.db.exec(SCHEMA);
    this.db.function('epc_match', { deterministic: true }, (pattern, value) =>
      typeof pattern === 'string' && typeof value === 'string' && epcMatcher(pattern, this.codec).test(value) ? 1 : 0,
    );
    if (fresh) {
      // Nothing before this point can be an EPCIS leaf: there was no repository to write one.
      this.setMeta('scan_cursor', String(this.log.size));
    }
    if (this.meta('token_key') === null) this.setMeta('token_key', randomBytes(32).toString('hex'));
  }

  /** A cached prepared statement. */
  stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.stmt(sql).all(...params) as Row[];
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined;
  }

  meta(key: string): string | null {
    const r = this.get('SELECT value FROM epcis_meta WHERE key = ?', key);
    return r ? String(r.value) : null;
  }

  setMeta(key: string, value: string): void {
    this.stmt('INSERT INTO epcis_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      key,
      value,
    );
  }

  /** Secret for pagination tokens (kept, so tokens survive restarts). */
  get tokenKey(): Buffer {
    return Buffer.from(this.meta('token_key') ?? '', 'hex');
  }

  /** Run `fn` alone: captures are serialised so the duplicate check, the append and the index see one state. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ------------------------------------------------------------ writing

  /**
   * Which of these events may not be stored: an original whose eventID is already
   * stored (or repeated in the batch), or a second error declaration of an event.
   */
  conflicts(events: readonly PreparedEvent[]): Map<number, CaptureProblem> {
    const out = new Map<number, CaptureProblem>();
    const seen = new Set<string>();
    const exists = this.stmt('SELECT rid FROM epcis_events WHERE event_id = ? AND is_declaration = ?');
    for (const p of events) {
      const decl = p.index.declaration ? 1 : 0;
      const key = `${decl}:${p.index.eventId}`;
      const stored = exists.get(p.index.eventId, decl) as Row | undefined;
      if (stored || seen.has(key)) {
        const where = stored ? `is already stored (leaf ${Number(stored.rid)})` : 'appears twice in this document';
        out.set(p.position, {
          type: 'epcisException:ResourceAlreadyExistsException',
          title: decl ? 'Event already declared erroneous' : 'Duplicate eventID',
          status: 409,
          code: decl ? 'duplicate_error_declaration' : 'duplicate_event_id',
          detail: decl
            ? `an error declaration for event ${p.index.eventId} ${where}`
            : `event ${p.index.eventId} ${where}; to correct it, capture it again with an errorDeclaration`,
          eventIndex: p.position,
          eventID: p.index.eventId,
        });
      }
      seen.add(key);
    }
    return out;
  }

  /**
   * Append the events to the log (one atomic append) and index them. Call
   * inside exclusive(). Returns the first leaf index and the record time.
   */
  async appendAndIndex(
    events: readonly PreparedEvent[],
    captureId: string | null,
  ): Promise<{ firstIndex: number; recordTime: number }> {
    if (this.closed) throw new RepositoryError('closed', 'the EPCIS repository is closed');
    if (this.dirty) await this.catchUp();
    const recordTime = this.now();
    const entries = events.map((p) => ({
      data: encodeLeaf({ kind: LEAF_KIND, receivedAt: recordTime, body: encodeEpcisBody(p.index.hashId, p.json) }),
    }));
    const { firstIndex } = await this.log.append(entries);
    try {
      this.indexBatch(
        events.map((p, i) => ({ rid: firstIndex + i, index: p.index, json: p.json })),
        recordTime,
        captureId,
        firstIndex + events.length,
      );
    } catch (err) {
      this.dirty = true;
      // Durable in the log but not indexed: index from the log now, or on the next write.
      await this.catchUp().catch(() => undefined);
      if (this.dirty) {
        throw new RepositoryError(
          'not_indexed',
          `events logged at leaves ${firstIndex}…${firstIndex + events.length - 1} but not yet indexed (${err instanceof Error ? err.message : String(err)}); they are indexed on the next capture or restart`,
        );
      }
    }
    this.onAppended?.();
    for (const fn of this.indexedListeners) fn();
    return { firstIndex, recordTime };
  }

  /** Call `fn` after every capture is indexed; returns the unsubscribe. Listeners must not throw or block. */
  onIndexed(fn: () => void): () => void {
    this.indexedListeners.add(fn);
    return () => this.indexedListeners.delete(fn);
  }

  private indexBatch(
    rows: { rid: number; index: IndexedEvent; json: string }[],
    recordTime: number,
    captureId: string | null,
    cursor: number,
  ): void {
    const insEvent =
      this.stmt(`INSERT INTO epcis_events (rid, event_id, hash_id, type, event_time, record_time, tz_offset, action,
      biz_step, disposition, read_point, biz_location, transformation_id, has_sensor, is_declaration, declaration_time, error_reason,
      declared_by, capture_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insJson = this.stmt('INSERT INTO epcis_json (rid, json) VALUES (?, ?)');
    const insEpc = this.stmt('INSERT OR IGNORE INTO epcis_epc (epc, t, rid, role, quantity, uom) VALUES (?, ?, ?, ?, ?, ?)');
    const insLink = this.stmt('INSERT INTO epcis_link (kind, value, rid, type, seq) VALUES (?, ?, ?, ?, ?)');
    const insSensor = this.stmt(`INSERT INTO epcis_sensor (rid, el, rep, type, device_id, time, start_time, end_time, uom, value,
      min_value, max_value, mean_value, sdev, perc_rank, perc_value, string_value, boolean_value, hex_binary_value, uri_value, dpm,
      microorganism, chemical_substance, biz_rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insExt = this.stmt('INSERT INTO epcis_ext (rid, seq, area, field, kind, text, num) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insNs = this.stmt('INSERT OR IGNORE INTO epcis_ns (prefix, ns) VALUES (?, ?)');
    const insGcp = this.stmt('INSERT OR IGNORE INTO epcis_gcp (prefix) VALUES (?)');
    const gcps = this.companyPrefixes();
    const newGcps: string[] = [];
    const markDeclared = this.stmt(
      'UPDATE epcis_events SET declared_by = ? WHERE event_id = ? AND is_declaration = 0 AND declared_by IS NULL',
    );
    const declarationOf = this.stmt('SELECT rid FROM epcis_events WHERE event_id = ? AND is_declaration = 1');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const { rid, index: x, json } of rows) {
        const decl = x.declaration;
        const declaredBy = decl ? null : ((declarationOf.get(x.eventId) as Row | undefined)?.rid ?? null);
        insEvent.run(
          rid,
          x.eventId,
          x.hashId,
          x.type,
          x.eventTime,
          recordTime,
          x.tzOffset,
          x.action,
          x.bizStep,
          x.disposition,
          x.readPoint,
          x.bizLocation,
          x.transformationId,
          x.hasSensor ? 1 : 0,
          decl ? 1 : 0,
          decl?.time ?? null,
          decl?.reason ?? null,
          declaredBy,
          captureId,
        );
        insJson.run(rid, json);
        for (const e of x.epcs) insEpc.run(e.epc, x.eventTime, rid, e.role, e.quantity, e.uom);
        x.links.forEach((l, seq) => {
          insLink.run(l.kind, l.value, rid, l.type, seq);
        });
        for (const s of x.sensors) {
          insSensor.run(
            rid,
            s.element,
            s.report,
            s.type,
            s.deviceId,
            s.time,
            s.startTime,
            s.endTime,
            s.uom,
            s.value,
            s.minValue,
            s.maxValue,
            s.meanValue,
            s.sDev,
            s.percRank,
            s.percValue,
            s.stringValue,
            s.booleanValue,
            s.hexBinaryValue,
            s.uriValue,
            s.dataProcessingMethod,
            s.microorganism,
            s.chemicalSubstance,
            s.bizRules,
          );
        }
        x.ext.rows.forEach((r, seq) => {
          insExt.run(rid, seq, r.area, r.field, r.kind, r.text, r.num);
        });
        for (const [prefix, ns] of x.ext.namespaces) {
          const k = `${prefix} ${ns}`;
          if (this.nsSeen.has(k)) continue;
          insNs.run(prefix, ns);
          this.nsSeen.add(k);
        }
        for (const p of x.gcps) {
          if (gcps.has(p)) continue;
          insGcp.run(p);
          newGcps.push(p);
          gcps.add(p);
        }
        if (decl) markDeclared.run(rid, x.eventId);
      }
      const current = Number(this.meta('scan_cursor') ?? 0);
      if (cursor > current) this.setMeta('scan_cursor', String(cursor));
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      for (const p of newGcps) gcps.delete(p);
      this.nsSeen.clear();
      throw err;
    }
  }

  /** GS1 Company Prefixes seen in captured EPC URNs (live set: grows as events are indexed). */
  companyPrefixes(): Set<string> {
    if (!this.gcpSet) this.gcpSet = new Set(this.all('SELECT prefix FROM epcis_gcp').map((r) => String(r.prefix)));
    return this.gcpSet;
  }

  /** Learn company prefixes from elsewhere (master data ids). */
  noteCompanyPrefixes(prefixes: Iterable<string>): void {
    const set = this.companyPrefixes();
    for (const p of prefixes) {
      if (set.has(p)) continue;
      this.stmt('INSERT OR IGNORE INTO epcis_gcp (prefix) VALUES (?)').run(p);
      set.add(p);
    }
  }

  /** Namespace IRIs captured contexts declared for a CURIE prefix. */
  namespacesOf(prefix: string): string[] {
    return this.all('SELECT ns FROM epcis_ns WHERE prefix = ?', prefix).map((r) => String(r.ns));
  }

  /** Page tokens released by DELETE /nextPageToken/{token} (keyed by their MAC). */
  revokeToken(mac: string): void {
    this.stmt('INSERT OR IGNORE INTO epcis_revoked_tokens (mac, at) VALUES (?, ?)').run(mac, this.now());
  }

  isTokenRevoked(mac: string): boolean {
    return Boolean(this.get('SELECT 1 FROM epcis_revoked_tokens WHERE mac = ?', mac));
  }

  /**
   * Index every "epcis" leaf between the scan cursor and the end of the log that
   * is not indexed yet (after a crash between append and index, or a failed index write).
   */
  async catchUp(): Promise<{ indexed: number; scanned: number }> {
    const end = this.log.size;
    let cursor = Number(this.meta('scan_cursor') ?? 0);
    let indexed = 0;
    const scannedFrom = cursor;
    const isIndexed = this.stmt('SELECT 1 FROM epcis_events WHERE rid = ?');
    while (cursor < end) {
      const to = Math.min(cursor + 2048, end);
      const leaves = await this.store.leaves(cursor, to);
      const batch: { rid: number; index: IndexedEvent; json: string; recordTime: number }[] = [];
      for (const leaf of leaves) {
        const rec = decodeLeaf(leaf.data);
        if (rec.kind !== LEAF_KIND || isIndexed.get(leaf.index)) continue;
        const { hashId, json } = decodeEpcisBody(rec.body);
        const event = JSON.parse(json) as EpcisEvent;
        const x = extractEvent(event, '', this.codec);
        if (!x.ok)
          throw new RepositoryError(
            'corrupt',
            `leaf ${leaf.index} holds an EPCIS event that no longer indexes: ${x.problems[0]?.detail}`,
          );
        batch.push({
          rid: leaf.index,
          index: { ...x.index, hashId, eventId: String(event.eventID ?? hashId) },
          json,
          recordTime: rec.receivedAt,
        });
      }
      // Group by record time (one capture shares one) to keep indexBatch's signature.
      let i = 0;
      while (i < batch.length) {
        let j = i;
        while (j < batch.length && batch[j]!.recordTime === batch[i]!.recordTime) j++;
        this.indexBatch(batch.slice(i, j), batch[i]!.recordTime, null, j === batch.length ? to : batch[j]!.rid);
        i = j;
      }
      indexed += batch.length;
      cursor = to;
      this.setMeta('scan_cursor', String(cursor));
    }
    this.dirty = false;
    return { indexed, scanned: end - scannedFrom };
  }

  // ------------------------------------------------------------ reading

  /** The canonical JSON of these events, by leaf index. */
  jsonOf(leafIndexes: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    if (leafIndexes.length === 0) return out;
    for (const r of this.all(
      'SELECT rid, json FROM epcis_json WHERE rid IN (SELECT value FROM json_each(?))',
      JSON.stringify(leafIndexes),
    )) {
      out.set(Number(r.rid), String(r.json));
    }
    return out;
  }

  static stored(r: Row): StoredEvent {
    return {
      leafIndex: Number(r.rid),
      eventId: String(r.event_id),
      hashId: String(r.hash_id),
      type: String(r.type) as EventType,
      eventTime: Number(r.event_time),
      recordTime: Number(r.record_time),
      isDeclaration: Number(r.is_declaration) === 1,
      declaredBy: r.declared_by === null ? null : Number(r.declared_by),
      captureId: r.capture_id === null ? null : String(r.capture_id),
      json: String(r.json),
    };
  }

  count(): number {
    return Number(this.get('SELECT COUNT(*) AS n FROM epcis_events')?.n ?? 0);
  }

  byLeaf(leafIndex: number): StoredEvent | null {
    const r = this.get('SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.rid = ?', leafIndex);
    return r ? EpcisRepository.stored(r) : null;
  }

  /** The event with this eventID and any error declaration of it (original first). */
  byEventId(eventId: string): StoredEvent[] {
    return this.all(
      'SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.event_id = ? ORDER BY e.is_declaration, e.rid',
      eventId,
    ).map(EpcisRepository.stored);
  }

  eventsByEventIds(ids: readonly string[]): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const id of new Set(ids)) out.push(...this.byEventId(id));
    return out.sort((a, b) => a.leafIndex - b.leafIndex);
  }

  /** Every event in which `epc` (an EPC, EPC class or pattern) appears, with its roles there, in log order. */
  eventsByEpc(epc: string, roles?: readonly RoleName[]): (StoredEvent & { roles: RoleName[] })[] {
    const want = roles ? new Set(roles.map((r) => ROLE[r])) : null;
    const m = epcMatcher(epc, this.codec);
    const hits = new Map<number, Set<RoleName>>();
    const add = (rows: Row[]) => {
      for (const r of rows) {
        const role = Number(r.role);
        if (want && !want.has(role as never)) continue;
        if (m.exact === null && !m.test(String(r.epc))) continue;
        const set = hits.get(Number(r.rid)) ?? new Set<RoleName>();
        set.add(ROLE_NAME[role]!);
        hits.set(Number(r.rid), set);
      }
    };
    if (m.exact !== null) add(this.all('SELECT epc, rid, role FROM epcis_epc WHERE epc = ?', m.exact));
    for (const range of m.ranges)
      add(this.all('SELECT epc, rid, role FROM epcis_epc WHERE epc >= ? AND epc < ?', range.from, range.to));
    return [...hits.keys()].sort((a, b) => a - b).map((rid) => ({ ...this.byLeaf(rid)!, roles: [...hits.get(rid)!] }));
  }

  /**
   * The graph hops of one identifier: each event it appears in (between `from` and `until`,
   * eventTime in ms) and its role there, in time order (trace). The index is keyed by
   * (identifier, time), so a reusable container's thousands of trips cost nothing outside the window.
   */
  hops(epc: string, from = -MAX_TIME, until = MAX_TIME): GraphHop[] {
    return this.all(
      `SELECT x.role, e.rid, e.event_id, e.hash_id, e.type, e.action, e.event_time, e.biz_step, e.disposition, e.read_point,
        e.biz_location, e.transformation_id, e.is_declaration, e.declared_by
       FROM epcis_epc x JOIN epcis_events e ON e.rid = x.rid WHERE x.epc = ? AND x.t >= ? AND x.t <= ? ORDER BY x.t, x.rid`,
      epcKey(epc, this.codec),
      Math.max(from, -MAX_TIME),
      Math.min(until, MAX_TIME),
    ).map(hopFromRow);
  }

  /** hops() of many (identifier, window) pairs at once (a trace's frontier): one statement per 500. */
  hopsMany(visits: readonly { id: string; from: number; until: number }[]): GraphHop[][] {
    const out: GraphHop[][] = visits.map(() => []);
    for (let i = 0; i < visits.length; i += 500) {
      const chunk = visits.slice(i, i + 500).map((v) => [v.id, Math.max(v.from, -MAX_TIME), Math.min(v.until, MAX_TIME)]);
      const rows = this.all(
        `SELECT j.key AS k, x.role, e.rid, e.event_id, e.hash_id, e.type, e.action, e.event_time, e.biz_step, e.disposition, e.read_point,
          e.biz_location, e.transformation_id, e.is_declaration, e.declared_by
         FROM json_each(?) j
         JOIN epcis_epc x ON x.epc = json_extract(j.value, '$[0]') AND x.t >= json_extract(j.value, '$[1]') AND x.t <= json_extract(j.value, '$[2]')
         JOIN epcis_events e ON e.rid = x.rid
         ORDER BY j.key, x.t, x.rid`,
        JSON.stringify(chunk),
      );
      for (const r of rows) out[i + Number(r.k)]!.push(hopFromRow(r));
    }
    return out;
  }

  /** eventLinks() of many events at once. */
  eventLinksMany(leafIndexes: readonly number[]): Map<number, EventLinks> {
    const out = new Map<number, EventLinks>();
    for (const rid of leafIndexes) out.set(rid, { epcs: [], links: [] });
    for (let i = 0; i < leafIndexes.length; i += 500) {
      const list = JSON.stringify(leafIndexes.slice(i, i + 500));
      for (const r of this.all(
        'SELECT rid, epc, role, quantity, uom FROM epcis_epc WHERE rid IN (SELECT value FROM json_each(?))',
        list,
      )) {
        out.get(Number(r.rid))?.epcs.push({
          epc: String(r.epc),
          role: ROLE_NAME[Number(r.role)]!,
          quantity: r.quantity === null ? null : Number(r.quantity),
          uom: r.uom === null ? null : String(r.uom),
        });
      }
      for (const r of this.all(
        'SELECT rid, kind, type, value FROM epcis_link WHERE rid IN (SELECT value FROM json_each(?)) ORDER BY rid, seq',
        list,
      )) {
        out.get(Number(r.rid))?.links.push({
          kind: LINK_NAME[Number(r.kind)]!,
          type: r.type === null ? null : String(r.type),
          value: String(r.value),
        });
      }
    }
    return out;
  }

  /** The identifiers and references of one event (trace). */
  eventLinks(leafIndex: number): EventLinks {
    return {
      epcs: this.all('SELECT epc, role, quantity, uom FROM epcis_epc WHERE rid = ?', leafIndex).map((r) => ({
        epc: String(r.epc),
        role: ROLE_NAME[Number(r.role)]!,
        quantity: r.quantity === null ? null : Number(r.quantity),
        uom: r.uom === null ? null : String(r.uom),
      })),
      links: this.all('SELECT kind, type, value FROM epcis_link WHERE rid = ? ORDER BY seq', leafIndex).map((r) => ({
        kind: LINK_NAME[Number(r.kind)]!,
        type: r.type === null ? null : String(r.type),
        value: String(r.value),
      })),
    };
  }

  /** Leaf indexes of the events that share a transformationID. */
  transformationEvents(id: string): number[] {
    return this.all('SELECT rid FROM epcis_events WHERE transformation_id = ? ORDER BY rid', id).map((r) => Number(r.rid));
  }

  /** Distinct values of an indexed vocabulary, after `after`, for the resource collections. */
  vocabulary(
    kind: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'eventType' | 'epc',
    limit: number,
    after?: string,
  ): string[] {
    const col = {
      bizStep: 'biz_step',
      disposition: 'disposition',
      readPoint: 'read_point',
      bizLocation: 'biz_location',
      eventType: 'type',
    };
    if (kind === 'epc') {
      // Instance EPCs and parent IDs (not classes): the /epcs collection.
      return this.all(
        `SELECT DISTINCT epc FROM epcis_epc WHERE epc > ? AND role IN (${ROLE.epc}, ${ROLE.parent}, ${ROLE.child}, ${ROLE.input}, ${ROLE.output})
         ORDER BY epc LIMIT ?`,
        after ?? '',
        limit,
      ).map((r) => String(r.epc));
    }
    const c = col[kind];
    return this.all(
      `SELECT DISTINCT ${c} AS v FROM epcis_events WHERE ${c} IS NOT NULL AND ${c} > ? ORDER BY ${c} LIMIT ?`,
      after ?? '',
      limit,
    ).map((r) => String(r.v));
  }

  hasVocabulary(kind: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'eventType' | 'epc', value: string): boolean {
    if (kind === 'epc') return Boolean(this.get('SELECT 1 FROM epcis_epc WHERE epc = ? LIMIT 1', value));
    const col = {
      bizStep: 'biz_step',
      disposition: 'disposition',
      readPoint: 'read_point',
      bizLocation: 'biz_location',
      eventType: 'type',
    }[kind];
    return Boolean(this.get(`SELECT 1 FROM epcis_events WHERE ${col} = ? LIMIT 1`, value));
  }

  // ------------------------------------------------------------ capture jobs

  createJob(job: {
    id: string;
    behaviour: CaptureJob['captureErrorBehaviour'];
    eventCount: number;
    errors: CaptureProblem[];
    probeEventId: string | null;
  }): void {
    this.stmt(
      `INSERT INTO epcis_capture_jobs (id, created_at, running, success, behaviour, event_count, errors, probe_event_id, min_leaf)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.id,
      this.now(),
      job.errors.length === 0 ? 1 : 0,
      job.behaviour,
      job.eventCount,
      JSON.stringify(job.errors),
      job.probeEventId,
      this.log.size,
    );
  }

  finishJob(
    id: string,
    r: { success: boolean; errors: CaptureProblem[]; captured: number; leaves: { first: number; last: number } | null },
  ): void {
    this.stmt(
      `UPDATE epcis_capture_jobs SET running = 0, success = ?, finished_at = ?, errors = ?, captured_count = ?, first_leaf = ?, last_leaf = ?
       WHERE id = ?`,
    ).run(
      r.success ? 1 : 0,
      this.now(),
      JSON.stringify(r.errors),
      r.captured,
      r.leaves?.first ?? null,
      r.leaves?.last ?? null,
      id,
    );
  }

  job(id: string): CaptureJob | null {
    const r = this.get('SELECT * FROM epcis_capture_jobs WHERE id = ?', id);
    return r ? jobFromRow(r) : null;
  }

  /** Capture jobs, oldest first, after the (createdAt, id) of `after`. */
  jobs(limit: number, after?: { createdAt: number; id: string }): (CaptureJob & { createdAtMs: number })[] {
    return this.all(
      'SELECT * FROM epcis_capture_jobs WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
      after?.createdAt ?? -1,
      after?.id ?? '',
      limit,
    ).map((r) => ({ ...jobFromRow(r), createdAtMs: Number(r.created_at) }));
  }

  /** Jobs left running by a stopped process: finished from what the log holds (their events were appended in one go). */
  private settleInterruptedJobs(): void {
    for (const r of this.all('SELECT * FROM epcis_capture_jobs WHERE running = 1')) {
      const probe = r.probe_event_id === null ? null : String(r.probe_event_id);
      // The job's first event, logged after the job was created (an older event may share its eventID: a declaration's original).
      const stored = probe
        ? this.get(
            'SELECT rid FROM epcis_events WHERE event_id = ? AND rid >= ? ORDER BY rid LIMIT 1',
            probe,
            Number(r.min_leaf ?? 0),
          )
        : undefined;
      const errors = JSON.parse(String(r.errors)) as CaptureProblem[];
      if (stored) {
        this.finishJob(String(r.id), {
          success: errors.length === 0,
          errors,
          captured: Number(r.event_count) - errors.length,
          leaves: null,
        });
      } else {
        errors.push({
          type: 'epcisException:ImplementationException',
          title: 'Capture interrupted',
          status: 500,
          code: 'capture_interrupted',
          detail: 'the node stopped before this capture job reached the log: no event of it was stored',
        });
        this.finishJob(String(r.id), { success: false, errors, captured: 0, leaves: null });
      }
    }
  }

  /** After open: index what the log holds beyond the cursor, settle jobs a stop interrupted. */
  async recover(): Promise<{ indexed: number; scanned: number }> {
    const r = await this.exclusive(() => this.catchUp());
    this.settleInterruptedJobs();
    return r;
  }

  /** Refresh the planner's statistics (after bulk loads). */
  optimize(): void {
    this.db.exec('PRAGMA optimize; ANALYZE;');
  }

  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    if (this.db.isOpen) {
      try {
        this.db.exec('PRAGMA optimize');
      } catch {
        // statistics are an optimisation only
      }
      this.db.close();
    }
  }
}

function hopFromRow(r: Row): GraphHop {
  return {
    leafIndex: Number(r.rid),
    role: ROLE_NAME[Number(r.role)]!,
    eventId: String(r.event_id),
    hashId: String(r.hash_id),
    type: String(r.type) as EventType,
    action: r.action === null ? null : String(r.action),
    eventTime: Number(r.event_time),
    bizStep: r.biz_step === null ? null : String(r.biz_step),
    disposition: r.disposition === null ? null : String(r.disposition),
    readPoint: r.read_point === null ? null : String(r.read_point),
    bizLocation: r.biz_location === null ? null : String(r.biz_location),
    transformationId: r.transformation_id === null ? null : String(r.transformation_id),
    isDeclaration: Number(r.is_declaration) === 1,
    declaredBy: r.declared_by === null ? null : Number(r.declared_by),
  };
}

function jobFromRow(r: Row): CaptureJob {
  return {
    captureID: String(r.id),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    ...(r.finished_at !== null ? { finishedAt: new Date(Number(r.finished_at)).toISOString() } : {}),
    running: Number(r.running) === 1,
    success: Number(r.success) === 1,
    captureErrorBehaviour: String(r.behaviour) as CaptureJob['captureErrorBehaviour'],
    errors: JSON.parse(String(r.errors)) as CaptureProblem[],
    eventCount: Number(r.event_count),
    capturedCount: Number(r.captured_count),
    leaves: r.first_leaf === null ? null : { first: Number(r.first_leaf), last: Number(r.last_leaf) },
  };
}

/** Open the repository on the node's SQLite file and bring its index level with the log. */
export async function openEpcisRepository(opts: EpcisRepositoryOptions): Promise<EpcisRepository> {
  const repo = new EpcisRepository(opts);
  await repo.recover();
  return repo;
}
