// Capture: validate → hash IDs → append each event to the transparency log as
// a leaf of kind "epcis" (body CBOR [hashId, canonicalJsonBytes, salt]) → index it.
//
// GS1-Capture-Error-Behaviour:
//   rollback (default) — all or nothing: one bad event refuses the document with
//     a 4xx problem listing every fault, and nothing reaches the log or the index;
//   proceed — the good events are stored, the bad ones listed in the capture job.
// A document's events are appended in one atomic log append, so a job's events
// are either all in the log or none (and then all indexed or none, see repository.ts).
// Faults found while receiving (schema, semantics, limits) answer synchronously;
// a duplicate eventID is a capture fault and shows in the job only (the binding's
// POST /capture has no 409); POST /events, synchronous, still answers it with 409.
// The document's master data (epcisHeader) is stored when the job stores (master-data.ts).
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '@tradetwin/core/json/canonical-json';
import { extractEvent } from './extract.js';
import { type MasterData, parseMasterData, storeMasterData } from './master-data.js';
import { CaptureError } from './capture-error.js';
import { type EpcisRepository, RepositoryError } from './repository.js';
import {
  type CaptureErrorBehaviour,
  type CaptureJob,
  type CaptureProblem,
  EPCIS_CONTEXT,
  type EpcisEvent,
  type PreparedEvent,
  type StoredEvent,
} from './types.js';

export interface CaptureLimits {
  /** GS1-EPCIS-Capture-Limit: most events in one capture. */
  maxEvents: number;
  /** GS1-EPCIS-Capture-File-Size-Limit: largest capture body, bytes. */
  maxBytes: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { maxEvents: 10_000, maxBytes: 20 * 1024 * 1024 };

/** One schema violation: a JSON pointer into the document and what is wrong there. */
export interface SchemaError {
  pointer: string;
  message: string;
}

/** Validates a whole EPCIS document against GS1's JSON schema (core/epcis); [] when valid. */
export type DocumentValidator = (doc: unknown) => SchemaError[];

const WRAPPED = '/epcisBody/eventList/0';

/** Problems of a single posted event, with pointers into that event rather than the document it was wrapped in. */
function relativeToEvent(p: CaptureError): CaptureError {
  const fix = (s: string) => s.split(WRAPPED).join('');
  const extra = { ...p.extra };
  if (Array.isArray(extra.errors)) {
    extra.errors = (extra.errors as CaptureProblem[]).map((e) => ({
      ...e,
      detail: fix(e.detail),
      ...(e.pointer !== undefined ? { pointer: fix(e.pointer) } : {}),
    }));
  }
  return new CaptureError(p.fault, p.code, fix(p.detail), extra, p.jobError);
}

const VALIDATION = 'epcisException:ValidationException';

function problem(
  code: string,
  detail: string,
  at: { eventIndex?: number; eventID?: string; pointer?: string } = {},
): CaptureProblem {
  return { type: VALIDATION, title: 'Invalid EPCIS event', status: 400, code, detail, ...at };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStandardContext = (c: unknown) => typeof c === 'string' && /\/epcis-context(-simple)?\.jsonld$/.test(c);

/** The @context entries beyond the standard EPCIS one (extension namespaces). */
function extraContexts(ctx: unknown): unknown[] {
  const list = Array.isArray(ctx) ? ctx : ctx === undefined ? [] : [ctx];
  return list.filter((c) => !isStandardContext(c));
}

export interface PreparedCapture {
  behaviour: CaptureErrorBehaviour;
  eventCount: number;
  events: PreparedEvent[];
  rejected: CaptureProblem[];
  masterData: MasterData;
}

export interface CaptureOptions {
  validate: DocumentValidator;
  limits?: Partial<CaptureLimits>;
}

export class EpcisCapture {
  readonly limits: CaptureLimits;
  private readonly running = new Map<string, Promise<CaptureJob>>();

  constructor(
    readonly repo: EpcisRepository,
    private readonly opts: CaptureOptions,
  ) {
    this.limits = { ...DEFAULT_CAPTURE_LIMITS, ...opts.limits };
  }

  /**
   * Check a document and compute what would be logged. Document-level faults
   * throw CaptureError (invalid / too_large); event-level faults are returned in `rejected`, or thrown
   * together under rollback (invalid); duplicate eventIDs alone are left to the job (commit refuses them).
   */
  async prepare(doc: unknown, behaviour: CaptureErrorBehaviour = 'rollback'): Promise<PreparedCapture> {
    if (!isObject(doc))
      throw new CaptureError('invalid', 'not_an_epcis_document', 'the body must be a JSON object (an EPCISDocument)');
    let listPointer: string;
    let list: unknown;
    if (doc.type === 'EPCISDocument') {
      listPointer = '/epcisBody/eventList';
      list = isObject(doc.epcisBody) ? doc.epcisBody.eventList : undefined;
    } else if (doc.type === 'EPCISQueryDocument') {
      listPointer = '/epcisBody/queryResults/resultsBody/eventList';
      const qr = isObject(doc.epcisBody) && isObject(doc.epcisBody.queryResults) ? doc.epcisBody.queryResults : {};
      list = isObject(qr.resultsBody) ? qr.resultsBody.eventList : undefined;
    } else {
      throw new CaptureError(
        'invalid',
        'not_an_epcis_document',
        `the document type must be EPCISDocument or EPCISQueryDocument, not ${JSON.stringify(doc.type) ?? 'missing'}`,
        { pointer: '/type' },
      );
    }
    if (!Array.isArray(list)) {
      throw new CaptureError('invalid', 'no_event_list', `the document has no event list at ${listPointer}`, {
        pointer: listPointer,
      });
    }
    if (list.length > this.limits.maxEvents) {
      throw new CaptureError(
        'too_large',
        'too_many_events',
        `the document holds ${list.length} events; this repository captures at most ${this.limits.maxEvents} per request (GS1-EPCIS-Capture-Limit)`,
      );
    }

    // Schema violations: inside one event they reject that event, elsewhere the document.
    const perEvent = new Map<number, CaptureProblem[]>();
    const docErrors: SchemaError[] = [];
    for (const e of this.opts.validate(doc)) {
      const m = e.pointer.startsWith(`${listPointer}/`) ? /^\/(\d+)/.exec(e.pointer.slice(listPointer.length)) : null;
      if (!m) {
        docErrors.push(e);
        continue;
      }
      const i = Number(m[1]);
      const ev = list[i];
      const eventID = isObject(ev) && typeof ev.eventID === 'string' ? ev.eventID : undefined;
      const p = problem('schema_violation', `${e.pointer}: ${e.message}`, {
        eventIndex: i,
        pointer: e.pointer,
        ...(eventID ? { eventID } : {}),
      });
      perEvent.set(i, [...(perEvent.get(i) ?? []), p]);
    }
    if (docErrors.length > 0) {
      throw new CaptureError(
        'invalid',
        'schema_violation',
        `the document does not validate against the EPCIS 2.0 JSON schema: ${docErrors
          .slice(0, 3)
          .map((e) => `${e.pointer || '/'}: ${e.message}`)
          .join('; ')}`,
        { errors: docErrors.map((e) => problem('schema_violation', e.message, { pointer: e.pointer })) },
      );
    }

    const masterData = parseMasterData(doc, this.repo.codec);
    if (masterData.problems.length > 0) {
      const first = masterData.problems[0]!;
      throw new CaptureError('invalid', 'bad_master_data', `${first.pointer}: ${first.detail}`, {
        pointer: first.pointer,
        errors: masterData.problems.map((p) => problem('bad_master_data', p.detail, { pointer: p.pointer })),
      });
    }
    const context = doc['@context'];
    const docExtras = extraContexts(context);
    const events: PreparedEvent[] = [];
    list.forEach((raw, i) => {
      const base = `${listPointer}/${i}`;
      if (!isObject(raw)) {
        perEvent.set(i, [problem('not_an_event', `${base} must be an event object`, { eventIndex: i, pointer: base })]);
        return;
      }
      const x = extractEvent(raw, base, this.repo.codec, docExtras);
      const eventID = typeof raw.eventID === 'string' ? raw.eventID : undefined;
      if (!x.ok) {
        // Our semantic reasons replace the schema's for this event: they name the field and why.
        perEvent.set(
          i,
          x.problems.map((p) =>
            problem(p.code, `${p.pointer}: ${p.detail}`, { eventIndex: i, pointer: p.pointer, ...(eventID ? { eventID } : {}) }),
          ),
        );
        return;
      }
      if (perEvent.has(i)) return;
      const { recordTime: _ignored, ...event } = raw; // the repository sets recordTime
      const ownExtras = extraContexts(event['@context']);
      const extras = [...docExtras, ...ownExtras.filter((c) => !docExtras.some((d) => JSON.stringify(d) === JSON.stringify(c)))];
      let hashId: string;
      try {
        hashId = this.repo.codec.eventHashId(event, context ?? EPCIS_CONTEXT, this.repo.hashVersion);
      } catch (err) {
        perEvent.set(i, [
          problem(
            'unhashable_event',
            `${base}: no CBV ${this.repo.hashVersion} event hash ID can be computed: ${err instanceof Error ? err.message : String(err)}`,
            {
              eventIndex: i,
              pointer: base,
            },
          ),
        ]);
        return;
      }
      const stored: EpcisEvent = { ...event, eventID: eventID ?? hashId };
      if (extras.length > 0) stored['@context'] = extras;
      else delete stored['@context'];
      events.push({ index: { ...x.index, hashId, eventId: eventID ?? hashId }, json: canonicalJson(stored), position: i });
    });

    const rejected = [...perEvent.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, ps]) => ps);
    const conflicts = await this.repo.conflicts(events);
    rejected.push(...conflicts.values());
    rejected.sort((a, b) => (a.eventIndex ?? -1) - (b.eventIndex ?? -1));
    const good = events.filter((e) => !conflicts.has(e.position));
    // Duplicates alone are capture faults for the job (commit refuses the document under rollback).
    if (behaviour === 'rollback' && rejected.some((p) => p.status !== 409)) {
      const first = rejected[0]!;
      const faulty = new Set(rejected.map((r) => r.eventIndex)).size;
      throw new CaptureError(
        'invalid',
        faulty === 1 ? first.code : 'invalid_events',
        rejected.length === 1
          ? first.detail
          : `${rejected.length} faults in ${faulty} event${faulty > 1 ? 's' : ''}; nothing was captured (rollback). First: ${first.detail}`,
        { errors: rejected, captureErrorBehaviour: 'rollback' },
      );
    }
    return { behaviour, eventCount: list.length, events: good, rejected, masterData };
  }

  /**
   * Start a capture job for a prepared document: returns the job as created
   * (running) and a promise of the finished job.
   */
  async start(prepared: PreparedCapture): Promise<{ job: CaptureJob; done: Promise<CaptureJob> }> {
    const id = randomUUID();
    await this.repo.createJob({
      id,
      behaviour: prepared.behaviour,
      eventCount: prepared.eventCount,
      errors: prepared.rejected,
      probeEventId: prepared.events[0]?.index.eventId ?? null,
    });
    const job = (await this.repo.job(id))!;
    const done = this.repo
      .exclusive(() => this.commit(id, prepared))
      .catch(async (err: unknown) => {
        // Logged but not indexed yet: the events are durable and become queryable at the next index catch-up.
        const logged = err instanceof RepositoryError && err.code === 'not_indexed';
        const errors = [
          ...prepared.rejected,
          {
            type: 'epcisException:ImplementationException',
            title: logged ? 'Index pending' : 'Capture failed',
            status: 500,
            code: logged ? 'index_pending' : 'capture_failed',
            detail: logged
              ? err.message
              : `the events could not be stored: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
          },
        ];
        await this.repo.finishJob(id, { success: false, errors, captured: logged ? prepared.events.length : 0, leaves: null });
        return (await this.repo.job(id))!;
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, done);
    return { job, done };
  }

  /** Prepare and run a capture to its end (the programmatic path; the bench uses it). */
  async capture(doc: unknown, behaviour: CaptureErrorBehaviour = 'rollback'): Promise<CaptureJob> {
    return (await this.start(await this.prepare(doc, behaviour))).done;
  }

  /** The finished job, once a running one ends (tests, graceful stop). */
  settled(id: string): Promise<CaptureJob | null> {
    return this.running.get(id) ?? this.repo.job(id);
  }

  private async commit(id: string, prepared: PreparedCapture): Promise<CaptureJob> {
    // Re-check under the lock: another capture may have stored one of these eventIDs meanwhile.
    const late = await this.repo.conflicts(prepared.events);
    const errors = [...prepared.rejected, ...late.values()];
    let events = prepared.events;
    if (errors.length > 0) {
      if (prepared.behaviour === 'rollback') {
        await this.repo.finishJob(id, { success: false, errors, captured: 0, leaves: null });
        return (await this.repo.job(id))!;
      }
      events = events.filter((e) => !late.has(e.position));
    }
    let leaves: { first: number; last: number } | null = null;
    if (events.length > 0) {
      const { firstIndex } = await this.repo.appendAndIndex(events, id);
      leaves = { first: firstIndex, last: firstIndex + events.length - 1 };
    }
    await storeMasterData(this.repo, prepared.masterData, Date.now());
    await this.repo.finishJob(id, { success: errors.length === 0, errors, captured: events.length, leaves });
    return (await this.repo.job(id))!;
  }

  /**
   * Capture one event synchronously (POST /events): 201 with the stored event,
   * or a 4xx problem (400 invalid, 409 duplicate eventID).
   */
  async captureEvent(event: unknown): Promise<StoredEvent> {
    if (!isObject(event)) throw new CaptureError('invalid', 'not_an_event', 'the body must be one EPCIS event (a JSON object)');
    const { '@context': ctx, ...rest } = event;
    const doc = {
      '@context': ctx ?? EPCIS_CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { eventList: [rest] },
    };
    let job: CaptureJob;
    try {
      job = await this.capture(doc, 'rollback');
    } catch (err) {
      throw err instanceof CaptureError ? relativeToEvent(err) : err;
    }
    if (!job.success || !job.leaves) {
      const first = job.errors[0];
      throw new CaptureError(
        'refused',
        first?.code ?? 'capture_failed',
        first?.detail ?? 'the event was not stored',
        { errors: job.errors },
        first,
      );
    }
    return (await this.repo.byLeaf(job.leaves.first))!;
  }
}
