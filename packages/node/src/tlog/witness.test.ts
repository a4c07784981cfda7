// Witnessing between three log sides over real HTTP and real storage: cosigning,
// the tlog-witness status codes, tiles that reproduce the checkpoint, and forks
// caught as equivocation proofs a third party checks with the log's key alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { consistencyProof, inclusionProof, memorySubtree, treeRoot } from '@tradetwin/core/merkle/proof';
import { verifyInclusion } from '@tradetwin/core/merkle/verify';
import { formatCheckpoint, parseCheckpoint } from '@tradetwin/core/tlog/checkpoint';
import { verifyEquivocation } from '@tradetwin/core/tlog/equivocation';
import { ed25519NoteSigner, parseNote, signNote } from '@tradetwin/core/tlog/note';
import { checkCheckpoint, thresholdPolicy } from '@tradetwin/core/tlog/policy';
import { parseEntryBundle, withTiles } from '@tradetwin/core/tlog/tiles';
import { formatAddCheckpoint } from '@tradetwin/core/tlog/witness-protocol';
import { equivocate } from './fork.js';
import { type LogSide, meshPeers, startLogSide, until } from './test-support.js';

const post = (url: string, body: string) =>
  fetch(`${url}/add-checkpoint`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });

describe('C2SP witnessing between three logs', () => {
  let a: LogSide;
  let b: LogSide;
  let c: LogSide;
  before(async () => {
    [a, b, c] = await Promise.all([startLogSide('a'), startLogSide('b'), startLogSide('c')]);
    meshPeers([a, b, c]);
  });
  after(async () => {
    await Promise.all([a, b, c].map((s) => s.stop()));
  });

  it("every peer cosigns a's new checkpoints; /checkpoint then meets a 2-of-2 policy", async () => {
    await a.append(300);
    const policy = thresholdPolicy([a.tlog.identity.logVkey], [b.tlog.identity.witnessVkey, c.tlog.identity.witnessVkey], 2);
    const note = await until('two cosignatures at size 300', async () => {
      const res = await fetch(`${a.url}/checkpoint`);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      const text = await res.text();
      return checkCheckpoint(text, policy).quorum && parseCheckpoint(parseNote(text).text).size === 300 ? text : null;
    });
    assert.equal(checkCheckpoint(note, policy).cosigners.length, 2);
    // b's monitoring endpoint serves what it cosigned of a.
    const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(a.tlog.identity.origin))).toString(
      'hex',
    );
    const mon = await fetch(`${b.url}/${hash}/checkpoint`);
    assert.equal(mon.status, 200);
    assert.ok((await mon.text()).includes(`— ${b.tlog.identity.witnessName} `));
    assert.equal((await fetch(`${b.url}/${'0'.repeat(64)}/checkpoint`)).status, 404);
  });

  it('the tiles reproduce the checkpoint root and proofs; entry bundles hash to the level-0 tile', async () => {
    const cp = parseCheckpoint(parseNote(await (await fetch(`${a.url}/checkpoint`)).text()).text);
    const tiles = new Map<string, number>();
    const get = async (l: number, i: number, w: number) => {
      const res = await fetch(`${a.url}/tile/${l}/${String(i).padStart(3, '0')}${w === 256 ? '' : `.p/${w}`}`);
      assert.equal(res.status, 200, `tile ${l}/${i}/${w}`);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      tiles.set(`${l}/${i}`, w);
      return new Uint8Array(await res.arrayBuffer());
    };
    assert.deepEqual(await withTiles(cp.size, get, (s) => treeRoot(cp.size, s)), cp.root);
    assert.equal((await get(0, 0, 256)).length, 8192);
    assert.equal(tiles.get('0/1'), 44);
    assert.equal(tiles.get('1/0'), 1);
    const path = await withTiles(cp.size, get, (s) => inclusionProof(270, cp.size, s));
    const bundle = parseEntryBundle(new Uint8Array(await (await fetch(`${a.url}/tile/entries/001.p/44`)).arrayBuffer()));
    assert.equal(bundle.length, 44);
    assert.deepEqual(verifyInclusion(270, cp.size, leafHash(bundle[14]!), path, cp.root), { ok: true });
    // Tiles the tree does not have, and paths that are not tiles, are 404.
    for (const p of ['tile/0/002', 'tile/0/001.p/45', 'tile/2/000.p/1', 'tile/0/1', 'tile/0/x000/001']) {
      assert.equal((await fetch(`${a.url}/${p}`)).status, 404, p);
    }
  });

  it('answers add-checkpoint as tlog-witness says: 404, 403, 400, 409 with the size, 422', async () => {
    const size = (await b.storage.witness.witnessed(a.tlog.identity.origin))!.size;
    const cp = await a.tlog.checkpoints.current();
    // Unknown origin.
    const stranger = ed25519.utils.randomSecretKey();
    const strangerText = formatCheckpoint({
      origin: 'nobody.test/log',
      size: 1,
      root: leafHash(new Uint8Array()),
      extensions: [],
    });
    let res = await post(
      b.url,
      formatAddCheckpoint({
        oldSize: 0,
        proof: [],
        checkpoint: signNote(strangerText, [ed25519NoteSigner('nobody.test/log', stranger)]),
      }),
    );
    assert.equal(res.status, 404);
    // Known origin, signed by another key (no trusted signature), or a bad signature by the trusted key.
    res = await post(
      b.url,
      formatAddCheckpoint({
        oldSize: size,
        proof: [],
        checkpoint: signNote(cp.text, [ed25519NoteSigner(a.tlog.identity.origin, stranger)]),
      }),
    );
    assert.equal(res.status, 403);
    const sigLine = cp.note.slice(cp.note.lastIndexOf('\n\n') + 2);
    const bent = `${cp.text}\n${sigLine.slice(0, 30)}${sigLine[30] === 'A' ? 'B' : 'A'}${sigLine.slice(31)}`;
    res = await post(b.url, formatAddCheckpoint({ oldSize: size, proof: [], checkpoint: bent }));
    assert.equal(res.status, 403);
    // Old size above the checkpoint size.
    res = await post(b.url, formatAddCheckpoint({ oldSize: cp.size + 1, proof: [], checkpoint: cp.note }));
    assert.equal(res.status, 400);
    // Old size not the one cosigned: 409, text/x.tlog.size, the size and a newline.
    res = await post(b.url, formatAddCheckpoint({ oldSize: 7, proof: [], checkpoint: cp.note }));
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('content-type'), 'text/x.tlog.size');
    assert.equal(await res.text(), `${size}\n`);
    // A garbage body.
    assert.equal((await post(b.url, 'hello')).status, 400);
  });

  it('422 for a proof from 0 that is not empty, a bad consistency proof, a size-0 checkpoint with another root', async () => {
    const d = await startLogSide('d');
    const e = await startLogSide('e');
    try {
      // e witnesses d; d does not push (this test speaks for d).
      e.tlog.peers.set([d.peer()]);
      await d.append(10);
      const first = await d.tlog.checkpoints.current();
      const junk = leafHash(new Uint8Array([1]));
      assert.equal((await post(e.url, formatAddCheckpoint({ oldSize: 0, proof: [junk], checkpoint: first.note }))).status, 422);
      const zero = signNote(formatCheckpoint({ origin: d.tlog.identity.origin, size: 0, root: junk, extensions: [] }), [
        d.tlog.identity.signer,
      ]);
      assert.equal((await post(e.url, formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: zero }))).status, 422);
      assert.equal((await post(e.url, formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: first.note }))).status, 200);
      await d.append(5);
      const next = await d.tlog.checkpoints.current();
      const good = await d.log.consistencyProof(10, 15);
      const wrong = good.map((h, i) => (i === 0 ? junk : h));
      const res = await post(e.url, formatAddCheckpoint({ oldSize: 10, proof: wrong, checkpoint: next.note }));
      assert.equal(res.status, 422);
      // A wrong proof is not evidence against the log: no equivocation is recorded.
      assert.deepEqual(await e.storage.witness.equivocations(), []);
      assert.equal((await post(e.url, formatAddCheckpoint({ oldSize: 10, proof: good, checkpoint: next.note }))).status, 200);
    } finally {
      await Promise.all([d.stop(), e.stop()]);
    }
  });

  it('a fork (same size, another root) is refused, proven, alerted and flagged by every peer', async () => {
    await until('peers cosigned a', async () => (await a.tlog.loop.publishNow()).cosigners.length === 2);
    const fork = await equivocate(a.tlog, 'same-size');
    assert.deepEqual(
      fork.submitted.map((s) => s.status),
      [422, 422],
    );
    for (const w of [b, c]) {
      const [row] = await w.storage.witness.equivocations();
      assert.ok(row, `${w.name} recorded the equivocation`);
      // A third party with only a's log key checks the proof.
      assert.deepEqual(verifyEquivocation(JSON.parse(row.proof), a.tlog.identity.logVkey), {
        ok: true,
        origin: a.tlog.identity.origin,
        sizes: [300, 300],
      });
      assert.equal(w.alerts.filter((x) => x.kind === 'equivocation').length, 1);
      const st = await w.tlog.status();
      assert.deepEqual(
        st.flagged.map((f) => [f.origin, f.kind]),
        [[a.tlog.identity.origin, 'same-size']],
      );
    }
    // The same fork again is the same proof: not a second alert.
    await equivocate(a.tlog, 'same-size').catch(() => undefined);
  });

  it('a larger checkpoint that does not extend the cosigned one: its own proof convicts it', async () => {
    await c.append(6);
    await until('a cosigned c at 6', async () => (await a.storage.witness.witnessed(c.tlog.identity.origin))?.size === 6);
    const fork = await equivocate(c.tlog, 'not-extending');
    assert.ok(fork.submitted.every((s) => s.status === 422));
    const row = (await a.storage.witness.equivocations()).find((e) => e.origin === c.tlog.identity.origin);
    assert.ok(row);
    const proof = JSON.parse(row.proof);
    assert.equal(proof.kind, 'not-extending');
    assert.deepEqual(verifyEquivocation(proof, c.tlog.identity.logVkey), {
      ok: true,
      origin: c.tlog.identity.origin,
      sizes: [6, 9],
    });
  });

  it("a smaller checkpoint that the cosigned one does not extend: the log's own tiles convict it", async () => {
    const r = await startLogSide('r');
    const s2 = await startLogSide('s');
    try {
      s2.tlog.peers.set([r.peer()]);
      r.tlog.peers.set([s2.peer()]);
      await r.append(20);
      await until('s cosigned r at 20', async () => (await s2.storage.witness.witnessed(r.tlog.identity.origin))?.size === 20);
      const leaves = await r.log.store.leafHashes(0, 10);
      leaves[2] = leafHash(new Uint8Array([2, 2]));
      const older = signNote(
        formatCheckpoint({ origin: r.tlog.identity.origin, size: 10, root: treeRoot(10, memorySubtree(leaves)), extensions: [] }),
        [r.tlog.identity.signer],
      );
      // Old size 20 > 10 is a 400 as the spec says; the witness still checks it against what it cosigned.
      assert.equal((await post(s2.url, formatAddCheckpoint({ oldSize: 20, proof: [], checkpoint: older }))).status, 400);
      const [row] = await s2.storage.witness.equivocations();
      assert.ok(row);
      assert.deepEqual(verifyEquivocation(JSON.parse(row.proof), r.tlog.identity.logVkey), {
        ok: true,
        origin: r.tlog.identity.origin,
        sizes: [10, 20],
      });
      // An honest smaller checkpoint (the real size-10 root) is no equivocation.
      const real = signNote(
        formatCheckpoint({ origin: r.tlog.identity.origin, size: 10, root: await r.log.root(10), extensions: [] }),
        [r.tlog.identity.signer],
      );
      assert.equal((await post(s2.url, formatAddCheckpoint({ oldSize: 20, proof: [], checkpoint: real }))).status, 400);
      assert.equal((await s2.storage.witness.equivocations()).length, 1);
    } finally {
      await Promise.all([r.stop(), s2.stop()]);
    }
  });

  it('poll mode: a log serving a view that conflicts with what it pushed is caught from its /checkpoint', async () => {
    const p = await startLogSide('p', { pollIntervalMs: 100 });
    const q = await startLogSide('q', { pollIntervalMs: 100 });
    try {
      // q witnesses p by polling only (p does not push to q).
      q.tlog.peers.set([p.peer()]);
      await p.append(20);
      await until('q polled p at 20', async () => (await q.storage.witness.witnessed(p.tlog.identity.origin))?.size === 20);
      // p now serves a forged, larger checkpoint: its tiles are of the real tree, so they cannot reproduce it.
      const leaves = await p.log.store.leafHashes(0, 20);
      leaves[3] = leafHash(new Uint8Array([3, 3]));
      leaves.push(leafHash(new Uint8Array([9])));
      const sub = memorySubtree(leaves);
      const forged = signNote(
        formatCheckpoint({ origin: p.tlog.identity.origin, size: 21, root: treeRoot(21, sub), extensions: [] }),
        [p.tlog.identity.signer],
      );
      const res = await post(
        q.url,
        formatAddCheckpoint({ oldSize: 20, proof: consistencyProof(20, 21, sub), checkpoint: forged }),
      );
      assert.equal(res.status, 422);
      const [row] = await q.storage.witness.equivocations();
      assert.ok(row);
      assert.equal(verifyEquivocation(JSON.parse(row.proof), p.tlog.identity.logVkey).ok, true);
    } finally {
      await Promise.all([p.stop(), q.stop()]);
    }
  });
});
