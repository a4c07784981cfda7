// HTTP ingest: POST one COSE_Sign1 (application/cose) or many as a CBOR
// sequence (application/cbor-seq). The response is sent only after the
// accepted messages are durably committed.
import { Hono } from 'hono';
import { HttpProblem } from '../api/problem.js';
import { CborSequenceError, splitCborSequence } from './cbor-seq.js';
import type { IngestResult, Ingestor } from './pipeline.js';

export interface HttpIngestOptions {
  /** Largest request body, bytes. */
  maxBodyBytes: number;
  /** Most messages in one request. */
  maxMessages: number;
}

export const DEFAULT_HTTP_INGEST: HttpIngestOptions = { maxBodyBytes: 16 * 1024 * 1024, maxMessages: 20_000 };

export function ingestRoutes(ingestor: Ingestor, opts: HttpIngestOptions = DEFAULT_HTTP_INGEST): Hono {
  const app = new Hono();
  app.post('/', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > opts.maxBodyBytes) {
      ingestor.counters.reject('too_large');
      throw new HttpProblem(413, 'too_large', `body of ${declared} bytes exceeds ${opts.maxBodyBytes}`);
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > opts.maxBodyBytes) {
      ingestor.counters.reject('too_large');
      throw new HttpProblem(413, 'too_large', `body of ${body.length} bytes exceeds ${opts.maxBodyBytes}`);
    }
    if (type === 'application/cose' || type === 'application/cose; cose-type="cose-sign1"') {
      const [result] = await ingestor.submit([body]);
      return single(result!);
    }
    if (type === 'application/cbor-seq') {
      let messages: Uint8Array[];
      try {
        messages = splitCborSequence(body, opts.maxMessages);
      } catch (err) {
        ingestor.counters.reject('not_cose');
        const detail = err instanceof CborSequenceError ? `${err.message} at byte ${err.offset}` : String(err);
        throw new HttpProblem(400, 'not_cose', `body is not a CBOR sequence of COSE messages: ${detail}`);
      }
      const results = await ingestor.submit(messages);
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
  const headers: Record<string, string> = r.retryAfterSeconds !== undefined ? { 'retry-after': String(r.retryAfterSeconds) } : {};
  throw new HttpProblem(status, r.reason, r.detail, {}, headers);
}
