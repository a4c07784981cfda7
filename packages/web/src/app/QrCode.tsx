// A QR code for a link on this node (a reading's /verify page, a shipment),
// drawn as SVG by the `qrcode` package. A link to a loopback address cannot
// be opened from a phone: the node must listen on the LAN (TRADETWIN_HTTP_HOST=0.0.0.0)
// and this page be opened at the machine's LAN address; the note says so.
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

const LOOPBACK = /^(127\.|localhost$|\[?::1\]?$|0\.0\.0\.0$)/;

export function absoluteUrl(path: string): string {
  return new URL(path, location.origin).toString();
}

export function QrCode({
  path,
  label,
  testId,
  compact = false,
}: {
  path: string;
  label?: string;
  testId?: string;
  compact?: boolean;
}) {
  const url = absoluteUrl(path);
  const [svg, setSvg] = useState<string>();
  useEffect(() => {
    let live = true;
    QRCode.toString(url, {
      type: 'svg',
      margin: 1,
      errorCorrectionLevel: 'M',
      color: { dark: '#14212bff', light: '#ffffffff' },
    }).then(
      (s) => live && setSvg(s),
      () => live && setSvg(undefined),
    );
    return () => {
      live = false;
    };
  }, [url]);
  const loopback = LOOPBACK.test(location.hostname);
  const warning =
    "Local address: a phone cannot open it. Start the node with TRADETWIN_HTTP_HOST=0.0.0.0 and open the dashboard at the machine's LAN address.";
  if (compact) {
    return (
      <figure className="qr compact" data-testid={testId} data-url={url} style={{ margin: 0 }} title={loopback ? warning : url}>
        {svg ? (
          <span role="img" aria-label={`QR code for ${url}`} dangerouslySetInnerHTML={{ __html: svg }} />
        ) : (
          <span style={{ width: 96, height: 96 }} />
        )}
        <figcaption className="small muted">
          {label ?? 'Scan to open'}
          {loopback && (
            <span className="badge warn" style={{ display: 'block', marginTop: 2 }}>
              local address
            </span>
          )}
        </figcaption>
      </figure>
    );
  }
  return (
    <figure className="qr" data-testid={testId} data-url={url} style={{ margin: 0 }}>
      {svg ? (
        <span role="img" aria-label={`QR code for ${url}`} dangerouslySetInnerHTML={{ __html: svg }} />
      ) : (
        <span style={{ width: 148, height: 148 }} />
      )}
      <figcaption className="small muted" style={{ maxWidth: 220, textAlign: 'center', overflowWrap: 'anywhere' }}>
        {label ?? 'Scan to open'}: <a href={url}>{url.replace(/^https?:\/\//, '')}</a>
        {loopback && (
          <span className="note warn" style={{ display: 'block', marginTop: 4 }}>
            {warning}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
