// "Download claim dossier": the node builds, signs and logs the dossier of a
// policy's payout (or of an excursion) and the browser saves the ZIP it answers.
// Shown to whoever may read the shipment (the same access the node checks).
import { useState } from 'react';
import { csrfToken } from '../api/client.js';

type Subject = { policyId: number } | { excursionId: string };

/** POST …/dossiers and save the answer under the name the node gives it. */
async function downloadDossier(shipmentId: string, subject: Subject): Promise<string> {
  const csrf = csrfToken();
  const res = await fetch(`/api/v1/shipments/${encodeURIComponent(shipmentId)}/dossiers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    body: JSON.stringify(subject),
  });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new Error(p.detail ?? `${res.status} ${res.statusText}`);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'claim-dossier.zip';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function DossierButton({ shipmentId, subject, label }: { shipmentId: string; subject: Subject; label: string }) {
  const [state, setState] = useState<{ busy: boolean; saved?: string; error?: string }>({ busy: false });
  const run = () => {
    setState({ busy: true });
    downloadDossier(shipmentId, subject).then(
      (saved) => setState({ busy: false, saved }),
      (e: unknown) => setState({ busy: false, error: e instanceof Error ? e.message : String(e) }),
    );
  };
  return (
    <div className="row" style={{ marginTop: 6 }}>
      <button type="button" className="button" onClick={run} disabled={state.busy} data-testid="dossier-button">
        {state.busy ? 'Building the dossier…' : label}
      </button>
      {state.saved && (
        <span className="small muted" data-testid="dossier-saved">
          saved {state.saved} (PDF report, readings, proof bundles; signed by this node)
        </span>
      )}
      {state.error && (
        <span className="badge bad" role="alert">
          {state.error}
        </span>
      )}
    </div>
  );
}
