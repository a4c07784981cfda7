// The shipment's documents (S4): each one the node logged as a "document" leaf
// — its type, file name, size, SHA-256 and leaf — with a link that downloads
// the content (checked by the node against the leaf), or "content missing"
// when the node does not hold it. Shared with the organisations that hold a grant of
// the shipment (the sharing page of their own node lists them).
import type { DocumentJson, DocumentListJson } from '@tradetwin/core/wire/documents';
import { Card, ErrorNote, Hash, Loading } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { useApi } from '../lib/use-api.js';

const TYPE_LABEL: Record<DocumentJson['type'], string> = {
  'commercial-invoice': 'Commercial invoice',
  'certificate-of-origin': 'Certificate of origin',
  'phytosanitary-certificate': 'Phytosanitary certificate',
  'bill-of-lading': 'Bill of lading',
  'packing-list': 'Packing list',
  other: 'Other',
};

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function DocumentsPanel({ shipmentId }: { shipmentId: string }) {
  const base = `/api/v1/shipments/${encodeURIComponent(shipmentId)}/documents`;
  const docs = useApi<DocumentListJson>(base, { live: ['anchor'] });
  return (
    <Card title="Documents" testId="documents">
      {docs.error && <ErrorNote error={docs.error} />}
      {!docs.data && !docs.error && <Loading what="documents" />}
      {docs.data && docs.data.documents.length === 0 && <p className="empty">No document was added to this shipment.</p>}
      {docs.data && docs.data.documents.length > 0 && (
        <ul className="command-log">
          {docs.data.documents.map((d) => (
            <li key={d.leafIndex} data-testid="document" data-type={d.type} data-leaf={d.leafIndex}>
              <div className="row">
                <strong>{TYPE_LABEL[d.type]}</strong>{' '}
                {d.contentMissing ? (
                  <span data-testid="document-missing">
                    {d.name} <span className="muted">(content missing)</span>
                  </span>
                ) : (
                  <a href={`${base}/${d.leafIndex}`} download={d.name} data-testid="document-link">
                    {d.name}
                  </a>
                )}{' '}
                <span className="muted small">
                  {d.mediaType}, {bytes(d.size)}
                </span>
              </div>
              <div className="muted small">
                SHA-256 <Hash value={d.sha256} />, logged at leaf {d.leafIndex} {formatTime(d.addedAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
