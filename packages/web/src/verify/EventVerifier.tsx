// An EPCIS event's proof, checked in this browser: the event's CBV hash ID is
// recomputed from the event itself, the log leaf holds that event byte for
// byte, the leaf is in the tree the node signed, and that head's root is read
// back from LogAnchor on the chain the node is pinned to (its JSON-RPC, not
// the node). The proof comes from this node (/verify/event/{eventID}, which
// needs a member's session with epcis:read) or as given (?event=…, a file).
import type { EventProof, EventProofReport } from '@tradetwin/core/proof/epcis-event';
import { useEffect, useState } from 'react';
import { ApiError, getJson } from '../api/client.js';
import { OrgNameAt } from '../app/OrgName.js';
import type { PinnedChainJson } from '@tradetwin/core/wire/status';
import { Card, Hash } from '../app/ui.js';
import { rpcUrlFor } from '../chain/rpc-url.js';
import { CheckList } from './CheckList.js';
import { fetchEventProof, type Verification, verifyEventInBrowser } from './run.js';
import { NotFoundBanner, VerdictBanner } from './VerdictBanner.js';
import { EVENT_CHECK_LABELS } from './verdict.js';

export type EventSource = { kind: 'node'; eventId: string } | { kind: 'given'; proof: EventProof };

export function EventVerifier({ source }: { source: EventSource }) {
  const [proof, setProof] = useState<EventProof>();
  const [error, setError] = useState<string>();
  const [notFound, setNotFound] = useState<string>();
  const [pinned, setPinned] = useState<PinnedChainJson | null>(null);
  const [result, setResult] = useState<Verification<EventProofReport>>();

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on what the source names (event id or given proof)
  useEffect(() => {
    let live = true;
    setResult(undefined);
    setError(undefined);
    setNotFound(undefined);
    setProof(undefined);
    const proofP = source.kind === 'node' ? fetchEventProof(source.eventId) : Promise.resolve(source.proof);
    const pinnedP = getJson<PinnedChainJson>('/api/v1/chain').catch(() => null);
    Promise.all([proofP, pinnedP])
      .then(async ([p, pinned]) => {
        if (!live) return;
        setProof(p);
        setPinned(pinned);
        const rpc = pinned ? rpcUrlFor(pinned.rpcUrl, location).url : null;
        const r = await verifyEventInBrowser(p, rpc, pinned ?? undefined);
        if (live) setResult(r);
      })
      .catch((e: unknown) => {
        if (!live) return;
        // No such event here: not a forgery, and nothing checked — said apart.
        if (e instanceof ApiError && e.status === 404) setNotFound(e.message);
        else setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      live = false;
    };
  }, [source.kind === 'node' ? source.eventId : source.proof]);

  if (notFound && source.kind === 'node') return <NotFoundBanner what="EPCIS event" id={source.eventId} detail={notFound} />;
  if (error) {
    return (
      <div className="verdict not-verified" data-testid="verdict" data-verdict="error">
        <h1>✗ NOT VERIFIED</h1>
        <p>{error}</p>
      </div>
    );
  }
  return (
    <>
      <VerdictBanner result={result} />
      {proof && (
        <EventSummary
          proof={proof}
          failed={result?.verdict.kind === 'not-verified'}
          rpcUrl={pinned ? rpcUrlFor(pinned.rpcUrl, location).url : undefined}
          registry={pinned?.memberRegistry}
        />
      )}
      {result && (
        <Card title="Checks" testId="checks">
          <CheckList checks={result.report.checks} labels={EVENT_CHECK_LABELS} />
          <p className="small muted" style={{ marginTop: 8 }}>
            {result.rpcUrl ? (
              <>
                Chain read directly from <span className="hash">{result.rpcUrl}</span>. Verified in this browser in{' '}
                {Math.round(result.ms)} ms.
              </>
            ) : (
              'No chain endpoint known: the anchor was not checked.'
            )}
          </p>
        </Card>
      )}
    </>
  );
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function EventSummary({
  proof,
  failed,
  rpcUrl,
  registry,
}: {
  proof: EventProof;
  failed: boolean;
  rpcUrl?: string;
  registry?: `0x${string}`;
}) {
  const e = proof.event;
  const epcs = Array.isArray(e.epcList) ? (e.epcList as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  return (
    <Card title={failed ? 'What this proof claims — not verified' : 'The event'} testId="event-summary">
      <dl className="kv small">
        <dt>Type</dt>
        <dd data-testid="event-type">{text(e.type) ?? '?'}</dd>
        {text(e.bizStep) && (
          <>
            <dt>Business step</dt>
            <dd data-testid="event-bizstep">{text(e.bizStep)}</dd>
          </>
        )}
        <dt>Event time</dt>
        <dd>{text(e.eventTime) ?? '?'}</dd>
        <dt>Recorded</dt>
        <dd>{proof.recordTime}</dd>
        {epcs.length > 0 && (
          <>
            <dt>EPCs</dt>
            <dd className="mono">{epcs.slice(0, 5).join(', ') + (epcs.length > 5 ? ` … (${epcs.length})` : '')}</dd>
          </>
        )}
        <dt>Event ID</dt>
        <dd className="mono" data-testid="event-id">
          {proof.eventID}
        </dd>
        <dt>Hash ID</dt>
        <dd className="mono">{proof.eventHashId}</dd>
        {proof.declaredBy !== null && (
          <>
            <dt>Declared erroneous</dt>
            <dd>by the error declaration at leaf {proof.declaredBy}</dd>
          </>
        )}
        <dt>Log leaf</dt>
        <dd>
          {proof.leaf.index.toLocaleString('en-US')} of a tree of {proof.treeHead.size.toLocaleString('en-US')}
        </dd>
        <dt>Anchored</dt>
        <dd>
          {proof.anchor ? (
            <>
              chain {proof.anchor.chainId ?? '?'}
              {proof.anchor.blockNumber !== null && <>, block {proof.anchor.blockNumber}</>}
              {proof.anchor.txHash && (
                <div>
                  tx <Hash value={proof.anchor.txHash} full />
                </div>
              )}
            </>
          ) : (
            'not yet'
          )}
        </dd>
        <dt>Log operator</dt>
        <dd>
          <OrgNameAt address={proof.treeHead.signer} rpcUrl={rpcUrl} registry={registry} testId="log-operator" />
        </dd>
      </dl>
    </Card>
  );
}
