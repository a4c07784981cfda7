// Chain health on the overview: is the ledger answering, how far behind is
// anchoring, does this node run (and restart) the chain itself. Reloaded every
// few seconds: during an outage there may be no live events to trigger it.
import { Fragment, useEffect } from 'react';
import type { StatusJson } from '@tradetwin/core/wire/status';
import { Badge, Card, Loading } from '../app/ui.js';

export function ChainHealthCard({ status, reload }: { status?: StatusJson; reload: () => void }) {
  useEffect(() => {
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  const h = status?.chainHealth;
  const a = status?.anchoring;
  const rows: [string, string][] = h
    ? [
        ['Last block', h.lastBlock === null ? 'none seen' : h.lastBlock.toLocaleString('en-US')],
        ['Lag (since the chain last answered)', h.secondsSinceAnswer === null ? 'never answered' : `${h.secondsSinceAnswer} s`],
        ['Since the last block', h.secondsSinceLastBlock === null ? '—' : `${h.secondsSinceLastBlock} s`],
        ['Outbox depth', a ? `${a.outboxDepth}${a.requeued ? ` (${a.requeued} re-queued after a rollback)` : ''}` : '—'],
        ['Chain', h.process ? `owned by this node · restarts ${h.process.restarts}` : `external (${h.mode})`],
      ]
    : [];
  return (
    <Card title="Chain health" testId="chain-health">
      {!status && <Loading what="chain health" />}
      {status && !h && <p className="empty">This node does not report chain health.</p>}
      {h && (
        <>
          <div className="row">
            {h.reachable ? <Badge tone="ok">reachable</Badge> : <Badge tone="bad">unreachable</Badge>}
            {h.process && !h.process.running && <Badge tone="warn">restarting</Badge>}
            {h.rollbacks > 0 && <Badge tone="warn">{`rolled back ${h.rollbacks}×`}</Badge>}
          </div>
          <dl className="kv" data-testid="chain-health-rows">
            {rows.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </Fragment>
            ))}
          </dl>
          {!h.reachable && h.lastError && <p className="small">{h.lastError}</p>}
        </>
      )}
    </Card>
  );
}
