// Every way a device message can be refused, as a stable machine-readable code.
// Each refusal is counted and stores nothing.

import { REJECT_REASONS, type RejectReason } from '@tradetwin/core/telemetry/reasons';

// The vocabulary lives in core (envelope checks run there too); re-exported for node modules.
export { REJECT_REASONS, type RejectReason };

export interface Rejection {
  reason: RejectReason;
  detail: string;
}

/** Counters of accepted and refused messages, by reason. */
export class IngestCounters {
  accepted = 0;
  readings = 0;
  gaps = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(Object.keys(REJECT_REASONS).map((k) => [k, 0])) as Record<
    RejectReason,
    number
  >;

  reject(reason: RejectReason): void {
    this.rejected[reason]++;
  }

  snapshot(): { accepted: number; readings: number; gaps: number; rejected: Record<RejectReason, number> } {
    return { accepted: this.accepted, readings: this.readings, gaps: this.gaps, rejected: { ...this.rejected } };
  }
}
