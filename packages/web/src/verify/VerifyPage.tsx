// The public verification page, /verify/{readingId} (or /verify?bundle=…):
// the reading's proof bundle is checked in this browser — the device's
// signature, the leaf, the Merkle inclusion proof, the node's signed head, and
// on the chain itself (its JSON-RPC, not the node) the anchored root and the
// device's registration. One clear verdict, then what was measured, by which
// device, for which shipment, and every check with what it found.
// /verify/event/{eventID} (or /verify?event=…) checks an EPCIS event's proof (EventVerifier.tsx).
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, csrfToken, getJson } from '../api/client.js';
import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { PinnedChainJson } from '@tradetwin/core/wire/status';
import { rpcUrlFor } from '../chain/rpc-url.js';
import { QrCode } from '../app/QrCode.js';
import { Link } from '../app/Link.js';
import { Card, ErrorNote, Hash } from '../app/ui.js';
import { OrgNameAt } from '../app/OrgName.js';
import { useDocumentTitle } from '../app/title.js';
import { bandOf, type BandPosition } from './band.js';
import { encodeBase64Url } from '../lib/base64url.js';
import { formatTimeSeconds, formatValue, kindName } from '../lib/format.js';
import { navigate, paths } from '../lib/router.js';
import { BundleInput } from './BundleInput.js';
import { CheckList } from './CheckList.js';
import { parseBundleParam, parseEventParam } from './bundle-param.js';
import { type EventSource, EventVerifier } from './EventVerifier.js';
import { fetchBundle, type Verification, verifyInBrowser } from './run.js';
import { NotFoundBanner, VerdictBanner } from './VerdictBanner.js';

interface Props {
  readingId: string | null;
  bundleParam: string | null;
  rpcParam: string | null;
  eventId: string | null;
  eventParam: string | null;
}

type Source = { kind: 'node'; readingId: string } | { kind: 'given'; bundle: ProofBundle };

export default function VerifyPage({ readingId, bundleParam, rpcParam, eventId, eventParam }: Props) {
  const [given, setGiven] = useState<{ bundle?: ProofBundle; error?: string }>({});
  useEffect(() => {
    if (bundleParam) setGiven(parseBundleParam(bundleParam));
    else setGiven({});
  }, [bundleParam]);
  const [givenEvent, setGivenEvent] = useState<ReturnType<typeof parseEventParam>>({});
  useEffect(() => {
    if (eventParam) setGivenEvent(parseEventParam(eventParam));
    else setGivenEvent({});
  }, [eventParam]);

  useDocumentTitle(
    eventId || eventParam
      ? 'Verify an EPCIS event'
      : readingId
        ? `Verify reading ${readingId}`
        : bundleParam
          ? 'Verify a proof bundle'
          : 'Verify',
  );
  const eventSource: EventSource | null = eventId
    ? { kind: 'node', eventId }
    : givenEvent.event
      ? { kind: 'given', proof: givenEvent.event }
      : null;
  if (eventSource || givenEvent.error) {
    return (
      <div className="verify" data-testid="verify-page">
        <h1 style={{ marginTop: 4 }}>Verify an EPCIS event</h1>
        <p className="muted small">
          Checked in this browser against the ledger itself: you do not have to trust the node that stored it.
        </p>
        {givenEvent.error && <ErrorNote error={givenEvent.error} />}
        {eventSource && <EventVerifier source={eventSource} />}
      </div>
    );
  }

  const source: Source | null = readingId
    ? { kind: 'node', readingId }
    : given.bundle
      ? { kind: 'given', bundle: given.bundle }
      : null;

  return (
    <div className="verify" data-testid="verify-page">
      <h1 style={{ marginTop: 4 }}>Verify a reading</h1>
      <p className="muted small">
        Checked in this browser against the ledger itself: you do not have to trust the node that stored it.
      </p>
      {given.error && <ErrorNote error={given.error} />}
      {source ? <Verifier source={source} rpcParam={rpcParam} /> : !given.error && <Start />}
      {source && (
        <details style={{ marginTop: 16 }}>
          <summary className="small">Verify another reading or a bundle file</summary>
          <div style={{ marginTop: 8 }}>
            <Start />
          </div>
        </details>
      )}
    </div>
  );
}

function Start() {
  const [id, setId] = useState('');
  return (
    <div className="stack">
      <Card title="A reading on this node">
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (/^\d+:\d+$/.test(id.trim())) navigate(paths.verify(id.trim()));
          }}
        >
          <input
            type="text"
            inputMode="numeric"
            placeholder="reading id, e.g. 1204:3"
            value={id}
            onChange={(e) => setId(e.target.value)}
            style={{ flex: '1 1 12rem', width: 'auto' }}
            aria-label="Reading id"
          />
          <button className="button primary" type="submit">
            Verify
          </button>
        </form>
      </Card>
      <BundleInput
        onBundle={(b) => navigate(`/verify?bundle=${encodeBase64Url(JSON.stringify(b))}`)}
        onEventProof={(p) => navigate(`/verify?event=${encodeBase64Url(JSON.stringify(p))}`)}
      />
    </div>
  );
}

function Verifier({ source, rpcParam }: { source: Source; rpcParam: string | null }) {
  const [bundle, setBundle] = useState<ProofBundle>();
  const [pinned, setPinned] = useState<PinnedChainJson | null>();
  const [error, setError] = useState<string>();
  const [notFound, setNotFound] = useState<string>();
  const [result, setResult] = useState<Verification>();
  // A link's rpc= is never used by itself: only once the person chooses it below.
  const [chosenRpc, setChosenRpc] = useState<string | null>(null);

  // The bundle (from this node, or as given) and this node's status (for the chain's RPC URL).
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on what the source names (reading id or given bundle), not on the source object
  useEffect(() => {
    let live = true;
    setResult(undefined);
    setError(undefined);
    setNotFound(undefined);
    setBundle(source.kind === 'given' ? source.bundle : undefined);
    if (source.kind === 'node') {
      fetchBundle(source.readingId).then(
        (b) => live && setBundle(b),
        (e: unknown) => {
          if (!live) return;
          // No such reading here (or no such id): not a forgery, and not checked at all — said apart.
          if (e instanceof ApiError && (e.status === 404 || e.code === 'bad_reading_id')) setNotFound(e.message);
          else setError(e instanceof Error ? e.message : String(e));
        },
      );
    }
    getJson<PinnedChainJson>('/api/v1/chain').then(
      (p) => live && setPinned(p),
      () => live && setPinned(null),
    );
    return () => {
      live = false;
    };
  }, [source.kind === 'node' ? source.readingId : source.bundle]);

  const nodeRpc = pinned ? rpcUrlFor(pinned.rpcUrl, location).url : pinned === null ? null : undefined;
  const rpc = chosenRpc ?? nodeRpc;
  const offered = rpcParam && rpcParam !== nodeRpc && rpcParam !== chosenRpc ? rpcParam : null;

  const run = useCallback(() => {
    if (!bundle || rpc === undefined || pinned === undefined) return;
    let live = true;
    setResult(undefined);
    verifyInBrowser(bundle, rpc, pinned ?? undefined, { chosen: chosenRpc !== null }).then(
      (r) => live && setResult(r),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [bundle, rpc, pinned, chosenRpc]);
  useEffect(run, [run]);

  if (notFound && source.kind === 'node') return <NotFoundBanner what="reading" id={source.readingId} detail={notFound} />;
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
      {result && (
        <p className="small" data-testid="rpc-trust" data-chosen={chosenRpc ? 'yes' : 'no'}>
          {chosenRpc ? (
            <>
              Checked against <span className="hash">{chosenRpc}</span>, an endpoint you chose —{' '}
              <strong>not this node's chain</strong>
              {nodeRpc ? (
                <>
                  {' '}
                  (<span className="hash">{nodeRpc}</span>)
                </>
              ) : null}
              . Trust this verdict only as far as you trust that endpoint.{' '}
              <button type="button" className="button" onClick={() => setChosenRpc(null)}>
                Use this node's chain
              </button>
            </>
          ) : (
            <>
              Checked against the chain this node is pinned to{pinned ? ` (chain ${pinned.chainId})` : ''}
              {nodeRpc ? (
                <>
                  {' '}
                  at <span className="hash">{nodeRpc}</span>
                </>
              ) : null}
              .
            </>
          )}
        </p>
      )}
      {offered && (
        <Card title="This link names another chain endpoint" testId="rpc-offer">
          <p className="small">
            The link asks to check against <span className="hash">{offered}</span>. That endpoint is not this node's chain; it was
            not used. Choose it only if you trust it.
          </p>
          <button type="button" className="button" onClick={() => setChosenRpc(offered)} data-testid="use-link-rpc">
            Check against {offered} instead
          </button>
        </Card>
      )}
      {bundle && (
        <Provenance
          bundle={bundle}
          result={result}
          fromNode={source.kind === 'node'}
          rpcUrl={rpc ?? undefined}
          registry={pinned?.memberRegistry}
        />
      )}
      {result && (
        <Card title="Checks" testId="checks">
          <CheckList checks={result.report.checks} />
          <p className="small muted" style={{ marginTop: 8 }}>
            {result.rpcUrl ? (
              <>
                Chain read directly from <span className="hash">{result.rpcUrl}</span>
                {bundle?.anchor && <> (chain {bundle.anchor.chainId})</>}. Verified in this browser in {Math.round(result.ms)} ms.
              </>
            ) : (
              'No chain endpoint known: the anchor and the device registration were not checked. Give one below.'
            )}
          </p>
          <RpcForm value={rpc ?? ''} />
        </Card>
      )}
      {bundle && <Share bundle={bundle} fromNode={source.kind === 'node'} />}
    </>
  );
}

function Provenance({
  bundle,
  result,
  fromNode,
  rpcUrl,
  registry,
}: {
  bundle: ProofBundle;
  result?: Verification;
  fromNode: boolean;
  rpcUrl?: string;
  registry?: `0x${string}`;
}) {
  const r = result?.report.reading ?? null;
  const shipment = useShipmentOf(fromNode ? bundle.device.id : null, r?.t ?? null);
  const failed = result?.verdict.kind === 'not-verified';
  const band = r && shipment ? bandOf(shipment.shipment.rules, r.k, r.v) : null;
  return (
    <Card title={failed ? 'What this bundle claims — not verified' : 'What was measured'} testId="provenance">
      <div className={`provenance${failed ? ' unverified' : ''}`}>
        {r ? (
          <>
            <div className="value" data-testid="reading-value">
              {formatValue(r.k, r.v)}
            </div>
            <div className="muted">
              {kindName(r.k)}, measured {formatTimeSeconds(r.t)}
            </div>
            {band && <BandNote band={band} kind={r.k} />}
            {!band && !fromNode && (
              <div className="small muted">The allowed band is the shipment's, shown to its members when the node holds it.</div>
            )}
          </>
        ) : (
          <div className="muted">{result ? 'The envelope does not yield this reading.' : 'Reading the envelope…'}</div>
        )}
        <dl className="kv small" style={{ marginTop: 10 }}>
          <dt>Reading</dt>
          <dd className="mono">{bundle.readingId}</dd>
          <dt>Device</dt>
          <dd>
            {bundle.device.id} ({bundle.device.keyType === 1 ? 'P-256 / ES256' : 'Ed25519 / EdDSA'})
          </dd>
          {shipment && (
            <>
              <dt>Shipment</dt>
              <dd data-testid="reading-shipment">
                <Link href={paths.shipment(shipment.shipment.id)}>{shipment.shipment.id}</Link> —{' '}
                {shipment.shipment.goods.description}
              </dd>
            </>
          )}
          <dt>Log leaf</dt>
          <dd>
            {bundle.leaf.index.toLocaleString('en-US')} of a tree of {bundle.treeHead.size.toLocaleString('en-US')}
          </dd>
          <dt>Anchored</dt>
          <dd>
            {bundle.anchor ? (
              <>
                chain {bundle.anchor.chainId}
                {bundle.anchor.blockNumber !== null && <>, block {bundle.anchor.blockNumber}</>}
                {bundle.anchor.txHash && (
                  <div>
                    tx <Hash value={bundle.anchor.txHash} full />
                  </div>
                )}
              </>
            ) : (
              'not yet'
            )}
          </dd>
          <dt>Log operator</dt>
          <dd>
            <OrgNameAt address={bundle.treeHead.signer} rpcUrl={rpcUrl} registry={registry} testId="log-operator" />
          </dd>
        </dl>
      </div>
    </Card>
  );
}

/** The reading against the shipment's allowed band: inside, or by how much outside. */
function BandNote({ band, kind }: { band: BandPosition; kind: string }) {
  const range = `${formatValue(kind, band.min)} – ${formatValue(kind, band.max)}`;
  return (
    <div
      className={`band-note ${band.outside === 0 ? 'in' : 'out'}`}
      data-testid="reading-band"
      data-min={band.min}
      data-max={band.max}
      data-outside={band.outside}
    >
      {band.outside === 0
        ? `within the allowed ${range} (rule ${band.ruleId})`
        : `${formatValue(kind, Math.abs(band.outside))} ${band.outside > 0 ? 'above' : 'below'} the allowed ${range} (rule ${band.ruleId})`}
    </div>
  );
}

/**
 * The shipment this device spoke for at time t, if this node tracks one (best effort). Shipments are
 * members' data: asked only with a session (its CSRF cookie is set), so a public visitor's page makes no
 * request it knows will be refused.
 */
function useShipmentOf(deviceId: string | null, t: number | null): ShipmentStateJson | undefined {
  const [s, setS] = useState<ShipmentStateJson>();
  useEffect(() => {
    if (!deviceId || t === null || csrfToken() === undefined) return;
    let live = true;
    getJson<ShipmentStateJson[]>('/api/v1/shipments').then(
      (all) =>
        live &&
        setS(
          all.find((x) =>
            x.shipment.devices.some((d) => d.deviceId === deviceId && d.from <= t && (d.to === undefined || t <= d.to)),
          ),
        ),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [deviceId, t]);
  return s;
}

/** Another endpoint: the page reloads with it named (the node's CSP then lets the page reach it), and offers it to be chosen. */
function RpcForm({ value }: { value: string }) {
  const [v, setV] = useState(value);
  useEffect(() => setV(value), [value]);
  return (
    <form
      className="row"
      style={{ marginTop: 8 }}
      onSubmit={(e) => {
        e.preventDefault();
        const u = new URL(location.href);
        if (v.trim()) u.searchParams.set('rpc', v.trim());
        else u.searchParams.delete('rpc');
        location.assign(u.toString());
      }}
    >
      <input
        type="url"
        value={v}
        onChange={(e) => setV(e.target.value)}
        placeholder="https://rpc.example (chain JSON-RPC)"
        aria-label="Chain JSON-RPC URL"
        style={{ flex: '1 1 14rem', width: 'auto' }}
      />
      <button type="submit" className="button">
        Check against this RPC
      </button>
    </form>
  );
}

function Share({ bundle, fromNode }: { bundle: ProofBundle; fromNode: boolean }) {
  const json = JSON.stringify(bundle);
  const download = () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' }));
    a.download = `reading-${bundle.readingId.replace(':', '-')}.bundle.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <Card title="Share this proof">
      <div className="row" style={{ alignItems: 'flex-start', gap: '1rem' }}>
        <div style={{ flex: '1 1 220px', minWidth: 0 }}>
          <p className="small">
            The bundle is all anyone needs to check this reading again, here or with <code>tradetwin verify bundle.json</code>.
          </p>
          <div className="row">
            <button type="button" className="button" onClick={download}>
              Download bundle (JSON)
            </button>
            <a className="button" href={`/verify?bundle=${encodeBase64Url(json)}`}>
              Link with the bundle inside
            </a>
          </div>
        </div>
        {fromNode && <QrCode path={paths.verify(bundle.readingId)} label="This page" testId="verify-qr" />}
      </div>
    </Card>
  );
}
