// The JSON of shipment documents (core/document/document.ts): the owner node's
// /api/v1/shipments/{id}/documents and the grantee's view of the documents
// shared with it, /api/v1/sharing/shipments/{id}/documents.
import type { DocumentType } from '../document/document.js';

/** A document as the owner lists it. */
export interface DocumentJson {
  shipmentId: string;
  type: DocumentType;
  name: string;
  mediaType: string;
  /** SHA-256 of the content, lower-case hex (no 0x). */
  sha256: string;
  size: number;
  /** Its "document" leaf in the owner's log. */
  leafIndex: number;
  /** When the node logged it, ms. */
  addedAt: number;
  /** Present when the node does not hold the content its leaf commits to (lost in a crash, or erased). */
  contentMissing?: true;
}

/** GET /api/v1/shipments/{id}/documents */
export interface DocumentListJson {
  shipmentId: string;
  documents: DocumentJson[];
}

/** A document another organisation shared, as held in this node's verified mirror. */
export interface SharedDocumentJson extends DocumentJson {
  /** The owner organisation (MemberRegistry id); leafIndex is in its log. */
  owner: number;
  /** Checked before it was stored: included in the owner's head anchored on chain, body and content hash verified. */
  verified: true;
  /** The owner's anchored head its inclusion proof leads to. */
  headSize: number;
}

/** GET /api/v1/sharing/shipments/{id}/documents */
export interface SharedDocumentListJson {
  shipmentId: string;
  documents: SharedDocumentJson[];
}
