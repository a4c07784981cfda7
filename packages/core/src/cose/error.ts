// One error type for everything wrong with a device envelope, carrying the
// reject code the node reports (docs/design.md, ingest reasons).
import type { EnvelopeRejectReason } from '../telemetry/reasons.js';

export class CoseError extends Error {
  constructor(
    readonly code: EnvelopeRejectReason,
    message: string,
  ) {
    super(message);
    this.name = 'CoseError';
  }
}
