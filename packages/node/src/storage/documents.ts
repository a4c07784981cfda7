// The index of shipment documents (documents/service.ts writes it): one row per
// "document" leaf in this node's log, so a shipment's documents are listed
// without reading its leaves. The content stays in the leaf only. Beside the
// rows, the log size before an append whose row is not written yet: after a
// crash between the two, the service indexes the leaf from there. Rows only.
import type { DocumentType } from '@tradetwin/core/document/document';

export interface DocumentRow {
  shipmentId: string;
  /** Its "document" leaf in this node's log. */
  leafIndex: number;
  type: DocumentType;
  name: string;
  mediaType: string;
  /** SHA-256 of the content, lower-case hex. */
  sha256: string;
  size: number;
  /** When it was logged, ms (the leaf's receivedAt). */
  addedAt: number;
}

export interface DocumentStore {
  /** Adds a document; the same leaf again is ignored (returns false). */
  put(d: DocumentRow): Promise<boolean>;
  /** A shipment's documents, by leaf index. */
  ofShipment(shipmentId: string): Promise<DocumentRow[]>;
  /** One document of a shipment (null: none at that leaf, or it is another shipment's). */
  get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null>;
  /** The log size before a document append not yet indexed (null: none pending). */
  pendingFrom(): Promise<number | null>;
  /** Set (before appending) or clear (once indexed) the pending mark. */
  setPendingFrom(size: number | null): Promise<void>;
  close(): Promise<void>;
}

export const DOCUMENTS_AREA = 'documents';

/** A `documents` row as both drivers return it (column names are the same in their migrations). */
export function documentRowOf(r: Record<string, unknown>): DocumentRow {
  return {
    shipmentId: String(r.shipment_id),
    leafIndex: Number(r.leaf_index),
    type: String(r.doc_type) as DocumentType,
    name: String(r.name),
    mediaType: String(r.media_type),
    sha256: String(r.sha256),
    size: Number(r.size),
    addedAt: Number(r.added_at),
  };
}
