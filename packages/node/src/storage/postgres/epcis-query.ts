// The filter tree as PostgreSQL SQL. PostgreSQL cannot call the domain's EPC
// matcher inside a statement, so an EPC pattern is resolved first: the distinct
// identifiers of its key range (in the roles asked) are read and tested with the
// matcher, and the pattern becomes the list of those that match — the same
// answer SQLite's epc_match gives while scanning the range.
import type { FilterNode, QueryContext } from '../../epcis/filter.js';
import { compileFilter, type FilterPlan, type SqlDialect, type SqlRunner } from '../epcis-sql.js';

const POSTGRES: SqlDialect = {
  // The planner needs no hint: the probe's (rid, seq) key is chosen on its own.
  noIndex: (column) => column,
  asKey: (expr) => `${expr}::text COLLATE "C"`,
  // One array parameter, however many identifiers a pattern resolved to (PostgreSQL hashes it).
  keyList: (column) => `${column} = ANY(?::text[])`,
};

/** "?" placeholders as $1, $2, … (no statement here holds a literal "?"). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function resolvePatterns(run: SqlRunner, nodes: readonly FilterNode[], ctx: QueryContext): Promise<FilterNode[]> {
  const out: FilterNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'and' || node.kind === 'or') {
      out.push({ kind: node.kind, nodes: await resolvePatterns(run, node.nodes, ctx) });
      continue;
    }
    if (node.kind !== 'epc' || node.terms.every((t) => 'exact' in t || t.pattern === null)) {
      out.push(node);
      continue;
    }
    const terms: typeof node.terms = [];
    for (const t of node.terms) {
      if ('exact' in t || t.pattern === null) {
        terms.push(t);
        continue;
      }
      const rows = await run(
        `SELECT DISTINCT epc FROM epcis_epc WHERE epc >= ? AND epc < ? AND role IN (${node.roles.map(Number).join(', ')})`,
        [t.from, t.to],
      );
      for (const r of rows) {
        const epc = String(r.epc);
        if (ctx.epcMatch(t.pattern, epc)) terms.push({ exact: epc });
      }
    }
    out.push({ ...node, terms });
  }
  return out;
}

export async function compilePostgresFilter(
  run: SqlRunner,
  nodes: readonly FilterNode[],
  ctx: QueryContext,
): Promise<FilterPlan> {
  return compileFilter(await resolvePatterns(run, nodes, ctx), POSTGRES);
}
