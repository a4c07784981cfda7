// DCSA Track & Trace domain errors, with codes; http/errors.ts maps them to statuses.

export type DcsaErrorCode =
  | 'invalid_event'
  | 'bad_query'
  | 'bad_cursor'
  | 'bad_subscription'
  | 'no_such_subscription'
  | 'not_indexed'
  | 'corrupt';

/** One thing wrong with a request, at a JSONPath in it (TNT 3.0's FeedbackElement). */
export interface DcsaFeedback {
  severity: 'ERROR' | 'WARN' | 'INFO';
  message: string;
  propertyPath: string;
}

export class DcsaError extends Error {
  constructor(
    readonly code: DcsaErrorCode,
    message: string,
    /** The field at fault (a JSONPath into the request, or a query parameter's name). */
    readonly field?: string,
    readonly feedback: readonly DcsaFeedback[] = [],
  ) {
    super(message);
    this.name = 'DcsaError';
  }
}
