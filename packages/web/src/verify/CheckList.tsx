import { CHECK_LABELS, type ProofCheck } from './verdict.js';

export function CheckList({ checks, labels = CHECK_LABELS }: { checks: readonly ProofCheck[]; labels?: Record<string, string> }) {
  return (
    <ul className="checks">
      {checks.map((c) => {
        const cls = c.skipped ? 'skip' : c.ok ? 'ok' : 'fail';
        return (
          <li key={c.name} className={cls} data-check={c.name} data-ok={String(c.ok)}>
            <span className="mark" role="img" aria-label={cls === 'ok' ? 'passed' : cls === 'fail' ? 'failed' : 'not checked'}>
              {cls === 'ok' ? '✓' : cls === 'fail' ? '✗' : '–'}
            </span>
            <span className="name">
              {labels[c.name] ?? c.name} <span className="muted small mono">{c.name}</span>
            </span>
            <span className="detail">{c.detail}</span>
          </li>
        );
      })}
    </ul>
  );
}
