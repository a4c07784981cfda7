// Every way a device message can be refused, as a stable machine-readable code.
// Each refusal is counted and stores nothing.

export const REJECT_REASONS = {
  too_large: 'message exceeds the size limit',
  malformed: 'not well-formed CBOR / COSE_Sign1',
  unsupported_alg: 'COSE algorithm is neither ES256 nor EdDSA',
  unknown_device: 'no registered device has this id (kid)',
  alg_mismatch: "COSE algorithm does not match the device's registered key type",
  bad_signature: "signature does not verify under the device's registered key",
  bad_payload: 'payload is not a valid TradeTwin telemetry payload',
  device_mismatch: 'payload device id differs from the COSE kid',
  revoked_device: 'device was revoked before a reading in this message was taken',
  not_yet_registered: 'a reading predates the device registration',
  clock_skew: 'a timestamp lies further in the future than the allowed clock skew',
  too_old: 'a timestamp is older than the maximum store-and-forward age',
  replay: 'sequence number is not greater than the last accepted one (replay or duplicate)',
  not_cose: 'request body is not COSE',
  store_unavailable: 'the node could not store the message durably; retry',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

export interface Rejection {
  reason: RejectReason;
  detail: string;
}

/** Counters of accepted and refused messages, by reason. */
export class IngestCounters {
  accepted = 0;
  readings = 0;
  gaps = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(
    Object.keys(REJECT_REASONS).map((k) => [k, 0]),
  ) as Record<RejectReason, number>;

  reject(reason: RejectReason): void {
    this.rejected[reason]++;
  }

  snapshot(): { accepted: number; readings: number; gaps: number; rejected: Record<RejectReason, number> } {
    return { accepted: this.accepted, readings: this.readings, gaps: this.gaps, rejected: { ...this.rejected } };
  }
}
