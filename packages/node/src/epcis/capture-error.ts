// Why a capture was refused, by code. Capture knows nothing of HTTP: the edge
// (http/errors.ts) answers `invalid` as 400 ValidationException and `too_large`
// as 413 CaptureLimitExceededException; `refused` is a synchronous capture
// (POST /events) whose job failed, answered as that job's first error says.
import type { CaptureProblem } from './types.js';

export type CaptureFault = 'invalid' | 'too_large' | 'refused';

export class CaptureError extends Error {
  constructor(
    readonly fault: CaptureFault,
    /** Short, stable, machine-readable (e.g. schema_violation, too_many_events, duplicate_event_id). */
    readonly code: string,
    readonly detail: string,
    /** Where and what else: pointer, errors (one CaptureProblem per fault), captureErrorBehaviour. */
    readonly extra: Record<string, unknown> = {},
    /** For `refused`: the job's error record the answer repeats. */
    readonly jobError?: CaptureProblem,
  ) {
    super(detail);
    this.name = 'CaptureError';
  }
}
