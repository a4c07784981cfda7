// Shipment documents on the owner's node (S4): each added document is one
// "document" leaf in the log (core/document/document.ts: metadata, the
// content's sha256 and size and a random salt — a commitment, not the
// content), and one row with the content in the `documents` storage area. A
// content is checked against its leaf on every read, so what is served is what
// is anchored; a content changed in the store is refused (document_tampered).
// Shared with other members by grant (peer/routes.ts).
// Appended first, indexed after: the pending add (the log size and the
// content) is stored before the append and cleared once the row is written, so
// a leaf logged but not indexed (a crash or a store fault in between) is
// indexed with its content from the log on the next start or the next add. A
// document leaf found there whose content is not the pending one (which the
// one-add-at-a-time queue rules out) is indexed as content missing: listed
// with `contentMissing`, its read answers document_content_missing.
import { createHash, randomBytes } from 'node:crypto';
import {
  DOCUMENT_LEAF_KIND,
  DOCUMENT_SALT_BYTES,
  DocumentFormatError,
  decodeDocumentBody,
  encodeDocumentBody,
  MAX_DOCUMENT_BYTES,
  type ShipmentDocument,
  validateDocumentMeta,
  verifyDocumentContent,
} from '@tradetwin/core/document/document';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { DocumentJson } from '@tradetwin/core/wire/documents';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { DocumentRow, DocumentStore } from '../storage/documents.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { NodeStore } from '../storage/types.js';

export type DocumentErrorCode =
  | 'bad_document'
  | 'unknown_shipment'
  | 'no_such_document'
  | 'document_too_large'
  | 'document_tampered'
  | 'document_content_missing';

export class DocumentError extends Error {
  constructor(
    readonly code: DocumentErrorCode,
    message: string,
    /** bad_document: the field that is wrong (type, name, mediaType, content). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DocumentError';
  }
}

export interface DocumentServiceDeps {
  documents: DocumentStore;
  shipments: ShipmentStore;
  log: TransparencyLog;
  store: NodeStore;
  /** A leaf was appended (the anchorer's cue). */
  onAppended?: () => void;
  now?: () => number;
}

export function documentJson(d: DocumentRow): DocumentJson {
  return {
    shipmentId: d.shipmentId,
    type: d.type,
    name: d.name,
    mediaType: d.mediaType,
    sha256: d.sha256,
    size: d.size,
    leafIndex: d.leafIndex,
    addedAt: d.addedAt,
    ...(d.hasContent ? {} : { contentMissing: true as const }),
  };
}

/** Leaves read at a time when indexing from the log. */
const SCAN_BATCH = 2048;

export class DocumentService {
  /** One add at a time: at most one append is pending. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DocumentServiceDeps) {}

  /** Index what a previous run logged but did not index; call before serving. */
  async init(): Promise<this> {
    await this.exclusive(() => this.recover());
    return this;
  }

  /** Log a document of a shipment; everything is checked before anything is logged. */
  add(shipmentId: string, meta: { type: unknown; name: unknown; mediaType: unknown }, content: Uint8Array): Promise<DocumentRow> {
    return this.exclusive(() => this.addNow(shipmentId, meta, content));
  }

  private async addNow(
    shipmentId: string,
    meta: { type: unknown; name: unknown; mediaType: unknown },
    content: Uint8Array,
  ): Promise<DocumentRow> {
    await this.known(shipmentId);
    let m: ReturnType<typeof validateDocumentMeta>;
    try {
      m = validateDocumentMeta({ shipmentId, ...meta });
    } catch (err) {
      if (err instanceof DocumentFormatError) throw new DocumentError('bad_document', err.message, err.field);
      throw err;
    }
    if (content.length > MAX_DOCUMENT_BYTES)
      throw new DocumentError('document_too_large', `the document is ${content.length} bytes; at most ${MAX_DOCUMENT_BYTES}`);
    if (content.length === 0) throw new DocumentError('bad_document', 'the document is empty', 'content');
    const receivedAt = (this.deps.now ?? Date.now)();
    const body = encodeDocumentBody(m, content, randomBytes(DOCUMENT_SALT_BYTES));
    await this.recover();
    await this.deps.documents.setPending({ fromSize: this.deps.log.size, content });
    const { firstIndex } = await this.deps.log.append([{ data: encodeLeaf({ kind: DOCUMENT_LEAF_KIND, receivedAt, body }) }]);
    this.deps.onAppended?.();
    const row: DocumentRow = {
      shipmentId,
      leafIndex: firstIndex,
      type: m.type,
      name: m.name,
      mediaType: m.mediaType,
      sha256: createHash('sha256').update(content).digest('hex'),
      size: content.length,
      addedAt: receivedAt,
      hasContent: true,
    };
    await this.deps.documents.put(row, content);
    await this.deps.documents.setPending(null);
    return row;
  }

  /**
   * Index the "document" leaves from the pending mark to the end of the log with the pending content
   * when it is the one the leaf commits to (none pending: nothing to do).
   */
  private async recover(): Promise<void> {
    const pending = await this.deps.documents.pending();
    if (pending === null) return;
    const from = pending.fromSize;
    const end = this.deps.log.size;
    for (let at = from; at < end; at += SCAN_BATCH) {
      for (const leaf of await this.deps.store.leaves(at, Math.min(at + SCAN_BATCH, end))) {
        const rec = decodeLeaf(leaf.data);
        if (rec.kind !== DOCUMENT_LEAF_KIND) continue;
        const d = decodeDocumentBody(rec.body);
        let content: Uint8Array | null = pending.content;
        try {
          verifyDocumentContent(d, content);
        } catch (err) {
          if (!(err instanceof DocumentFormatError)) throw err;
          content = null;
        }
        await this.deps.documents.put(
          {
            shipmentId: d.shipmentId,
            leafIndex: leaf.index,
            type: d.type,
            name: d.name,
            mediaType: d.mediaType,
            sha256: Buffer.from(d.sha256).toString('hex'),
            size: d.size,
            addedAt: rec.receivedAt,
          },
          content,
        );
      }
    }
    await this.deps.documents.setPending(null);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A shipment's documents, by leaf index. */
  async list(shipmentId: string): Promise<DocumentRow[]> {
    await this.known(shipmentId);
    return this.deps.documents.ofShipment(shipmentId);
  }

  /** One document with its content, checked against the sha256 and size its leaf commits to. */
  async read(
    shipmentId: string,
    leafIndex: number,
  ): Promise<{ row: DocumentRow; document: ShipmentDocument; content: Uint8Array }> {
    await this.known(shipmentId);
    const row = await this.deps.documents.get(shipmentId, leafIndex);
    if (!row) throw new DocumentError('no_such_document', `shipment ${shipmentId} has no document at leaf ${leafIndex}`);
    const leaf = await this.deps.store.leaf(leafIndex);
    if (!leaf) throw new Error(`document leaf ${leafIndex} is indexed but not in the log`);
    const rec = decodeLeaf(leaf.data);
    if (rec.kind !== DOCUMENT_LEAF_KIND) throw new Error(`leaf ${leafIndex} is indexed as a document but is a ${rec.kind} leaf`);
    const document = decodeDocumentBody(rec.body);
    const content = await this.deps.documents.content(leafIndex);
    if (content === null)
      throw new DocumentError(
        'document_content_missing',
        `the content of the document at leaf ${leafIndex} is not held by this node`,
      );
    try {
      verifyDocumentContent(document, content);
    } catch (err) {
      if (err instanceof DocumentFormatError)
        throw new DocumentError(
          'document_tampered',
          `the stored content of the document at leaf ${leafIndex} is not the one its leaf commits to (${err.field}): ${err.message}`,
        );
      throw err;
    }
    return { row, document, content };
  }

  private async known(shipmentId: string): Promise<void> {
    if (!(await this.deps.shipments.shipment(shipmentId)))
      throw new DocumentError('unknown_shipment', `no shipment ${shipmentId}`);
  }
}
