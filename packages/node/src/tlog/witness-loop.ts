// The witnessing loop of a node, both directions:
//  - push: each new checkpoint of its own log goes to every peer's witness
//    (POST <peer>/add-checkpoint, with a consistency proof from the size that
//    witness last cosigned; a 409 names that size and the request is made again),
//    and the cosignatures returned are verified and kept with the checkpoint;
//  - poll: every peer's /checkpoint is fetched and given to this node's own witness
//    with a consistency proof computed from the peer's tiles — so a log that pushes
//    one view and serves another is caught as well.
import { parseCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { cosignatureVerifier } from '@tradetwin/core/tlog/cosignature';
import { parseNote, parseSignatureLine } from '@tradetwin/core/tlog/note';
import { withTiles } from '@tradetwin/core/tlog/tiles';
import type { WitnessStatusJson } from '@tradetwin/core/wire/witness';
import { consistencyProof } from '@tradetwin/core/merkle/proof';
import { formatAddCheckpoint } from '@tradetwin/core/tlog/witness-protocol';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { WitnessStore } from '../storage/witness.js';
import { type CheckpointSigner, mergeSignatures, type SignedCheckpoint } from './checkpoints.js';
import { type PeerLog, type PeerResolver, peerWitnessName } from './peers.js';
import { fetchTile } from './tile-client.js';
import type { Witness } from './witness.js';

/** How soon a checkpoint some peer did not cosign is offered again, ms. */
const RETRY_MS = 1000;

export interface WitnessLoopOptions {
  log: TransparencyLog;
  checkpoints: CheckpointSigner;
  store: WitnessStore;
  peers: PeerResolver;
  /** This node's witness (poll mode hands it what peers serve). */
  witness: Witness;
  /** How often the log is looked at for a new size, ms (default 100). */
  pushIntervalMs?: number;
  /** How often peers' checkpoints are polled, ms (default 1000; 0: never). */
  pollIntervalMs?: number;
  fetch?: typeof fetch;
  onCosigned?: (e: { size: number; peer: string; at: number }) => void;
  onError?: (err: unknown) => void;
}

/** How witnessing stands with one peer, as `/api/v1/status` reports it. */
export type PeerWitnessState = WitnessStatusJson['peers'][number];

export class WitnessLoop {
  private timers: NodeJS.Timeout[] = [];
  private pushing: Promise<void> | null = null;
  private polling: Promise<void> | null = null;
  private publishedSize = -1;
  /** Some peer's witness did not cosign the last checkpoint (down, not started yet): try again at retryAt. */
  private incomplete = false;
  private retryAt = 0;
  private peersCheckedAt = 0;
  private readonly peerState = new Map<string, { cosignedSize: number | null; lastError: string | null }>();
  private readonly f: typeof fetch;
  private stopped = false;

  constructor(private readonly opts: WitnessLoopOptions) {
    this.f = opts.fetch ?? fetch;
  }

  start(): this {
    this.timers.push(setInterval(() => void this.tick(), this.opts.pushIntervalMs ?? 100));
    const poll = this.opts.pollIntervalMs ?? 1000;
    if (poll > 0) this.timers.push(setInterval(() => void this.pollOnce(), poll));
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([this.pushing, this.polling]);
  }

  private tick(): void {
    if (this.stopped || this.pushing) return;
    const now = Date.now();
    const due = this.opts.log.size !== this.publishedSize || (this.incomplete && now >= this.retryAt);
    // A peer that appeared since (a member node registered in NodeDirectory after this one started)
    // gets the current checkpoint too, even when the log does not grow.
    const recheck = !due && now >= this.peersCheckedAt + RETRY_MS;
    if (!due && !recheck) return;
    if (recheck) this.peersCheckedAt = now;
    this.pushing = (async () => {
      if (!due && !(await this.somePeerBehind())) return;
      await this.publishNow();
    })()
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        this.pushing = null;
      });
  }

  /** Whether some peer's witness has not cosigned the size last published. */
  private async somePeerBehind(): Promise<boolean> {
    const peers = (await this.opts.peers()).filter((p) => p.endpoint);
    return peers.some((p) => this.peerState.get(p.origin)?.cosignedSize !== this.publishedSize);
  }

  /** Pushes the current checkpoint to every peer's witness; resolves with the cosigned note stored. */
  async publishNow(): Promise<{ size: number; note: string; cosigners: string[] }> {
    const cp = await this.opts.checkpoints.current();
    const peers = (await this.opts.peers()).filter((p) => p.endpoint);
    const results = await Promise.all(peers.map((p) => this.pushTo(p, cp).catch((err: unknown) => this.fail(p, err))));
    const lines = results.filter((l): l is string => typeof l === 'string');
    const prev = await this.opts.store.cosigned(cp.size);
    const note = mergeSignatures(prev?.note ?? cp.note, lines);
    await this.opts.store.saveCosigned({ size: cp.size, note, updatedAt: Date.now() });
    this.publishedSize = cp.size;
    this.incomplete = lines.length < peers.length;
    if (this.incomplete) this.retryAt = Date.now() + RETRY_MS;
    return { size: cp.size, note, cosigners: lines.map((l) => parseSignatureLine(l.trimEnd()).name) };
  }

  private fail(p: PeerLog, err: unknown): null {
    const s = this.peerState.get(p.origin) ?? { cosignedSize: null, lastError: null };
    s.lastError = err instanceof Error ? err.message : String(err);
    this.peerState.set(p.origin, s);
    this.opts.onError?.(new Error(`witness ${p.origin}: ${s.lastError}`));
    return null;
  }

  /** One add-checkpoint exchange (409: again from the size the witness names). Returns the verified cosignature line. */
  private async pushTo(p: PeerLog, cp: SignedCheckpoint): Promise<string | null> {
    const state = this.peerState.get(p.origin) ?? { cosignedSize: null, lastError: null };
    this.peerState.set(p.origin, state);
    let old = state.cosignedSize ?? 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (old > cp.size) throw new Error(`its witness has cosigned size ${old}, beyond our ${cp.size}`);
      const proof = old === 0 ? [] : await this.opts.log.consistencyProof(old, cp.size);
      const res = await this.f(`${p.endpoint!.replace(/\/$/, '')}/add-checkpoint`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: formatAddCheckpoint({ oldSize: old, proof, checkpoint: cp.note }),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status === 409 && res.headers.get('content-type')?.startsWith('text/x.tlog.size')) {
        old = Number(text.trim());
        if (!Number.isSafeInteger(old)) throw new Error(`409 with a bad size body "${text}"`);
        state.cosignedSize = old;
        continue;
      }
      if (res.status !== 200) throw new Error(`add-checkpoint: HTTP ${res.status} ${text.slice(0, 200)}`);
      const v = cosignatureVerifier(peerWitnessName(p), p.checkpointKey);
      const line = text
        .split('\n')
        .filter(Boolean)
        .find((l) => {
          try {
            const s = parseSignatureLine(l);
            return s.name === v.name && s.keyId === v.keyId && v.verify(cp.text, s.signature);
          } catch {
            return false;
          }
        });
      if (!line) throw new Error('its response carries no valid cosignature from its key');
      state.cosignedSize = cp.size;
      state.lastError = null;
      this.opts.onCosigned?.({ size: cp.size, peer: p.origin, at: Date.now() });
      return `${line}\n`;
    }
    throw new Error('add-checkpoint kept answering 409');
  }

  /** Fetches every peer's /checkpoint and witnesses it here (proof from its tiles). */
  pollOnce(): Promise<void> {
    if (this.stopped || this.polling) return this.polling ?? Promise.resolve();
    this.polling = (async () => {
      const peers = (await this.opts.peers()).filter((p) => p.endpoint);
      await Promise.all(
        peers.map((p) =>
          this.pollPeer(p).catch((err: unknown) => this.opts.onError?.(new Error(`poll ${p.origin}: ${String(err)}`))),
        ),
      );
    })().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollPeer(p: PeerLog): Promise<void> {
    const endpoint = p.endpoint!.replace(/\/$/, '');
    const res = await this.f(`${endpoint}/checkpoint`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET /checkpoint: HTTP ${res.status}`);
    const note = await res.text();
    const cp = parseCheckpoint(parseNote(note).text);
    const stored = await this.opts.store.witnessed(p.origin);
    const old = stored?.size ?? 0;
    if (stored && cp.size === old && stored.note.startsWith(parseNote(note).text)) return; // nothing new
    if (cp.size < old) return; // behind what was cosigned: the push path decides (400 from the witness)
    const proof =
      old === 0 || old === cp.size
        ? []
        : await withTiles(
            cp.size,
            (l, i, w) => fetchTile(this.f, endpoint, l, i, w),
            (sub) => consistencyProof(old, cp.size, sub),
          );
    await this.opts.witness.addCheckpoint(formatAddCheckpoint({ oldSize: old, proof, checkpoint: note }));
  }

  /** The peers that have an endpoint (the ones pushed to and polled). */
  async peersWithEndpoints(): Promise<PeerLog[]> {
    return (await this.opts.peers()).filter((p) => p.endpoint);
  }

  /** Per peer: what its witness cosigned of our log, and what ours cosigned of its log. */
  async status(): Promise<PeerWitnessState[]> {
    // The node's status must answer while the chain is down (it is how an operator sees that): peers
    // that cannot be resolved now are shown as none.
    const peers = await this.opts.peers().catch(() => [] as PeerLog[]);
    const witnessed = new Map((await this.opts.store.allWitnessed()).map((w) => [w.origin, w.size]));
    return peers.map((p) => ({
      origin: p.origin,
      orgId: p.orgId,
      endpoint: p.endpoint,
      cosignedSize: this.peerState.get(p.origin)?.cosignedSize ?? null,
      lastError: this.peerState.get(p.origin)?.lastError ?? null,
      witnessedSize: witnessed.get(p.origin) ?? null,
    }));
  }
}
