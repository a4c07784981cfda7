import type { Verification } from './run.js';

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
      data-failed={v.failed.map((c) => c.name).join(',')}
      data-rpc={result.rpcUrl ?? ''}
      aria-live="polite"
    >
      <h1>
        <span aria-hidden="true">{mark}</span> {v.title}
      </h1>
      <p>{v.summary}</p>
    </div>
  );
}
