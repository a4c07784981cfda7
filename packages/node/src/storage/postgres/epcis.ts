// The EPCIS index on PostgreSQL, over the node's one pool. Same tables as the
// SQLite driver (see sqlite/epcis.ts for what each holds); a batch of events is
// written with multi-row INSERTs in one transaction together with the scan
// cursor, so the index stays a follower of the log that catches up after a crash.
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
import { migratePostgres, type PgDatabase, type PgQueryable } from './database.js';
import { compilePostgresFilter, numbered } from './epcis-query.js';
import { POSTGRES_EPCIS_MIGRATIONS } from './epcis-schema.js';

type Column = readonly [name: string, type: 'bigint' | 'integer' | 'text' | 'float8'];

/**
 * INSERT of many rows as one statement of column arrays (unnest): one parameter per column
 * whatever the row count, which PostgreSQL parses and plans far faster than a long VALUES list.
 */
async function insertRows(
  q: PgQueryable,
  table: string,
  columns: readonly Column[],
  rows: readonly SqlValue[][],
  tail = '',
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((r) => r[i] ?? null));
  await q.query(
    `INSERT INTO ${table} (${columns.map(([c]) => c).join(', ')})
     SELECT * FROM unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) ${tail}`,
    arrays,
  );
}

const NS_COLUMNS: Column[] = [
  ['prefix', 'text'],
  ['ns', 'text'],
];

const EVENT_COLUMNS: Column[] = [
  ['rid', 'bigint'],
  ['event_id', 'text'],
  ['hash_id', 'text'],
  ['type', 'text'],
  ['event_time', 'bigint'],
  ['record_time', 'bigint'],
  ['tz_offset', 'text'],
  ['action', 'text'],
  ['biz_step', 'text'],
  ['disposition', 'text'],
  ['read_point', 'text'],
  ['biz_location', 'text'],
  ['transformation_id', 'text'],
  ['has_sensor', 'integer'],
  ['is_declaration', 'integer'],
  ['declaration_time', 'bigint'],
  ['error_reason', 'text'],
  ['declared_by', 'bigint'],
  ['capture_id', 'text'],
];

const SENSOR_COLUMNS: Column[] = [
  ['rid', 'bigint'],
  ['el', 'integer'],
  ['rep', 'integer'],
  ['type', 'text'],
  ['device_id', 'text'],
  ['time', 'bigint'],
  ['start_time', 'bigint'],
  ['end_time', 'bigint'],
  ['uom', 'text'],
  ['value', 'float8'],
  ['min_value', 'float8'],
  ['max_value', 'float8'],
  ['mean_value', 'float8'],
  ['sdev', 'float8'],
  ['perc_rank', 'float8'],
  ['perc_value', 'float8'],
  ['string_value', 'text'],
  ['boolean_value', 'integer'],
  ['hex_binary_value', 'text'],
  ['uri_value', 'text'],
  ['dpm', 'text'],
  ['microorganism', 'text'],
  ['chemical_substance', 'text'],
  ['biz_rules', 'text'],
];

export class PostgresEpcisIndex implements EpcisIndexStore {
  private constructor(private readonly db: PgDatabase) {}

  /** The index on this database, its tables migrated to the newest version. */
  static async open(db: PgDatabase): Promise<PostgresEpcisIndex> {
    await migratePostgres(db, 'epcis', POSTGRES_EPCIS_MIGRATIONS);
    return new PostgresEpcisIndex(db);
  }

  private readonly run = async (sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> =>
    this.db.query(numbered(sql), params);

  async meta(key: string): Promise<string | null> {
    const rows = await this.db.query<{ value: string }>('SELECT value FROM epcis_meta WHERE key = $1', [key]);
    return rows[0] ? String(rows[0].value) : null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db.query(
      'INSERT INTO epcis_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  // ------------------------------------------------------------ writing

  async indexEvents(rows: readonly IndexRow[], cursor: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (rows.length > 0) {
        await insertRows(
          tx,
          'epcis_events',
          EVENT_COLUMNS,
          rows.map(({ rid, index: x, recordTime, captureId }) => [
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
            x.declaration ? 1 : 0,
            x.declaration?.time ?? null,
            x.declaration?.reason ?? null,
            null,
            captureId,
          ]),
        );
        await insertRows(
          tx,
          'epcis_json',
          [
            ['rid', 'bigint'],
            ['json', 'text'],
          ],
          rows.map((r) => [r.rid, r.json]),
        );
        const epcs = rows.flatMap(({ rid, index: x }) => x.epcs.map((e) => [e.epc, x.eventTime, rid, e.role, e.quantity, e.uom]));
        await insertRows(
          tx,
          'epcis_epc',
          [
            ['epc', 'text'],
            ['t', 'bigint'],
            ['rid', 'bigint'],
            ['role', 'integer'],
            ['quantity', 'float8'],
            ['uom', 'text'],
          ],
          epcs,
          'ON CONFLICT DO NOTHING',
        );
        const links = rows.flatMap(({ rid, index: x }) => x.links.map((l, seq) => [l.kind, l.value, rid, l.type, seq]));
        await insertRows(
          tx,
          'epcis_link',
          [
            ['kind', 'integer'],
            ['value', 'text'],
            ['rid', 'bigint'],
            ['type', 'text'],
            ['seq', 'integer'],
          ],
          links,
        );
        const sensors = rows.flatMap(({ rid, index: x }) =>
          x.sensors.map((s) => [
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
          ]),
        );
        await insertRows(tx, 'epcis_sensor', SENSOR_COLUMNS, sensors);
        const ext = rows.flatMap(({ rid, index: x }) =>
          x.ext.rows.map((r, seq) => [rid, seq, r.area, r.field, r.kind, r.text, r.num]),
        );
        await insertRows(
          tx,
          'epcis_ext',
          [
            ['rid', 'bigint'],
            ['seq', 'integer'],
            ['area', 'integer'],
            ['field', 'text'],
            ['kind', 'integer'],
            ['text', 'text'],
            ['num', 'float8'],
          ],
          ext,
        );
        const ns = new Map<string, [string, string]>();
        for (const r of rows) for (const [p, n] of r.index.ext.namespaces) ns.set(`${p} ${n}`, [p, n]);
        await insertRows(tx, 'epcis_ns', NS_COLUMNS, [...ns.values()], 'ON CONFLICT DO NOTHING');
        const gcps = [...new Set(rows.flatMap((r) => r.index.gcps))].map((p) => [p]);
        await insertRows(tx, 'epcis_gcp', [['prefix', 'text']], gcps, 'ON CONFLICT DO NOTHING');
        // An original is marked by its error declaration, whichever of the two was indexed first.
        await tx.query(
          `UPDATE epcis_events o SET declared_by = d.rid FROM epcis_events d
           WHERE o.event_id = ANY($1::text[]) AND d.event_id = o.event_id AND d.is_declaration = 1
             AND o.is_declaration = 0 AND o.declared_by IS NULL`,
          [[...new Set(rows.map((r) => r.index.eventId))]],
        );
      }
      await tx.query(
        `INSERT INTO epcis_meta (key, value) VALUES ('scan_cursor', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE epcis_meta.value::bigint < excluded.value::bigint`,
        [String(cursor)],
      );
    });
  }

  async indexedAmong(rids: readonly number[]): Promise<Set<number>> {
    if (rids.length === 0) return new Set();
    const rows = await this.db.query('SELECT rid FROM epcis_events WHERE rid = ANY($1::bigint[])', [rids]);
    return new Set(rows.map((r) => Number(r.rid)));
  }

  async findEvents(keys: readonly { eventId: string; declaration: boolean }[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    const rows = await this.db.query('SELECT rid, event_id, is_declaration FROM epcis_events WHERE event_id = ANY($1::text[])', [
      [...new Set(keys.map((k) => k.eventId))],
    ]);
    const found = new Map(rows.map((r) => [`${Number(r.is_declaration)}:${String(r.event_id)}`, Number(r.rid)]));
    return keys.map((k) => found.get(`${k.declaration ? 1 : 0}:${k.eventId}`) ?? null);
  }

  async firstEventAtOrAfter(eventId: string, minLeaf: number): Promise<number | null> {
    const rows = await this.db.query('SELECT rid FROM epcis_events WHERE event_id = $1 AND rid >= $2 ORDER BY rid LIMIT 1', [
      eventId,
      minLeaf,
    ]);
    return rows[0] ? Number(rows[0].rid) : null;
  }

  async companyPrefixes(): Promise<string[]> {
    return (await this.db.query('SELECT prefix FROM epcis_gcp')).map((r) => String(r.prefix));
  }

  async addCompanyPrefixes(prefixes: readonly string[]): Promise<void> {
    await insertRows(
      this.db,
      'epcis_gcp',
      [['prefix', 'text']],
      prefixes.map((p) => [p]),
      'ON CONFLICT DO NOTHING',
    );
  }

  async namespaces(): Promise<[string, string][]> {
    return (await this.db.query('SELECT prefix, ns FROM epcis_ns')).map((r) => [String(r.prefix), String(r.ns)]);
  }

  async revokeToken(mac: string, at: number): Promise<void> {
    await this.db.query('INSERT INTO epcis_revoked_tokens (mac, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [mac, at]);
  }

  async isTokenRevoked(mac: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM epcis_revoked_tokens WHERE mac = $1', [mac])).length > 0;
  }

  // ------------------------------------------------------------ master data

  async storeMasterData(
    elements: readonly VocabElementRow[],
    namespaces: readonly [string, string][],
    now: number,
  ): Promise<void> {
    if (elements.length === 0) return;
    await this.db.transaction(async (tx) => {
      await insertRows(tx, 'epcis_ns', NS_COLUMNS, [...namespaces], 'ON CONFLICT DO NOTHING');
      for (const el of elements) {
        await tx.query(
          'INSERT INTO epcis_vocab (id, type, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id, type) DO UPDATE SET updated_at = excluded.updated_at',
          [el.id, el.type, now],
        );
        if (el.attributes.length > 0) {
          await tx.query('DELETE FROM epcis_vocab_attr WHERE id = $1', [el.id]);
          await insertRows(
            tx,
            'epcis_vocab_attr',
            [
              ['id', 'text'],
              ['attr', 'text'],
              ['seq', 'integer'],
              ['kind', 'integer'],
              ['text', 'text'],
              ['num', 'float8'],
            ],
            el.attributes.map((a, seq) => [el.id, a.attr, seq, a.kind, a.text, a.num]),
          );
        }
        if (el.children) {
          await tx.query('DELETE FROM epcis_vocab_child WHERE parent = $1', [el.id]);
          await insertRows(
            tx,
            'epcis_vocab_child',
            [
              ['parent', 'text'],
              ['child', 'text'],
            ],
            el.children.map((c) => [el.id, c]),
            'ON CONFLICT DO NOTHING',
          );
        }
      }
    });
  }

  async vocabularyElement(id: string) {
    const types = (await this.db.query('SELECT type FROM epcis_vocab WHERE id = $1', [id])).map((r) => String(r.type));
    if (types.length === 0) return null;
    const attrs = await this.db.query('SELECT attr, text, num, kind FROM epcis_vocab_attr WHERE id = $1 ORDER BY seq', [id]);
    const children = await this.db.query('SELECT child FROM epcis_vocab_child WHERE parent = $1 ORDER BY child', [id]);
    return {
      types,
      attributes: attrs.map((r) => ({
        attr: String(r.attr),
        value: ((Number(r.kind) === 1 ? r.num : r.text) ?? null) as string | number | null,
      })),
      children: children.map((r) => String(r.child)),
    };
  }

  // ------------------------------------------------------------ reading

  async count(): Promise<number> {
    return Number((await this.db.query('SELECT COUNT(*) AS n FROM epcis_events'))[0]?.n ?? 0);
  }

  async lastIndexed(): Promise<number> {
    const m = (await this.db.query('SELECT MAX(rid) AS m FROM epcis_events'))[0]?.m;
    return m === null || m === undefined ? -1 : Number(m);
  }

  async jsonOf(rids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (rids.length === 0) return out;
    for (const r of await this.db.query('SELECT rid, json FROM epcis_json WHERE rid = ANY($1::bigint[])', [rids]))
      out.set(Number(r.rid), String(r.json));
    return out;
  }

  async byLeaf(rid: number): Promise<StoredEvent | null> {
    const rows = await this.db.query(
      'SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.rid = $1',
      [rid],
    );
    return rows[0] ? storedFromRow(rows[0]) : null;
  }

  async byEventId(eventId: string): Promise<StoredEvent[]> {
    return (
      await this.db.query(
        'SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid WHERE e.event_id = $1 ORDER BY e.is_declaration, e.rid',
        [eventId],
      )
    ).map(storedFromRow);
  }

  async epcOccurrences(where: { exact: string } | { from: string; to: string }): Promise<EpcOccurrence[]> {
    const rows =
      'exact' in where
        ? await this.db.query('SELECT epc, rid, role FROM epcis_epc WHERE epc = $1', [where.exact])
        : await this.db.query('SELECT epc, rid, role FROM epcis_epc WHERE epc >= $1 AND epc < $2', [where.from, where.to]);
    return rows.map((r) => ({ epc: String(r.epc), rid: Number(r.rid), role: Number(r.role) as EpcOccurrence['role'] }));
  }

  async hops(epc: string, from: number, until: number): Promise<GraphHop[]> {
    return (
      await this.db.query(
        `SELECT ${HOP_COLUMNS}
         FROM epcis_epc x JOIN epcis_events e ON e.rid = x.rid WHERE x.epc = $1 AND x.t >= $2 AND x.t <= $3 ORDER BY x.t, x.rid`,
        [epc, Math.max(from, -MAX_TIME), Math.min(until, MAX_TIME)],
      )
    ).map(hopFromRow);
  }

  async hopsMany(visits: readonly { id: string; from: number; until: number }[]): Promise<GraphHop[][]> {
    const out: GraphHop[][] = visits.map(() => []);
    for (let i = 0; i < visits.length; i += 500) {
      const chunk = visits.slice(i, i + 500);
      const rows = await this.db.query(
        `SELECT j.k, ${HOP_COLUMNS}
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS j(epc, f, u, k)
         JOIN epcis_epc x ON x.epc = j.epc AND x.t >= j.f AND x.t <= j.u
         JOIN epcis_events e ON e.rid = x.rid
         ORDER BY j.k, x.t, x.rid`,
        [chunk.map((v) => v.id), chunk.map((v) => Math.max(v.from, -MAX_TIME)), chunk.map((v) => Math.min(v.until, MAX_TIME))],
      );
      for (const r of rows) out[i + Number(r.k) - 1]!.push(hopFromRow(r));
    }
    return out;
  }

  async eventLinks(rid: number): Promise<EventLinks> {
    return {
      epcs: (await this.db.query('SELECT epc, role, quantity, uom FROM epcis_epc WHERE rid = $1', [rid])).map(epcLinkFromRow),
      links: (await this.db.query('SELECT kind, type, value FROM epcis_link WHERE rid = $1 ORDER BY seq', [rid])).map(
        linkFromRow,
      ),
    };
  }

  async eventLinksMany(rids: readonly number[]): Promise<Map<number, EventLinks>> {
    const out = new Map<number, EventLinks>();
    for (const rid of rids) out.set(rid, { epcs: [], links: [] });
    if (rids.length === 0) return out;
    for (const r of await this.db.query('SELECT rid, epc, role, quantity, uom FROM epcis_epc WHERE rid = ANY($1::bigint[])', [
      rids,
    ]))
      out.get(Number(r.rid))?.epcs.push(epcLinkFromRow(r));
    for (const r of await this.db.query(
      'SELECT rid, kind, type, value FROM epcis_link WHERE rid = ANY($1::bigint[]) ORDER BY rid, seq',
      [rids],
    ))
      out.get(Number(r.rid))?.links.push(linkFromRow(r));
    return out;
  }

  async transformationGroups(ids: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    const out = new Map<string, StoredEvent[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    for (const r of await this.db.query(
      `SELECT e.*, j.json FROM epcis_events e JOIN epcis_json j ON j.rid = e.rid
       WHERE e.transformation_id = ANY($1::text[]) ORDER BY e.rid`,
      [ids],
    ))
      out.get(String(r.transformation_id))?.push(storedFromRow(r));
    return out;
  }

  async vocabulary(kind: VocabularyKind, limit: number, after?: string): Promise<string[]> {
    if (kind === 'epc') {
      // Instance EPCs and parent IDs (not classes): the /epcs collection.
      return (
        await this.db.query(
          `SELECT DISTINCT epc FROM epcis_epc WHERE epc > $1 AND role IN (${ROLE.epc}, ${ROLE.parent}, ${ROLE.child}, ${ROLE.input}, ${ROLE.output})
           ORDER BY epc LIMIT $2`,
          [after ?? '', limit],
        )
      ).map((r) => String(r.epc));
    }
    const c = VOCABULARY_COLUMN[kind];
    return (
      await this.db.query(
        `SELECT DISTINCT ${c} AS v FROM epcis_events WHERE ${c} IS NOT NULL AND ${c} > $1 ORDER BY ${c} LIMIT $2`,
        [after ?? '', limit],
      )
    ).map((r) => String(r.v));
  }

  async hasVocabulary(kind: VocabularyKind, value: string): Promise<boolean> {
    const sql =
      kind === 'epc'
        ? 'SELECT 1 FROM epcis_epc WHERE epc = $1 LIMIT 1'
        : `SELECT 1 FROM epcis_events WHERE ${VOCABULARY_COLUMN[kind]} = $1 LIMIT 1`;
    return (await this.db.query(sql, [value])).length > 0;
  }

  // ------------------------------------------------------------ queries

  async queryEvents(
    filter: EventFilter,
    page: { after: PageAfter | null; limit: number },
    ctx: QueryContext,
  ): Promise<StoredEvent[]> {
    const plan = await compilePostgresFilter(this.run, filter.where, ctx);
    return queryPlan(this.run, plan, filter, page, ctx, (rids) => this.jsonOf(rids));
  }

  async countEvents(filter: EventFilter, upTo: number, ctx: QueryContext): Promise<number> {
    return countPlan(this.run, await compilePostgresFilter(this.run, filter.where, ctx), upTo, ctx);
  }

  // ------------------------------------------------------------ capture jobs

  async createJob(job: Parameters<EpcisIndexStore['createJob']>[0]): Promise<void> {
    await this.db.query(
      `INSERT INTO epcis_capture_jobs (id, created_at, running, success, behaviour, event_count, errors, probe_event_id, min_leaf)
       VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)`,
      [
        job.id,
        job.createdAt,
        job.success ? 1 : 0,
        job.behaviour,
        job.eventCount,
        JSON.stringify(job.errors),
        job.probeEventId,
        job.minLeaf,
      ],
    );
  }

  async finishJob(id: string, r: Parameters<EpcisIndexStore['finishJob']>[1]): Promise<void> {
    await this.db.query(
      `UPDATE epcis_capture_jobs SET running = 0, success = $1, finished_at = $2, errors = $3, captured_count = $4, first_leaf = $5,
         last_leaf = $6 WHERE id = $7`,
      [
        r.success ? 1 : 0,
        r.finishedAt,
        JSON.stringify(r.errors),
        r.captured,
        r.leaves?.first ?? null,
        r.leaves?.last ?? null,
        id,
      ],
    );
  }

  async job(id: string): Promise<StoredCaptureJob | null> {
    const rows = await this.db.query('SELECT * FROM epcis_capture_jobs WHERE id = $1', [id]);
    return rows[0] ? jobFromRow(rows[0]) : null;
  }

  async jobs(limit: number, after?: { createdAt: number; id: string }): Promise<StoredCaptureJob[]> {
    return (
      await this.db.query('SELECT * FROM epcis_capture_jobs WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT $3', [
        after?.createdAt ?? -1,
        after?.id ?? '',
        limit,
      ])
    ).map(jobFromRow);
  }

  async runningJobs(): Promise<StoredCaptureJob[]> {
    return (await this.db.query('SELECT * FROM epcis_capture_jobs WHERE running = 1 ORDER BY created_at, id')).map(jobFromRow);
  }

  async optimize(): Promise<void> {
    await this.db.query(
      'ANALYZE epcis_events, epcis_epc, epcis_link, epcis_sensor, epcis_ext, epcis_json, epcis_vocab_attr, epcis_vocab_child',
    );
  }

  /** The pool belongs to the storage and closes with it. */
  async close(): Promise<void> {}
}
