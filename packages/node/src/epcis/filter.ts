// The SimpleEventQuery as a typed filter tree: what query.ts parses HTTP
// parameters into, and what each storage driver compiles to its own SQL
// (storage/sqlite/epcis-query.ts, storage/postgres/epcis-query.ts). Pure data:
// no SQL, no connection. Every node of `EventFilter.where` must hold (AND);
// the several values inside one node match any (OR), as the binding says for
// "a|b" or a repeated parameter.

import type { LinkCode, RoleCode } from './types.js';

export type CmpOp = '>=' | '<' | '>' | '<=';

/** Event fields the equality filters compare (indexed columns of the event row). */
export type EventField =
  | 'type'
  | 'action'
  | 'bizStep'
  | 'disposition'
  | 'readPoint'
  | 'bizLocation'
  | 'transformationId'
  | 'eventId'
  | 'errorReason';

/** Numeric event columns: times in ms, and the leaf index (capture order). */
export type EventNumberField = 'eventTime' | 'recordTime' | 'declarationTime' | 'leafIndex';

/** Fields whose values are vocabulary elements with master data. */
export type VocabField = 'readPoint' | 'bizLocation' | 'bizStep' | 'disposition';

/**
 * A test on a typed value (extension fields, master-data attributes): EQ matches the text as
 * written or, for numbers/dates/date-times, the typed value; the comparisons need a typed value
 * of the same kind (extension-index.ts KIND).
 */
export type ValueTest =
  | { op: 'EQ'; texts: string[]; typed: { kind: number; num: number }[] }
  | { op: CmpOp; kind: number; num: number };

export type SensorColumn =
  | 'type'
  | 'deviceId'
  | 'time'
  | 'startTime'
  | 'endTime'
  | 'uom'
  | 'value'
  | 'minValue'
  | 'maxValue'
  | 'meanValue'
  | 'sDev'
  | 'percRank'
  | 'percValue'
  | 'stringValue'
  | 'booleanValue'
  | 'hexBinaryValue'
  | 'uriValue'
  | 'dataProcessingMethod'
  | 'microorganism'
  | 'chemicalSubstance'
  | 'bizRules';

export type SensorTest =
  | { column: SensorColumn; op: 'IN'; values: (string | number)[] }
  | { column: SensorColumn; op: CmpOp; value: number };

/**
 * One way an identifier may match: exactly, or within the key range [from, to) — every key in
 * it when `pattern` is null, else only those the EPC pattern matches (vocab.ts epcMatcher).
 */
export type EpcTerm = { exact: string } | { from: string; to: string; pattern: string | null };

export type FilterNode =
  /** The event's field is one of the values; withDescendants adds the master-data children (WD_). */
  | { kind: 'in'; field: EventField; values: string[]; withDescendants?: boolean }
  | { kind: 'compare'; field: EventNumberField; op: CmpOp; value: number }
  | { kind: 'isDeclaration' }
  | { kind: 'hasSensor' }
  /** The field names a vocabulary element having one of the attributes (and, with value, a value passing it). */
  | { kind: 'vocabAttr'; field: VocabField; attrs: string[]; value: ValueTest | null }
  /** A bizTransaction/source/destination/corrective ID/persistent disposition among the values (of that type). */
  | { kind: 'link'; link: LinkCode; values: string[]; type: string | null }
  /** An identifier in one of the roles matching any of the terms. */
  | { kind: 'epc'; roles: RoleCode[]; terms: EpcTerm[] }
  | { kind: 'quantity'; test: { op: 'IN'; values: number[] } | { op: CmpOp; value: number } }
  /** One and the same sensorReport passes every test. */
  | { kind: 'sensor'; tests: SensorTest[] }
  /** An extension field (any of the spellings) in the area, present (value null) or passing the test. */
  | { kind: 'extension'; area: number; fields: string[]; value: ValueTest | null }
  | { kind: 'and'; nodes: FilterNode[] }
  /** Any of the nodes holds (no parameter yields this yet: named queries and callers that build a tree). */
  | { kind: 'or'; nodes: FilterNode[] };

export type EventOrder = 'capture' | 'eventTime' | 'recordTime';

export interface EventFilter {
  where: FilterNode[];
  orderBy: EventOrder;
  direction: 'ASC' | 'DESC';
}

/** Where a page starts: after the event with this sort key (null when ordered by capture) and leaf index. */
export interface PageAfter {
  key: number | null;
  rid: number;
}

/** What the drivers need from the domain to run a query. */
export interface QueryContext {
  /** Whether the EPC pattern matches an indexed identifier (EpcTerm.pattern). */
  epcMatch(pattern: string, value: string): boolean;
  /** Above this many matching rows a side-table condition is probed per event instead of read first. */
  setThreshold?: number;
}

/** Above this many matching rows a set condition is probed per event instead of materialised. */
export const SET_THRESHOLD = 2000;
