import { Link } from '../app/Link.js';
import { QrCode } from '../app/QrCode.js';
import { Card } from '../app/ui.js';
import { formatTimeSeconds, formatValue, kindName } from '../lib/format.js';
import { paths } from '../lib/router.js';
import type { PickedReading } from './SensorChart.js';

export function PickedReadingCard({
  r,
  onClose,
}: {
  r: PickedReading & { kind: string; deviceId: string };
  onClose: () => void;
}) {
  return (
    <Card
      title={`Reading ${r.id}`}
      testId="picked-reading"
      actions={
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      }
    >
      <div className="row" style={{ alignItems: 'flex-start', gap: '1.25rem' }}>
        <dl className="kv" style={{ flex: '1 1 240px' }}>
          <dt>Value</dt>
          <dd>
            {kindName(r.kind)} {formatValue(r.kind, r.v)}
          </dd>
          <dt>Measured</dt>
          <dd>{formatTimeSeconds(r.t)}</dd>
          <dt>Device</dt>
          <dd>{r.deviceId}</dd>
          <dt>Check it</dt>
          <dd>
            <Link href={paths.verify(r.id)}>verify this reading against the chain →</Link>
          </dd>
        </dl>
        <QrCode path={paths.verify(r.id)} label="Verify on a phone" testId="reading-qr" />
      </div>
    </Card>
  );
}
