// A member organisation's oracle between nodes (POST /peer/v1/oracle/attest, signed): the
// request the claim aggregator sends and the signed attestation it gets back.
// uint256 and uint64 fields travel as decimal strings (JSON has no bigint).

export interface AttestRequestJson {
  cover: `0x${string}`;
  policyId: number;
  shipmentId: string;
  ruleId: string;
  deviceId: string;
  excursionId: `0x${string}`;
  /** The evidence window, ms. */
  window: { from: number; to: number };
  /** uint256, decimal. */
  nonce: string;
  /** seconds */
  deadline: number;
}

/** The EIP-712 ExcursionAttestation, its integers as decimal strings. */
export interface ExcursionAttestationJson {
  policyId: string;
  excursionId: `0x${string}`;
  startedAt: string;
  endedAt: string;
  minutesOutside: number;
  peakCentiC: number;
  logPublisher: `0x${string}`;
  logSize: string;
  logRoot: `0x${string}`;
  nonce: string;
  deadline: string;
}

export interface AttestationJson {
  attestation: ExcursionAttestationJson;
  signature: `0x${string}`;
  /** The oracle's account (an account of an ORACLE member). */
  signer: `0x${string}`;
  /** The organisation the oracle speaks for, as its node knows it. */
  org: string;
}
