// Every way a device message can be refused, as a stable machine-readable code.
// Defined in core because the envelope checks that produce most of them run in
// core (node ingest, CLI and the browser verify page share them); the node's
// ingest/reasons.ts re-exports this vocabulary.

export const REJECT_REASONS = {
  too_large: 'message exceeds the size limit',
  malformed: 'not well-formed CBOR / COSE_Sign1',
  unsupported_alg: 'COSE algorithm is neither ES256 nor EdDSA',
  unknown_device: 'no registered device has this id (kid)',
  alg_mismatch: "COSE algorithm does not match the device's registered key type",
  bad_signature: "signature does not verify under the device's registered key",
  bad_payload: 'payload is not a valid TradeTwin telemetry payload',
  device_mismatch: 'payload device id differs from the COSE kid',
  topic_mismatch: 'envelope device id differs from the device of the MQTT topic it was published on',
  revoked_device: 'device was revoked before a reading in this message was taken',
  not_yet_registered: 'a reading predates the device registration',
  clock_skew: 'a timestamp lies further in the future than the allowed clock skew',
  too_old: 'a timestamp is older than the maximum store-and-forward age',
  replay: 'sequence number is not greater than the last accepted one (replay or duplicate)',
  not_cose: 'request body is not COSE',
  store_unavailable: 'the node could not store the message durably; retry',
  chain_unavailable: 'the node could not reach the ledger to look this device up; retry later',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

/** The reasons decided from the message bytes and the device key alone (no clocks, sequence or status). */
export type EnvelopeRejectReason = Extract<
  RejectReason,
  'malformed' | 'unsupported_alg' | 'unknown_device' | 'alg_mismatch' | 'bad_signature' | 'bad_payload' | 'device_mismatch'
>;
