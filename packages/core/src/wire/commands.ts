// The node API's JSON about signed actuator commands: GET /api/v1/commands,
// /commands/{id}; the dashboard's command log reads it.

export interface CommandSignerJson {
  account: string;
  orgId: number;
  /** Why it may command the device: "shipper of SHP-…", "device owner", … */
  as: string;
}

export interface CommandJson {
  /** Hex SHA-256 of the signed payload. */
  id: string;
  deviceId: string;
  shipmentId: string;
  seq: number;
  action: Record<string, unknown>;
  issuedAt: number;
  expiresAt: number;
  authorisation: {
    issuer: CommandSignerJson;
    cosigner: CommandSignerJson | null;
    cosignatureRequired: boolean;
    rule: string;
  };
  /** The command's leaf in the log (logged before delivery). */
  leafIndex: number;
  receivedAt: number;
  /** delivered: sent to the device, no report yet; applied / refused: the device's signed report says so. */
  status: 'delivered' | 'applied' | 'refused';
  effect: {
    outcome: 'applied' | 'refused';
    reason: string | null;
    detail: string | null;
    state: Record<string, string | number> | null;
    at: number;
    leafIndex: number;
    /** The device's COSE_Sign1 report, hex. */
    report: string;
    receivedAt: number;
  } | null;
}

export interface CommandPageJson {
  commands: CommandJson[];
  /** The next page's `before`; null: no more. */
  next: number | null;
}
