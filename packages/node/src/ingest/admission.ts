// Admission control for ingest: what one request, or one source, may make the
// node do. A flood of envelopes from unknown devices must not turn into a
// flood of ledger reads, and a huge request must not hold the verify workers
// or the commit queue while genuine devices wait.
//  - Ledger lookups of devices the cache does not know are bounded per request
//    (the first `lookupsPerRequest` distinct ids, each answered from the
//    directory's negative cache when it was found unregistered a moment ago;
//    the rest are refused as unknown_device without a chain call, and the
//    detail says so) and per source (a token bucket per client address or
//    MQTT client id). The same id is looked up once while in flight.
//  - A large request is ingested in slices of `sliceSize` envelopes, one after
//    the other with a yield between them, so other requests' envelopes enter
//    the verify queue and the group commit between two slices.
import type { DeviceRecord } from '../storage/types.js';
import type { DeviceDirectory, IngestResult, Ingestor } from './pipeline.js';

export interface AdmissionLimits {
  /** Most envelopes in one request (413 above). */
  maxEnvelopesPerRequest: number;
  /** Cap on a telemetry request body, bytes: the body limit is min(this, maxEnvelopesPerRequest × maxMessageBytes). */
  maxBodyBytes: number;
  /** Envelopes ingested per slice of a large request. */
  sliceSize: number;
  /** Distinct unknown device ids one request may have looked up on the ledger. */
  lookupsPerRequest: number;
  /** Ledger lookups of unknown devices per source: sustained rate per second, and burst. */
  lookupsPerSecond: number;
  lookupBurst: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxEnvelopesPerRequest: 20_000,
  maxBodyBytes: 16 * 1024 * 1024,
  sliceSize: 500,
  lookupsPerRequest: 32,
  lookupsPerSecond: 10,
  lookupBurst: 64,
};

/** The telemetry body limit: enough for the most envelopes of the largest size, capped by maxBodyBytes. */
export function telemetryBodyLimit(limits: AdmissionLimits, maxMessageBytes: number): number {
  return Math.min(limits.maxEnvelopesPerRequest * maxMessageBytes, limits.maxBodyBytes);
}

/** A directory that can say, without asking the ledger, that an id was found unregistered a moment ago. */
interface NegativeCache {
  isKnownUnknown(deviceId: string): boolean;
}

function hasNegativeCache(d: DeviceDirectory): d is DeviceDirectory & NegativeCache {
  return typeof (d as Partial<NegativeCache>).isKnownUnknown === 'function';
}

/** What lookups of one request's unknown ids came to. */
export interface LookupOutcome {
  /** At least one id was found registered (verify again). */
  found: boolean;
  /** Ids not looked up, with why: appended to their unknown_device detail. */
  skipped: Map<string, string>;
  /** Ids the ledger could not be asked about (it is unreachable), with the error: a retryable refusal, not "unknown". */
  unreachable: Map<string, string>;
}

/** Counted for /metrics: how unknown-device lookups were answered. */
export interface LookupCounters {
  /** Reads of the ledger started. */
  chainLookups: number;
  /** Ids answered from the negative cache. */
  negativeCacheHits: number;
  /** Ids refused without a lookup: over the per-request bound, or over the source's rate. */
  overRequestBound: number;
  overSourceRate: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Sources tracked at once; beyond this the least recently used bucket is forgotten. */
const MAX_SOURCES = 10_000;

/** Shared by all requests: per-source token buckets and the lookups in flight. */
export class DeviceLookupGate {
  readonly counters: LookupCounters = { chainLookups: 0, negativeCacheHits: 0, overRequestBound: 0, overSourceRate: 0 };
  private readonly buckets = new Map<string, Bucket>();
  private readonly inflight = new Map<string, Promise<DeviceRecord | undefined>>();
  readonly limits: Pick<AdmissionLimits, 'lookupsPerRequest' | 'lookupsPerSecond' | 'lookupBurst'>;

  constructor(
    limits: Partial<AdmissionLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    const l = { ...DEFAULT_ADMISSION, ...limits };
    this.limits = { lookupsPerRequest: l.lookupsPerRequest, lookupsPerSecond: l.lookupsPerSecond, lookupBurst: l.lookupBurst };
  }

  /** The lookup budget of one request (all its slices share it). */
  forRequest(source?: string): LookupBudget {
    return new LookupBudget(this, source);
  }

  /** Take one lookup token from the source's bucket; no source (in-process callers): no bucket. */
  takeToken(source: string | undefined): boolean {
    if (source === undefined) return true;
    const now = this.now();
    const { lookupsPerSecond: rate, lookupBurst: burst } = this.limits;
    let b = this.buckets.get(source);
    if (b) this.buckets.delete(source);
    else b = { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    // Re-inserted: Map order is then least recently used first.
    this.buckets.set(source, b);
    if (this.buckets.size > MAX_SOURCES) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** One ledger read per id at a time, whoever asks. */
  lookup(directory: DeviceDirectory, deviceId: string): Promise<DeviceRecord | undefined> {
    let p = this.inflight.get(deviceId);
    if (!p) {
      this.counters.chainLookups++;
      p = directory.lookup(deviceId).finally(() => this.inflight.delete(deviceId));
      this.inflight.set(deviceId, p);
    }
    return p;
  }

  isInFlight(deviceId: string): boolean {
    return this.inflight.has(deviceId);
  }
}

export class LookupBudget {
  private remaining: number;

  constructor(
    private readonly gate: DeviceLookupGate,
    readonly source: string | undefined,
  ) {
    this.remaining = gate.limits.lookupsPerRequest;
  }

  /** Look up the ids this request and its source may still have looked up; refuse the rest without a chain call. */
  async lookup(directory: DeviceDirectory, ids: Iterable<string>): Promise<LookupOutcome> {
    const skipped = new Map<string, string>();
    const unreachable = new Map<string, string>();
    const asked: Promise<boolean>[] = [];
    const { counters, limits } = this.gate;
    for (const id of ids) {
      if (!this.gate.isInFlight(id)) {
        // The per-request bound comes first: past it, not even the negative cache is consulted (it hashes the id).
        if (this.remaining <= 0) {
          counters.overRequestBound++;
          skipped.set(
            id,
            `not looked up on the ledger: one request may have at most ${limits.lookupsPerRequest} unknown devices looked up; send it again`,
          );
          continue;
        }
        this.remaining--;
        if (hasNegativeCache(directory) && directory.isKnownUnknown(id)) {
          counters.negativeCacheHits++;
          continue;
        }
        if (!this.gate.takeToken(this.source)) {
          counters.overSourceRate++;
          skipped.set(
            id,
            `not looked up on the ledger: this client is over ${limits.lookupsPerSecond} lookups of unknown devices per second; send it again later`,
          );
          continue;
        }
      }
      asked.push(
        this.gate.lookup(directory, id).then(
          (d) => d !== undefined,
          (err: unknown) => {
            unreachable.set(id, err instanceof Error ? err.message.split('\n')[0]! : String(err));
            return false;
          },
        ),
      );
    }
    const found = (await Promise.all(asked)).some(Boolean);
    return { found, skipped, unreachable };
  }
}

export interface SliceOptions {
  deviceId?: string;
  source?: string;
  sliceSize: number;
}

/**
 * Ingest a request's envelopes slice by slice, in order (a device's sequence numbers stay in order
 * across slices), all slices sharing one lookup budget; results in the order of `messages`.
 */
export async function submitInSlices(ingestor: Ingestor, messages: Uint8Array[], opts: SliceOptions): Promise<IngestResult[]> {
  const budget = ingestor.lookupGate.forRequest(opts.source);
  const submitOpts = { deviceId: opts.deviceId, source: opts.source, budget };
  if (messages.length <= opts.sliceSize) return ingestor.submit(messages, submitOpts);
  const results: IngestResult[] = [];
  for (let at = 0; at < messages.length; at += opts.sliceSize) {
    // Let other requests' envelopes into the verify queue and the next commit before this request's next slice.
    if (at > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const part = await ingestor.submit(messages.slice(at, at + opts.sliceSize), submitOpts);
    for (const r of part) results.push(r);
  }
  return results;
}
