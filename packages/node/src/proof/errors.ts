// Why a proof (a reading's bundle, an evidence package) cannot be built, by
// code. The HTTP edge (http/errors.ts) maps them: a malformed id is the
// caller's (400), something absent is 404, a window too large 413, evidence
// not yet anchored 409 (retry), and an index disagreeing with the log is the
// node's own fault (500).

export type ProofErrorCode =
  | 'bad_reading_id'
  | 'no_such_leaf'
  | 'not_telemetry'
  | 'no_such_reading'
  | 'no_such_event'
  | 'too_much_evidence'
  | 'not_anchored'
  | 'index_missing'
  | 'device_missing'
  | 'leaf_missing';

export class ProofError extends Error {
  constructor(
    readonly code: ProofErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ProofError';
  }
}
