// HTTP ingest: POST one COSE_Sign1 (application/cose) or many as a CBOR
// sequence (application/cbor-seq). The response is sent only after the
// accepted messages are durably committed.
// The body is bounded while it streams in (api/body-limit.ts, mounted before
// this route); a request of many envelopes is ingested in slices
// (admission.ts) so it cannot hold the workers while others wait.
import { Hono } from 'hono';
import { clientAddress } from '../access/http.js';
import { STORE_RETRY_AFTER_SECONDS } from '../http/errors.js';
import { HttpProblem } from '../http/problem.js';
import { DEFAULT_ADMISSION, submitInSlices } from './admission.js';
import { CborSequenceError, CborSequenceLimitError, splitCborSequence } from './cbor-seq.js';
import type { IngestResult, Ingestor } from './pipeline.js';

export interface HttpIngestOptions {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Most messages in one request (413 above it). */
  maxMessages: number;
  /** Envelopes ingested per slice of a larger request. */
  sliceSize: number;
}

export const DEFAULT_HTTP_INGEST: HttpIngestOptions = {
  maxBodyBytes: DEFAULT_ADMISSION.maxBodyBytes,
  maxMessages: DEFAULT_ADMISSION.maxEnvelopesPerRequest,
  sliceSize: DEFAULT_ADMISSION.sliceSize,
};

/** Response headers that advertise the limits (as EPCIS capture does with GS1-EPCIS-Capture-Limit). */
export const MAX_ENVELOPES_HEADER = 'TradeTwin-Ingest-Max-Envelopes';
export const MAX_BODY_HEADER = 'TradeTwin-Ingest-Max-Body-Bytes';

export function ingestRoutes(ingestor: Ingestor, opts: HttpIngestOptions = DEFAULT_HTTP_INGEST): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set(MAX_ENVELOPES_HEADER, String(opts.maxMessages));
    c.res.headers.set(MAX_BODY_HEADER, String(opts.maxBodyBytes));
  });
  app.post('/', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > opts.maxBodyBytes) {
      ingestor.counters.reject('too_large');
      throw new HttpProblem(413, 'too_large', `body of ${declared} bytes exceeds ${opts.maxBodyBytes}`);
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await c.req.arrayBuffer());
    } catch (err) {
      // The body-limit stream cut the upload off (its 413), or the client went away.
      if (err instanceof HttpProblem && err.status === 413) ingestor.counters.reject('too_large');
      throw err;
    }
    if (body.length > opts.maxBodyBytes) {
      ingestor.counters.reject('too_large');
      throw new HttpProblem(413, 'too_large', `body of ${body.length} bytes exceeds ${opts.maxBodyBytes}`);
    }
    const source = `http:${clientAddress(c)}`;
    if (type === 'application/cose' || type === 'application/cose; cose-type="cose-sign1"') {
      const [result] = await ingestor.submit([body], { source });
      return single(result!);
    }
    if (type === 'application/cbor-seq') {
      let messages: Uint8Array[];
      try {
        messages = splitCborSequence(body, opts.maxMessages);
      } catch (err) {
        if (err instanceof CborSequenceLimitError) {
          ingestor.counters.reject('too_large');
          throw new HttpProblem(
            413,
            'too_large',
            `a request carries at most ${err.maxItems} envelopes (${MAX_ENVELOPES_HEADER})`,
            {
              maxEnvelopes: err.maxItems,
            },
          );
        }
        ingestor.counters.reject('not_cose');
        const detail = err instanceof CborSequenceError ? `${err.message} at byte ${err.offset}` : String(err);
        throw new HttpProblem(400, 'not_cose', `body is not a CBOR sequence of COSE messages: ${detail}`);
      }
      const results = await submitInSlices(ingestor, messages, { source, sliceSize: opts.sliceSize });
      const accepted = results.filter((r) => r.status === 'accepted').length;
      // Nothing stored because the ledger is unreachable: the whole request is retryable.
      const waits = results.map((r) =>
        r.status === 'rejected' && r.reason === 'chain_unavailable' ? (r.retryAfterSeconds ?? 5) : null,
      );
      if (results.length > 0 && waits.every((w) => w !== null)) {
        throw new HttpProblem(
          503,
          'chain_unavailable',
          `none of the ${results.length} messages could be checked: their devices are not cached and the ledger is unreachable`,
          {},
          { 'retry-after': String(Math.max(...(waits as number[]))) },
        );
      }
      // Nothing stored because the database is unreachable: the whole request is retryable.
      if (results.length > 0 && results.every((r) => r.status === 'rejected' && r.reason === 'store_unavailable')) {
        throw new HttpProblem(
          503,
          'store_unavailable',
          `none of the ${results.length} messages was stored: the node cannot reach its database; retry later`,
          { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS },
        );
      }
      const answer = { accepted, rejected: results.length - accepted, results: results.map(summary) };
      const wait = Math.max(0, ...waits.map((w) => w ?? 0));
      // Some messages can be retried later: say when (their results carry chain_unavailable).
      return wait > 0 ? c.json(answer, 200, { 'retry-after': String(wait) }) : c.json(answer);
    }
    ingestor.counters.reject('not_cose');
    throw new HttpProblem(
      415,
      'not_cose',
      `content-type must be application/cose (one COSE_Sign1) or application/cbor-seq (many); got "${type || 'none'}"`,
    );
  });
  return app;
}

function summary(r: IngestResult) {
  return r.status === 'accepted'
    ? {
        status: r.status,
        index: r.index,
        deviceId: r.deviceId,
        seq: r.seq,
        readings: r.readings,
        ...(r.gap ? { gap: r.gap } : {}),
      }
    : { status: r.status, reason: r.reason, detail: r.detail };
}

function single(r: IngestResult): Response {
  if (r.status === 'accepted') {
    return Response.json(summary(r), { status: 201, headers: { location: `/api/v1/log/leaves/${r.index}` } });
  }
  const status =
    r.reason === 'too_large'
      ? 413
      : r.reason === 'store_unavailable' || r.reason === 'chain_unavailable'
        ? 503
        : r.reason === 'replay'
          ? 409
          : 422;
  const retryAfter = r.retryAfterSeconds ?? (r.reason === 'store_unavailable' ? STORE_RETRY_AFTER_SECONDS : undefined);
  const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
  throw new HttpProblem(status, r.reason, r.detail, {}, headers);
}
