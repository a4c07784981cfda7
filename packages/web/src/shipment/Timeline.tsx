import type { TrackSeries } from '@tradetwin/core/series/model';
import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { AnchorJson } from '@tradetwin/core/wire/status';
import { Card, Hash } from '../app/ui.js';
import { formatTime } from '../lib/format.js';
import { AT_PLACE_KM, buildTimeline } from './timeline.js';

export function Timeline({
  state,
  anchors,
  track = null,
}: {
  state: ShipmentStateJson;
  anchors: AnchorJson[];
  track?: TrackSeries | null;
}) {
  const items = buildTimeline(state, anchors, track);
  return (
    <Card title="Timeline" testId="timeline">
      <p className="small muted">
        Departures and arrivals as the tracker's signed positions show them, against the plan: departed at the first position more
        than {AT_PLACE_KM} km from the origin, arrived at the first within {AT_PLACE_KM} km of the destination — so up to one
        tracker interval after the event itself.
      </p>
      <ol className="timeline">
        {items.map((i, n) => (
          <li
            key={`${i.kind}-${i.at}-${n}`}
            className={`tone-${i.tone}`}
            data-kind={i.kind}
            data-planned={i.planned}
            data-actual={i.kind === 'leg' ? (i.actual ?? '') : undefined}
          >
            <div className="when">{formatTime(i.at)}</div>
            <div>{i.title}</div>
            {i.kind === 'leg' && i.planned !== undefined && (
              <div className="small" data-testid="leg-times">
                planned {formatTime(i.planned)}
                {i.actual != null ? ` · actual ${formatTime(i.actual)}` : ''}
              </div>
            )}
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
