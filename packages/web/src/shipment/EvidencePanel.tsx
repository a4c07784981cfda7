// Evidence status: the newest head anchored on chain, and the readings behind
// each breach (first outside, peak, closing) verified right here against the
// chain — signature, log inclusion, anchored root, device registration.
import { useEffect, useState } from 'react';
import { useChain } from '../api/hooks.js';
import type { Excursion } from '@tradetwin/core/wire/shipments';
import type { StatusJson } from '@tradetwin/core/wire/status';
import { Link } from '../app/Link.js';
import { QrCode } from '../app/QrCode.js';
import { Badge, Card, Hash } from '../app/ui.js';
import { excursionTitle } from '../lib/excursions.js';
import { paths } from '../lib/router.js';
import type { Verification } from '../verify/run.js';

type Role = 'first' | 'peak' | 'last';

/** `ready`: start the in-browser checks (after the charts: they compete for the node and the CPU). */
export function EvidencePanel({ status, excursions, ready }: { status?: StatusJson; excursions: Excursion[]; ready: boolean }) {
  const chain = useChain();
  const breaches = excursions.filter((x): x is Exclude<Excursion, { kind: 'gap' }> => x.breached && x.kind !== 'gap');
  const anchored = status?.anchor?.size ?? 0;
  const peak = breaches.find((x) => x.kind === 'band')?.evidence.readingIds.peak ?? breaches[0]?.evidence.readingIds.peak;
  return (
    <Card title="Evidence" testId="evidence-panel">
      <dl className="kv small">
        <dt>Log</dt>
        <dd>{status ? `${status.log.size.toLocaleString('en-US')} leaves` : '…'}</dd>
        <dt>Anchored head</dt>
        <dd data-testid="anchored-size" data-size={status?.anchor?.size ?? ''}>
          {status?.anchor ? (
            <>
              {status.anchor.size.toLocaleString('en-US')} leaves, block {status.anchor.blockNumber ?? '?'}
              <div>
                root <Hash value={status.anchor.root} />
              </div>
              <div>
                tx <Hash value={status.anchor.txHash} />
              </div>
            </>
          ) : (
            'nothing anchored yet'
          )}
        </dd>
        <dt>Chain</dt>
        <dd>
          {status ? `chain ${status.chain.chainId}, read from ${chain?.rpcUrl ?? status.chain.rpcUrl}` : '…'}
          {chain?.rewritten && (
            <div className="muted">(the node reports {status?.chain.rpcUrl}; this browser asks the same host)</div>
          )}
        </dd>
      </dl>
      {breaches.length === 0 && <p className="empty">No breach: nothing to prove.</p>}
      {breaches.map((x) => (
        <div key={x.id} style={{ marginTop: 12 }}>
          <h3>{excursionTitle(x)}</h3>
          <p className="small muted">
            Leaves {x.evidence.firstLeafIndex}–{x.evidence.lastLeafIndex}{' '}
            {anchored > x.evidence.lastLeafIndex ? (
              <Badge tone="ok">anchored</Badge>
            ) : (
              <Badge tone="warn">not anchored yet</Badge>
            )}
          </p>
          <ul className="checks">
            {(['first', 'peak', 'last'] as Role[]).map((role) => (
              <ProofRow
                key={role}
                role={role}
                readingId={x.evidence.readingIds[role]}
                rpcUrl={ready ? chain?.rpcUrl : undefined}
              />
            ))}
          </ul>
        </div>
      ))}
      {peak && (
        <div style={{ marginTop: 12 }}>
          <QrCode path={paths.verify(peak)} label="Peak reading" testId="evidence-qr" />
        </div>
      )}
    </Card>
  );
}

function ProofRow({ role, readingId, rpcUrl }: { role: Role; readingId: string; rpcUrl?: string }) {
  const [v, setV] = useState<Verification>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!rpcUrl) return;
    let live = true;
    import('../verify/run.js')
      .then((m) => m.fetchBundle(readingId).then((b) => m.verifyInBrowser(b, rpcUrl)))
      .then(
        (r) => live && setV(r),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    return () => {
      live = false;
    };
  }, [readingId, rpcUrl]);
  const cls = error ? 'fail' : !v ? 'skip' : v.verdict.kind === 'verified' ? 'ok' : 'fail';
  return (
    <li
      className={cls}
      data-testid="proof-row"
      data-reading={readingId}
      data-verdict={v?.verdict.kind ?? (error ? 'error' : 'pending')}
    >
      <span className="mark">{cls === 'ok' ? '✓' : cls === 'fail' ? '✗' : '…'}</span>
      <span>
        <span className="name">{role} reading</span> <Link href={paths.verify(readingId)}>{readingId}</Link>{' '}
        {v && <Badge tone={v.verdict.kind === 'verified' ? 'ok' : 'bad'}>{v.verdict.title}</Badge>}
      </span>
      <span className="detail">
        {error ??
          (v
            ? v.verdict.kind === 'verified'
              ? `${v.report.checks.length} checks passed in ${Math.round(v.ms)} ms`
              : v.verdict.summary
            : 'checking against the chain…')}
      </span>
    </li>
  );
}
