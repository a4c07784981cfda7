// The EPCIS index: a follower of the transparency log. Events are appended to
// the log first and indexed here after (epcis/repository.ts orchestrates);
// `scan_cursor` in the index's meta says how far the log has been scanned, and
// moves in the same transaction as the rows it covers, so a crash between an
// append and its index is caught up from the log at the next start.
//
// Besides the events the index keeps what is not derived from the log: capture
// jobs, master data, released page tokens, and meta (cursor, token key).
import type { EventFilter, PageAfter, QueryContext } from '../epcis/filter.js';
import type {
  CaptureErrorBehaviour,
  CaptureProblem,
  EventType,
  IndexedEvent,
  LinkName,
  RoleCode,
  RoleName,
  StoredEvent,
} from '../epcis/types.js';

/** One event to index: its leaf index in the log (rid), what to index, its canonical JSON. */
export interface IndexRow {
  rid: number;
  index: IndexedEvent;
  json: string;
  recordTime: number;
  captureId: string | null;
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

/** One identifier occurrence: the EPC key, the event (rid) and the role. */
export interface EpcOccurrence {
  epc: string;
  rid: number;
  role: RoleCode;
}

export interface StoredCaptureJob {
  id: string;
  createdAt: number;
  finishedAt: number | null;
  running: boolean;
  success: boolean;
  behaviour: CaptureErrorBehaviour;
  eventCount: number;
  capturedCount: number;
  errors: CaptureProblem[];
  firstLeaf: number | null;
  lastLeaf: number | null;
  probeEventId: string | null;
  minLeaf: number | null;
}

export interface VocabAttributeRow {
  attr: string;
  kind: number;
  text: string | null;
  num: number | null;
}

export interface VocabElementRow {
  type: string;
  id: string;
  attributes: VocabAttributeRow[];
  /** null when the element does not list children (existing ones are kept). */
  children: string[] | null;
}

export type VocabularyKind = 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation' | 'eventType' | 'epc';

/** Beyond any event time in ms (year ~287,000): the open ends of a time window. */
export const MAX_TIME = 9_000_000_000_000_000;

export interface EpcisIndexStore {
  // ---------------------------------------------------------- meta and cursor
  meta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  // ---------------------------------------------------------- writing
  /**
   * Index the rows in one transaction, with the scan cursor raised to `cursor` (never lowered).
   * An original whose error declaration is already indexed is marked declared by it, and a
   * declaration marks its original. The rows' GS1 Company Prefixes and context namespaces are kept.
   */
  indexEvents(rows: readonly IndexRow[], cursor: number): Promise<void>;
  /** Which of these leaf indexes are indexed. */
  indexedAmong(rids: readonly number[]): Promise<Set<number>>;
  /** The leaf index of the stored event with this eventID (original or declaration), per key; null when none. */
  findEvents(keys: readonly { eventId: string; declaration: boolean }[]): Promise<(number | null)[]>;
  /** The first event with this eventID at or after `minLeaf`. */
  firstEventAtOrAfter(eventId: string, minLeaf: number): Promise<number | null>;

  companyPrefixes(): Promise<string[]>;
  addCompanyPrefixes(prefixes: readonly string[]): Promise<void>;
  /** Every [prefix, namespace IRI] captured contexts declared. */
  namespaces(): Promise<[string, string][]>;

  revokeToken(mac: string, at: number): Promise<void>;
  isTokenRevoked(mac: string): Promise<boolean>;

  // ---------------------------------------------------------- master data
  /** Store vocabulary elements (and their documents' namespaces) in one transaction. */
  storeMasterData(elements: readonly VocabElementRow[], namespaces: readonly [string, string][], now: number): Promise<void>;
  vocabularyElement(id: string): Promise<{
    types: string[];
    attributes: { attr: string; value: string | number | null }[];
    children: string[];
  } | null>;

  // ---------------------------------------------------------- reading
  count(): Promise<number>;
  /** The newest indexed leaf, −1 when there is none. */
  lastIndexed(): Promise<number>;
  jsonOf(rids: readonly number[]): Promise<Map<number, string>>;
  byLeaf(rid: number): Promise<StoredEvent | null>;
  /** The event with this eventID and any error declaration of it (original first). */
  byEventId(eventId: string): Promise<StoredEvent[]>;
  /** Identifier occurrences: the one key, or every key in [from, to). */
  epcOccurrences(where: { exact: string } | { from: string; to: string }): Promise<EpcOccurrence[]>;
  /** The events of one identifier between from and until (eventTime, ms, inclusive), in time order. */
  hops(epc: string, from: number, until: number): Promise<GraphHop[]>;
  hopsMany(visits: readonly { id: string; from: number; until: number }[]): Promise<GraphHop[][]>;
  eventLinks(rid: number): Promise<EventLinks>;
  eventLinksMany(rids: readonly number[]): Promise<Map<number, EventLinks>>;
  /** The events of each transformationID, in log order (a trace's frontier at once). */
  transformationGroups(ids: readonly string[]): Promise<Map<string, StoredEvent[]>>;
  /** Distinct values of an indexed vocabulary after `after`, ascending. */
  vocabulary(kind: VocabularyKind, limit: number, after?: string): Promise<string[]>;
  hasVocabulary(kind: VocabularyKind, value: string): Promise<boolean>;

  // ---------------------------------------------------------- queries
  /** One page of the events the filter selects, in its order, after `after`, with their JSON. */
  queryEvents(filter: EventFilter, page: { after: PageAfter | null; limit: number }, ctx: QueryContext): Promise<StoredEvent[]>;
  /** How many events the filter selects, counting no further than `upTo`. */
  countEvents(filter: EventFilter, upTo: number, ctx: QueryContext): Promise<number>;

  // ---------------------------------------------------------- capture jobs
  createJob(job: {
    id: string;
    createdAt: number;
    behaviour: CaptureErrorBehaviour;
    eventCount: number;
    success: boolean;
    errors: CaptureProblem[];
    probeEventId: string | null;
    minLeaf: number;
  }): Promise<void>;
  finishJob(
    id: string,
    r: {
      finishedAt: number;
      success: boolean;
      errors: CaptureProblem[];
      captured: number;
      leaves: { first: number; last: number } | null;
    },
  ): Promise<void>;
  job(id: string): Promise<StoredCaptureJob | null>;
  /** Jobs oldest first after the (createdAt, id) of `after`. */
  jobs(limit: number, after?: { createdAt: number; id: string }): Promise<StoredCaptureJob[]>;
  runningJobs(): Promise<StoredCaptureJob[]>;

  /** Refresh the planner's statistics (after bulk loads). */
  optimize(): Promise<void>;
  close(): Promise<void>;
}
