// The EPCIS index on the node's SQLite file, on its own connection. The index
// can be rebuilt from the log, so it need not fsync every commit
// (synchronous=NORMAL). Reads go through a memory map and a 64 MiB page cache:
// queries and traces touch many small index pages of a file that outgrows
// SQLite's default 2 MB cache.
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
//   epcis_ext      user extension fields and ILMD, one row per value (epcis/extension-index.ts);
//                  epcis_ns the CURIE prefixes captured contexts declared
//   epcis_gcp      GS1 Company Prefixes seen in EPC URNs (GS1-EPC-Format: Always_EPC_URN)
//   epcis_vocab*   master data (epcis/master-data.ts; not derived from the log)
//   epcis_revoked_tokens  page tokens released by DELETE /nextPageToken/{token}
//   epcis_capture_jobs, epcis_meta
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { EventFilter, PageAfter, QueryContext } from '../../epcis/filter.js';
import { ROLE, type StoredEvent } from '../../epcis/types.js';
import type {
  EpcisIndexStore,
  EpcOccurrence,
  EventLinks,
  GraphHop,
  IndexRow,
  StoredCaptureJob,
  VocabElementRow,
  VocabularyKind,
} from '../epcis.js';
import { MAX_TIME } from '../epcis.js';
import {
  countPlan,
  epcLinkFromRow,
  HOP_COLUMNS,
  hopFromRow,
  jobFromRow,
  linkFromRow,
  queryPlan,
  type SqlRow,
  type SqlValue,
  storedFromRow,
  VOCABULARY_COLUMN,
} from '../epcis-sql.js';
import { StoreError } from '../errors.js';
import { migrateSqlite, openSqliteFile } from './database.js';
import { compileSqliteFilter } from './epcis-query.js';
import { SQLITE_EPCIS_MIGRATIONS } from './epcis-schema.js';

type Row = Record<string, SQLInputValue>;

export class SqliteEpcisIndex implements EpcisIndexStore {
  /** The connection (the EPCIS subscription store shares it for now). */
  readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();
  private matcher: ((pattern: string, value: string) => boolean) | null = null;

  constructor(path: string) {
    this.db = openSqliteFile({ path, synchronous: 'NORMAL' });
    this.db.exec('PRAGMA cache_size=-65536; PRAGMA mmap_size=8589934592;');
    migrateSqlite(this.db, 'epcis', SQLITE_EPCIS_MIGRATIONS);
    this.db.function('epc_match', { deterministic: true }, (pattern, value) =>
      typeof pattern === 'string' && typeof value === 'string' && this.matcher?.(pattern, value) ? 1 : 0,
    );
  }

  /** A cached prepared statement. */
  stmt(sql: string): StatementSync {
    if (!this.db.isOpen) throw new StoreError('closed', 'the EPCIS index is closed');
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

  // The SQLite dialect binds scalars only (no keyList).
  private readonly run = async (sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> =>
    this.all(sql, ...(params as SQLInputValue[]));

  private tx<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.db.exec('COMMIT');
      return r;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  metaSync(key: string): string | null {
    const r = this.get('SELECT value FROM epcis_meta WHERE key = ?', key);
    return r ? String(r.value) : null;
  }

  setMetaSync(key: string, value: string): void {
    this.stmt('INSERT INTO epcis_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
      key,
      value,
    );
  }

  async meta(key: string): Promise<string | null> {
    return this.metaSync(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.setMetaSync(key, value);
  }

  // ------------------------------------------------------------ writing

  async indexEvents(rows: readonly IndexRow[], cursor: number): Promise<void> {
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
    const markDeclared = this.stmt(
      'UPDATE epcis_events SET declared_by = ? WHERE event_id = ? AND is_declaration = 0 AND declared_by IS NULL',
    );
    const declarationOf = this.stmt('SELECT rid FROM epcis_events WHERE event_id = ? AND is_declaration = 1');
    const seenNs = new Set<string>();
    const seenGcp = new Set<string>();
    this.tx(() => {
      for (const { rid, index: x, json, recordTime, captureId } of rows) {
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
          if (seenNs.has(k)) continue;
          insNs.run(prefix, ns);
          seenNs.add(k);
        }
        for (const p of x.gcps) {
          if (seenGcp.has(p)) continue;
          insGcp.run(p);
          seenGcp.add(p);
        }
        if (decl) markDeclared.run(rid, x.eventId);
      }
      const current = Number(this.metaSync('scan_cursor') ?? 0);
      if (cursor > current) this.setMetaSync('scan_cursor', String(cursor));
    });
  }

  async indexedAmong(rids: readonly number[]): Promise<Set<number>> {
    const out = new Set<number>();
    for (let i = 0; i < rids.length; i += 500) {
      for (const r of this.all(
        'SELECT rid FROM epcis_events WHERE rid IN (SELECT value FROM json_each(?))',
        JSON.stringify(rids.slice(i, i + 500)),
      ))
        out.add(Number(r.rid));
    }
    return out;
  }

  async findEvents(keys: readonly { eventId: string; declaration: boolean }[]): Promise<(number | null)[]> {
    const exists = this.stmt('SELECT rid FROM epcis_events WHERE event_id = ? AND is_declaration = ?');
    return keys.map((k) => {
      const r = exists.get(k.eventId, k.declaration ? 1 : 0) as Row | undefined;
      return r ? Number(r.rid) : null;
    });
  }

  async firstEventAtOrAfter(eventId: string, minLeaf: number): Promise<number | null> {
    const r = this.get('SELECT rid FROM epcis_events WHERE event_id = ? AND rid >= ? ORDER BY rid LIMIT 1', eventId, minLeaf);
    return r ? Number(r.rid) : null;
  }

  async companyPrefixes(): Promise<string[]> {
    return this.all('SELECT prefix FROM epcis_gcp').map((r) => String(r.prefix));
  }

  async addCompanyPrefixes(prefixes: readonly string[]): Promise<void> {
    const ins = this.stmt('INSERT OR IGNORE INTO epcis_gcp (prefix) VALUES (?)');
    for (const p of prefixes) ins.run(p);
  }

  async namespaces(): Promise<[string, string][]> {
    return this.all('SELECT prefix, ns FROM epcis_ns').map((r) => [String(r.prefix), String(r.ns)]);
  }

  async revokeToken(mac: string, at: number): Promise<void> {
    this.stmt('INSERT OR IGNORE INTO epcis_revoked_tokens (mac, at) VALUES (?, ?)').run(mac, at);
  }

  async isTokenRevoked(mac: string): Promise<boolean> {
    return Boolean(this.get('SELECT 1 FROM epcis_revoked_tokens WHERE mac = ?', mac));
  }

  // ------------------------------------------------------------ master data

  async storeMasterData(
    elements: readonly VocabElementRow[],
    namespaces: readonly [string, string][],
    now: number,
  ): Promise<void> {
    if (elements.length === 0) return;
    const insNs = this.stmt('INSERT OR IGNORE INTO epcis_ns (prefix, ns) VALUES (?, ?)');
    const upsert = this.stmt(
      'INSERT INTO epcis_vocab (id, type, updated_at) VALUES (?, ?, ?) ON CONFLICT(id, type) DO UPDATE SET updated_at = excluded.updated_at',
    );
    const dropAttrs = this.stmt('DELETE FROM epcis_vocab_attr WHERE id = ?');
    const insAttr = this.stmt('INSERT INTO epcis_vocab_attr (id, attr, seq, kind, text, num) VALUES (?, ?, ?, ?, ?, ?)');
    const dropChildren = this.stmt('DELETE FROM epcis_vocab_child WHERE parent = ?');
    const insChild = this.stmt('INSERT OR IGNORE INTO epcis_vocab_child (parent, child) VALUES (?, ?)');
    this.tx(() => {
      for (const [prefix, ns] of namespaces) insNs.run(prefix, ns);
      for (const el of elements) {
        upsert.run(el.id, el.type, now);
        if (el.attributes.length > 0) {
          dropAttrs.run(el.id);
          el.attributes.forEach((a, seq) => {
            insAttr.run(el.id, a.attr, seq, a.kind, a.text, a.num);
          });
        }
        if (el.children) {
          dropChildren.run(el.id);
          for (const c of el.children) insChild.run(el.id, c);
        }
      }
    });
  }

  async vocabularyElement(id: string) {
    const types = this.all('SELECT type FROM epcis_vocab WHERE id = ?', id).map((r) => String(r.type));
    if (types.length === 0) return null;
    return {
      types,
      attributes: this.all('SELECT attr, text, num, kind FROM epcis_vocab_attr WHERE id = ? ORDER BY seq', id).map((r) => ({
        attr: String(r.attr),
        value: ((Number(r.kind) === 1 ? r.num : r.text) ?? null) as string | number | null,
      })),
      children: this.all('SELECT child FROM epcis_vocab_child WHERE parent = ? ORDER BY child', id).map((r) => String(r.child)),
    };
  }

  // ------------------------------------------------------------ reading

  async count(): Promise<number> {
    return Number(this.get('SELECT COUNT(*) AS n FROM epcis_events')?.n ?? 0);
  }

  async lastIndexed(): Promise<number> {
    const r = this.get('SELECT MAX(rid) AS m FROM epcis_events');
    return r?.m === null || r?.m === undefined ? -1 : Number(r.m);
  }

  async jsonOf(rids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (rids.length === 0) return out;
    for (const r of this.all(
      'SELECT rid, json FROM epcis_json WHERE rid IN (SELECT value FROM json_each(?))',
      JSON.stringify(rids),
    ))
      out.set(Number(r.rid), String(r.json));
    return out;
  }

  async byLeaf(rid: number): Promise<StoredEvent | null> {
    const r = this.get('SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.rid = ?', rid);
    return r ? storedFromRow(r) : null;
  }

  async byEventId(eventId: string): Promise<StoredEvent[]> {
    return this.all(
      'SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.event_id = ? ORDER BY e.is_declaration, e.rid',
      eventId,
    ).map(storedFromRow);
  }

  async epcOccurrences(where: { exact: string } | { from: string; to: string }): Promise<EpcOccurrence[]> {
    const rows =
      'exact' in where
        ? this.all('SELECT epc, rid, role FROM epcis_epc WHERE epc = ?', where.exact)
        : this.all('SELECT epc, rid, role FROM epcis_epc WHERE epc >= ? AND epc < ?', where.from, where.to);
    return rows.map((r) => ({ epc: String(r.epc), rid: Number(r.rid), role: Number(r.role) as EpcOccurrence['role'] }));
  }

  async hops(epc: string, from: number, until: number): Promise<GraphHop[]> {
    return this.all(
      `SELECT ${HOP_COLUMNS}
       FROM epcis_epc x JOIN epcis_events e ON e.rid = x.rid WHERE x.epc = ? AND x.t >= ? AND x.t <= ? ORDER BY x.t, x.rid`,
      epc,
      Math.max(from, -MAX_TIME),
      Math.min(until, MAX_TIME),
    ).map(hopFromRow);
  }

  async hopsMany(visits: readonly { id: string; from: number; until: number }[]): Promise<GraphHop[][]> {
    const out: GraphHop[][] = visits.map(() => []);
    for (let i = 0; i < visits.length; i += 500) {
      const chunk = visits.slice(i, i + 500).map((v) => [v.id, Math.max(v.from, -MAX_TIME), Math.min(v.until, MAX_TIME)]);
      const rows = this.all(
        `SELECT j.key AS k, ${HOP_COLUMNS}
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

  async eventLinks(rid: number): Promise<EventLinks> {
    return {
      epcs: this.all('SELECT epc, role, quantity, uom FROM epcis_epc WHERE rid = ?', rid).map(epcLinkFromRow),
      links: this.all('SELECT kind, type, value FROM epcis_link WHERE rid = ? ORDER BY seq', rid).map(linkFromRow),
    };
  }

  async eventLinksMany(rids: readonly number[]): Promise<Map<number, EventLinks>> {
    const out = new Map<number, EventLinks>();
    for (const rid of rids) out.set(rid, { epcs: [], links: [] });
    for (let i = 0; i < rids.length; i += 500) {
      const list = JSON.stringify(rids.slice(i, i + 500));
      for (const r of this.all(
        'SELECT rid, epc, role, quantity, uom FROM epcis_epc WHERE rid IN (SELECT value FROM json_each(?))',
        list,
      ))
        out.get(Number(r.rid))?.epcs.push(epcLinkFromRow(r));
      for (const r of this.all(
        'SELECT rid, kind, type, value FROM epcis_link WHERE rid IN (SELECT value FROM json_each(?)) ORDER BY rid, seq',
        list,
      ))
        out.get(Number(r.rid))?.links.push(linkFromRow(r));
    }
    return out;
  }

  async transformationGroups(ids: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const out = new Map<string, StoredEvent[]>(ids.map((id) => [id, []]));
    for (let i = 0; i < ids.length; i += 500) {
      for (const r of this.all(
        `SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid
         WHERE e.transformation_id IN (SELECT value FROM json_each(?)) ORDER BY e.rid`,
        JSON.stringify(ids.slice(i, i + 500)),
      ))
        out.get(String(r.transformation_id))?.push(storedFromRow(r));
    }
    return out;
  }

  async vocabulary(kind: VocabularyKind, limit: number, after?: string): Promise<string[]> {
    if (kind === 'epc') {
      // Instance EPCs and parent IDs (not classes): the /epcs collection.
      return this.all(
        `SELECT DISTINCT epc FROM epcis_epc WHERE epc > ? AND role IN (${ROLE.epc}, ${ROLE.parent}, ${ROLE.child}, ${ROLE.input}, ${ROLE.output})
         ORDER BY epc LIMIT ?`,
        after ?? '',
        limit,
      ).map((r) => String(r.epc));
    }
    const c = VOCABULARY_COLUMN[kind];
    return this.all(
      `SELECT DISTINCT ${c} AS v FROM epcis_events WHERE ${c} IS NOT NULL AND ${c} > ? ORDER BY ${c} LIMIT ?`,
      after ?? '',
      limit,
    ).map((r) => String(r.v));
  }

  async hasVocabulary(kind: VocabularyKind, value: string): Promise<boolean> {
    if (kind === 'epc') return Boolean(this.get('SELECT 1 FROM epcis_epc WHERE epc = ? LIMIT 1', value));
    return Boolean(this.get(`SELECT 1 FROM epcis_events WHERE ${VOCABULARY_COLUMN[kind]} = ? LIMIT 1`, value));
  }

  // ------------------------------------------------------------ queries

  async queryEvents(
    filter: EventFilter,
    page: { after: PageAfter | null; limit: number },
    ctx: QueryContext,
  ): Promise<StoredEvent[]> {
    this.matcher = ctx.epcMatch;
    return queryPlan(this.run, compileSqliteFilter(filter.where), filter, page, ctx, (rids) => this.jsonOf(rids));
  }

  async countEvents(filter: EventFilter, upTo: number, ctx: QueryContext): Promise<number> {
    this.matcher = ctx.epcMatch;
    return countPlan(this.run, compileSqliteFilter(filter.where), upTo, ctx);
  }

  // ------------------------------------------------------------ capture jobs

  async createJob(job: Parameters<EpcisIndexStore['createJob']>[0]): Promise<void> {
    this.stmt(
      `INSERT INTO epcis_capture_jobs (id, created_at, running, success, behaviour, event_count, errors, probe_event_id, min_leaf)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)`,
    ).run(
      job.id,
      job.createdAt,
      job.success ? 1 : 0,
      job.behaviour,
      job.eventCount,
      JSON.stringify(job.errors),
      job.probeEventId,
      job.minLeaf,
    );
  }

  async finishJob(id: string, r: Parameters<EpcisIndexStore['finishJob']>[1]): Promise<void> {
    this.stmt(
      `UPDATE epcis_capture_jobs SET running = 0, success = ?, finished_at = ?, errors = ?, captured_count = ?, first_leaf = ?, last_leaf = ?
       WHERE id = ?`,
    ).run(
      r.success ? 1 : 0,
      r.finishedAt,
      JSON.stringify(r.errors),
      r.captured,
      r.leaves?.first ?? null,
      r.leaves?.last ?? null,
      id,
    );
  }

  async job(id: string): Promise<StoredCaptureJob | null> {
    const r = this.get('SELECT * FROM epcis_capture_jobs WHERE id = ?', id);
    return r ? jobFromRow(r) : null;
  }

  async jobs(limit: number, after?: { createdAt: number; id: string }): Promise<StoredCaptureJob[]> {
    return this.all(
      'SELECT * FROM epcis_capture_jobs WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?',
      after?.createdAt ?? -1,
      after?.id ?? '',
      limit,
    ).map(jobFromRow);
  }

  async runningJobs(): Promise<StoredCaptureJob[]> {
    return this.all('SELECT * FROM epcis_capture_jobs WHERE running = 1 ORDER BY created_at, id').map(jobFromRow);
  }

  async optimize(): Promise<void> {
    this.db.exec('PRAGMA optimize; ANALYZE;');
  }

  async close(): Promise<void> {
    if (!this.db.isOpen) return;
    try {
      this.db.exec('PRAGMA optimize');
    } catch {
      // statistics are an optimisation only
    }
    this.db.close();
  }
}
