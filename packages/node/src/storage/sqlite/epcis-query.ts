// The filter tree as SQLite SQL. EPC patterns are confirmed by epc_match, a
// function the index registers on its connection (the domain's EPC matcher);
// the unary + keeps the planner off an index inside a per-event probe.
import type { FilterNode } from '../../epcis/filter.js';
import { compileFilter, type FilterPlan, type SqlDialect } from '../epcis-sql.js';

const SQLITE: SqlDialect = {
  epcPattern: (column) => `epc_match(?, ${column})`,
  noIndex: (column) => `+${column}`,
  asKey: (expr) => expr,
};

export const compileSqliteFilter = (nodes: readonly FilterNode[]): FilterPlan => compileFilter(nodes, SQLITE);
