// Verifying a C2SP tlog-proof for a known leaf against a tlog-policy, as the spec's
// four steps say: the leaf hash (the caller's), the checkpoint signed by a log the
// policy lists for its origin, the witnesses' cosignatures against the quorum, and
// the inclusion proof binding the leaf to the checkpoint's root.
import { verifyInclusion } from '../merkle/verify.js';
import { TlogError } from './errors.js';
import { checkCheckpoint, type Policy } from './policy.js';
import { parseTlogProof } from './tlog-proof.js';

export interface TlogProofCheck {
  /** Log signature, every known cosignature and the inclusion valid, and the quorum met. */
  ok: boolean;
  /** The checkpoint and inclusion are valid (the quorum may still be missing). */
  valid: boolean;
  quorum: boolean;
  detail: string;
  origin: string | null;
  size: number | null;
  /** Policy names of the witnesses whose cosignatures verified. */
  cosigners: string[];
}

export function verifyTlogProof(text: string, leafIndex: number, leafHash: Uint8Array, policy: Policy): TlogProofCheck {
  const none = { origin: null, size: null, cosigners: [] as string[] };
  let proof: ReturnType<typeof parseTlogProof>;
  let checked: ReturnType<typeof checkCheckpoint>;
  try {
    proof = parseTlogProof(text);
    checked = checkCheckpoint(proof.checkpoint, policy);
  } catch (err) {
    const why = err instanceof TlogError ? `${err.code}: ${err.message}` : String(err);
    return { ok: false, valid: false, quorum: false, detail: `tlog proof refused: ${why}`, ...none };
  }
  const { checkpoint, cosigners, quorum } = checked;
  const base = { origin: checkpoint.origin, size: checkpoint.size, cosigners: cosigners.map((c) => c.name) };
  if (proof.index !== leafIndex) {
    return { ok: false, valid: false, quorum, detail: `the tlog proof is for entry ${proof.index}, not ${leafIndex}`, ...base };
  }
  const inc = verifyInclusion(proof.index, checkpoint.size, leafHash, proof.inclusion, checkpoint.root);
  if (!inc.ok) return { ok: false, valid: false, quorum, detail: `tlog proof inclusion: ${inc.reason}`, ...base };
  const who = cosigners.length ? cosigners.map((c) => c.name).join(', ') : 'no known witness';
  return {
    ok: quorum,
    valid: true,
    quorum,
    detail: `entry ${proof.index} in checkpoint ${checkpoint.origin} size ${checkpoint.size}, cosigned by ${who}: quorum ${quorum ? 'met' : 'NOT met'}`,
    ...base,
  };
}
