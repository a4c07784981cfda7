// The DCSA Track & Trace repository: events are log leaves of kind "dcsa" (body:
// UTF-8 JSON {"origin", "event", "salt"}), and the index (storage/dcsa.ts) follows the
// log — appended first, indexed after, and on open (or after a failed index
// write) every "dcsa" leaf past the scan cursor that is not indexed yet is
// indexed from the log. So an event is queryable exactly when it is in the log.
//
// Also here: the GET query's paging (an opaque cursor holding the last rid of the
// page), and the idempotence of derived events (one leaf per derived eventID).
import { randomBytes } from 'node:crypto';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { DcsaEventQuery, DcsaEventRow, DcsaOrigin, DcsaStore } from '../storage/dcsa.js';
import type { NodeStore } from '../storage/types.js';
import { derivedVersion } from './derive.js';
import { DcsaError } from './errors.js';
import { eventRow } from './event-row.js';
import type { TntEvent } from './validate.js';

export const DCSA_LEAF_KIND = 'dcsa';
/** The node's own page size limit (the spec lets a producer document one). */
export const MAX_DCSA_PAGE = 1000;
export const DEFAULT_DCSA_PAGE = 100;

/** A dcsa leaf's salt: 16 random bytes as 32 lower-case hex digits. */
const SALT = /^[0-9a-f]{32}$/;

/**
 * A fresh salt for a "dcsa" leaf. Hash tiles reach every consortium member, and an
 * unsigned event guessed byte for byte (with its receipt ms) could otherwise be confirmed against one.
 */
export const randomDcsaSalt = (): string => randomBytes(16).toString('hex');

function checkSalt(salt: unknown): void {
  if (typeof salt !== 'string' || !SALT.test(salt))
    throw new DcsaError('corrupt', `a dcsa leaf salt must be 32 lower-case hex digits, got ${JSON.stringify(salt)}`);
}

/** UTF-8 JSON {"origin", "event", "salt"} (docs/design.md "Log leaf"). */
export function encodeDcsaBody(origin: DcsaOrigin, event: TntEvent, salt: string): Uint8Array {
  checkSalt(salt);
  return new TextEncoder().encode(JSON.stringify({ origin, event, salt }));
}

/** Decodes a dcsa leaf body; `salt` is null for a leaf logged before salts. */
export function decodeDcsaBody(body: Uint8Array): { origin: DcsaOrigin; event: TntEvent; json: string; salt: string | null } {
  const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) as {
    origin?: unknown;
    event?: unknown;
    salt?: unknown;
  };
  if ((v.origin !== 'pushed' && v.origin !== 'derived') || typeof v.event !== 'object' || v.event === null)
    throw new DcsaError(
      'corrupt',
      'a dcsa leaf body must be JSON {"origin": "pushed"|"derived", "event": {…}, "salt": "<32 hex>"} (salt absent in leaves logged before salts)',
    );
  if (v.salt !== undefined) checkSalt(v.salt);
  return {
    origin: v.origin,
    event: v.event as TntEvent,
    json: JSON.stringify(v.event),
    salt: (v.salt as string | undefined) ?? null,
  };
}

/** The Next-Page-Cursor value: the last rid of the page, opaque to clients. */
export function encodeCursor(afterRid: number): string {
  return Buffer.from(JSON.stringify({ after: afterRid })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (Number.isSafeInteger(v.after) && (v.after as number) >= -1) return v.after as number;
  } catch {
    // the error below
  }
  throw new DcsaError('bad_cursor', 'cursor is not a Next-Page-Cursor this node issued', 'cursor');
}

export interface DcsaPage {
  events: TntEvent[];
  /** Present when more events match: the next request's cursor. */
  nextCursor: string | null;
  rows: DcsaEventRow[];
}

export interface DcsaRepositoryOptions {
  index: DcsaStore;
  store: NodeStore;
  log: TransparencyLog;
  /** Called after every append (the node wires the anchorer's noteAppended). */
  onAppended?: () => void;
  now?: () => number;
  /** Draws each leaf's salt (default: randomDcsaSalt, fresh per leaf). */
  salt?: () => string;
}

export class DcsaRepository {
  readonly index: DcsaStore;
  private readonly store: NodeStore;
  private readonly log: TransparencyLog;
  private readonly onAppended: (() => void) | undefined;
  private readonly now: () => number;
  private readonly salt: () => string;
  private readonly indexedListeners = new Set<(rows: readonly DcsaEventRow[]) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private dirty = false;

  constructor(opts: DcsaRepositoryOptions) {
    this.index = opts.index;
    this.store = opts.store;
    this.log = opts.log;
    this.onAppended = opts.onAppended;
    this.now = opts.now ?? Date.now;
    this.salt = opts.salt ?? randomDcsaSalt;
  }

  /** A fresh index starts its scan at the end of the log (no "dcsa" leaf can precede it); then catch up. */
  async init(): Promise<this> {
    if ((await this.index.meta('scan_cursor')) === null) await this.index.setMeta('scan_cursor', String(this.log.size));
    const { indexed } = await this.catchUp();
    // Statistics for the planner after a large catch-up (a node adopting a big log).
    if (indexed > 10_000) await this.index.optimize();
    return this;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Called with the rows of every append once indexed (subscriptions wake on it). Listeners must not throw. */
  onIndexed(fn: (rows: readonly DcsaEventRow[]) => void): () => void {
    this.indexedListeners.add(fn);
    return () => this.indexedListeners.delete(fn);
  }

  /** Append validated events to the log (one atomic append) and index them; the rows indexed. */
  append(events: readonly TntEvent[], origin: DcsaOrigin): Promise<DcsaEventRow[]> {
    return this.exclusive(() => this.appendNow(events, origin));
  }

  /**
   * Append derived events not appended before in this version (by eventID and derivedVersion: the
   * derivation is deterministic, so a restart or a second look at the same evidence adds nothing,
   * while an excursion that closes adds its final version once). The rows appended.
   */
  appendDerived(events: readonly TntEvent[]): Promise<DcsaEventRow[]> {
    return this.exclusive(async () => {
      const fresh: TntEvent[] = [];
      const seen = new Set<string>();
      for (const e of events) {
        const mark = `${String(e.eventID)}@${derivedVersion(e)}`;
        if (seen.has(mark) || (await this.index.meta(`derived:${e.eventID}`)) === derivedVersion(e)) continue;
        seen.add(mark);
        fresh.push(e);
      }
      if (fresh.length === 0) return [];
      const rows = await this.appendNow(fresh, 'derived');
      for (const e of fresh) await this.index.setMeta(`derived:${e.eventID}`, derivedVersion(e));
      return rows;
    });
  }

  private async appendNow(events: readonly TntEvent[], origin: DcsaOrigin): Promise<DcsaEventRow[]> {
    if (this.dirty) await this.catchUp();
    const receivedAt = this.now();
    const { firstIndex } = await this.log.append(
      events.map((e) => ({
        data: encodeLeaf({ kind: DCSA_LEAF_KIND, receivedAt, body: encodeDcsaBody(origin, e, this.salt()) }),
      })),
    );
    const rows = events.map((e, i) => eventRow(firstIndex + i, e, origin, JSON.stringify(e), receivedAt));
    try {
      await this.index.indexEvents(rows, firstIndex + events.length);
    } catch (err) {
      this.dirty = true;
      await this.catchUp().catch(() => undefined);
      if (this.dirty)
        throw new DcsaError(
          'not_indexed',
          `events logged at leaves ${firstIndex}…${firstIndex + events.length - 1} but not yet indexed (${err instanceof Error ? err.message : String(err)}); they are indexed on the next push or restart`,
        );
    }
    this.onAppended?.();
    for (const fn of this.indexedListeners) fn(rows);
    return rows;
  }

  /** Index every "dcsa" leaf between the scan cursor and the end of the log that is not indexed yet. */
  async catchUp(): Promise<{ indexed: number }> {
    const end = this.log.size;
    let cursor = Number((await this.index.meta('scan_cursor')) ?? 0);
    let indexed = 0;
    while (cursor < end) {
      const to = Math.min(cursor + 2048, end);
      const leaves = await this.store.leaves(cursor, to);
      const records = leaves.map((leaf) => ({ leaf, rec: decodeLeaf(leaf.data) })).filter((x) => x.rec.kind === DCSA_LEAF_KIND);
      const done = await this.index.indexedAmong(records.map((x) => x.leaf.index));
      const batch: DcsaEventRow[] = [];
      for (const { leaf, rec } of records) {
        if (done.has(leaf.index)) continue;
        const { origin, event, json } = decodeDcsaBody(rec.body);
        batch.push(eventRow(leaf.index, event, origin, json, rec.receivedAt));
      }
      await this.index.indexEvents(batch, to);
      for (const r of batch)
        if (r.origin === 'derived')
          await this.index.setMeta(`derived:${r.eventId}`, derivedVersion(JSON.parse(r.json) as TntEvent));
      indexed += batch.length;
      cursor = to;
    }
    this.dirty = false;
    return { indexed };
  }

  /** One page of the GET query: `limit` capped at MAX_DCSA_PAGE; nextCursor when more match. */
  async query(q: Omit<DcsaEventQuery, 'afterRid' | 'limit'>, limit: number, cursor?: string): Promise<DcsaPage> {
    const afterRid = cursor === undefined ? undefined : decodeCursor(cursor);
    const size = Math.min(Math.max(1, limit), MAX_DCSA_PAGE);
    const rows = await this.index.query({ ...q, afterRid, limit: size + 1 });
    const page = rows.slice(0, size);
    return {
      events: page.map((r) => JSON.parse(r.json) as TntEvent),
      nextCursor: rows.length > size ? encodeCursor(page.at(-1)!.rid) : null,
      rows: page,
    };
  }
}
