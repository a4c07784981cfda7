// Verify a bundle (or an EPCIS event proof) someone gave you: drop the file, pick it, or paste its JSON.
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import type { EventProof } from '@tradetwin/core/proof/epcis-event';
import { useState } from 'react';
import { Card, ErrorNote } from '../app/ui.js';
import { parseBundleJson } from './bundle-param.js';

export function BundleInput({
  onBundle,
  onEventProof,
}: {
  onBundle: (b: ProofBundle) => void;
  onEventProof: (p: EventProof) => void;
}) {
  const [over, setOver] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const take = (t: string) => {
    const r = parseBundleJson(t);
    if (r.bundle) onBundle(r.bundle);
    else if (r.event) onEventProof(r.event);
    else setError(r.error);
  };
  const file = (f: File | undefined) => {
    if (f) f.text().then(take, () => setError('Could not read that file.'));
  };
  return (
    <Card title="A bundle you were given" testId="bundle-input">
      <div
        className={`drop${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          file(e.dataTransfer.files[0]);
        }}
      >
        <p>Choose a proof bundle or an EPCIS event proof (.json), or drop the file here:</p>
        <input type="file" accept="application/json,.json" onChange={(e) => file(e.target.files?.[0])} aria-label="Bundle file" />
      </div>
      <form
        style={{ marginTop: 10 }}
        onSubmit={(e) => {
          e.preventDefault();
          take(text);
        }}
      >
        <textarea
          placeholder="…or paste the bundle JSON"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Bundle JSON"
        />
        <button type="submit" className="button primary" style={{ marginTop: 6 }}>
          Verify this bundle
        </button>
      </form>
      {error && <ErrorNote error={error} />}
    </Card>
  );
}
