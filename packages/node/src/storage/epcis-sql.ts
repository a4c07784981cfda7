// What the two EPCIS index drivers share: the tables have the same names and
// columns on SQLite and PostgreSQL, so the filter tree's conditions are the same
// SQL but for a few dialect points (EPC pattern matching, the planner hint that
// keeps an index out of a probe). Statements use "?" placeholders; the
// PostgreSQL driver numbers them. Each driver's epcis-query.ts compiles with
// its dialect and runs the plan.
import type { EventFilter, FilterNode, PageAfter, QueryContext, SensorColumn, ValueTest } from '../epcis/filter.js';
import { SET_THRESHOLD } from '../epcis/filter.js';
import {
  type CaptureErrorBehaviour,
  type CaptureProblem,
  type EventType,
  LINK,
  type LinkName,
  ROLE_NAME,
  type StoredEvent,
} from '../epcis/types.js';
import type { GraphHop, StoredCaptureJob } from './epcis.js';

/** A bound value; a list of keys only where the dialect asks for one (keyList). */
export type SqlValue = string | number | null | readonly string[];
export type SqlRow = Record<string, unknown>;
/** Runs one statement with "?" placeholders. */
export type SqlRunner = (sql: string, params: readonly SqlValue[]) => Promise<SqlRow[]>;

export interface SqlDialect {
  /** A condition that the EPC pattern (a parameter) matches `column`; absent: patterns are resolved before compiling. */
  epcPattern?: (column: string) => string;
  /** A column reference the planner must not use an index for (SQLite's unary +). */
  noIndex(column: string): string;
  /** A text expression compared as the key columns are (byte order). */
  asKey(expr: string): string;
  /** `column` is one of a list of keys bound as one parameter (absent: an IN list of parameters). */
  keyList?: (column: string) => string;
}

/**
 * A condition on a set of events found through a side table (EPC index, links, sensor reports,
 * extension fields). Run either as `e.rid IN (…)` with the rids read first — the side table's
 * index finds the events — or, when the set is large, as the correlated `exists` probe per event,
 * so a broad filter with ORDER BY … LIMIT stops after one page.
 */
export interface SetCondition {
  sub: string;
  exists: string;
  params: SqlValue[];
  /** Whether counting the set is cheap (an index serves `sub`). */
  countable: boolean;
}

export interface FilterPlan {
  where: string[];
  params: SqlValue[];
  sets: SetCondition[];
}

const EVENT_COLUMN = {
  type: 'e.type',
  action: 'e.action',
  bizStep: 'e.biz_step',
  disposition: 'e.disposition',
  readPoint: 'e.read_point',
  bizLocation: 'e.biz_location',
  transformationId: 'e.transformation_id',
  eventId: 'e.event_id',
  errorReason: 'e.error_reason',
} as const;

const TIME_COLUMN = {
  eventTime: 'e.event_time',
  recordTime: 'e.record_time',
  declarationTime: 'e.declaration_time',
  leafIndex: 'e.rid',
} as const;

const SENSOR_COLUMN: Record<SensorColumn, string> = {
  type: 'type',
  deviceId: 'device_id',
  time: 'time',
  startTime: 'start_time',
  endTime: 'end_time',
  uom: 'uom',
  value: 'value',
  minValue: 'min_value',
  maxValue: 'max_value',
  meanValue: 'mean_value',
  sDev: 'sdev',
  percRank: 'perc_rank',
  percValue: 'perc_value',
  stringValue: 'string_value',
  booleanValue: 'boolean_value',
  hexBinaryValue: 'hex_binary_value',
  uriValue: 'uri_value',
  dataProcessingMethod: 'dpm',
  microorganism: 'microorganism',
  chemicalSubstance: 'chemical_substance',
  bizRules: 'biz_rules',
};

const marks = (n: number) => Array(n).fill('?').join(', ');
const inList = (col: string, n: number) => `${col} IN (${marks(n)})`;

/** A typed-value test on the columns kind/text/num (prefixed by `col`). */
function valueCondition(t: ValueTest, col: (c: 'kind' | 'text' | 'num') => string): { cond: string; params: SqlValue[] } {
  if (t.op === 'EQ') {
    const parts = [inList(col('text'), t.texts.length)];
    const params: SqlValue[] = [...t.texts];
    // kind inline (one of our small integers): the planner then sees one (field, area, kind) prefix.
    for (const v of t.typed) {
      parts.push(`(${col('kind')} = ${Number(v.kind)} AND ${col('num')} = ?)`);
      params.push(v.num);
    }
    return { cond: `(${parts.join(' OR ')})`, params };
  }
  return { cond: `${col('kind')} = ${Number(t.kind)} AND ${col('num')} ${t.op} ?`, params: [t.num] };
}

/** The filter tree as SQL conditions on `epcis_events e`. */
export function compileFilter(nodes: readonly FilterNode[], d: SqlDialect): FilterPlan {
  const plan: FilterPlan = { where: [], params: [], sets: [] };
  const add = (node: FilterNode): void => {
    switch (node.kind) {
      case 'and':
        node.nodes.forEach(add);
        return;
      case 'or': {
        // Each branch as one condition (side tables probed per event), any of them holding.
        if (node.nodes.length === 0) {
          plan.where.push('FALSE');
          return;
        }
        const branches = node.nodes.map((n) => {
          const p = compileFilter([n], d);
          const conds = [...p.where, ...p.sets.map((s) => s.exists)];
          return {
            cond: conds.length ? `(${conds.join(' AND ')})` : 'TRUE',
            params: [...p.params, ...p.sets.flatMap((s) => s.params)],
          };
        });
        plan.where.push(`(${branches.map((b) => b.cond).join(' OR ')})`);
        plan.params.push(...branches.flatMap((b) => b.params));
        return;
      }
      case 'in': {
        const col = EVENT_COLUMN[node.field];
        if (node.withDescendants) {
          // The ids and their master-data children at any depth; UNION makes cycles harmless.
          plan.where.push(
            `${col} IN (WITH RECURSIVE d(id) AS (SELECT ${d.asKey('column1')} FROM (VALUES ${node.values.map(() => '(?)').join(', ')}) AS v` +
              ' UNION SELECT c.child FROM epcis_vocab_child c JOIN d ON c.parent = d.id) SELECT id FROM d)',
          );
        } else plan.where.push(inList(col, node.values.length));
        plan.params.push(...node.values);
        return;
      }
      case 'compare':
        plan.where.push(`${TIME_COLUMN[node.field]} ${node.op} ?`);
        plan.params.push(node.value);
        return;
      case 'isDeclaration':
        plan.where.push('e.is_declaration = 1');
        return;
      case 'hasSensor':
        plan.where.push('e.has_sensor = 1');
        return;
      case 'vocabAttr': {
        const v = node.value ? valueCondition(node.value, (c) => c) : null;
        plan.where.push(
          `${EVENT_COLUMN[node.field]} IN (SELECT id FROM epcis_vocab_attr WHERE ${inList('attr', node.attrs.length)}${v ? ` AND ${v.cond}` : ''})`,
        );
        plan.params.push(...node.attrs, ...(v?.params ?? []));
        return;
      }
      case 'link': {
        const typed = node.type !== null;
        const cond = (p: string) =>
          `${p}kind = ${Number(node.link)} AND ${inList(`${p}value`, node.values.length)}${typed ? ` AND ${p}type = ?` : ''}`;
        plan.sets.push({
          sub: `SELECT rid FROM epcis_link WHERE ${cond('')}`,
          exists: `EXISTS (SELECT 1 FROM epcis_link l WHERE l.rid = e.rid AND ${cond('l.')})`,
          params: typed ? [...node.values, node.type] : [...node.values],
          countable: true,
        });
        return;
      }
      case 'epc': {
        const roles = `role IN (${node.roles.map(Number).join(', ')})`;
        const parts: { cond: (c: string) => string; params: SqlValue[] }[] = [];
        // Exact identifiers in one list (a resolved pattern may give many).
        const exact = [...new Set(node.terms.flatMap((t) => ('exact' in t ? [t.exact] : [])))];
        if (exact.length === 1) parts.push({ cond: (c) => `${c} = ?`, params: exact });
        else if (exact.length > 1) {
          const list = d.keyList;
          parts.push(list ? { cond: (c) => list(c), params: [exact] } : { cond: (c) => inList(c, exact.length), params: exact });
        }
        for (const t of node.terms) {
          if ('exact' in t) continue;
          if (t.pattern === null) parts.push({ cond: (c) => `${c} >= ? AND ${c} < ?`, params: [t.from, t.to] });
          else {
            const pattern = d.epcPattern;
            if (!pattern) throw new Error('this driver resolves EPC patterns before compiling a filter');
            parts.push({ cond: (c) => `${c} >= ? AND ${c} < ? AND ${pattern(c)}`, params: [t.from, t.to, t.pattern] });
          }
        }
        if (parts.length === 0) {
          plan.where.push('FALSE');
          return;
        }
        plan.sets.push({
          sub: parts.map((p) => `SELECT rid FROM epcis_epc WHERE ${p.cond('epc')} AND ${roles}`).join(' UNION ALL '),
          exists: `EXISTS (SELECT 1 FROM epcis_epc x WHERE x.rid = e.rid AND x.${roles} AND (${parts.map((p) => `(${p.cond('x.epc')})`).join(' OR ')}))`,
          params: parts.flatMap((p) => p.params),
          countable: true,
        });
        return;
      }
      case 'quantity': {
        const t = node.test;
        if (t.op === 'IN') {
          plan.where.push(`EXISTS (SELECT 1 FROM epcis_epc q WHERE q.rid = e.rid AND ${inList('q.quantity', t.values.length)})`);
          plan.params.push(...t.values);
        } else {
          plan.where.push(`EXISTS (SELECT 1 FROM epcis_epc q WHERE q.rid = e.rid AND q.quantity ${t.op} ?)`);
          plan.params.push(t.value);
        }
        return;
      }
      case 'sensor': {
        const conds: string[] = [];
        const params: SqlValue[] = [];
        for (const t of node.tests) {
          const col = `s.${SENSOR_COLUMN[t.column]}`;
          if (t.op === 'IN') {
            conds.push(t.values.length === 1 ? `${col} = ?` : inList(col, t.values.length));
            params.push(...t.values);
          } else {
            conds.push(`${col} ${t.op} ?`);
            params.push(t.value);
          }
        }
        const all = conds.join(' AND ');
        // All conditions hold for one sensorReport. The (uom, …) and type indexes can find the
        // reports; otherwise each event with sensor data is probed.
        plan.sets.push({
          sub: `SELECT s.rid FROM epcis_sensor s WHERE ${all}`,
          exists: `e.has_sensor = 1 AND EXISTS (SELECT 1 FROM epcis_sensor s WHERE s.rid = e.rid AND ${all})`,
          params,
          countable: node.tests.some((t) => t.column === 'uom' || (t.column === 'type' && t.op === 'IN')),
        });
        return;
      }
      case 'extension': {
        const v = node.value;
        const head = (col: (c: string) => string) =>
          `${inList(col('field'), node.fields.length)} AND ${col('area')} = ${Number(node.area)}`;
        const plain = v ? valueCondition(v, (c) => c) : null;
        // The probe reads one event's rows by the primary key (rid, seq): keep the planner off the
        // (field, …) indexes, which would scan every matching row once per event.
        const probeCol = (c: string) => d.noIndex(`x.${c}`);
        const probe = v ? valueCondition(v, probeCol) : null;
        plan.sets.push({
          sub: `SELECT rid FROM epcis_ext WHERE ${head((c) => c)}${plain ? ` AND ${plain.cond}` : ''}`,
          exists: `EXISTS (SELECT 1 FROM epcis_ext x WHERE x.rid = e.rid AND ${head(probeCol)}${probe ? ` AND ${probe.cond}` : ''})`,
          params: [...node.fields, ...(plain?.params ?? [])],
          countable: true,
        });
        return;
      }
    }
  };
  nodes.forEach(add);
  return plan;
}

const SORT_COLUMN = { capture: null, eventTime: 'e.event_time', recordTime: 'e.record_time' } as const;

/** The WHERE conditions of a plan, with small sets read first and given as literal leaf indexes. */
async function conditions(run: SqlRunner, plan: FilterPlan, ctx: QueryContext): Promise<{ where: string[]; params: SqlValue[] }> {
  const threshold = ctx.setThreshold ?? SET_THRESHOLD;
  const where = [...plan.where];
  const params = [...plan.params];
  for (const set of plan.sets) {
    const rids = set.countable ? (await run(`${set.sub} LIMIT ${threshold + 1}`, set.params)).map((r) => Number(r.rid)) : null;
    if (rids && rids.length <= threshold) {
      where.push(rids.length === 0 ? 'FALSE' : `e.rid IN (${[...new Set(rids)].join(',')})`);
    } else {
      where.push(set.exists);
      params.push(...set.params);
    }
  }
  return { where, params };
}

const whereClause = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** How many events the plan selects, counting no further than upTo. */
export async function countPlan(run: SqlRunner, plan: FilterPlan, upTo: number, ctx: QueryContext): Promise<number> {
  const { where, params } = await conditions(run, plan, ctx);
  const rows = await run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM epcis_events e ${whereClause(where)} LIMIT ?) AS c`, [
    ...params,
    upTo,
  ]);
  return Number(rows[0]?.n ?? 0);
}

/** One page of the plan's events in the filter's order, with their JSON. */
export async function queryPlan(
  run: SqlRunner,
  plan: FilterPlan,
  filter: EventFilter,
  page: { after: PageAfter | null; limit: number },
  ctx: QueryContext,
  jsonOf: (rids: number[]) => Promise<Map<number, string>>,
): Promise<StoredEvent[]> {
  const { where, params } = await conditions(run, plan, ctx);
  const sort = SORT_COLUMN[filter.orderBy];
  const dir = filter.direction === 'ASC' ? 'ASC' : 'DESC';
  const cmp = dir === 'ASC' ? '>' : '<';
  if (page.after) {
    if (sort === null) {
      where.push(`e.rid ${cmp} ?`);
      params.push(page.after.rid);
    } else {
      where.push(`(${sort}, e.rid) ${cmp} (?, ?)`);
      params.push(page.after.key, page.after.rid);
    }
  }
  const order = sort === null ? `e.rid ${dir}` : `${sort} ${dir}, e.rid ${dir}`;
  const rows = await run(`SELECT e.* FROM epcis_events e ${whereClause(where)} ORDER BY ${order} LIMIT ?`, [
    ...params,
    page.limit,
  ]);
  // The JSON only for the page returned.
  const json = await jsonOf(rows.map((r) => Number(r.rid)));
  return rows.map((r) => storedFromRow({ ...r, json: json.get(Number(r.rid)) ?? '{}' }));
}

// ------------------------------------------------------------ rows

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const LINK_NAME = Object.fromEntries(Object.entries(LINK).map(([k, v]) => [v, k])) as Record<number, LinkName>;

export function storedFromRow(r: SqlRow): StoredEvent {
  return {
    leafIndex: Number(r.rid),
    eventId: String(r.event_id),
    hashId: String(r.hash_id),
    type: String(r.type) as EventType,
    eventTime: Number(r.event_time),
    recordTime: Number(r.record_time),
    isDeclaration: Number(r.is_declaration) === 1,
    declaredBy: num(r.declared_by),
    captureId: str(r.capture_id),
    json: String(r.json),
  };
}

export function hopFromRow(r: SqlRow): GraphHop {
  return {
    leafIndex: Number(r.rid),
    role: ROLE_NAME[Number(r.role)]!,
    eventId: String(r.event_id),
    hashId: String(r.hash_id),
    type: String(r.type) as EventType,
    action: str(r.action),
    eventTime: Number(r.event_time),
    bizStep: str(r.biz_step),
    disposition: str(r.disposition),
    readPoint: str(r.read_point),
    bizLocation: str(r.biz_location),
    transformationId: str(r.transformation_id),
    isDeclaration: Number(r.is_declaration) === 1,
    declaredBy: num(r.declared_by),
  };
}

export const HOP_COLUMNS = `x.role, e.rid, e.event_id, e.hash_id, e.type, e.action, e.event_time, e.biz_step, e.disposition,
  e.read_point, e.biz_location, e.transformation_id, e.is_declaration, e.declared_by`;

export function epcLinkFromRow(r: SqlRow) {
  return { epc: String(r.epc), role: ROLE_NAME[Number(r.role)]!, quantity: num(r.quantity), uom: str(r.uom) };
}

export function linkFromRow(r: SqlRow) {
  return { kind: LINK_NAME[Number(r.kind)]!, type: str(r.type), value: String(r.value) };
}

export function jobFromRow(r: SqlRow): StoredCaptureJob {
  return {
    id: String(r.id),
    createdAt: Number(r.created_at),
    finishedAt: num(r.finished_at),
    running: Number(r.running) === 1,
    success: Number(r.success) === 1,
    behaviour: String(r.behaviour) as CaptureErrorBehaviour,
    eventCount: Number(r.event_count),
    capturedCount: Number(r.captured_count),
    errors: JSON.parse(String(r.errors)) as CaptureProblem[],
    firstLeaf: num(r.first_leaf),
    lastLeaf: num(r.last_leaf),
    probeEventId: str(r.probe_event_id),
    minLeaf: num(r.min_leaf),
  };
}

/** The event-row column of each indexed vocabulary (the /bizSteps … collections). */
export const VOCABULARY_COLUMN = {
  bizStep: 'biz_step',
  disposition: 'disposition',
  readPoint: 'read_point',
  bizLocation: 'biz_location',
  eventType: 'type',
} as const;
