// Deliberate misbehaviour, for demonstrations (`consortium demo --fork`) and tests
// only: makes this node's own log key sign a checkpoint that conflicts with its
// real log, and submits it to every peer's witness, as a log showing two views would.
// The peers refuse it (422) and turn it into an equivocation proof.
import { leafHash } from '@tradetwin/core/merkle/hash';
import { consistencyProof, memorySubtree, treeRoot } from '@tradetwin/core/merkle/proof';
import { formatCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { signNote } from '@tradetwin/core/tlog/note';
import { formatAddCheckpoint } from '@tradetwin/core/tlog/witness-protocol';
import type { NodeTlog } from './index.js';

export interface ForkResult {
  kind: 'same-size' | 'not-extending';
  /** The conflicting checkpoint signed. */
  checkpoint: string;
  submitted: { origin: string; status: number; body: string }[];
}

/**
 * same-size: a checkpoint of the size the peers last cosigned, over a tree whose last leaf differs.
 * not-extending: a larger checkpoint over a tree whose first leaf differs, with that tree's consistency proof.
 */
export async function equivocate(
  t: NodeTlog,
  kind: ForkResult['kind'] = 'same-size',
  f: typeof fetch = fetch,
): Promise<ForkResult> {
  const real = await t.loop.publishNow();
  const n = real.size;
  if (n === 0) throw new Error('the log is empty: append something before forking it');
  const leaves = await t.log.store.leafHashes(0, n);
  const forged = leaves.slice();
  const bogus = leafHash(new TextEncoder().encode(`forged leaf ${Date.now()}`));
  if (kind === 'same-size') forged[n - 1] = bogus;
  else {
    forged[0] = bogus;
    for (let i = 0; i < 3; i++) forged.push(leafHash(new TextEncoder().encode(`forged extra ${i}`)));
  }
  const sub = memorySubtree(forged);
  const size = forged.length;
  const text = formatCheckpoint({ origin: t.identity.origin, size, root: treeRoot(size, sub), extensions: [] });
  const note = signNote(text, [t.identity.signer]);
  const proof = kind === 'same-size' ? [] : consistencyProof(n, size, sub);
  const submitted: ForkResult['submitted'] = [];
  for (const p of await t.loop.peersWithEndpoints()) {
    const res = await f(`${p.endpoint!.replace(/\/$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: formatAddCheckpoint({ oldSize: n, proof, checkpoint: note }),
    });
    submitted.push({ origin: p.origin, status: res.status, body: await res.text() });
  }
  return { kind, checkpoint: note, submitted };
}
