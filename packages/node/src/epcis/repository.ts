// The EPCIS repository: the domain side of the EPCIS index. The node's
// transparency log holds the events themselves — one leaf of kind "epcis" per
// event, body CBOR [eventHashId, canonicalJsonBytes, salt] — and the index
// (storage/epcis.ts, on SQLite or PostgreSQL) is derived from it: an event is
// appended to the log first and indexed after, and on open (or after a failed
// index write) every "epcis" leaf past the scan cursor that is not indexed yet
// is indexed from the log. So an event is indexed exactly when it is in the log.
//
// Here: duplicate-eventID conflicts, the append + index orchestration, the
// catch-up, capture jobs interrupted by a stop, and small caches (company
// prefixes, namespaces, the page-token key) that the synchronous parts of the
// query interface read.
import { randomBytes } from 'node:crypto';
import {
  decodeEpcisBody as decodeLeafBody,
  EPCIS_LEAF_KIND,
  EPCIS_SALT_BYTES,
  type EpcisBody,
  EpcisLeafError,
  encodeEpcisBody,
} from '@tradetwin/core/proof/epcis-event';
import type { CbvVersion } from '@tradetwin/core/epcis/hash';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { EpcisIndexStore, EventLinks, GraphHop, IndexRow, StoredCaptureJob, VocabularyKind } from '../storage/epcis.js';
import { MAX_TIME } from '../storage/epcis.js';
import type { NodeStore } from '../storage/types.js';
import { coreCodec } from './codec.js';
import { extractEvent } from './extract.js';
import {
  type CaptureJob,
  type CaptureProblem,
  type EpcisEvent,
  type PreparedEvent,
  ROLE,
  ROLE_NAME,
  type RoleName,
  type StoredEvent,
} from './types.js';
import { type EpcForms, epcKey, epcMatcher } from './vocab.js';

export type { EventLinks, GraphHop } from '../storage/epcis.js';

export const LEAF_KIND = EPCIS_LEAF_KIND;

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
  /** The index's storage (storage/: SQLite or PostgreSQL). */
  index: EpcisIndexStore;
  store: NodeStore;
  log: TransparencyLog;
  /** Hash IDs and EPC forms (default: core/epcis). */
  codec?: EpcisCodec;
  /** Which CBV event-hash rules name captured events (default CBV 2.0, what partners' tooling computes). */
  hashVersion?: CbvVersion;
  /** Called after every append of EPCIS leaves (the node wires the anchorer's noteAppended). */
  onAppended?: () => void;
  now?: () => number;
  /** Draws each leaf's salt (default: EPCIS_SALT_BYTES bytes from the CSPRNG, fresh per leaf). */
  salt?: () => Uint8Array;
}

/** A fresh salt for an "epcis" leaf: hash tiles reach every member, so a leaf must not be confirmable by a guess. */
export const randomEpcisSalt = (): Uint8Array => new Uint8Array(randomBytes(EPCIS_SALT_BYTES));

/** The body of an "epcis" leaf (its format lives with its verifier in core/proof/epcis-event.ts). */
export { encodeEpcisBody };

/** Decodes an "epcis" leaf body; a malformed one is the repository's `corrupt`. */
export function decodeEpcisBody(body: Uint8Array): EpcisBody {
  try {
    return decodeLeafBody(body);
  } catch (err) {
    if (err instanceof EpcisLeafError) throw new RepositoryError('corrupt', err.message);
    throw err;
  }
}

export class EpcisRepository {
  readonly index: EpcisIndexStore;
  readonly store: NodeStore;
  readonly log: TransparencyLog;
  readonly codec: EpcisCodec;
  readonly hashVersion: CbvVersion;
  private readonly now: () => number;
  private readonly salt: () => Uint8Array;
  private readonly onAppended: (() => void) | undefined;
  /** In-process notices after events are indexed (query subscriptions wake on them). */
  private readonly indexedListeners = new Set<() => void>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when events reached the log but their index write failed: the next write catches up first. */
  private dirty = false;
  private closed = false;
  /** Known GS1 Company Prefixes (live set: grows as events are indexed). */
  private readonly gcps = new Set<string>();
  /** prefix → namespace IRIs captured contexts declared. */
  private readonly ns = new Map<string, Set<string>>();
  private key: Buffer = Buffer.alloc(0);
  private readonly matchers = new Map<string, (value: string) => boolean>();

  constructor(opts: EpcisRepositoryOptions) {
    this.index = opts.index;
    this.store = opts.store;
    this.log = opts.log;
    this.codec = opts.codec ?? coreCodec;
    this.hashVersion = opts.hashVersion ?? '2.0';
    this.now = opts.now ?? Date.now;
    this.salt = opts.salt ?? randomEpcisSalt;
    this.onAppended = opts.onAppended;
  }

  /** Read the index's meta and caches; a fresh index starts its scan at the end of the log. */
  async init(): Promise<void> {
    // Nothing before this point can be an EPCIS leaf: there was no repository to write one.
    if ((await this.index.meta('scan_cursor')) === null) await this.index.setMeta('scan_cursor', String(this.log.size));
    let key = await this.index.meta('token_key');
    if (key === null) {
      key = randomBytes(32).toString('hex');
      await this.index.setMeta('token_key', key);
    }
    this.key = Buffer.from(key, 'hex');
    for (const p of await this.index.companyPrefixes()) this.gcps.add(p);
    this.noteNamespaces(await this.index.namespaces());
  }

  /** Secret for pagination tokens (kept, so tokens survive restarts). */
  get tokenKey(): Buffer {
    return this.key;
  }

  /** Whether the EPC pattern (or identifier) matches an indexed key: the query context's epcMatch. */
  readonly epcMatch = (pattern: string, value: string): boolean => {
    let m = this.matchers.get(pattern);
    if (!m) {
      if (this.matchers.size > 1000) this.matchers.clear();
      const matcher = epcMatcher(pattern, this.codec);
      m = (v) => matcher.test(v);
      this.matchers.set(pattern, m);
    }
    return m(value);
  };

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
  async conflicts(events: readonly PreparedEvent[]): Promise<Map<number, CaptureProblem>> {
    const out = new Map<number, CaptureProblem>();
    const seen = new Set<string>();
    const stored = await this.index.findEvents(
      events.map((p) => ({ eventId: p.index.eventId, declaration: p.index.declaration !== null })),
    );
    events.forEach((p, i) => {
      const decl = p.index.declaration ? 1 : 0;
      const key = `${decl}:${p.index.eventId}`;
      const rid = stored[i] ?? null;
      if (rid !== null || seen.has(key)) {
        const where = rid !== null ? `is already stored (leaf ${rid})` : 'appears twice in this document';
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
    });
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
      data: encodeLeaf({ kind: LEAF_KIND, receivedAt: recordTime, body: encodeEpcisBody(p.index.hashId, p.json, this.salt()) }),
    }));
    const { firstIndex } = await this.log.append(entries);
    try {
      await this.indexRows(
        events.map((p, i) => ({ rid: firstIndex + i, index: p.index, json: p.json, recordTime, captureId })),
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

  private async indexRows(rows: IndexRow[], cursor: number): Promise<void> {
    await this.index.indexEvents(rows, cursor);
    for (const r of rows) {
      for (const p of r.index.gcps) this.gcps.add(p);
      this.noteNamespaces(r.index.ext.namespaces);
    }
  }

  private noteNamespaces(pairs: Iterable<readonly [string, string]>): void {
    for (const [prefix, ns] of pairs) {
      const set = this.ns.get(prefix) ?? new Set<string>();
      set.add(ns);
      this.ns.set(prefix, set);
    }
  }

  /** GS1 Company Prefixes seen in captured EPC URNs (live set: grows as events are indexed). */
  companyPrefixes(): Set<string> {
    return this.gcps;
  }

  /** Learn company prefixes from elsewhere (master data ids). */
  async noteCompanyPrefixes(prefixes: Iterable<string>): Promise<void> {
    const fresh = [...new Set(prefixes)].filter((p) => !this.gcps.has(p));
    if (fresh.length === 0) return;
    await this.index.addCompanyPrefixes(fresh);
    for (const p of fresh) this.gcps.add(p);
  }

  /** Namespace IRIs captured contexts (and master-data documents) declared for a CURIE prefix. */
  namespacesOf(prefix: string): string[] {
    return [...(this.ns.get(prefix) ?? [])];
  }

  /** Store master-data vocabulary elements (epcis/master-data.ts) with their documents' namespaces. */
  async storeVocabulary(
    elements: Parameters<EpcisIndexStore['storeMasterData']>[0],
    namespaces: [string, string][],
    rawCompanyPrefixes: string[],
    now: number,
  ): Promise<void> {
    if (elements.length === 0) return;
    await this.index.storeMasterData(elements, namespaces, now);
    this.noteNamespaces(namespaces);
    await this.noteCompanyPrefixes(rawCompanyPrefixes);
  }

  /** Page tokens released by DELETE /nextPageToken/{token} (keyed by their MAC). */
  async revokeToken(mac: string): Promise<void> {
    await this.index.revokeToken(mac, this.now());
  }

  isTokenRevoked(mac: string): Promise<boolean> {
    return this.index.isTokenRevoked(mac);
  }

  /**
   * Index every "epcis" leaf between the scan cursor and the end of the log that
   * is not indexed yet (after a crash between append and index, or a failed index write).
   */
  async catchUp(): Promise<{ indexed: number; scanned: number }> {
    const end = this.log.size;
    let cursor = Number((await this.index.meta('scan_cursor')) ?? 0);
    let indexed = 0;
    const scannedFrom = cursor;
    while (cursor < end) {
      const to = Math.min(cursor + 2048, end);
      const leaves = await this.store.leaves(cursor, to);
      const records = leaves.map((leaf) => ({ leaf, rec: decodeLeaf(leaf.data) })).filter((x) => x.rec.kind === LEAF_KIND);
      const done = await this.index.indexedAmong(records.map((x) => x.leaf.index));
      const batch: IndexRow[] = [];
      for (const { leaf, rec } of records) {
        if (done.has(leaf.index)) continue;
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
          captureId: null,
        });
      }
      // Indexed in one transaction with the cursor, so a crash here leaves nothing half-done.
      await this.indexRows(batch, to);
      indexed += batch.length;
      cursor = to;
    }
    this.dirty = false;
    return { indexed, scanned: end - scannedFrom };
  }

  // ------------------------------------------------------------ reading

  /** The canonical JSON of these events, by leaf index. */
  jsonOf(leafIndexes: readonly number[]): Promise<Map<number, string>> {
    return this.index.jsonOf(leafIndexes);
  }

  count(): Promise<number> {
    return this.index.count();
  }

  byLeaf(leafIndex: number): Promise<StoredEvent | null> {
    return this.index.byLeaf(leafIndex);
  }

  /** The event with this eventID and any error declaration of it (original first). */
  byEventId(eventId: string): Promise<StoredEvent[]> {
    return this.index.byEventId(eventId);
  }

  async eventsByEventIds(ids: readonly string[]): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    for (const id of new Set(ids)) out.push(...(await this.byEventId(id)));
    return out.sort((a, b) => a.leafIndex - b.leafIndex);
  }

  /** Every event in which `epc` (an EPC, EPC class or pattern) appears, with its roles there, in log order. */
  async eventsByEpc(epc: string, roles?: readonly RoleName[]): Promise<(StoredEvent & { roles: RoleName[] })[]> {
    const want = roles ? new Set<number>(roles.map((r) => ROLE[r])) : null;
    const m = epcMatcher(epc, this.codec);
    const hits = new Map<number, Set<RoleName>>();
    const occurrences = [
      ...(m.exact !== null ? await this.index.epcOccurrences({ exact: m.exact }) : []),
      ...(await Promise.all(m.ranges.map((r) => this.index.epcOccurrences({ from: r.from, to: r.to })))).flat(),
    ];
    for (const o of occurrences) {
      if (want && !want.has(o.role)) continue;
      if (m.exact === null && !m.test(o.epc)) continue;
      const set = hits.get(o.rid) ?? new Set<RoleName>();
      set.add(ROLE_NAME[o.role]!);
      hits.set(o.rid, set);
    }
    const out: (StoredEvent & { roles: RoleName[] })[] = [];
    for (const rid of [...hits.keys()].sort((a, b) => a - b)) {
      const e = await this.byLeaf(rid);
      if (e) out.push({ ...e, roles: [...hits.get(rid)!] });
    }
    return out;
  }

  /**
   * The graph hops of one identifier: each event it appears in (between `from` and `until`,
   * eventTime in ms) and its role there, in time order (trace). The index is keyed by
   * (identifier, time), so a reusable container's thousands of trips cost nothing outside the window.
   */
  hops(epc: string, from = -MAX_TIME, until = MAX_TIME): Promise<GraphHop[]> {
    return this.index.hops(epcKey(epc, this.codec), Math.max(from, -MAX_TIME), Math.min(until, MAX_TIME));
  }

  /** hops() of many (identifier, window) pairs at once (a trace's frontier). */
  hopsMany(visits: readonly { id: string; from: number; until: number }[]): Promise<GraphHop[][]> {
    return this.index.hopsMany(visits);
  }

  eventLinksMany(leafIndexes: readonly number[]): Promise<Map<number, EventLinks>> {
    return this.index.eventLinksMany(leafIndexes);
  }

  /** The identifiers and references of one event (trace). */
  eventLinks(leafIndex: number): Promise<EventLinks> {
    return this.index.eventLinks(leafIndex);
  }

  /** The events of each transformationID, in log order. */
  transformationGroups(ids: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    return this.index.transformationGroups(ids);
  }

  /** Distinct values of an indexed vocabulary, after `after`, for the resource collections. */
  vocabulary(kind: VocabularyKind, limit: number, after?: string): Promise<string[]> {
    return this.index.vocabulary(kind, limit, after);
  }

  hasVocabulary(kind: VocabularyKind, value: string): Promise<boolean> {
    return this.index.hasVocabulary(kind, value);
  }

  // ------------------------------------------------------------ capture jobs

  async createJob(job: {
    id: string;
    behaviour: CaptureJob['captureErrorBehaviour'];
    eventCount: number;
    errors: CaptureProblem[];
    probeEventId: string | null;
  }): Promise<void> {
    await this.index.createJob({
      ...job,
      createdAt: this.now(),
      success: job.errors.length === 0,
      minLeaf: this.log.size,
    });
  }

  async finishJob(
    id: string,
    r: { success: boolean; errors: CaptureProblem[]; captured: number; leaves: { first: number; last: number } | null },
  ): Promise<void> {
    await this.index.finishJob(id, { ...r, finishedAt: this.now() });
  }

  async job(id: string): Promise<CaptureJob | null> {
    const r = await this.index.job(id);
    return r ? captureJob(r) : null;
  }

  /** Capture jobs, oldest first, after the (createdAt, id) of `after`. */
  async jobs(limit: number, after?: { createdAt: number; id: string }): Promise<(CaptureJob & { createdAtMs: number })[]> {
    return (await this.index.jobs(limit, after)).map((r) => ({ ...captureJob(r), createdAtMs: r.createdAt }));
  }

  /** Jobs left running by a stopped process: finished from what the log holds (their events were appended in one go). */
  private async settleInterruptedJobs(): Promise<void> {
    for (const r of await this.index.runningJobs()) {
      // The job's first event, logged after the job was created (an older event may share its eventID: a declaration's original).
      const stored = r.probeEventId ? await this.index.firstEventAtOrAfter(r.probeEventId, r.minLeaf ?? 0) : null;
      const errors = r.errors;
      if (stored !== null) {
        await this.finishJob(r.id, {
          success: errors.length === 0,
          errors,
          captured: r.eventCount - errors.length,
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
        await this.finishJob(r.id, { success: false, errors, captured: 0, leaves: null });
      }
    }
  }

  /** After open: index what the log holds beyond the cursor, settle jobs a stop interrupted. */
  async recover(): Promise<{ indexed: number; scanned: number }> {
    const r = await this.exclusive(() => this.catchUp());
    await this.settleInterruptedJobs();
    return r;
  }

  /** Refresh the planner's statistics (after bulk loads). */
  optimize(): Promise<void> {
    return this.index.optimize();
  }

  /** Waits for the capture in progress; the index itself belongs to the storage and closes with it. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
  }
}

function captureJob(r: StoredCaptureJob): CaptureJob {
  return {
    captureID: r.id,
    createdAt: new Date(r.createdAt).toISOString(),
    ...(r.finishedAt !== null ? { finishedAt: new Date(r.finishedAt).toISOString() } : {}),
    running: r.running,
    success: r.success,
    captureErrorBehaviour: r.behaviour,
    errors: r.errors,
    eventCount: r.eventCount,
    capturedCount: r.capturedCount,
    leaves: r.firstLeaf === null ? null : { first: r.firstLeaf, last: Number(r.lastLeaf) },
  };
}

/** Open the repository on its index and bring the index level with the log. */
export async function openEpcisRepository(opts: EpcisRepositoryOptions): Promise<EpcisRepository> {
  const repo = new EpcisRepository(opts);
  await repo.init();
  await repo.recover();
  return repo;
}
