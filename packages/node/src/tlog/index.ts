// The node's C2SP side, wired: checkpoint key and signer, witness, witnessing loop,
// equivocations found (alerted, and the offending logs flagged in /status).
import type { WitnessStatusJson } from '@tradetwin/core/wire/witness';
import type { NewAlert } from '../alerts/kinds.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { WitnessStore } from '../storage/witness.js';
import { CheckpointSigner, servedCheckpoint } from './checkpoints.js';
import type { LogIdentity } from './identity.js';
import { encodeVerifierKey, SIG_TYPE_COSIGNATURE_V1 } from '@tradetwin/core/tlog/note';
import { filePeers, type PeerResolver, peerWitnessName, StaticPeers } from './peers.js';
import { type EquivocationFound, Witness } from './witness.js';
import { WitnessLoop } from './witness-loop.js';

export interface NodeTlog {
  identity: LogIdentity;
  log: TransparencyLog;
  store: WitnessStore;
  checkpoints: CheckpointSigner;
  witness: Witness;
  loop: WitnessLoop;
  /** The peers when no resolver was given (set them at run time: `consortium up` after all nodes started). */
  peers: StaticPeers;
  /** Whether POST /api/v1/admin/tlog/fork is served (demonstrations only). */
  allowFork: boolean;
  servedCheckpoint(): Promise<string>;
  status(): Promise<WitnessStatus>;
  stop(): Promise<void>;
}

export type WitnessStatus = WitnessStatusJson;

export interface TlogOptions {
  log: TransparencyLog;
  store: WitnessStore;
  identity: LogIdentity;
  /** The NodeDirectory adapter (peers.ts directoryPeers); absent: a StaticPeers list. */
  peers?: PeerResolver;
  /** A peers file (peers.ts filePeers) read besides the static list when no resolver is given. */
  peersFile?: string;
  /** More resolvers read besides them (NodeDirectory: peers.ts directoryPeers). */
  morePeers?: PeerResolver[];
  /** Serve POST /api/v1/admin/tlog/fork (demonstrations only). */
  allowFork?: boolean;
  raise?: (a: NewAlert) => void;
  pushIntervalMs?: number;
  pollIntervalMs?: number;
  onLog?: (line: string) => void;
}

export function startTlog(opts: TlogOptions): NodeTlog {
  const staticPeers = new StaticPeers();
  const fromFile = opts.peersFile ? filePeers(opts.peersFile) : null;
  const resolve: PeerResolver =
    opts.peers ??
    (async () => {
      const own = await staticPeers.resolve();
      const out = [...own];
      for (const more of [...(fromFile ? [fromFile] : []), ...(opts.morePeers ?? [])]) {
        for (const p of await more())
          if (p.origin !== opts.identity.origin && !out.some((o) => o.origin === p.origin)) out.push(p);
      }
      return out;
    });
  const checkpoints = new CheckpointSigner(opts.log, opts.identity);
  const witness = new Witness({
    store: opts.store,
    identity: opts.identity,
    peers: resolve,
    onEquivocation: (e) => {
      opts.onLog?.(`EQUIVOCATION by log ${e.proof.origin} (${e.proof.kind}): proof ${e.key}`);
      opts.raise?.(equivocationAlert(e));
    },
  });
  const loop = new WitnessLoop({
    log: opts.log,
    checkpoints,
    store: opts.store,
    peers: resolve,
    witness,
    pushIntervalMs: opts.pushIntervalMs,
    pollIntervalMs: opts.pollIntervalMs,
    onError: (err) => opts.onLog?.(`witness: ${err instanceof Error ? err.message : String(err)}`),
  }).start();
  return {
    identity: opts.identity,
    log: opts.log,
    store: opts.store,
    checkpoints,
    witness,
    loop,
    peers: staticPeers,
    allowFork: opts.allowFork ?? false,
    servedCheckpoint: () => servedCheckpoint(checkpoints, opts.store),
    status: async () => {
      const latest = await opts.store.latestCosigned();
      return {
        origin: opts.identity.origin,
        logVkey: opts.identity.logVkey,
        witnessVkey: opts.identity.witnessVkey,
        cosigned: latest ? { size: latest.size, cosignatures: countCosignatures(latest.note, opts.identity.origin) } : null,
        peers: await loop.status(),
        witnesses: (await resolve()).map((p) => ({
          origin: p.origin,
          witnessVkey: encodeVerifierKey(peerWitnessName(p), SIG_TYPE_COSIGNATURE_V1, p.checkpointKey),
        })),
        flagged: (await opts.store.equivocations()).map((e) => ({
          origin: e.origin,
          kind: (JSON.parse(e.proof) as { kind: string }).kind,
          detectedAt: e.detectedAt,
          key: e.key,
        })),
      };
    },
    stop: () => loop.stop(),
  };
}

function countCosignatures(note: string, origin: string): number {
  return note
    .slice(note.lastIndexOf('\n\n') + 2)
    .split('\n')
    .filter((l) => l && !l.startsWith(`\u2014 ${origin} `)).length;
}

export function equivocationAlert(e: EquivocationFound): NewAlert {
  const [a, b] = [e.proof.a, e.proof.b].map((n) => n.split('\n').slice(1, 2)[0]);
  return {
    kind: 'equivocation',
    severity: 'critical',
    shipmentId: null,
    title: `Log ${e.proof.origin}${e.peer.orgId !== null ? ` (organisation ${e.peer.orgId})` : ''} equivocated: two signed checkpoints (sizes ${a} and ${b}) that cannot both be true (${e.proof.kind})`,
    detail: { origin: e.proof.origin, orgId: e.peer.orgId, proof: e.proof as unknown as Record<string, unknown> },
    dedupeKey: `equivocation:${e.key}`,
    occurredAt: e.detectedAt,
  };
}
