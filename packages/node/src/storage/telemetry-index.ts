// The telemetry index: a follower of the log. It holds, per telemetry leaf, the
// envelope's device, seq and reading span, per device the last seq, and the
// sequence gaps — all derived from the leaves (ingest/telemetry-follower.ts)
// and written with the follower's cursor in one transaction, so after a crash
// the index resumes exactly where it stopped.

export interface TelemetryIndexEntry {
  deviceId: string;
  seq: number;
  /** Device signing time, ms. */
  signedAt: number;
  /** Earliest and latest reading time in the envelope, ms. */
  firstAt: number;
  lastAt: number;
  readings: number;
  receivedAt: number;
}

export interface TelemetryRow extends TelemetryIndexEntry {
  /** The leaf's index in the log. */
  index: number;
}

export interface DeviceState {
  deviceId: string;
  lastSeq: number;
  lastSeenAt: number | null;
  gaps: number;
}

/** A sequence gap: seq numbers (afterSeq, beforeSeq) never arrived (yet). */
export interface SequenceGap {
  deviceId: string;
  afterSeq: number;
  beforeSeq: number;
  detectedAt: number;
}

/** What the follower derived from the leaves [from, to). */
export interface TelemetryIndexBatch {
  /** The cursor this batch starts at: must equal the stored cursor (else StoreError 'conflict'). */
  from: number;
  /** The cursor after this batch: every leaf below it is indexed. */
  to: number;
  rows: readonly TelemetryRow[];
  /** Highest seq per device in the batch, and when it was received. */
  deviceSeqs: Map<string, { seq: number; seenAt: number }>;
  gaps: readonly SequenceGap[];
}

/** What readers of the index use (the follower alone writes it). */
export interface TelemetryIndexReader {
  /** The first leaf index not indexed yet. */
  telemetryCursor(): Promise<number>;
  deviceStates(): Promise<DeviceState[]>;
  gaps(deviceId?: string): Promise<SequenceGap[]>;
  /** A device's rows whose reading span meets [from, to], by first reading time. */
  telemetry(q: { deviceId: string; from?: number; to?: number; limit?: number }): Promise<TelemetryRow[]>;
  telemetryAt(index: number): Promise<TelemetryRow | null>;
}

export interface TelemetryIndex extends TelemetryIndexReader {
  /** Write one batch and move the cursor, in one transaction. */
  indexTelemetry(batch: TelemetryIndexBatch): Promise<void>;
}
