// The JSON of the peer endpoints (/peer/v1/…) between member nodes. Bytes are
// base64 (leaf data), hashes 0x-hex. Every response is to a request signed per
// RFC 9421 (core/peer/http-signature.ts) by an active member's node.
import type { SignedStatement } from '../peer/grant.js';

/** GET /peer/v1/grants: the grants the calling organisation received from this node's organisation. */
export interface PeerGrantsJson {
  owner: number;
  grants: {
    signed: SignedStatement;
    leafIndex: number | null;
    revocation: { signed: SignedStatement; leafIndex: number | null } | null;
  }[];
}

/** A log leaf with its inclusion proof to the response's head. */
export interface PeerRecordJson {
  index: number;
  /** The leaf's canonical bytes (core/proof/leaf.ts), base64. */
  data: string;
  path: `0x${string}`[];
  /**
   * A "document" leaf only: the content it commits to, base64 (the leaf holds its sha256 and size,
   * not the content; the grantee checks both before it stores anything).
   */
  content?: string;
}

/**
 * GET /peer/v1/shipments/{id}[?since=N]: a granted shipment. `head` is the owner's latest head
 * anchored in LogAnchor by `publisher`; every record's proof leads to it; `consistency` proves it
 * extends the head of size `since` the caller verified before (absent without `since`).
 */
export interface PeerShipmentJson {
  owner: number;
  publisher: `0x${string}`;
  shipment: Record<string, unknown> & { id: string; devices: { deviceId: string; from: number; to?: number }[] };
  /** The window served: the shipment's devices' attachments cut to the grant's [from, to]. */
  window: { from: number; to: number };
  head: { size: number; root: `0x${string}`; timestamp: number; txHash: string | null };
  consistency: { from: number; path: `0x${string}`[] } | null;
  /**
   * By index: telemetry leaves of the shipment's devices in the window, the shipment's "document"
   * leaves (core/document/document.ts; whatever the window) and the grant's own leaf.
   */
  records: PeerRecordJson[];
  /** The owner's excursions of the shipment, as its monitor derived them (the grantee re-derives from the records). */
  excursions: Record<string, unknown>[];
}

/**
 * GET /peer/v1/epcis?bizTransaction=URI[&since=N]: the owner's EPCIS events naming a granted business
 * transaction (eventTime in the grant's window), each an "epcis" leaf with its inclusion proof to `head`,
 * then the grant's own leaf; `consistency` as for shipments.
 */
export interface PeerEpcisJson {
  owner: number;
  publisher: `0x${string}`;
  bizTransaction: string;
  head: PeerShipmentJson['head'];
  consistency: PeerShipmentJson['consistency'];
  records: PeerRecordJson[];
}
