// Shipment documents (documents/service.ts writes them): one row per
// "document" leaf in this node's log, with the content the leaf commits to
// (the leaf holds its sha256 and size, not the content), so a shipment's
// documents are listed without reading its leaves. Beside the rows, the
// pending add: the log size before an append whose row is not written yet and
// the content being added, so after a crash between the two the service
// indexes the leaf from there with its content. Rows only: checking a content
// against its leaf is the service's.
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
  /** Whether the content is held (false: lost, e.g. a crash without the pending content, or erased). */
  hasContent: boolean;
}

/** An add in flight: the log size before its append and the content its leaf commits to. */
export interface PendingDocument {
  fromSize: number;
  content: Uint8Array;
}

export interface DocumentStore {
  /** Adds a document with its content (null: none held); the same leaf again is ignored (returns false). */
  put(d: Omit<DocumentRow, 'hasContent'>, content: Uint8Array | null): Promise<boolean>;
  /** The content of a document (null: no such document, or its content is not held). */
  content(leafIndex: number): Promise<Uint8Array | null>;
  /** A shipment's documents, by leaf index. */
  ofShipment(shipmentId: string): Promise<DocumentRow[]>;
  /** One document of a shipment (null: none at that leaf, or it is another shipment's). */
  get(shipmentId: string, leafIndex: number): Promise<DocumentRow | null>;
  /** The add whose append may have happened but whose row is not written (null: none pending). */
  pending(): Promise<PendingDocument | null>;
  /** Set (before appending) or clear (once indexed) the pending add. */
  setPending(p: PendingDocument | null): Promise<void>;
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
    hasContent: Boolean(Number(r.has_content)),
  };
}
