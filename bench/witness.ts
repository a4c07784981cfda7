// C2SP witnessing between three log sides in this process (real storage, real HTTP, the
// real witnessing loop pushing every 100 ms and polling every 1 s, as a node runs it):
//  - new head → cosigned by every peer: from the append that grows a log to both peers'
//    cosignatures stored with its checkpoint;
//  - fork detection: a same-size conflicting checkpoint, (a) pushed to a peer's witness,
//    (b) only served at a log's /checkpoint (a split view) and found by the peer's poll:
//    from the moment it is out to the equivocation proof stored.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { memorySubtree, treeRoot } from '@tradetwin/core/merkle/proof';
import { formatCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { signNote } from '@tradetwin/core/tlog/note';
import { equivocate } from '../packages/node/src/tlog/fork.js';
import { type LogSide, meshPeers, startLogSide } from '../packages/node/src/tlog/test-support.js';
import { roundSummary, type Summary, summarize } from './stats.js';

export interface WitnessFigures {
  rounds: number;
  headToCosignedMs: Summary;
  forkPushDetectMs: number;
  /** The slowest of five split views switched on at random moments of the poll cycle. */
  forkPollDetectMs: number;
  pollIntervalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(2);
  }
}

export async function runWitnessBench(opts: { rounds: number; log: (s: string) => void }): Promise<WitnessFigures> {
  const pollIntervalMs = 1000;
  const sides = await Promise.all(
    ['a', 'b', 'c'].map((n) => startLogSide(`bench-${n}`, { pushIntervalMs: 100, pollIntervalMs })),
  );
  const [a, b, c] = sides as [LogSide, LogSide, LogSide];
  try {
    meshPeers(sides);
    const cosignedBy = async (s: LogSide, size: number) => {
      const cp = await s.storage.witness.cosigned(size);
      return cp !== null && cp.note.split('\n\u2014 ').length - 1 === 3; // the log's signature + 2 cosignatures
    };
    const lat: number[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      const s = sides[i % 3]!;
      const t0 = performance.now();
      await s.append(1 + (i % 5));
      await waitFor(() => cosignedBy(s, s.log.size), 10_000);
      lat.push(performance.now() - t0);
    }
    const headToCosignedMs = roundSummary(summarize(lat), 1);
    opts.log(
      `  new head → cosigned by both peers: p50 ${headToCosignedMs.p50} ms, p99 ${headToCosignedMs.p99} ms over ${opts.rounds} heads`,
    );

    // (a) pushed fork.
    let t0 = performance.now();
    await equivocate(a.tlog, 'same-size');
    await waitFor(
      async () => (await b.storage.witness.equivocations()).length > 0 && (await c.storage.witness.equivocations()).length > 0,
      10_000,
    );
    const forkPushDetectMs = Math.round(performance.now() - t0);

    // (b) split view: c's log is served, to b only, through a front that answers /checkpoint with a forked one.
    await c.append(3);
    await waitFor(() => cosignedBy(c, c.log.size), 10_000);
    const size = c.log.size;
    const forgedAt = async (k: number) => {
      const leaves = await c.log.store.leafHashes(0, size);
      leaves[size - 1] = leafHash(new TextEncoder().encode(`split view ${k}`));
      return signNote(
        formatCheckpoint({ origin: c.tlog.identity.origin, size, root: treeRoot(size, memorySubtree(leaves)), extensions: [] }),
        [c.tlog.identity.signer],
      );
    };
    let forged = '';
    let serveFork = false;
    const front = createServer(async (req, res) => {
      if (req.url === '/checkpoint' && serveFork) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(forged);
        return;
      }
      const r = await fetch(`${c.url}${req.url}`);
      res
        .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' })
        .end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    b.tlog.peers.set([a.peer(), { ...c.peer(), endpoint: frontUrl }]);
    // Several split views, each a new conflicting root, each switched on at a random moment of the poll cycle.
    const pollLat: number[] = [];
    for (let k = 0; k < 5; k++) {
      forged = await forgedAt(k);
      await sleep(Math.random() * pollIntervalMs);
      const before = (await b.storage.witness.equivocations()).length;
      t0 = performance.now();
      serveFork = true;
      await waitFor(async () => (await b.storage.witness.equivocations()).length > before, 15_000);
      pollLat.push(performance.now() - t0);
      serveFork = false;
    }
    const forkPollDetectMs = Math.round(Math.max(...pollLat));
    front.close();
    opts.log(
      `  fork detected: pushed ${forkPushDetectMs} ms; served only (poll every ${pollIntervalMs} ms) ${pollLat.map((x) => Math.round(x)).join(', ')} ms (max ${forkPollDetectMs})`,
    );
    return { rounds: opts.rounds, headToCosignedMs, forkPushDetectMs, forkPollDetectMs, pollIntervalMs };
  } finally {
    await Promise.all(sides.map((s) => s.stop()));
  }
}
