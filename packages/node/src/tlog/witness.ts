// The witness (C2SP tlog-witness add-checkpoint): checks a peer log's new
// checkpoint against the last one it cosigned for that log and cosigns it
// (tlog-cosignature v1). A checkpoint that cannot be true beside the stored one
// becomes an equivocation proof — kept, alerted, and the log flagged.
import { createHash } from 'node:crypto';
import { EMPTY_ROOT, hashEquals } from '@tradetwin/core/merkle/hash';
import { consistencyProof, treeRoot } from '@tradetwin/core/merkle/proof';
import { verifyConsistency } from '@tradetwin/core/merkle/verify';
import { type Checkpoint, parseCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { cosign } from '@tradetwin/core/tlog/cosignature';
import { buildEquivocation, type EquivocationProof, verifyEquivocation } from '@tradetwin/core/tlog/equivocation';
import { TlogError } from '@tradetwin/core/tlog/errors';
import {
  ed25519NoteVerifier,
  encodeVerifierKey,
  formatSignatureLine,
  openNote,
  SIG_TYPE_ED25519,
} from '@tradetwin/core/tlog/note';
import { withTiles } from '@tradetwin/core/tlog/tiles';
import { parseAddCheckpoint } from '@tradetwin/core/tlog/witness-protocol';
import type { WitnessStore } from '../storage/witness.js';
import type { LogIdentity } from './identity.js';
import type { PeerLog, PeerResolver } from './peers.js';
import { fetchTile } from './tile-client.js';

export type AddCheckpointOutcome =
  | { status: 200; body: string }
  | { status: 409; body: string }
  | { status: 400 | 403 | 404 | 422; code: string; detail: string };

export interface EquivocationFound {
  peer: PeerLog;
  proof: EquivocationProof;
  key: string;
  detectedAt: number;
}

export interface WitnessOptions {
  store: WitnessStore;
  identity: LogIdentity;
  peers: PeerResolver;
  /** Called once per new equivocation proof (alert, dashboard flag). */
  onEquivocation?: (e: EquivocationFound) => void;
  now?: () => number;
  fetch?: typeof fetch;
}

export class Witness {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly opts: WitnessOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** POST add-checkpoint: the body as the spec defines it; the outcome says the status. */
  async addCheckpoint(body: string): Promise<AddCheckpointOutcome> {
    let req: ReturnType<typeof parseAddCheckpoint>;
    let origin: string;
    try {
      req = parseAddCheckpoint(body);
      origin = req.checkpoint.slice(0, req.checkpoint.indexOf('\n'));
    } catch (err) {
      return { status: 400, code: 'malformed', detail: (err as Error).message };
    }
    const peer = (await this.opts.peers()).find((p) => p.origin === origin);
    if (!peer) return { status: 404, code: 'unknown_log', detail: `this witness does not know the log "${origin}"` };
    let checkpoint: Checkpoint;
    try {
      const opened = openNote(req.checkpoint, [ed25519NoteVerifier(peer.origin, peer.checkpointKey)]);
      checkpoint = parseCheckpoint(opened.text);
    } catch (err) {
      if (err instanceof TlogError && (err.code === 'unknown_key' || err.code === 'bad_signature')) {
        return { status: 403, code: err.code, detail: err.message };
      }
      return { status: 400, code: 'malformed', detail: (err as Error).message };
    }
    if (req.oldSize > checkpoint.size) {
      // Still worth a look: a smaller checkpoint the cosigned one does not extend is an equivocation.
      await this.serial(origin, () => this.olderConflict(peer, req.checkpoint, checkpoint));
      return {
        status: 400,
        code: 'old_size_too_large',
        detail: `old size ${req.oldSize} is above the checkpoint size ${checkpoint.size}`,
      };
    }
    // Checking the stored size and storing the new checkpoint are one step per log (and a compare-and-set in the store).
    return this.serial(origin, () => this.check(peer, req, checkpoint));
  }

  private async check(
    peer: PeerLog,
    req: { oldSize: number; proof: Uint8Array[]; checkpoint: string },
    cp: Checkpoint,
  ): Promise<AddCheckpointOutcome> {
    const stored = await this.opts.store.witnessed(peer.origin);
    const storedSize = stored?.size ?? 0;
    const storedCp = stored ? parseCheckpoint(stored.note.slice(0, stored.note.lastIndexOf('\n\n') + 1)) : null;
    // Whatever the old size says, a signed checkpoint of the stored size with another root is an equivocation.
    if (stored && storedCp && cp.size === storedCp.size && !hashEquals(cp.root, storedCp.root)) {
      await this.equivocation(peer, stored.note, storedCp, req.checkpoint, cp);
      if (req.oldSize === storedSize)
        return { status: 422, code: 'equivocation', detail: `size ${cp.size} was cosigned with another root` };
    }
    if (stored && storedCp && cp.size < storedCp.size)
      await this.notExtending(peer, { note: req.checkpoint, cp }, { note: stored.note, cp: storedCp }, null);
    if (req.oldSize !== storedSize) return { status: 409, body: `${storedSize}\n` };
    if (cp.size === 0 && !hashEquals(cp.root, EMPTY_ROOT)) {
      return { status: 422, code: 'bad_empty_root', detail: 'a checkpoint of size 0 must carry the empty-tree root' };
    }
    if (req.oldSize === 0) {
      if (req.proof.length > 0) return { status: 422, code: 'bad_proof', detail: 'the proof from size 0 must be empty' };
    } else if (storedCp && cp.size > storedCp.size) {
      const r = verifyConsistency(storedCp.size, cp.size, storedCp.root, cp.root, req.proof);
      if (!r.ok) {
        const found = await this.notExtending(
          peer,
          { note: stored!.note, cp: storedCp },
          { note: req.checkpoint, cp },
          req.proof,
        );
        return {
          status: 422,
          code: found ? 'equivocation' : 'bad_proof',
          detail: `consistency proof from ${storedCp.size} to ${cp.size}: ${r.reason}`,
        };
      }
    }
    const ts = Math.max(1, Math.floor(this.now() / 1000));
    const sig = formatSignatureLine(
      cosign(
        req.checkpoint.slice(0, req.checkpoint.lastIndexOf('\n\n') + 1),
        this.opts.identity.witnessName,
        this.opts.identity.secretKey,
        ts,
      ),
    );
    const note = keepVerified(req.checkpoint, peer) + sig;
    const done = await this.opts.store.advance(peer.origin, req.oldSize, { size: cp.size, note }, this.now());
    if (!done.ok) return { status: 409, body: `${done.size}\n` };
    return { status: 200, body: sig };
  }

  /** GET <origin hash>/checkpoint: the latest cosigned checkpoint of that log, or null. */
  async monitoringCheckpoint(originHashHex: string): Promise<string | null> {
    for (const w of await this.opts.store.allWitnessed()) {
      if (createHash('sha256').update(w.origin).digest('hex') === originHashHex) return w.note;
    }
    return null;
  }

  /**
   * The larger checkpoint does not extend the smaller (one of them the stored one). Evidence is a
   * consistency path in the larger checkpoint's tree: first the proof submitted, when the larger is the
   * new one (it was made from that tree, if the log is consistent with its own new checkpoint), then the
   * peer's tiles at the larger size when it has an endpoint.
   */
  private async notExtending(
    peer: PeerLog,
    small: { note: string; cp: Checkpoint },
    large: { note: string; cp: Checkpoint },
    proof: Uint8Array[] | null,
  ): Promise<boolean> {
    const logKey = encodeVerifierKey(peer.origin, SIG_TYPE_ED25519, peer.checkpointKey);
    const a = { note: logNoteOnly(small.note, peer), checkpoint: small.cp };
    const b = { note: logNoteOnly(large.note, peer), checkpoint: large.cp };
    const storedCp = small.cp;
    const cp = large.cp;
    const candidates: { path: Uint8Array[]; prefixRoot: Uint8Array | null }[] = proof ? [{ path: proof, prefixRoot: null }] : [];
    if (peer.endpoint) {
      try {
        const f = this.opts.fetch ?? fetch;
        const endpoint = peer.endpoint;
        candidates.push(
          await withTiles(
            cp.size,
            (l, i, w) => fetchTile(f, endpoint, l, i, w),
            (sub) => ({
              path: consistencyProof(storedCp.size, cp.size, sub),
              prefixRoot: treeRoot(storedCp.size, sub),
            }),
          ),
        );
      } catch {
        // The peer is down or serves no tiles for that size: the submitted proof is all there is.
      }
    }
    for (const ev of candidates) {
      const proofObj = buildEquivocation(logKey, a, b, ev);
      if (verifyEquivocation(proofObj, logKey).ok) {
        await this.record(peer, proofObj);
        return true;
      }
    }
    return false;
  }

  /** A checkpoint smaller than the one cosigned: evidence only from the log's tiles at the cosigned size. */
  private async olderConflict(peer: PeerLog, note: string, cp: Checkpoint): Promise<void> {
    const stored = await this.opts.store.witnessed(peer.origin);
    if (!stored || cp.size === 0) return;
    const storedCp = parseCheckpoint(stored.note.slice(0, stored.note.lastIndexOf('\n\n') + 1));
    if (cp.size < storedCp.size) await this.notExtending(peer, { note, cp }, { note: stored.note, cp: storedCp }, null);
  }

  private async equivocation(
    peer: PeerLog,
    storedNote: string,
    storedCp: Checkpoint,
    note: string,
    cp: Checkpoint,
  ): Promise<void> {
    const logKey = encodeVerifierKey(peer.origin, SIG_TYPE_ED25519, peer.checkpointKey);
    const proof = buildEquivocation(
      logKey,
      { note: logNoteOnly(storedNote, peer), checkpoint: storedCp },
      { note: logNoteOnly(note, peer), checkpoint: cp },
    );
    if (verifyEquivocation(proof, logKey).ok) await this.record(peer, proof);
  }

  private async record(peer: PeerLog, proof: EquivocationProof): Promise<void> {
    const key = createHash('sha256').update(proof.a).update('\n\n').update(proof.b).digest('hex');
    const detectedAt = this.now();
    const fresh = await this.opts.store.recordEquivocation({
      key,
      origin: proof.origin,
      proof: JSON.stringify(proof),
      detectedAt,
    });
    if (fresh) this.opts.onEquivocation?.({ peer, proof, key, detectedAt });
  }

  private serial<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(origin) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(origin, tail);
    void tail.then(() => {
      if (this.queues.get(origin) === tail) this.queues.delete(origin);
    });
    return run;
  }
}

/** The note with only the log's own signatures (verified before): what an equivocation proof carries. */
function logNoteOnly(note: string, peer: PeerLog): string {
  const split = note.lastIndexOf('\n\n');
  const v = ed25519NoteVerifier(peer.origin, peer.checkpointKey);
  const keep = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.startsWith(`\u2014 ${v.name} `));
  return `${note.slice(0, split + 1)}\n${keep.map((l) => `${l}\n`).join('')}`;
}

/** Keeps the log's signatures (the witness verified them) and drops any others. */
const keepVerified = logNoteOnly;
