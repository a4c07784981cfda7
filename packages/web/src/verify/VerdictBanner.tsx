import type { Verification } from './run.js';

/** No such reading (or event) on this node: nothing was checked, so nothing is claimed about forgery. */
export function NotFoundBanner({ what, id, detail }: { what: 'reading' | 'EPCIS event'; id: string; detail: string }) {
  return (
    <div className="verdict not-found" data-testid="verdict" data-verdict="not-found" aria-live="polite">
      <h1>
        <span aria-hidden="true">?</span> NOT FOUND
      </h1>
      <p>
        This node holds no {what} <span className="mono">{id}</span>. Nothing was checked: this says nothing about whether
        anything was forged. Check the id, or ask whoever gave you the link for the proof (a .json file) and verify that here.
      </p>
      <p className="small muted">{detail}</p>
    </div>
  );
}

export function VerdictBanner({ result }: { result?: Pick<Verification, 'verdict' | 'rpcUrl'> }) {
  if (!result) {
    return (
      <div className="verdict pending" data-testid="verdict" data-verdict="pending" aria-live="polite">
        <h1>Checking…</h1>
        <p>Verifying the signature, the log proof and the anchor on chain.</p>
      </div>
    );
  }
  const v = result.verdict;
  const mark = v.kind === 'verified' ? '✓' : v.kind === 'not-verified' ? '✗' : '!';
  return (
    <div
      className={`verdict ${v.kind}`}
      data-testid="verdict"
      data-verdict={v.kind}
      data-reason={v.reason ?? ''}
      data-failed={v.failed.map((c) => c.name).join(',')}
      data-rpc={result.rpcUrl ?? ''}
      aria-live="polite"
    >
      <h1>
        <span aria-hidden="true">{mark}</span> {v.title}
      </h1>
      {v.reason === 'forged' && (
        <p className="verdict-reason" data-testid="verdict-reason">
          <strong>Forged or altered.</strong> The reading does not match what its device signed or what the log recorded.
        </p>
      )}
      <p>{v.summary}</p>
    </div>
  );
}
