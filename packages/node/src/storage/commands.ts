// Signed actuator commands: rows only. Who may command what, co-signature
// rules and replay windows are decided in commands/ (node) and core/command.
//
//   commands   one row per accepted command, newest first by `n` (assigned by the store);
//              (deviceId, seq) is unique, so a seq is spent once however often it arrives;
//              its effect (the device's signed report) is filled in once.

export interface CommandAuthorisation {
  /** The issuer's account and organisation, and why it may command this device. */
  issuer: { account: string; orgId: number; as: string };
  /** The co-signer, when one signed. */
  cosigner: { account: string; orgId: number; as: string } | null;
  /** Whether the node's rules required a co-signature for this command, and why. */
  cosignatureRequired: boolean;
  rule: string;
}

export interface CommandEffect {
  outcome: 'applied' | 'refused';
  reason: string | null;
  detail: string | null;
  state: Record<string, string | number> | null;
  /** When the device acted (its clock), ms. */
  at: number;
  /** The report's leaf in the transparency log. */
  leafIndex: number;
  /** The device's COSE_Sign1 report, verbatim. */
  report: Uint8Array;
  receivedAt: number;
}

export interface CommandRow {
  /** Assigned by the store on insert (ignored when given): the list's order and paging cursor. */
  n: number;
  /** Hex sha256 of the command payload. */
  id: string;
  deviceId: string;
  shipmentId: string;
  seq: number;
  /** The action as JSON ({kind, celsius} / {kind, state}). */
  action: Record<string, unknown>;
  issuedAt: number;
  expiresAt: number;
  authorisation: CommandAuthorisation;
  /** The command bundle as received, verbatim. */
  bundle: Uint8Array;
  /** The command's leaf in the transparency log (logged before delivery). */
  leafIndex: number;
  receivedAt: number;
  effect: CommandEffect | null;
}

export interface CommandFilter {
  deviceId?: string;
  shipmentId?: string;
}

export interface CommandStore {
  /** Records an accepted command; StoreError `conflict` when its id or its (device, seq) exists. */
  insert(c: CommandRow): Promise<void>;
  command(id: string): Promise<CommandRow | null>;
  /** Newest first: rows with n < `before` (all when absent) matching `filter`, at most `limit`. */
  list(filter: CommandFilter, limit: number, before?: number): Promise<CommandRow[]>;
  /** The highest seq recorded for the device (0: none). */
  highestSeq(deviceId: string): Promise<number>;
  /** The seqs recorded for the device above `above`, ascending. */
  seqsAbove(deviceId: string, above: number): Promise<number[]>;
  /** Fills in the command's effect; false (nothing changed) when it has one or the command is unknown. */
  recordEffect(id: string, effect: CommandEffect): Promise<boolean>;
  close(): Promise<void>;
}

export const COMMANDS_AREA = 'commands';

/** A `commands` row as both drivers return it (BLOBs as Uint8Array or Buffer, JSON columns as text). */
export function commandRowOf(r: Record<string, unknown>): CommandRow {
  const effect = r.effect === null ? null : (JSON.parse(String(r.effect)) as Omit<CommandEffect, 'report'>);
  return {
    n: Number(r.n),
    id: String(r.id),
    deviceId: String(r.device_id),
    shipmentId: String(r.shipment_id),
    seq: Number(r.seq),
    action: JSON.parse(String(r.action)) as Record<string, unknown>,
    issuedAt: Number(r.issued_at),
    expiresAt: Number(r.expires_at),
    authorisation: JSON.parse(String(r.authorisation)) as CommandRow['authorisation'],
    bundle: new Uint8Array(r.bundle as Uint8Array),
    leafIndex: Number(r.leaf_index),
    receivedAt: Number(r.received_at),
    effect: effect && { ...effect, report: new Uint8Array(r.effect_report as Uint8Array) },
  };
}
