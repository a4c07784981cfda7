import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { AnchorJson } from '@tradetwin/core/wire/status';
import { Card, Hash } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { buildTimeline } from './timeline.js';

export function Timeline({ state, anchors }: { state: ShipmentStateJson; anchors: AnchorJson[] }) {
  const items = buildTimeline(state, anchors);
  return (
    <Card title="Timeline" testId="timeline">
      <ol className="timeline">
        {items.map((i, n) => (
          <li key={`${i.kind}-${i.at}-${n}`} className={`tone-${i.tone}`} data-kind={i.kind}>
            <div className="when">{formatTime(i.at)}</div>
            <div>{i.title}</div>
            {(i.detail || (i.ref && i.kind !== 'excursion')) && (
              <div className="small muted">
                {i.detail}
                {i.ref && i.kind !== 'excursion' && (
                  <>
                    {' '}
                    · tx <Hash value={i.ref} />
                  </>
                )}
              </div>
            )}
          </li>
        ))}
      </ol>
    </Card>
  );
}
