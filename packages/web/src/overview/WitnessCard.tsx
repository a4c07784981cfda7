// Witnessing on the overview: how many peers cosigned this node's latest
// checkpoint, how far each peer's log is witnessed here, and — in red — any log
// caught equivocating (an equivocation proof is stored; GET /api/v1/status).
import type { StatusJson } from '@tradetwin/core/wire/status';
import { Badge, Card, Loading } from '../app/ui.js';

export function WitnessCard({ status }: { status?: StatusJson }) {
  const w = status?.witness;
  return (
    <Card title="Witnessing (C2SP)" testId="witnessing">
      {!status && <Loading what="witnessing" />}
      {status && !w && <p className="empty">This node does not witness.</p>}
      {w && (
        <>
          <div className="row">
            {w.flagged.length > 0 ? (
              <Badge tone="bad">{`${new Set(w.flagged.map((f) => f.origin)).size} log(s) equivocated`}</Badge>
            ) : (
              <Badge tone="ok">no equivocation seen</Badge>
            )}
            {w.cosigned && (
              <Badge tone="plain">{`size ${w.cosigned.size} · ${w.cosigned.cosignatures}/${w.peers.length} cosigned`}</Badge>
            )}
          </div>
          {w.flagged.length > 0 && (
            <ul data-testid="witness-flagged">
              {w.flagged.map((f) => (
                <li key={f.key}>
                  <strong>{f.origin}</strong> —{' '}
                  {f.kind === 'same-size' ? 'two roots for one size' : 'a head that does not extend the last'} (
                  {new Date(f.detectedAt).toISOString()})
                </li>
              ))}
            </ul>
          )}
          <dl className="kv" data-testid="witness-peers">
            {w.peers.map((p) => (
              <div key={p.origin}>
                <dt>{p.origin}</dt>
                <dd>
                  {`cosigned ours at ${p.cosignedSize ?? '—'} · we cosigned theirs at ${p.witnessedSize ?? '—'}`}
                  {p.lastError ? ` · ${p.lastError}` : ''}
                </dd>
              </div>
            ))}
          </dl>
          <p className="small">Log key: {w.logVkey}</p>
        </>
      )}
    </Card>
  );
}
